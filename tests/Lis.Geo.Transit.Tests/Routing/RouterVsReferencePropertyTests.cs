using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Tests.Reference;
using Lis.Geo.Transit.Tests.Support;

namespace Lis.Geo.Transit.Tests.Routing;

/// <summary>
/// The engine against the independent Connection Scan reference on seeded random feeds
/// (<see cref="SyntheticFeed"/>: overtaking trips, pickup/drop-off restrictions, service past midnight,
/// walk-only shortcuts, random rules), so the reference comparison runs in CI without ../shared; the
/// New York variant is <see cref="RouterVsReferenceSharedDataTests"/>. The reference shares no code
/// with the engine: it reads the feed with <see cref="PlainFeed"/> and computes its own walks.
/// </summary>
public sealed class RouterVsReferencePropertyTests
{
    [Fact]
    public void Single_departures_match_the_reference_at_every_stop_and_destination()
    {
        long stopCells = 0, reachedByRide = 0;
        for (var seed = 1; seed <= 120; seed++)
        {
            var c = SyntheticFeed.Create(seed);
            using var feed = c.Feed;
            var timetable = feed.Compile();
            var router = new TransitRouter(timetable, c.Parameters);
            var reference = new ConnectionScanReference(PlainFeed.LoadFolder(feed.Folder, TestFeed.ServiceDate), c.Parameters);
            var plainStop = PlainFeed.LoadFolder(feed.Folder, TestFeed.ServiceDate).StopIndex;
            var worker = router.CreateWorker();
            var destinations = router.PrepareDestinations(c.Destinations);
            var random = new Random(seed);
            foreach (var origin in c.Origins)
            {
                // Any second of the window, not only whole minutes: the engine must not round.
                var departure = c.Parameters.Window.StartSeconds + random.Next(0, Math.Max(1, c.Parameters.Window.EndSeconds - c.Parameters.Window.StartSeconds));
                worker.Route(origin, departure);
                var expected = reference.Query(origin.Lat, origin.Lon, departure, c.Destinations.Select(d => (d.Lat, d.Lon)).ToList());
                for (var s = 0; s < timetable.StopCount; s++)
                {
                    var r = plainStop[timetable.StopId(s)];
                    Assert.True(expected.ToStop[r] == worker.TravelTimeToStop(s),
                        $"{c.Description}: from {origin} at {DepartureWindow.FormatClock(departure)} stop {timetable.StopId(s)}: reference {expected.ToStop[r]} engine {worker.TravelTimeToStop(s)}");
                    Assert.True(expected.ToStopByRide[r] == worker.RideTravelTimeToStop(s),
                        $"{c.Description}: from {origin} at {DepartureWindow.FormatClock(departure)} ride to stop {timetable.StopId(s)}: reference {expected.ToStopByRide[r]} engine {worker.RideTravelTimeToStop(s)}");
                    stopCells++;
                    if (expected.ToStopByRide[r] != TravelTime.Unreachable) reachedByRide++;
                }
                var engine = new int[c.Destinations.Length];
                worker.TravelTimesTo(destinations, engine);
                Assert.True(expected.ToDestination.SequenceEqual(engine),
                    $"{c.Description}: from {origin} at {DepartureWindow.FormatClock(departure)}: reference [{string.Join(", ", expected.ToDestination)}] engine [{string.Join(", ", engine)}]");
            }
        }
        // The comparison must have exercised rides, not only walks and unreachable stops.
        Assert.True(reachedByRide > stopCells / 10, $"only {reachedByRide} of {stopCells} stop results were reached by a ride: too few to prove much");
    }

    [Fact]
    public void Window_matrices_match_the_reference_at_every_departure()
    {
        // The forward range RAPTOR and the profile search over the window, each against
        // one independent reference query per departure minute.
        long cells = 0, finite = 0;
        for (var seed = 201; seed <= 260; seed++)
        {
            var c = SyntheticFeed.Create(seed);
            using var feed = c.Feed;
            var router = new TransitRouter(feed.Compile(), c.Parameters);
            var reference = new ConnectionScanReference(PlainFeed.LoadFolder(feed.Folder, TestFeed.ServiceDate), c.Parameters);
            var window = c.Parameters.Window;
            foreach (var search in new[] { MatrixSearch.Forward, MatrixSearch.Profile })
            {
                var matrix = TravelTimeMatrix.Compute(router, c.Origins, c.Destinations, search: search);
                for (var o = 0; o < c.Origins.Length; o++)
                {
                    for (var i = 0; i < window.Count; i++)
                    {
                        var expected = reference.Query(c.Origins[o].Lat, c.Origins[o].Lon, window.DepartureAt(i), c.Destinations.Select(d => (d.Lat, d.Lon)).ToList());
                        for (var d = 0; d < c.Destinations.Length; d++)
                        {
                            var actual = matrix.TravelTimes(o, d)[i];
                            Assert.True(expected.ToDestination[d] == actual,
                                $"{c.Description} ({search}): origin {o} destination {d} departure {DepartureWindow.FormatClock(window.DepartureAt(i))}: reference {expected.ToDestination[d]} engine {actual}");
                            cells++;
                            if (actual != TravelTime.Unreachable) finite++;
                        }
                    }
                }
            }
        }
        Assert.True(finite > cells / 5, $"only {finite} of {cells} pair-minutes were finite: too few to prove much");
    }
}
