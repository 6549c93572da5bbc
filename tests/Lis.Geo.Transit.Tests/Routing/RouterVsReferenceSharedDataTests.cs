using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Tests.Reference;
using Lis.Geo.Transit.Tests.Support;
using Lis.Geo.Transit.Timetables;
using Lis.Geo.Transit.Walking;

namespace Lis.Geo.Transit.Tests.Routing;

/// <summary>The real NYC MTA weekday feed, compiled by the engine and loaded plainly for the reference, once per class.</summary>
public sealed class NycSharedDataFixture
{
    public NycSharedDataFixture()
    {
        var zip = SharedData.Require(SharedData.NycGtfsZip);
        Timetable = TimetableCompiler.Compile(GtfsSource.Open(zip), SharedData.NycServiceDate);
        Router = new TransitRouter(Timetable, Parameters);
        var plain = PlainFeed.LoadZip(zip, SharedData.NycServiceDate);
        Reference = new ConnectionScanReference(plain, Parameters);
        ReferenceStopOf = Enumerable.Range(0, Timetable.StopCount).Select(s => plain.StopIndex[Timetable.StopId(s)]).ToArray();
    }

    /// <summary>The documented defaults.</summary>
    public RoutingParameters Parameters { get; } = new();

    public Timetable Timetable { get; }
    public TransitRouter Router { get; }
    internal ConnectionScanReference Reference { get; }

    /// <summary>For each engine stop index, the reference's index of the same stop_id.</summary>
    public int[] ReferenceStopOf { get; }
}

/// <summary>
/// Property tests: the engine's RAPTOR and range RAPTOR against the plain Connection Scan reference on
/// random origins (near random stops, up to ~300 m off) and departure times over the real NYC feed,
/// with the default parameters. Travel times must be identical to the second, for every stop and for
/// random destination points.
/// </summary>
[Trait("Category", "SharedData")]
public sealed class RouterVsReferenceSharedDataTests(NycSharedDataFixture nyc) : IClassFixture<NycSharedDataFixture>
{
    [Fact]
    public void The_feed_compiles_to_the_published_counts_without_issues()
    {
        // PROVENANCE.md: 65,330 trips run on 20261021; trips use 15,633 stops (the per-folder
        // "stops used by trips" column: 4572 + 2748 + 1881 + 1822 + 1420 + 1963 + 126 + 112 + 989);
        // the read-back found no problems.
        Assert.Equal(65_330, nyc.Timetable.TripCount);
        Assert.Equal(15_633, nyc.Timetable.StopCount);
        Assert.Empty(nyc.Timetable.Issues);
    }

    [Fact]
    public void Single_departures_match_the_reference_to_the_second()
    {
        var random = new Random(20261021);
        var worker = nyc.Router.CreateWorker();
        var reached = 0;
        for (var q = 0; q < 30; q++)
        {
            var origin = NearRandomStop(random);
            var departure = random.Next(6 * 3600, 22 * 3600);
            var destinations = Enumerable.Range(0, 5).Select(_ => NearRandomStop(random)).ToArray();
            destinations[0] = new GeoPoint(origin.Lat + 0.004, origin.Lon - 0.003);

            worker.Route(origin, departure);
            var expected = nyc.Reference.Query(origin.Lat, origin.Lon, departure, destinations.Select(d => (d.Lat, d.Lon)).ToList());
            for (var s = 0; s < nyc.Timetable.StopCount; s++)
            {
                var r = nyc.ReferenceStopOf[s];
                Assert.True(expected.ToStop[r] == worker.TravelTimeToStop(s), $"query {q} from {origin} at {departure}: stop {nyc.Timetable.StopId(s)} reference {expected.ToStop[r]} engine {worker.TravelTimeToStop(s)}");
                Assert.True(expected.ToStopByRide[r] == worker.RideTravelTimeToStop(s), $"query {q}: ride to stop {nyc.Timetable.StopId(s)} reference {expected.ToStopByRide[r]} engine {worker.RideTravelTimeToStop(s)}");
                if (expected.ToStop[r] != TravelTime.Unreachable) reached++;
            }
            var engine = new int[destinations.Length];
            worker.TravelTimesTo(nyc.Router.PrepareDestinations(destinations), engine);
            Assert.Equal(expected.ToDestination, engine);
        }
        Assert.True(reached > 30 * 500, $"only {reached} stop results were reachable: the comparison would prove little");
    }

