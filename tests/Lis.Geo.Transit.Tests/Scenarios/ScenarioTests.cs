using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Scenarios;
using Lis.Geo.Transit.Tests.Support;
using Lis.Geo.Transit.Timetables;
using Lis.Geo.Transit.Walking;
using static Lis.Geo.Transit.Tests.Support.TestFeed;

namespace Lis.Geo.Transit.Tests.Scenarios;

/// <summary>
/// Scenarios stated as text on tiny feeds, with hand-derived results. Stops lie on the equator
/// (0.1° apart is 11 km: never walkable; 0.001° is a 112 s walk at 1 m/s, circuity 1); board slack 60 s.
/// </summary>
public sealed class ScenarioTests
{
    private const string FourStops = """
        stop_id,stop_name,stop_lat,stop_lon
        A,A,0,0
        B,B,0,0.1
        C,C,0,0.2
        D,D,0,0.3
        """;

    private static Timetable Apply(Timetable baseline, string json) => ScenarioApplier.Apply(baseline, Scenario.FromJson(json)).Timetable;

    private static TransitRouter RouterOf(Timetable timetable) => new(timetable, Simple);

    [Fact]
    public void A_new_route_through_new_stops_joins_a_zone_to_a_centre_it_could_not_reach()
    {
        // R: A 08:00 → B 08:10. Nothing reaches C (11 km from B). The scenario adds X from a new stop
        // N1 0.001° east of B (a 112 s walk) to a new stop at C's position, 600 s, every 10 min from
        // 08:00. Leaving A at 07:59: T1 at 08:00, B 08:10:00, walk to N1 by 08:11:52, board needs
        // 08:12:52 → the 08:20 trip, C at 08:30: 31 min = 1860 s.
        using var feed = WithWeekdayTrips(FourStops, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,08:00:00,08:00:00,A,1
            T1,08:10:00,08:10:00,B,2
            """);
        var baseline = feed.Compile();
        Assert.Equal(TravelTime.Unreachable, TravelTimeBetween(RouterOf(baseline), East(0), East(0.2), "07:59:00"));

        var scenario = Apply(baseline, """
            {"modifications":[{"type":"add-route","routeId":"X","bidirectional":false,
              "stops":[{"stopId":"N1","lat":0,"lon":0.101},{"lat":0,"lon":0.2}],
              "hopSeconds":[600],"frequencies":[{"from":"08:00","to":"09:00","headwaySeconds":600}]}]}
            """);
        var router = RouterOf(scenario);
        Assert.Equal(1860, TravelTimeBetween(router, East(0), East(0.2), "07:59:00"));
        // The new stops are appended after the baseline's, keep their ids, and got walking transfers (B ↔ N1).
        Assert.Equal(baseline.StopCount + 2, scenario.StopCount);
        Assert.Equal("N1", scenario.StopId(baseline.StopCount));
        Assert.Equal("X:2", scenario.StopId(baseline.StopCount + 1));
        Assert.Equal(baseline.TransferCount(Simple) + 2, router.TransferCount);
        Assert.True(scenario.TryGetRoute("X", out var x));
        Assert.Equal(3, scenario.RouteType(x));
        Assert.Equal(6, scenario.TripCount - baseline.TripCount);
    }

    [Fact]
    public void A_new_route_at_a_speed_along_a_drawn_line_places_stops_every_n_metres()
    {
        // A line from A's position 0.02° east (2,223.9 m); a stop every 1,000 m gives stops at 0, 1000,
        // 2000 m and the end (2,223.9 m). At 36 km/h (10 m/s) hops are 100, 100 and round(22.39) = 22 s,
        // no dwell: A-side stop to the end in 222 s. Leaving the first stop's point at 07:59 catches
        // 08:00, at the end by 08:03:42: 282 s + 0 s egress.
        using var feed = WithWeekdayTrips(FourStops, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,08:00:00,08:00:00,C,1
            T1,08:10:00,08:10:00,D,2
            """);
        var baseline = feed.Compile();
        var scenario = Apply(baseline, """
            {"modifications":[{"type":"add-route","routeId":"L","line":[[0,0],[0.01,0],[0.02,0]],"stopSpacingMeters":1000,
              "speedKmh":36,"departures":["08:00"],"bidirectional":true}]}
            """);
        Assert.Equal(baseline.StopCount + 4, scenario.StopCount);
        var end = scenario.StopLocation(scenario.StopCount - 1);
        Assert.Equal(0.02, end.Lon, 9);
        Assert.Equal(1000 / GeoPoint.HaversineMeters(0, 0, 0, 1), scenario.StopLocation(baseline.StopCount + 1).Lon, 9);
        Assert.Equal(282, TravelTimeToStop(RouterOf(scenario), East(0), "L:4", "07:59:00"));
        // Bidirectional: the reverse trip leaves L:4 at 08:00 and reaches L:1 at 08:03:42.
        Assert.Equal(282, TravelTimeToStop(RouterOf(scenario), East(0.02), "L:1", "07:59:00"));
    }

