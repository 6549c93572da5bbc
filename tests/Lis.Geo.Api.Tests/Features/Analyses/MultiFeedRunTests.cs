using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lis.Geo.Data.Feeds;
using Lis.Geo.Testing;

namespace Lis.Geo.Api.Tests.Features.Analyses;

/// <summary>
/// A run over several feeds, through HTTP, Hangfire and PostGIS: the sample feed split in two (the M1
/// tram, and the S1–S3 buses) and given as <c>feeds</c> must route exactly as the whole feed does, with
/// walks between tram and bus stops generated across the two feeds (T10 Bull Street – B01 Moor Street,
/// T06 – B11 West Bromwich).
/// </summary>
public sealed class MultiFeedRunTests(AnalysisFixture api) : IClassFixture<AnalysisFixture>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>The sample feed's tables with only the trips (and their stop_times) whose trip_id starts with or without "M1-".</summary>
    internal static byte[] Part(bool tram)
    {
        var folder = Path.Combine(RepoPaths.GeoData, "gtfs");
        return GtfsTables.Zip(Directory.EnumerateFiles(folder, "*.txt").Order(StringComparer.Ordinal).Select(file =>
        {
            var name = Path.GetFileName(file);
            var lines = File.ReadAllLines(file);
            // trips.txt: route_id first; stop_times.txt: trip_id first (ROUTE-DIRECTION-HHMM); the agency name tells the parts apart.
            IEnumerable<string> kept = name switch
            {
                "trips.txt" or "stop_times.txt" => lines.Take(1).Concat(lines.Skip(1).Where(l => l.StartsWith("M1", StringComparison.Ordinal) == tram)),
                "agency.txt" => lines.Select((l, i) => i == 1 ? l.Replace("Sample Transit", tram ? "Sample Tram" : "Sample Buses", StringComparison.Ordinal) : l),
                _ => lines,
            };
            return KeyValuePair.Create(name, string.Concat(kept.Select(l => l + "\n")));
        }));
    }

    private async Task<long> StartAsync(string body)
    {
        var response = await api.Writer().PostAsync("/analyses", Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt64();
    }

    [Fact]
    public async Task A_run_over_the_split_feeds_equals_the_run_over_the_whole_feed()
    {
        var store = new FeedStore(api.Db);
        var (tram, _) = await store.ImportAsync("sample tram", "tram.zip", Part(tram: true), null, default);
        var (bus, _) = await store.ImportAsync("sample buses", "bus.zip", Part(tram: false), null, default);
        Assert.NotEqual(tram.Sha256, bus.Sha256);

        var whole = await api.WaitAsync(await StartAsync($$"""{"feedId":{{api.FeedId}},"serviceDate":"2026-11-25","minCentres":2}"""));
        var split = await api.WaitAsync(await StartAsync($$"""{"feeds":[{{tram.Id}},{{bus.Id}}],"serviceDate":"2026-11-25","minCentres":2}"""));
        Assert.Equal("succeeded", whole.GetProperty("state").GetString());
        Assert.Equal("succeeded", split.GetProperty("state").GetString());

        // Same travel times for every zone–centre pair, so the same summary.
        var wholeCsv = await api.Client.GetStringAsync($"/analyses/{whole.GetProperty("id").GetInt64()}/travel-times.csv");
        var splitCsv = await api.Client.GetStringAsync($"/analyses/{split.GetProperty("id").GetInt64()}/travel-times.csv");
        Assert.Equal(wholeCsv, splitCsv);
        Assert.Contains(wholeCsv.Split('\n').Skip(1), l => l.Split(',') is { Length: > 7 } f && f[7].Length > 0);
        Assert.Equal(whole.GetProperty("summary").GetRawText(), split.GetProperty("summary").GetRawText());

        // The record lists both feeds with their hashes, the request re-creates the run, and the run links each feed's QA.
        var feeds = split.GetProperty("record").GetProperty("parameters").GetProperty("feeds").EnumerateArray()
            .Select(f => (f.GetProperty("id").GetInt64(), f.GetProperty("sha256").GetString())).ToList();
        Assert.Equal([(tram.Id, tram.Sha256), (bus.Id, bus.Sha256)], feeds);
        Assert.Equal([tram.Id, bus.Id], split.GetProperty("request").GetProperty("feeds").EnumerateArray().Select(f => f.GetInt64()));
        var qa = split.GetProperty("links").EnumerateArray().Where(l => l.GetProperty("rel").GetString() == "feed-qa").Select(l => l.GetProperty("href").GetString()!).ToList();
        Assert.Equal(2, qa.Count);
        Assert.EndsWith($"/feeds/{tram.Id}/qa?date=2026-11-25", qa[0]);
        var report = await api.GetJsonAsync(new Uri(qa[1]).PathAndQuery);
        Assert.Equal(bus.Id, report.GetProperty("feedId").GetInt64());
    }

    [Fact]
    public async Task Bad_feed_lists_are_refused_naming_feeds()
    {
        var response = await api.Writer().PostAsync("/analyses", Json($$"""{"feeds":[{{api.FeedId}},{{api.FeedId}}]}"""));
        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "feeds");
        await Problem.AssertAsync(api.Writer().PostAsync("/analyses", Json("""{"feeds":[]}""")), HttpStatusCode.BadRequest, "feeds");
        await Problem.AssertAsync(api.Writer().PostAsync("/analyses", Json($$"""{"feedId":{{api.FeedId}},"feeds":[{{api.FeedId}}]}""")), HttpStatusCode.BadRequest, "feeds");
        await Problem.AssertAsync(api.Writer().PostAsync("/analyses", Json("""{"feeds":[987654]}""")), HttpStatusCode.BadRequest, "feeds");
        await Problem.AssertAsync(api.Client.GetAsync("/accessibility?lon=-1.9&lat=52.48&feeds=1,x"), HttpStatusCode.BadRequest, "feeds");
        await Problem.AssertAsync(api.Client.GetAsync("/accessibility?lon=-1.9&lat=52.48&feeds=987654"), HttpStatusCode.NotFound, "feeds");
    }
}
