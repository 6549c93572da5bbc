using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lis.Geo.Api.Tests.Features.Analyses;
using Lis.Geo.Data.Feeds;
using Lis.Geo.Data.Importing;
using Lis.Geo.Testing;
using Npgsql;

namespace Lis.Geo.Api.Tests.Features.Feeds;

/// <summary>The sample region with its feed stored first (so it is the default); no job server, runs are only planned.</summary>
public sealed class DefaultFeedFixture : ApiFixture
{
    public long SampleFeedId { get; private set; }

    protected override async Task LoadAsync(Importer importer) =>
        SampleFeedId = (await new FeedStore(Db).ImportAsync("sample", "sample-gtfs.zip", SampleFeed.Zip(), null, default)).Feed.Id;
}

/// <summary>
/// Issue 10 item 6: one explicit default feed. Uploading a feed never moves it (only the first routable
/// feed becomes it); PUT /feeds/{id}/default does; run records say when it was used; a feed nothing can
/// be routed on is stored with its reason and refused by runs; a feed runs use cannot be deleted.
/// </summary>
public sealed class DefaultFeedTests(DefaultFeedFixture api) : IClassFixture<DefaultFeedFixture>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A routable feed of two stops, one weekday trip between them; <paramref name="tag"/> makes its bytes its own.</summary>
    private static byte[] TwoStopFeed(string tag) => GtfsTables.Zip(new Dictionary<string, string>
    {
        ["agency.txt"] = $"agency_id,agency_name,agency_url,agency_timezone\nAG,Two stops {tag},https://example.com,Europe/London\n",
        ["calendar.txt"] = "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20260101,20261231\n",
        ["stops.txt"] = "stop_id,stop_name,stop_lat,stop_lon\nA,Stop A,52.480000,-1.900000\nB,Stop B,52.490000,-1.880000\n",
        ["routes.txt"] = "route_id,agency_id,route_short_name,route_type\nR,AG,1,3\n",
        ["trips.txt"] = "route_id,service_id,trip_id\nR,WK,T1\n",
        ["stop_times.txt"] = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,08:00:00,08:00:00,A,1\nT1,08:10:00,08:10:00,B,2\n",
    });

    /// <summary>Stops and a calendar but no trips or stop times, like the TfWM partial feed in ../shared.</summary>
    private static byte[] StopsOnlyFeed(string tag) => GtfsTables.Zip(new Dictionary<string, string>
    {
        ["agency.txt"] = $"agency_id,agency_name,agency_url,agency_timezone\nAG,Stops only {tag},https://example.com,Europe/London\n",
        ["calendar.txt"] = "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20260101,20261231\n",
        ["stops.txt"] = "stop_id,stop_name,stop_lat,stop_lon\nA,Stop A,52.480000,-1.900000\nB,Stop B,52.490000,-1.880000\n",
    });

    private async Task<JsonElement> UploadAsync(byte[] zip, string name)
    {
        var content = new ByteArrayContent(zip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        var response = await api.Writer().PostAsync($"/feeds?fileName={name}.zip&name={name}", content);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<long[]> DefaultIdsAsync() =>
        [.. (await api.GetJsonAsync("/feeds")).EnumerateArray().Where(f => f.GetProperty("default").GetBoolean()).Select(f => f.GetProperty("id").GetInt64())];

    private async Task<JsonElement> PlanAsync(string body)
    {
        var response = await api.Writer().PostAsync("/analyses", Json(body));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        return JsonDocument.Parse(await api.ScalarAsync<string>("SELECT spec::text FROM analysis_run WHERE id = $1", id)).RootElement;
    }

    [Fact]
    public async Task Uploading_a_two_stop_feed_leaves_the_default_and_the_runs_that_name_no_feed_alone()
    {
        Assert.Equal([api.SampleFeedId], await DefaultIdsAsync());
        var tiny = await UploadAsync(TwoStopFeed("upload"), "two-stops-upload");
        Assert.False(tiny.GetProperty("default").GetBoolean());
        Assert.True(tiny.GetProperty("routable").GetBoolean());
        Assert.Contains($"default feed is still {api.SampleFeedId}", tiny.GetProperty("note").GetString());
        Assert.Equal([api.SampleFeedId], await DefaultIdsAsync());

        // A run naming no feed routes on the default and says so; one naming a feed records that it did.
        var spec = await PlanAsync("""{"type":"zone-access","serviceDate":"2026-11-25"}""");
        Assert.Equal(api.SampleFeedId, spec.GetProperty("feeds")[0].GetProperty("id").GetInt64());
        Assert.True(spec.GetProperty("defaultFeed").GetBoolean());
        var named = await PlanAsync($$"""{"type":"zone-access","serviceDate":"2026-11-25","feedId":{{api.SampleFeedId}}}""");
        Assert.False(named.GetProperty("defaultFeed").GetBoolean());
    }

    [Fact]
    public async Task Put_default_moves_the_one_default_and_the_database_allows_no_second()
    {
        var other = (await UploadAsync(TwoStopFeed("put"), "two-stops-put")).GetProperty("id").GetInt64();
        await Problem.AssertAsync(api.Client.PutAsync($"/feeds/{other}/default", null), HttpStatusCode.Unauthorized);
        await Problem.AssertAsync(api.Writer().PutAsync("/feeds/999999/default", null), HttpStatusCode.NotFound, "id");
        try
        {
            var set = await api.Writer().PutAsync($"/feeds/{other}/default", null);
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            Assert.True((await set.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("default").GetBoolean());
            Assert.Equal([other], await DefaultIdsAsync());
            var (resolved, fromDefault) = await new FeedStore(api.Db).ResolveAsync(null, default);
            Assert.Equal((other, true), (resolved.Id, fromDefault));

            // Two defaults at once: the unique partial index refuses the second.
            var e = await Assert.ThrowsAsync<PostgresException>(() =>
                api.ScalarAsync<object>("UPDATE transit_feed SET is_default = true WHERE id = $1 RETURNING id", api.SampleFeedId));
            Assert.Equal(PostgresErrorCodes.UniqueViolation, e.SqlState);
        }
        finally
        {
            Assert.Equal(HttpStatusCode.OK, (await api.Writer().PutAsync($"/feeds/{api.SampleFeedId}/default", null)).StatusCode);
        }
        Assert.Equal([api.SampleFeedId], await DefaultIdsAsync());
    }

    [Fact]
    public async Task A_feed_without_trips_is_stored_not_routable_and_refused_by_runs_naming_feedId()
    {
        var feed = await UploadAsync(StopsOnlyFeed("idle"), "stops-only");
        var id = feed.GetProperty("id").GetInt64();
        Assert.False(feed.GetProperty("routable").GetBoolean());
        Assert.False(feed.GetProperty("default").GetBoolean());
        Assert.Contains("no trips", feed.GetProperty("notRoutableReason").GetString());
        Assert.Contains("not routable", feed.GetProperty("note").GetString());
        Assert.Equal(2L, await api.ScalarAsync<long>("SELECT count(*) FROM transit_stop WHERE feed_id = $1", id));

        var run = await Problem.AssertAsync(api.Writer().PostAsync("/analyses", Json($$"""{"type":"zone-access","feedId":{{id}}}""")), HttpStatusCode.BadRequest, "feedId");
        Assert.Contains("no trips", run.GetProperty("detail").GetString());
        await Problem.AssertAsync(api.Writer().PostAsync("/analyses", Json($$"""{"type":"zone-access","feeds":[{{api.SampleFeedId}},{{id}}]}""")), HttpStatusCode.BadRequest, "feeds");
        await Problem.AssertAsync(api.Client.GetAsync($"/accessibility?lon=-1.8986&lat=52.4778&feedId={id}"), HttpStatusCode.BadRequest, "feedId");
        await Problem.AssertAsync(api.Writer().PutAsync($"/feeds/{id}/default", null), HttpStatusCode.BadRequest, "id");
        Assert.Equal([api.SampleFeedId], await DefaultIdsAsync());
    }

    [Fact]
    public async Task A_feed_runs_use_is_kept_and_an_unused_one_is_deleted_with_its_stops_and_bytes()
    {
        var used = (await UploadAsync(TwoStopFeed("used"), "two-stops-used")).GetProperty("id").GetInt64();
        var unused = (await UploadAsync(TwoStopFeed("unused"), "two-stops-unused")).GetProperty("id").GetInt64();
        // Planning a run needs service in the window; the two-stop feed's one trip leaves at 08:00.
        await PlanAsync($$"""{"type":"zone-access","feedId":{{used}},"serviceDate":"2026-11-25","window":"07:30-08:30"}""");

        var kept = await Problem.AssertAsync(api.Writer().DeleteAsync($"/feeds/{used}"), HttpStatusCode.Conflict, "id");
        Assert.Contains("1 run(s)", kept.GetProperty("detail").GetString());
        // The unused feed made the default cannot be deleted while another routable feed exists.
        Assert.Equal(HttpStatusCode.OK, (await api.Writer().PutAsync($"/feeds/{unused}/default", null)).StatusCode);
        try
        {
            var isDefault = await Problem.AssertAsync(api.Writer().DeleteAsync($"/feeds/{unused}"), HttpStatusCode.Conflict, "id");
            Assert.Contains("is the default", isDefault.GetProperty("detail").GetString());
        }
        finally
        {
            Assert.Equal(HttpStatusCode.OK, (await api.Writer().PutAsync($"/feeds/{api.SampleFeedId}/default", null)).StatusCode);
        }
        await Problem.AssertAsync(api.Client.DeleteAsync($"/feeds/{unused}"), HttpStatusCode.Unauthorized);

        Assert.Equal(HttpStatusCode.NoContent, (await api.Writer().DeleteAsync($"/feeds/{unused}")).StatusCode);
        await Problem.AssertAsync(api.Client.GetAsync($"/feeds/{unused}"), HttpStatusCode.NotFound, "id");
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM transit_stop WHERE feed_id = $1", unused));
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM transit_feed_file WHERE feed_id = $1", unused));
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM transit_route WHERE feed_id = $1", unused));
        await Problem.AssertAsync(api.Writer().DeleteAsync($"/feeds/{unused}"), HttpStatusCode.NotFound, "id");
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM transit_feed WHERE id = $1", used));
    }
}

/// <summary>The real TfWM partial feed (stops and calendars, no trips) in ../shared: stored, not routable, never the default.</summary>
public sealed class TfwmPartialFeedSharedDataTests(FeedsSharedDataFixture api) : IClassFixture<FeedsSharedDataFixture>
{
    [Fact]
    public async Task The_TfWM_partial_feed_is_stored_as_not_routable_and_does_not_become_the_default()
    {
        var folder = Path.Combine(RepoPaths.SharedData, "gtfs", "tfwm_gtfs_20251121_partial");
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var file in Directory.EnumerateFiles(folder, "*.txt").Order(StringComparer.Ordinal))
                zip.CreateEntryFromFile(file, Path.GetFileName(file));
        var content = new ByteArrayContent(ms.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        var response = await api.Writer().PostAsync("/feeds?fileName=tfwm-partial.zip", content);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var feed = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(feed.GetProperty("routable").GetBoolean());
        Assert.False(feed.GetProperty("default").GetBoolean());
        Assert.Contains("trips.txt", feed.GetProperty("notRoutableReason").GetString());
        var stops = File.ReadLines(Path.Combine(folder, "stops.txt")).Skip(1).Count(l => l.Length > 0);
        Assert.Equal((long)stops, await api.ScalarAsync<long>("SELECT count(*) FROM transit_stop WHERE feed_id = $1", feed.GetProperty("id").GetInt64()));
        // The store has no routable feed, so a run naming none is refused on feedId, saying why.
        var run = await Problem.AssertAsync(api.Writer().PostAsync("/analyses", new StringContent("""{"type":"zone-access"}""", Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest, "feedId");
        Assert.Contains("No feed is the default", run.GetProperty("detail").GetString());
    }
}

/// <summary>The sample region with no feed, uploads up to the default limit.</summary>
public sealed class FeedsSharedDataFixture : ApiFixture;