    [Fact]
    public void Doubling_a_frequency_shortens_the_wait_by_the_computed_amount()
    {
        // R leaves A at 07:00 (B 07:10), 07:20 (B 07:32), 07:40 (B 07:54), 08:00 (B 08:10). Factor 0.5 on
        // 07:00–08:00: the three trips in range have headway (07:40 − 07:00) / 2 = 20 min, so 10 min from
        // 07:00: 07:00 … 07:50, all running the median trip's (07:20) 12 minutes; 08:00 is untouched.
        // Leaving A at 07:00:01 (board from 07:01:01): baseline 07:20 → B 07:32 = 1919 s; scenario
        // 07:10 → B 07:22 = 1319 s: the wait is 600 s shorter (half of the 20 min headway).
        using var feed = WithWeekdayTrips(FourStops, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,07:00:00,07:00:00,A,1
            T1,07:10:00,07:10:00,B,2
            T2,07:20:00,07:20:00,A,1
            T2,07:32:00,07:32:00,B,2
            T3,07:40:00,07:40:00,A,1
            T3,07:54:00,07:54:00,B,2
            T4,08:00:00,08:00:00,A,1
            T4,08:10:00,08:10:00,B,2
            """);
        var baseline = feed.Compile();
        var before = TravelTimeToStop(RouterOf(baseline), East(0), "B", "07:00:01");
        var doubled = Apply(baseline, """
            {"modifications":[{"type":"adjust-frequency","routes":["R"],"from":"07:00","to":"08:00","factor":0.5}]}
            """);
        var after = TravelTimeToStop(RouterOf(doubled), East(0), "B", "07:00:01");
        Assert.Equal(1919, before);
        Assert.Equal(1319, after);
        Assert.Equal(600, before - after);
        Assert.Equal(7, doubled.TripCount);
        // The 07:00 trip now runs the representative 12 min; 08:00 keeps its own 10 min.
        Assert.Equal(720, TravelTimeToStop(RouterOf(doubled), East(0), "B", "06:59:00") - 60);
        Assert.Equal(660, TravelTimeToStop(RouterOf(doubled), East(0), "B", "07:59:00"));

        // A headway of 15 min instead: 07:00, 07:15, 07:30, 07:45 → leaving 07:00:01 boards 07:15, B 07:27.
        var every15 = Apply(baseline, """
            {"modifications":[{"type":"adjust-frequency","routes":["R"],"from":"07:00","to":"08:00","headwaySeconds":900}]}
            """);
        Assert.Equal(1619, TravelTimeToStop(RouterOf(every15), East(0), "B", "07:00:01"));
        Assert.Equal(5, every15.TripCount);
    }

    [Fact]
    public void Removing_the_only_route_makes_a_centre_unreachable_and_a_time_range_removes_only_its_trips()
    {
        using var feed = WithWeekdayTrips(FourStops, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,08:00:00,08:00:00,A,1
            T1,08:20:00,08:20:00,C,2
            T2,09:00:00,09:00:00,A,1
            T2,09:20:00,09:20:00,C,2
            """);
        var baseline = feed.Compile();
        Assert.Equal(1260, TravelTimeBetween(RouterOf(baseline), East(0), East(0.2), "07:59:00"));
        var removed = Apply(baseline, """{"modifications":[{"type":"remove","routes":["R"]}]}""");
        Assert.Equal(TravelTime.Unreachable, TravelTimeBetween(RouterOf(removed), East(0), East(0.2), "07:59:00"));
        Assert.Equal(0, removed.TripCount);
        // Only trips leaving in 08:00–08:30: T2 remains, C at 09:20 = 81 min.
        var morning = Apply(baseline, """{"modifications":[{"type":"remove","routes":["R"],"from":"08:00","to":"08:30"}]}""");
        Assert.Equal(4860, TravelTimeBetween(RouterOf(morning), East(0), East(0.2), "07:59:00"));
    }

