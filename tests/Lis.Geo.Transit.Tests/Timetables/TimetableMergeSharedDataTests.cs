using System.IO.Compression;
using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Tests.Support;
using Lis.Geo.Transit.Timetables;
using Lis.Geo.Transit.Walking;

namespace Lis.Geo.Transit.Tests.Timetables;

/// <summary>
/// The NYC MTA feed compiled whole, and split by mode into two feeds (the subway, routes of the
/// <c>subway:</c> folder, vs buses and commuter rail) merged again; both routed with the defaults.
/// </summary>
public sealed class NycSplitFixture : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lisgeo-nyc-split-" + Guid.NewGuid().ToString("N"));

    public NycSplitFixture()
    {
        var zip = SharedData.Require(SharedData.NycGtfsZip);
        Single = TimetableCompiler.Compile(GtfsSource.Open(zip), SharedData.NycServiceDate);
        var (subway, rest) = Split(zip);
        Merged = TimetableMerge.Merge([
            ("subway", TimetableCompiler.Compile(GtfsSource.Open(subway), SharedData.NycServiceDate)),
            ("rest", TimetableCompiler.Compile(GtfsSource.Open(rest), SharedData.NycServiceDate))]);
        SingleRouter = new TransitRouter(Single, Parameters);
        MergedRouter = new TransitRouter(Merged, Parameters);
    }

    public RoutingParameters Parameters { get; } = new();
    public Timetable Single { get; }
    public Timetable Merged { get; }
    public TransitRouter SingleRouter { get; }
    public TransitRouter MergedRouter { get; }

    /// <summary>
    /// Two GTFS folders: trips of subway routes (and their stop_times) in one, all other trips in
    /// the other; stops, routes and calendar copied to both (the compiler keeps only stops with service).
    /// </summary>
    private (string Subway, string Others) Split(string zipPath)
    {
        string subway = Path.Combine(_folder, "subway"), rest = Path.Combine(_folder, "rest");
        Directory.CreateDirectory(subway);
        Directory.CreateDirectory(rest);
        using var zip = ZipFile.OpenRead(zipPath);
        foreach (var name in new[] { "stops.txt", "routes.txt", "calendar.txt", "agency.txt" })
        {
            zip.GetEntry(name)!.ExtractToFile(Path.Combine(subway, name));
            zip.GetEntry(name)!.ExtractToFile(Path.Combine(rest, name));
        }
        var subwayRoutes = Rows(zip, "routes.txt").Where(r => r["route_id"].StartsWith("subway:", StringComparison.Ordinal)).Select(r => r["route_id"]).ToHashSet();
        var subwayTrips = new HashSet<string>();
        using (var a = new StreamWriter(Path.Combine(subway, "trips.txt")))
        using (var b = new StreamWriter(Path.Combine(rest, "trips.txt")))
        {
            a.WriteLine("route_id,service_id,trip_id");
            b.WriteLine("route_id,service_id,trip_id");
            foreach (var r in Rows(zip, "trips.txt"))
            {
                var isSubway = subwayRoutes.Contains(r["route_id"]);
                if (isSubway) subwayTrips.Add(r["trip_id"]);
                (isSubway ? a : b).WriteLine($"{r["route_id"]},{r["service_id"]},{r["trip_id"]}");
            }
        }
        Assert.NotEmpty(subwayTrips);
        // stop_times: trip_id is the first column and holds neither commas nor quotes in this feed.
        using (var input = new StreamReader(zip.GetEntry("stop_times.txt")!.Open()))
        using (var a = new StreamWriter(Path.Combine(subway, "stop_times.txt")))
        using (var b = new StreamWriter(Path.Combine(rest, "stop_times.txt")))
        {
            var header = input.ReadLine()!;
            Assert.StartsWith("trip_id,", header);
            a.WriteLine(header);
            b.WriteLine(header);
            while (input.ReadLine() is { } line)
                (subwayTrips.Contains(line[..line.IndexOf(',')]) ? a : b).WriteLine(line);
        }
        return (subway, rest);
    }

    /// <summary>Rows of a table as column → value; the fields used here (ids, route_type) are never quoted in this feed.</summary>
    private static IEnumerable<Dictionary<string, string>> Rows(ZipArchive zip, string name)
    {
        using var reader = new StreamReader(zip.GetEntry(name)!.Open());
        var header = reader.ReadLine()!.Split(',');
        while (reader.ReadLine() is { } line)
        {
            var fields = SplitCsv(line);
            yield return header.Select((h, i) => (h, v: i < fields.Count ? fields[i] : "")).ToDictionary(p => p.h, p => p.v);
        }
    }

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else current.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        fields.Add(current.ToString());
        return fields;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

[Trait("Category", "SharedData")]
public sealed class TimetableMergeSharedDataTests(NycSplitFixture nyc) : IClassFixture<NycSplitFixture>
{
    [Fact]
    public void Nyc_split_by_mode_and_merged_has_the_single_feeds_stops_and_trips()
    {
        Assert.Equal(nyc.Single.TripCount, nyc.Merged.TripCount);
        Assert.Equal(nyc.Single.StopCount, nyc.Merged.StopCount);
        Assert.True(nyc.Merged.Feeds[0].TripCount == 8497, $"subway trips {nyc.Merged.Feeds[0].TripCount}, PROVENANCE.md: 8,497");
        Assert.Equal(65_330 - 8497, nyc.Merged.Feeds[1].TripCount);
        Assert.Empty(nyc.Merged.Issues);
        var singleIds = Enumerable.Range(0, nyc.Single.StopCount).Select(nyc.Single.StopId).Order(StringComparer.Ordinal);
        var mergedIds = Enumerable.Range(0, nyc.Merged.StopCount).Select(s => Unprefixed(nyc.Merged.StopId(s))).Order(StringComparer.Ordinal);
        Assert.Equal(singleIds, mergedIds);
    }

