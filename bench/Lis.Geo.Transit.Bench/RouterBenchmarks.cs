using BenchmarkDotNet.Attributes;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Timetables;
using Lis.Geo.Transit.Walking;

namespace Lis.Geo.Transit.Bench;

/// <summary>
/// One search per invocation on the NYC MTA weekday feed ($LISGEO_GTFS, else ../shared next to the
/// repository), default parameters, origins within ~300 m of random stops (fixed seed, rotated).
/// </summary>
[MemoryDiagnoser]
public class RouterBenchmarks
{
    private static readonly DateOnly ServiceDate = new(2026, 10, 21);
    private TransitRouter _router = null!;
    private RaptorWorker _worker = null!;
    private GeoPoint[] _origins = [];
    private int[] _departures = [];
    private string _timetableFile = "";
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var gtfs = Environment.GetEnvironmentVariable("LISGEO_GTFS") ?? FindSharedFeed();
        var cache = new TimetableCache(Path.Combine(Path.GetTempPath(), "lisgeo-bdn"));
        var timetable = cache.LoadOrCompile(gtfs, ServiceDate);
        _timetableFile = Directory.GetFiles(cache.Directory, "*.lgtt").First();
        _router = new TransitRouter(timetable, new RoutingParameters());
        _worker = _router.CreateWorker();
        var random = new Random(1);
        _origins = Enumerable.Range(0, 64).Select(_ =>
        {
            var stop = timetable.StopLocation(random.Next(timetable.StopCount));
            return new GeoPoint(stop.Lat + (random.NextDouble() - 0.5) * 0.006, stop.Lon + (random.NextDouble() - 0.5) * 0.006);
        }).ToArray();
        _departures = _origins.Select(_ => random.Next(7 * 3600, 10 * 3600)).ToArray();
    }

    [Benchmark(Description = "one departure, one origin -> all stops")]
    public int SingleDeparture()
    {
        var i = _next++ % _origins.Length;
        _worker.Route(_origins[i], _departures[i]);
        return _worker.TravelTimeToStop(0);
    }

    [Benchmark(Description = "one origin, 07:00-10:00 (180 departures) -> all stops")]
    public StopTravelTimes Window() =>
        StopTravelTimes.Compute(_worker, _origins[_next++ % _origins.Length], DepartureWindow.AmPeak);

    [Benchmark(Description = "reload compiled timetable")]
    public Timetable? Reload() => TimetableFile.Load(_timetableFile);

    private static string FindSharedFeed()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Lis.Geo.sln")))
                return Path.Combine(dir.FullName, "..", "shared", "data", "gtfs", "nyc_mta_weekday", "gtfs.zip");
        }
        throw new FileNotFoundException("set LISGEO_GTFS to the NYC feed");
    }
}