    [Fact]
    public void Bus_priority_between_two_stops_brings_later_arrivals_forward_by_the_scaled_seconds()
    {
        // A 08:00, B 08:10–08:11, C 08:21–08:22, D 08:32. Running time B→C (600 s) × 0.5 = 300 s: C at
        // 08:16, D at 08:27; B unchanged. From A at 07:59: B 660 s, C 1020 s (was 1320), D 1680 s (was 1980).
        using var feed = WithWeekdayTrips(FourStops, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,08:00:00,08:00:00,A,1
            T1,08:10:00,08:11:00,B,2
            T1,08:21:00,08:22:00,C,3
            T1,08:32:00,08:32:00,D,4
            """);
        var baseline = feed.Compile();
        var router = RouterOf(baseline);
        Assert.Equal(1980, TravelTimeToStop(router, East(0), "D", "07:59:00"));
        var priority = RouterOf(Apply(baseline, """
            {"modifications":[{"type":"adjust-speed","routes":["R"],"fromStop":"B","toStop":"C","runningTimeFactor":0.5}]}
            """));
        Assert.Equal(660, TravelTimeToStop(priority, East(0), "B", "07:59:00"));
        Assert.Equal(1020, TravelTimeToStop(priority, East(0), "C", "07:59:00"));
        Assert.Equal(1680, TravelTimeToStop(priority, East(0), "D", "07:59:00"));

        // Inside a polygon around C and D only the hop C→D (600 s) halves: D at 08:27 too, C unchanged;
        // dwell 0 at C (inside) takes another 60 s off D: 08:26 = 1620 s.
        var corridor = RouterOf(Apply(baseline, """
            {"modifications":[{"type":"adjust-speed","routes":["R"],"runningTimeFactor":0.5,"dwellSeconds":0,
              "polygon":[[0.15,-0.01],[0.35,-0.01],[0.35,0.01],[0.15,0.01]]}]}
            """));
        Assert.Equal(1320, TravelTimeToStop(corridor, East(0), "C", "07:59:00"));
        Assert.Equal(1620, TravelTimeToStop(corridor, East(0), "D", "07:59:00"));
    }

    [Fact]
    public void Skip_stop_removes_boarding_there_and_keeps_the_other_stops_times()
    {
        using var feed = WithWeekdayTrips(FourStops, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,08:00:00,08:00:00,A,1
            T1,08:10:00,08:10:00,B,2
            T1,08:20:00,08:20:00,C,3
            """);
        var baseline = feed.Compile();
        // From B at 08:09: the 08:10 departure there, C at 08:20 = 660 s. Without B on the trip: no way on.
        Assert.Equal(660, TravelTimeToStop(RouterOf(baseline), East(0.1), "C", "08:09:00"));
        var skipped = RouterOf(Apply(baseline, """{"modifications":[{"type":"remove","routes":["R"],"stops":["B"]}]}"""));
        Assert.Equal(TravelTime.Unreachable, TravelTimeToStop(skipped, East(0.1), "C", "08:09:00"));
        Assert.Equal(1260, TravelTimeToStop(skipped, East(0), "C", "07:59:00"));
    }

    [Fact]
    public void The_empty_scenario_is_the_baseline_and_a_scenario_that_matches_nothing_rebuilds_it_array_for_array()
    {
        using var feed = WithWeekdayTrips(FourStops, OvertakingTrips);
        var baseline = feed.Compile();
        Assert.Same(baseline, ScenarioApplier.Apply(baseline, new Scenario()).Timetable);
        // C before A never happens on R, so nothing changes, but the trips go through the unpack and layout.
        var applied = ScenarioApplier.Apply(baseline, Scenario.FromJson("""
            {"modifications":[{"type":"adjust-speed","routes":["R"],"fromStop":"C","toStop":"A","runningTimeFactor":0.5}]}
            """));
        Assert.Equal([new ScenarioError("modifications[0]", "no trip matched on this day; nothing changed.")], applied.Notes);
        AssertSameDay(baseline, applied.Timetable);
        Assert.NotNull(applied.Timetable.ScenarioHash);
    }

    /// <summary>Two trips of one stop sequence that overtake (two patterns) and a second sequence.</summary>
    private const string OvertakingTrips = """
        trip_id,arrival_time,departure_time,stop_id,stop_sequence
        S1,08:00:00,08:00:00,A,1
        S1,08:30:00,08:30:00,C,2
        F1,08:05:00,08:05:00,A,1
        F1,08:15:00,08:15:00,C,2
        L1,08:10:00,08:10:00,B,1
        L1,08:20:00,08:20:00,D,2
        """;

