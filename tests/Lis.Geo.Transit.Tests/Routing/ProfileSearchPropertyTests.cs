using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Tests.Support;

namespace Lis.Geo.Transit.Tests.Routing;

/// <summary>
/// Property tests on seeded random feeds (<see cref="SyntheticFeed"/>): the profile search from the
/// destinations gives, for every origin, destination and departure minute, exactly the forward range
/// RAPTOR's travel time, under random rules (slack, walk limits, maxTripDuration, window step).
/// </summary>
public sealed class ProfileSearchPropertyTests
{
    [Fact]
    public void Profile_equals_forward_for_every_pair_and_minute_on_random_feeds()
    {
        long cells = 0, finite = 0, byRide = 0;
        for (var seed = 1; seed <= 150; seed++)
        {
            var c = SyntheticFeed.Create(seed);
            using var feed = c.Feed;
            var router = new TransitRouter(feed.Compile(), c.Parameters);
            var forward = TravelTimeMatrix.Compute(router, c.Origins, c.Destinations, search: MatrixSearch.Forward);
            var profile = TravelTimeMatrix.Compute(router, c.Origins, c.Destinations, search: MatrixSearch.Profile);
            Assert.Equal(MatrixSearch.Forward, forward.Search);
            Assert.Equal(MatrixSearch.Profile, profile.Search);
            var walk = c.Parameters.Walk;
            for (var o = 0; o < c.Origins.Length; o++)
            {
                for (var d = 0; d < c.Destinations.Length; d++)
                {
                    var expected = forward.TravelTimes(o, d);
                    var actual = profile.TravelTimes(o, d);
                    var direct = walk.Seconds(c.Origins[o].Lat, c.Origins[o].Lon, c.Destinations[d].Lat, c.Destinations[d].Lon);
                    for (var i = 0; i < expected.Length; i++)
                    {
                        Assert.True(expected[i] == actual[i],
                            $"{c.Description}: origin {o} destination {d} departure {DepartureWindow.FormatClock(c.Parameters.Window.DepartureAt(i))}: forward {expected[i]} profile {actual[i]}");
                        cells++;
                        if (expected[i] != TravelTime.Unreachable) finite++;
                        if (expected[i] != TravelTime.Unreachable && (direct > c.Parameters.MaxDirectWalk || expected[i] < direct)) byRide++;
                    }
                }
            }
        }
        // The comparison must have exercised rides, not only walks and unreachable pairs.
        Assert.True(byRide > cells / 20, $"{byRide} of {cells} pair-minutes were reached by transit ({finite} finite): too few to prove much");
    }

    [Fact]
    public void Arrive_by_travel_times_equal_a_brute_force_over_every_departure_second()
    {
        // Reference: the forward range RAPTOR at every second d from A0 − maxTripDuration to the last
        // arrival minute gives EA(d) = d + TT(d); LD(a) is the latest such d with EA(d) ≤ a, and
        // TTa = a − LD(a) (unreachable when none, or above maxTripDuration).
        long cells = 0, finite = 0;
        for (var seed = 1001; seed <= 1040; seed++)
        {
            var c = SyntheticFeed.Create(seed, arrival: true);
            using var feed = c.Feed;
            var timetable = feed.Compile();
            var p = c.Parameters;
            var profile = TravelTimeMatrix.Compute(timetable, c.Origins, c.Destinations, p);
            Assert.Equal(MatrixSearch.Profile, profile.Search);

            var arrivals = p.Window;
            var first = arrivals.StartSeconds - p.MaxTripDuration;
            var seconds = new DepartureWindow(first, arrivals.DepartureAt(arrivals.Count - 1) + 1, 1);
            var forward = TravelTimeMatrix.Compute(timetable, c.Origins, c.Destinations,
                p with { Window = seconds, WindowKind = WindowKind.Departure }, search: MatrixSearch.Forward);
            for (var o = 0; o < c.Origins.Length; o++)
            {
                for (var d = 0; d < c.Destinations.Length; d++)
                {
                    var tt = forward.TravelTimes(o, d);
                    var actual = profile.TravelTimes(o, d);
                    for (var j = 0; j < arrivals.Count; j++)
                    {
                        var a = arrivals.DepartureAt(j);
                        var expected = TravelTime.Unreachable;
                        for (var leave = a; leave >= Math.Max(first, a - p.MaxTripDuration); leave--)
                        {
                            var t = tt[leave - first];
                            if (t != TravelTime.Unreachable && leave + t <= a) { expected = a - leave; break; }
                        }
                        Assert.True(expected == actual[j], $"{c.Description}: origin {o} destination {d} arrive by {DepartureWindow.FormatClock(a)}: brute force {expected} profile {actual[j]}");
                        cells++;
                        if (expected != TravelTime.Unreachable) finite++;
                    }
                }
            }
        }
        Assert.True(finite > cells / 10, $"only {finite} of {cells} arrival minutes were reachable: too few to prove much");
    }

    [Fact]
    public void Auto_picks_the_profile_search_for_few_destinations_and_the_forward_search_when_rides_are_capped()
    {
        var p = new RoutingParameters();
        Assert.Equal(MatrixSearch.Profile, TravelTimeMatrix.Choose(p, 2500, 30));
        Assert.Equal(MatrixSearch.Forward, TravelTimeMatrix.Choose(p, 30, 2500));
        Assert.Equal(MatrixSearch.Forward, TravelTimeMatrix.Choose(p with { MaxRides = 3 }, 2500, 30));
        Assert.Equal(MatrixSearch.Forward, TravelTimeMatrix.Choose(p with { BoardSlack = 0 }, 2500, 30));
        Assert.Equal(MatrixSearch.Profile, TravelTimeMatrix.Choose(p with { WindowKind = WindowKind.Arrival }, 1, 2500));
    }
}