    [Fact]
    public void Window_travel_times_match_the_reference_at_every_departure()
    {
        // A 20-minute window from random origins via the public matrix API (range RAPTOR, parallel),
        // each departure compared with an independent reference query.
        var random = new Random(7);
        var origins = Enumerable.Range(0, 3).Select(_ => NearRandomStop(random)).ToArray();
        var destinations = Enumerable.Range(0, 6).Select(_ => NearRandomStop(random)).ToList();
        destinations.Add(new GeoPoint(origins[0].Lat + 0.01, origins[0].Lon));
        var start = random.Next(7 * 60, 9 * 60) * 60;
        var parameters = nyc.Parameters with { Window = new DepartureWindow(start, start + 20 * 60) };
        var matrix = TravelTimeMatrix.Compute(new TransitRouter(nyc.Timetable, parameters), origins, destinations);
        var finite = 0;
        for (var o = 0; o < origins.Length; o++)
        {
            for (var i = 0; i < parameters.Window.Count; i++)
            {
                var expected = nyc.Reference.Query(origins[o].Lat, origins[o].Lon, parameters.Window.DepartureAt(i), destinations.Select(d => (d.Lat, d.Lon)).ToList());
                for (var d = 0; d < destinations.Count; d++)
                {
                    Assert.True(expected.ToDestination[d] == matrix.TravelTimes(o, d)[i], $"origin {origins[o]} departure {i} destination {destinations[d]}: reference {expected.ToDestination[d]} engine {matrix.TravelTimes(o, d)[i]}");
                    if (expected.ToDestination[d] != TravelTime.Unreachable) finite++;
                }
            }
        }
        Assert.True(finite > 100, $"only {finite} finite travel times: the comparison would prove little");
    }

    [Fact]
    public void Window_travel_times_to_every_stop_match_the_reference()
    {
        var random = new Random(11);
        var origin = NearRandomStop(random);
        var window = new DepartureWindow(8 * 3600, 8 * 3600 + 10 * 60);
        var range = StopTravelTimes.Compute(nyc.Router.CreateWorker(), origin, window);
        for (var i = 0; i < window.Count; i++)
        {
            var expected = nyc.Reference.Query(origin.Lat, origin.Lon, window.DepartureAt(i), []);
            var engine = range.AtDeparture(i);
            for (var s = 0; s < nyc.Timetable.StopCount; s++)
                Assert.True(expected.ToStop[nyc.ReferenceStopOf[s]] == engine[s], $"departure {i} stop {nyc.Timetable.StopId(s)}: reference {expected.ToStop[nyc.ReferenceStopOf[s]]} engine {engine[s]}");
        }
    }

    [Fact]
    public void Profile_search_equals_the_forward_search_for_200_origins_30_destinations_07_to_10()
    {
        // Issue 13: every pair-minute of the 07:00–10:00 window identical, both searches on the same router.
        var random = new Random(13);
        var origins = Enumerable.Range(0, 200).Select(_ => NearRandomStop(random)).ToArray();
        var destinations = Enumerable.Range(0, 30).Select(_ => NearRandomStop(random)).ToArray();
        var forward = TravelTimeMatrix.Compute(nyc.Router, origins, destinations, search: MatrixSearch.Forward);
        var profile = TravelTimeMatrix.Compute(nyc.Router, origins, destinations, search: MatrixSearch.Profile);
        var finite = 0;
        for (var o = 0; o < origins.Length; o++)
        {
            for (var d = 0; d < destinations.Length; d++)
            {
                var expected = forward.TravelTimes(o, d);
                var actual = profile.TravelTimes(o, d);
                for (var i = 0; i < expected.Length; i++)
                {
                    Assert.True(expected[i] == actual[i], $"origin {origins[o]} destination {destinations[d]} departure {i}: forward {expected[i]} profile {actual[i]}");
                    if (expected[i] != TravelTime.Unreachable) finite++;
                }
            }
        }
        Assert.True(finite > 200 * 30 * 180 / 4, $"only {finite} finite pair-minutes: the comparison would prove little");
    }

    private GeoPoint NearRandomStop(Random random)
    {
        var stop = nyc.Timetable.StopLocation(random.Next(nyc.Timetable.StopCount));
        return new GeoPoint(stop.Lat + (random.NextDouble() - 0.5) * 0.006, stop.Lon + (random.NextDouble() - 0.5) * 0.006);
    }
}
