using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Lis.Geo.Testing;
using Xunit.Abstractions;

namespace Lis.Geo.Api.Tests.Features.Feeds;

/// <summary>
/// The New York MTA weekday feed of ../shared/data (392 routes, 65,330 trips, 2.0 million stop_times,
/// no shapes.txt: see its PROVENANCE.md) stored through the upload pipeline, its route lines checked
/// against a plain reading of the zip's text written here.
/// </summary>
[Trait("Category", "SharedData")]
public sealed class FeedsSharedDataTests(BigUploadsFixture api, ITestOutputHelper output) : IClassFixture<BigUploadsFixture>
{
    private static string NewYorkZip => Path.Combine(RepoPaths.SharedData, "gtfs", "nyc_mta_weekday", "gtfs.zip");

    /// <summary>The lines of one table; the fields used here are never quoted in this feed (asserted).</summary>
    private static IEnumerable<string[]> Rows(ZipArchive zip, string table, params string[] columns)
    {
        using var reader = new StreamReader(zip.GetEntry(table)!.Open());
        var header = reader.ReadLine()!.Split(',');
        var at = columns.Select(c => Array.IndexOf(header, c)).ToArray();
        Assert.DoesNotContain(-1, at);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            var fields = line.Split(',');
            var values = at.Select(i => fields[i]).ToArray();
            Assert.All(values, v => Assert.False(v.StartsWith('"'), $"{table}: quoted value in '{line}'"));
            yield return values;
        }
    }

    /// <summary>Per route: trip count, and its distinct stop sequences as lines of (lon, lat) with repeated points dropped.</summary>
    private static (Dictionary<string, int> Trips, Dictionary<string, List<double[][]>> Lines) Expected()
    {
        using var zip = ZipFile.OpenRead(NewYorkZip);
        var stops = Rows(zip, "stops.txt", "stop_id", "stop_lat", "stop_lon").ToDictionary(r => r[0],
            r => new[] { double.Parse(r[2], CultureInfo.InvariantCulture), double.Parse(r[1], CultureInfo.InvariantCulture) });
        var routeOfTrip = Rows(zip, "trips.txt", "trip_id", "route_id").ToDictionary(r => r[0], r => r[1]);
        var trips = routeOfTrip.Values.GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count());
        var lines = new Dictionary<string, List<double[][]>>();
        var seen = new HashSet<string>();
        var finished = new HashSet<string>();
        string? current = null;
        var rows = new List<(int Sequence, string Stop)>();
        void Finish()
        {
            if (current is null) return;
            Assert.True(finished.Add(current), $"stop_times rows of trip {current} are not contiguous, as PROVENANCE.md says they are");
            var points = new List<double[]>();
            foreach (var (_, stop) in rows.OrderBy(r => r.Sequence))
                if (points.Count == 0 || !points[^1].SequenceEqual(stops[stop])) points.Add(stops[stop]);
            var route = routeOfTrip[current];
            var key = route + "|" + string.Join(';', points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p[0]:R} {p[1]:R}")));
            if (points.Count >= 2 && seen.Add(key))
            {
                if (!lines.TryGetValue(route, out var list)) lines[route] = list = [];
                list.Add([.. points]);
            }
            rows.Clear();
        }
        foreach (var r in Rows(zip, "stop_times.txt", "trip_id", "stop_id", "stop_sequence"))
        {
            if (r[0] != current)
            {
                Finish();
                current = r[0];
            }
            rows.Add((int.Parse(r[2], CultureInfo.InvariantCulture), r[1]));
        }
        Finish();
        return (trips, lines);
    }

    /// <summary>Served coordinates have 6 decimals (RFC 7946 advice, <c>FeatureQuery.Decimals</c>): equal means within rounding.</summary>
    private static bool SameLine(double[][] served, double[][] expected) =>
        served.Length == expected.Length && served.Zip(expected).All(p => Math.Abs(p.First[0] - p.Second[0]) <= 1e-6 && Math.Abs(p.First[1] - p.Second[1]) <= 1e-6);

    [Fact]
    public async Task Every_route_with_trips_is_stored_with_one_line_per_distinct_stop_sequence()
    {
        await UploadPipeline.WarmUpAsync(api, "new-york");
        var run = await UploadPipeline.RunAsync(api, NewYorkZip, null);
        output.WriteLine($"New York feed, {run.Bytes:N0} bytes: received and stored (hash, summary, compile, routes, stops, bytes) in {run.Elapsed.TotalSeconds:F1} s, " +
                         $"{run.Allocated:N0} bytes allocated");

        var (trips, lines) = Expected();
        var routesTxt = new HashSet<string>(Rows(ZipFile.OpenRead(NewYorkZip), "routes.txt", "route_id").Select(r => r[0]));
        var withTrips = routesTxt.Where(trips.ContainsKey).ToHashSet();
        Assert.Equal(392, routesTxt.Count); // as PROVENANCE.md counts them

        var page = await api.GetJsonAsync($"/collections/transit-routes/items?feed={run.Feed}&limit=1000");
        Assert.Equal(withTrips.Count, page.GetProperty("numberMatched").GetInt32());
        var features = page.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(withTrips, features.Select(f => f.GetProperty("properties").GetProperty("route_id").GetString()!).ToHashSet());
        foreach (var f in features)
        {
            var p = f.GetProperty("properties");
            var routeId = p.GetProperty("route_id").GetString()!;
            Assert.Equal("stops", p.GetProperty("geometry_source").GetString()); // the feed has no shapes.txt
            Assert.Equal(trips[routeId], p.GetProperty("trip_count").GetInt32());
            var served = f.GetProperty("geometry").GetProperty("coordinates").EnumerateArray()
                .Select(l => l.EnumerateArray().Select(c => new[] { c[0].GetDouble(), c[1].GetDouble() }).ToArray()).ToList();
            var expected = lines[routeId].ToList();
            Assert.True(served.Count == expected.Count, $"route {routeId}: {served.Count} lines served, {expected.Count} distinct stop sequences in the zip");
            foreach (var line in served)
            {
                var match = expected.FindIndex(e => SameLine(line, e));
                Assert.True(match >= 0, $"route {routeId}: a served line of {line.Length} points is not a stop sequence of its trips (or is served twice)");
                expected.RemoveAt(match);
            }
        }

        // The same bytes through HTTP (chunked): the stored feed comes back, nothing is stored twice.
        await using var body = File.OpenRead(NewYorkZip);
        var content = new StreamContent(body, 1 << 16);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        var again = await api.Writer().SendAsync(Upload.Chunked("/feeds?fileName=gtfs.zip", content));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(run.Feed, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        Assert.Empty(api.LeftoverUploads());
    }
}