    [Fact]
    public void A_route_no_journey_can_use_changes_no_travel_time()
    {
        using var feed = WithWeekdayTrips(FourStops, OvertakingTrips);
        var baseline = feed.Compile();
        // Far away (lon 50), so no origin here can walk to it.
        var scenario = Apply(baseline, """
            {"modifications":[{"type":"add-route","stops":[{"lat":0,"lon":50},{"lat":0,"lon":50.1}],"speedKmh":30,
              "frequencies":[{"from":"07:00","to":"10:00","headwaySeconds":300}]}]}
            """);
        Assert.True(scenario.TripCount > baseline.TripCount);
        AssertSameTravelTimes(baseline, scenario);
    }

    [Fact]
    public void Removing_then_re_adding_the_same_trips_restores_the_baseline_travel_times()
    {
        // R runs A→B→C every 20 min 07:00–08:40 with 10 min hops: removing R then adding a route over
        // the same stops with the same hops and departures gives the same journeys.
        var rows = string.Concat(Enumerable.Range(0, 6).Select(k =>
        {
            var t = 7 * 60 + 20 * k;
            string Clock(int minutes) => $"{minutes / 60:00}:{minutes % 60:00}:00";
            return $"T{k},{Clock(t)},{Clock(t)},A,1\nT{k},{Clock(t + 10)},{Clock(t + 10)},B,2\nT{k},{Clock(t + 20)},{Clock(t + 20)},C,3\n";
        }));
        using var feed = WithWeekdayTrips(FourStops, "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + rows);
        var baseline = feed.Compile();
        var restored = Apply(baseline, """
            {"modifications":[
              {"type":"remove","routes":["R"]},
              {"type":"add-route","routeId":"R2","bidirectional":false,"stops":[{"stopId":"A"},{"stopId":"B"},{"stopId":"C"}],
               "hopSeconds":[600,600],"frequencies":[{"from":"07:00","to":"08:41","headwaySeconds":1200}]}]}
            """);
        Assert.Equal(baseline.TripCount, restored.TripCount);
        Assert.Equal(baseline.Arrivals, restored.Arrivals);
        Assert.Equal(baseline.Departures, restored.Departures);
        AssertSameTravelTimes(baseline, restored);
    }

    /// <summary>Every stop-to-point travel time of a 07:00–09:00 window from each baseline stop's position to each other's.</summary>
    private static void AssertSameTravelTimes(Timetable baseline, Timetable scenario)
    {
        var points = Enumerable.Range(0, baseline.StopCount).Select(baseline.StopLocation).ToList();
        var parameters = Simple with { Window = DepartureWindow.Parse("07:00-09:00") };
        var a = TravelTimeMatrix.Compute(baseline, points, points, parameters);
        var b = TravelTimeMatrix.Compute(scenario, points, points, parameters);
        var reachable = 0;
        for (var o = 0; o < points.Count; o++)
        {
            for (var d = 0; d < points.Count; d++)
            {
                Assert.Equal(a.TravelTimes(o, d).ToArray(), b.TravelTimes(o, d).ToArray());
                reachable += a.TravelTimes(o, d).ToArray().Count(t => t != TravelTime.Unreachable && o != d);
            }
        }
        Assert.True(reachable > 0, "the comparison must include journeys by transit");
    }

    internal static void AssertSameDay(Timetable expected, Timetable actual)
    {
        Assert.Equal(expected.FeedHash, actual.FeedHash);
        Assert.Equal(expected.ServiceDate, actual.ServiceDate);
        Assert.Equal(expected.StopIds, actual.StopIds);
        Assert.Equal(expected.StopLat, actual.StopLat);
        Assert.Equal(expected.StopLon, actual.StopLon);
        Assert.Equal(expected.PatternStopStart, actual.PatternStopStart);
        Assert.Equal(expected.PatternStops, actual.PatternStops);
        Assert.Equal(expected.PatternStopRules, actual.PatternStopRules);
        Assert.Equal(expected.PatternTripStart, actual.PatternTripStart);
        Assert.Equal(expected.PatternTimesStart, actual.PatternTimesStart);
        Assert.Equal(expected.Arrivals, actual.Arrivals);
        Assert.Equal(expected.Departures, actual.Departures);
        Assert.Equal(expected.TripRoutes, actual.TripRoutes);
        Assert.Equal(expected.Routes.Ids, actual.Routes.Ids);
        Assert.Equal(expected.Routes.AgencyIds, actual.Routes.AgencyIds);
        Assert.Equal(expected.Routes.Types, actual.Routes.Types);
    }
}

internal static class TimetableTestExtensions
{
    public static int TransferCount(this Timetable timetable, RoutingParameters parameters) => new TransitRouter(timetable, parameters).TransferCount;
}
