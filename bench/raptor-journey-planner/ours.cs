#:project ../../src/Lis.Geo.Transit/Lis.Geo.Transit.csproj
#:property ServerGarbageCollection=true
#:property PublishAot=false
// Our side of the raptor-journey-planner comparison: the same 50 (origin stop, departure) queries
// from pairs.json, one departure to all stops each, default parameters. Usage: dotnet run ours.cs -- FEED.zip pairs.json
using System.Diagnostics;
using System.Text.Json;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Timetables;

var timetable = new TimetableCache(Path.Combine(Path.GetTempPath(), "lisgeo-rjp")).LoadOrCompile(args[0], new DateOnly(2026, 10, 21));
var router = new TransitRouter(timetable, new RoutingParameters());
var worker = router.CreateWorker();
using var pairs = JsonDocument.Parse(File.ReadAllText(args[1]));
var queries = pairs.RootElement.EnumerateArray()
    .Select(p => (Origin: p[0].GetString()!, Destination: p[1].GetString()!, Departure: p[2].GetInt32())).ToArray();
double Run((string Origin, string Destination, int Departure) q, out bool reached)
{
    timetable.TryGetStop(q.Origin, out var o);
    timetable.TryGetStop(q.Destination, out var d);
    var clock = Stopwatch.StartNew();
    worker.Route(timetable.StopLocation(o), q.Departure);
    var ms = clock.Elapsed.TotalMilliseconds;
    reached = worker.TravelTimeToStop(d) != TravelTime.Unreachable;
    return ms;
}
foreach (var q in queries.Take(10)) Run(q, out _);
var times = queries.Select(q => Run(q, out _)).Order().ToArray();
var found = queries.Count(q => { Run(q, out var r); return r; });
Console.WriteLine($"queries {times.Length}, destination reached {found}, median {times[times.Length / 2]:0.00} ms, min {times[0]:0.00}, max {times[^1]:0.00}");