    [Fact]
    public void Nyc_split_by_mode_and_merged_gives_the_single_feeds_travel_times()
    {
        // Every stop and a set of points, from random origins and departures: transfers between the two
        // feeds (subway ↔ bus, commuter rail) are generated walks, exactly as within one feed.
        var random = new Random(15);
        var single = nyc.SingleRouter.CreateWorker();
        var merged = nyc.MergedRouter.CreateWorker();
        var singleOf = new int[nyc.Merged.StopCount];
        for (var s = 0; s < singleOf.Length; s++) Assert.True(nyc.Single.TryGetStop(Unprefixed(nyc.Merged.StopId(s)), out singleOf[s]));
        var destinations = Enumerable.Range(0, 40).Select(_ => NearRandomStop(random)).ToArray();
        var singleTargets = nyc.SingleRouter.PrepareDestinations(destinations);
        var mergedTargets = nyc.MergedRouter.PrepareDestinations(destinations);
        var reached = 0;
        for (var q = 0; q < 25; q++)
        {
            var origin = NearRandomStop(random);
            var departure = random.Next(6 * 3600, 21 * 3600);
            single.Route(origin, departure);
            merged.Route(origin, departure);
            for (var s = 0; s < nyc.Merged.StopCount; s++)
            {
                Assert.True(single.TravelTimeToStop(singleOf[s]) == merged.TravelTimeToStop(s),
                    $"query {q} from {origin} at {departure}: stop {nyc.Merged.StopId(s)} single {single.TravelTimeToStop(singleOf[s])} merged {merged.TravelTimeToStop(s)}");
                if (merged.TravelTimeToStop(s) != TravelTime.Unreachable) reached++;
            }
            var a = new int[destinations.Length];
            var b = new int[destinations.Length];
            single.TravelTimesTo(singleTargets, a);
            merged.TravelTimesTo(mergedTargets, b);
            Assert.Equal(a, b);
        }
        Assert.True(reached > 25 * 1000, $"only {reached} stop results were reachable: the comparison would prove little");
    }

    private static string Unprefixed(string id) => id[(id.IndexOf(':') + 1)..];

    private GeoPoint NearRandomStop(Random random)
    {
        var stop = nyc.Single.StopLocation(random.Next(nyc.Single.StopCount));
        return new GeoPoint(stop.Lat + (random.NextDouble() - 0.5) * 0.006, stop.Lon + (random.NextDouble() - 0.5) * 0.006);
    }
}

[Trait("Category", "SharedData")]
public sealed class RailAndSampleMergeSharedDataTests
{
    [Fact]
    public void Sample_feed_and_real_rail_feed_merge_with_each_feeds_own_service()
    {
        // The sample feed runs in 2026 only, the Stourbridge Shuttle May–Dec 2022 (PROVENANCE.md): on a
        // 2022 Wednesday the merged timetable holds the rail feed's 214 weekday trips and says the sample
        // feed has none. Stourbridge Junction → Town leaving 05:40 on 2022-06-15: the 05:45 train
        // (05:40 + 60 s slack), at Town 05:48: 480 s, with and without the sample feed.
        var rail = SharedData.Require(SharedData.RailGtfsZip);
        var wednesday2022 = new DateOnly(2022, 6, 15);
        var railOnly = TimetableCompiler.Compile(GtfsSource.Open(rail), wednesday2022);
        var merged = TimetableMerge.Merge([
            ("sample", TimetableCompiler.Compile(GtfsSource.Open(SharedData.SampleGtfsFolder), wednesday2022)),
            ("rail", railOnly)]);
        Assert.Equal(214, merged.TripCount);
        Assert.Equal("sample", Assert.Single(merged.Issues, i => i.Code == IssueCodes.NoService).File);
        var parameters = new RoutingParameters();
        foreach (var (timetable, prefix) in new[] { (merged, "rail:"), (railOnly, "") })
        {
            Assert.True(timetable.TryGetStop(prefix + "9100STRBDGJ0", out var junction));
            Assert.True(timetable.TryGetStop(prefix + "9100STRBDGT0", out var town));
            var worker = new TransitRouter(timetable, parameters).CreateWorker();
            worker.Route(timetable.StopLocation(junction), 5 * 3600 + 40 * 60);
            Assert.Equal(480, worker.TravelTimeToStop(town));
        }

        // On the sample's example date: all of the sample's trips of that day, none of the rail feed's.
        var sampleDate = new DateOnly(2026, 11, 25);
        var merged2026 = TimetableMerge.Merge([
            ("sample", TimetableCompiler.Compile(GtfsSource.Open(SharedData.SampleGtfsFolder), sampleDate)),
            ("rail", TimetableCompiler.Compile(GtfsSource.Open(rail), sampleDate))]);
        Assert.Equal(TimetableCompiler.Compile(GtfsSource.Open(SharedData.SampleGtfsFolder), sampleDate).TripCount, merged2026.TripCount);
        Assert.Equal("rail", Assert.Single(merged2026.Issues, i => i.Code == IssueCodes.NoService).File);
    }
}
