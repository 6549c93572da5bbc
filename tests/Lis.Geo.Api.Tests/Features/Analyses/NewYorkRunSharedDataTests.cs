using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lis.Geo.Data.Feeds;
using Lis.Geo.Data.Importing;
using Lis.Geo.Testing;
using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Timetables;
using Lis.Geo.Transit.Walking;

namespace Lis.Geo.Api.Tests.Features.Analyses;

/// <summary>
/// The New York MTA feed of ../shared/data (subway, buses, LIRR, Metro-North; one weekday) stored through
/// the feed store, 40 origin zones beside stops picked by hash, 8 centres at other stops, and a Hangfire
/// server in the host: a metropolitan-scale run through the whole pipeline.
/// </summary>
public sealed class NewYorkRunFixture : ApiFixture
{
    public static readonly DateOnly ServiceDate = new(2026, 10, 21);
    public static string FeedPath => Path.Combine(RepoPaths.SharedData, "gtfs/nyc_mta_weekday/gtfs.zip");

    protected override string? ManifestPath => null;
    protected override IEnumerable<(string Key, string Value)> Settings => [("Jobs:RunServer", "true"), ("Jobs:ChunkSize", "10")];

    protected override async Task LoadAsync(Importer importer)
    {
        await new FeedStore(Db).ImportAsync("nyc", await FeedFile.FromPathAsync(FeedPath, default), ServiceDate, default);
        // Origins 100 m east and 50 m north of a stop (so access walks are not zero), centres at stops.
        await using var cmd = Db.CreateCommand("""
            INSERT INTO zone_set (id, name, code_geography) VALUES ('nyc', 'New York test points', 'nyc');
            INSERT INTO zone (zone_set_id, code, name, population, geom, centroid)
            SELECT 'nyc', 'z' || lpad(n::text, 2, '0'), name, 1000 + n, ST_Multi(ST_Buffer(p, 0.002)), p
            FROM (SELECT row_number() OVER (ORDER BY md5(stop_id)) AS n, name, ST_SetSRID(ST_Translate(geom, 0.0012, 0.00045), 4326) AS p
                  FROM transit_stop WHERE coalesce(location_type, 0) = 0 ORDER BY md5(stop_id) LIMIT 40) s;
            INSERT INTO centre (code, name, kind, geom)
            SELECT 'c' || n, name, 'test', geom
            FROM (SELECT row_number() OVER (ORDER BY md5('centre' || stop_id)) AS n, name, geom
                  FROM transit_stop WHERE coalesce(location_type, 0) = 0 ORDER BY md5('centre' || stop_id) LIMIT 8) s;
            """);
        await cmd.ExecuteNonQueryAsync();
    }
}

[Trait("Category", "SharedData")]
public sealed class NewYorkRunSharedDataTests(NewYorkRunFixture api) : IClassFixture<NewYorkRunFixture>
{
    [Fact]
    public async Task A_run_on_the_New_York_feed_equals_the_engine_computed_directly()
    {
        var response = await api.Writer().PostAsync("/analyses", new StringContent(
            """{"zoneSet":"nyc","serviceDate":"2026-10-21","window":"07:00-08:00","minCentres":2}""", Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        JsonElement run;
        var started = DateTime.UtcNow;
        do
        {
            await Task.Delay(500);
            run = await api.GetJsonAsync($"/analyses/{id}");
        } while (run.GetProperty("state").GetString() is "queued" or "running" or "aggregating" && DateTime.UtcNow - started < TimeSpan.FromMinutes(5));
        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        // 40 zones × 8 centres: the planner picks the profile search, which routes every origin in one chunk.
        Assert.Equal("profile", run.GetProperty("record").GetProperty("parameters").GetProperty("search").GetString());
        Assert.Equal(1, run.GetProperty("progress").GetProperty("chunksDone").GetInt32());

        // The engine alone on the same zip, date, points (in code order) and window.
        var origins = await Points("SELECT code, ST_Y(centroid), ST_X(centroid) FROM zone WHERE zone_set_id = 'nyc' ORDER BY code");
        var centres = await Points("SELECT code, ST_Y(geom), ST_X(geom) FROM centre ORDER BY code");
        var parameters = new RoutingParameters { Window = DepartureWindow.Parse("07:00-08:00") };
        var matrix = TravelTimeMatrix.Compute(TimetableCompiler.Compile(GtfsSource.Open(NewYorkRunFixture.FeedPath), NewYorkRunFixture.ServiceDate),
            origins.Select(o => o.Point).ToList(), centres.Select(c => c.Point).ToList(), parameters);

        var lines = (await api.Client.GetStringAsync($"/analyses/{id}/travel-times.csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(40 * 8, lines.Count);
        var reached = 0;
        foreach (var f in lines.Select(l => l.Split(',')))
        {
            var (o, d) = (origins.FindIndex(x => x.Code == f[1]), centres.FindIndex(x => x.Code == f[3]));
            var expected = matrix.PercentilesOf(o, d).Select(t => t == TravelTime.Unreachable ? "" : t.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(expected, f[5..10]);
            if (f[7].Length > 0) reached++;
        }
        Assert.True(reached > 40, $"only {reached} of 320 pairs reached at the median: the test points should be connected");
    }

    private async Task<List<(string Code, GeoPoint Point)>> Points(string sql)
    {
        var list = new List<(string, GeoPoint)>();
        await using var cmd = api.Db.CreateCommand(sql);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add((r.GetString(0), new GeoPoint(r.GetDouble(1), r.GetDouble(2))));
        return list;
    }
}
