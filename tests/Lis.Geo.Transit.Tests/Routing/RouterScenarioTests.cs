using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Tests.Support;
using static Lis.Geo.Transit.Tests.Support.TestFeed;

namespace Lis.Geo.Transit.Tests.Routing;

/// <summary>
/// Hand-derived journeys on tiny feeds. Stops lie on the equator (0.1° apart is 11 km: never
/// walkable); walks use 1 m/s and circuity 1 (see <see cref="TestFeed"/>); board slack is 60 s.
/// </summary>
public sealed class RouterScenarioTests
{
    private const string ThreeStops = """
        stop_id,stop_name,stop_lat,stop_lon
        A,A,0,0
        B,B,0,0.1
        C,C,0,0.2
        """;

    [Fact]
    public void One_route_boards_at_exactly_the_board_slack_and_misses_it_by_one_second()
    {
        // T1 A 08:00 → C 08:20, T2 A 08:30 → C 08:50. Leaving A at 07:59:00, 07:59:00 + 60 s = 08:00:00
        // catches T1: TT = 21 min = 1260 s. At 07:59:01 T1 is missed by one second: T2, C at 08:50 = 3059 s.
        using var feed = WithWeekdayTrips(ThreeStops, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,08:00:00,08:00:00,A,1
            T1,08:10:00,08:10:00,B,2
            T1,08:20:00,08:20:00,C,3
            T2,08:30:00,08:30:00,A,1
            T2,08:40:00,08:40:00,B,2
            T2,08:50:00,08:50:00,C,3
            """);
        var router = feed.Router();
        Assert.Equal(1260, TravelTimeBetween(router, East(0), East(0.2), "07:59:00"));
        Assert.Equal(3059, TravelTimeBetween(router, East(0), East(0.2), "07:59:01"));
        Assert.Equal(660, TravelTimeToStop(router, East(0), "B", "07:59:00"));
    }

    [Fact]
    public void A_transfer_at_the_same_stop_also_needs_the_board_slack()
    {
        // T1 A 08:00 → B 08:10. From B, T3 leaves 08:10:59 (59 s after arriving: missed) and
        // T2 leaves 08:11:00 (exactly 60 s: caught), C at 08:20. Leaving A at 07:50: TT = 1800 s.
        using var feed = WithWeekdayTrips(ThreeStops, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,08:00:00,08:00:00,A,1
            T1,08:10:00,08:10:00,B,2
            T3,08:10:59,08:10:59,B,1
            T3,08:15:00,08:15:00,C,2
            T2,08:11:00,08:11:00,B,1
            T2,08:20:00,08:20:00,C,2
            """);
        Assert.Equal(1800, TravelTimeBetween(feed.Router(), East(0), East(0.2), "07:50:00"));
        // Two rides are needed, so a one-ride cap leaves C unreachable.
        Assert.Equal(TravelTime.Unreachable, TravelTimeBetween(feed.Router(Simple with { MaxRides = 1 }), East(0), East(0.2), "07:50:00"));
    }

    [Fact]
    public void A_walk_transfer_beats_a_later_ride_from_the_same_stop()
    {
        // T1 A 08:00 → B 08:10. B2 is 0.001° (112 s) from B: 08:10 + 112 s + 60 s = 08:12:52, so T2
        // leaving B2 08:13 is caught: D at 08:20. T3 from B itself reaches D only at 08:30.
        // Leaving A at 07:50: TT = 30 min = 1800 s.
        using var feed = WithWeekdayTrips("""
            stop_id,stop_name,stop_lat,stop_lon
            A,A,0,0
            B,B,0,0.1
            B2,B2,0,0.101
            D,D,0,0.2
            """, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,08:00:00,08:00:00,A,1
            T1,08:10:00,08:10:00,B,2
            T2,08:13:00,08:13:00,B2,1
            T2,08:20:00,08:20:00,D,2
            T3,08:15:00,08:15:00,B,1
            T3,08:30:00,08:30:00,D,2
            """);
        Assert.Equal(1800, TravelTimeBetween(feed.Router(), East(0), East(0.2), "07:50:00"));
    }

    [Fact]
    public void Walks_are_never_chained()
    {
        // T1 A 08:00 → B 08:10. B2 is 0.002° (223 s) east of B; Z is 0.005° (556 s) east of B2 and
        // 0.007° (779 s > 600 s egress) from B. Reaching Z would take ride, transfer walk, egress walk:
        // two walks in a row, so Z is unreachable. Y, 0.005° east of B (556 s), is reached by egress
        // at 08:10 + 556 s: TT from 07:50 = 1756 s. B2 itself is reached by the transfer walk: 1423 s.
        using var feed = WithWeekdayTrips("""
            stop_id,stop_name,stop_lat,stop_lon
            A,A,0,0
            B,B,0,0.1
            B2,B2,0,0.102
            F,F,0,0.3
            """, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,08:00:00,08:00:00,A,1
            T1,08:10:00,08:10:00,B,2
            T2,09:00:00,09:00:00,B2,1
            T2,09:10:00,09:10:00,F,2
            """);
        var router = feed.Router();
        Assert.Equal(TravelTime.Unreachable, TravelTimeBetween(router, East(0), East(0.107), "07:50:00"));
        Assert.Equal(1756, TravelTimeBetween(router, East(0), East(0.105), "07:50:00"));
        Assert.Equal(1423, TravelTimeToStop(router, East(0), "B2", "07:50:00"));
    }

    [Fact]
    public void Pickup_type_1_forbids_boarding_and_drop_off_type_1_forbids_alighting()
    {
        // T1 A 08:00 → B 08:10 → C 08:20 with pickup_type = drop_off_type = 1 at B. From B nobody
        // can board, so C is unreachable; from A, B cannot be alighted at but C can (1800 s from 07:50).
        using var feed = WithWeekdayTrips(ThreeStops, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type
            T1,08:00:00,08:00:00,A,1,0,0
            T1,08:10:00,08:10:00,B,2,1,1
            T1,08:20:00,08:20:00,C,3,0,0
            """);
        var router = feed.Router();
        Assert.Equal(TravelTime.Unreachable, TravelTimeBetween(router, East(0.1), East(0.2), "07:50:00"));
        Assert.Equal(TravelTime.Unreachable, TravelTimeBetween(router, East(0), East(0.1), "07:50:00"));
        Assert.Equal(1800, TravelTimeBetween(router, East(0), East(0.2), "07:50:00"));
    }

    [Fact]
    public void A_trip_past_midnight_counts_on_its_own_day_and_the_previous_days_does_not()
    {
        // Wednesday's T1 runs A 24:10 → C 24:30; Tuesday's T0 runs A 23:50 → C 24:20 (00:20 on
        // Wednesday), which the semantics ignore. From A at 24:05 (Wednesday): T1, TT = 1500 s.
        // From A at 00:05: T0 does not count and T1 (24:10) is over 7,200 s away: unreachable.
        using var feed = new TestFeed(
            ("stops.txt", ThreeStops),
            ("calendar.txt", WeekdayCalendar + "\nTU,0,1,0,0,0,0,0,20260101,20261231\n"),
            ("trips.txt", "route_id,service_id,trip_id\nR,WK,T1\nR,TU,T0\n"),
            ("stop_times.txt", """
                trip_id,arrival_time,departure_time,stop_id,stop_sequence
                T1,24:10:00,24:10:00,A,1
                T1,24:30:00,24:30:00,C,2
                T0,23:50:00,23:50:00,A,1
                T0,24:20:00,24:20:00,C,2
                """));
        var router = feed.Router();
        Assert.Equal(1500, TravelTimeBetween(router, East(0), East(0.2), "24:05:00"));
        Assert.Equal(TravelTime.Unreachable, TravelTimeBetween(router, East(0), East(0.2), "00:05:00"));
        Assert.Equal(1, router.Timetable.TripCount);
    }

    [Fact]
    public void A_direct_walk_beats_transit_when_shorter()
    {
        // B is 0.01° (1,112 s walk) from A. T1 A 08:01 → B 08:30. Leaving A at 08:00, transit takes
        // 1,800 s and the walk 1,112 s (≤ 1,800 s direct limit): 1,112 s. With a 1,000 s limit: 1,800 s.
        using var feed = WithWeekdayTrips("""
            stop_id,stop_name,stop_lat,stop_lon
            A,A,0,0
            B,B,0,0.01
            """, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,08:01:00,08:01:00,A,1
            T1,08:30:00,08:30:00,B,2
            """);
        Assert.Equal(1112, TravelTimeBetween(feed.Router(), East(0), East(0.01), "08:00:00"));
        Assert.Equal(1800, TravelTimeBetween(feed.Router(Simple with { MaxDirectWalk = 1000 }), East(0), East(0.01), "08:00:00"));
    }

    [Fact]
    public void Access_walk_and_board_slack_both_apply_to_the_first_boarding()
    {
        // The origin is 0.005° (556 s) west of A. T1 A 08:10 → C 08:30. Leaving at 08:00: at A at
        // 08:09:16, + 60 s = 08:10:16 > 08:10, missed; T2 A 08:20 → C 08:40 gives TT 2400 s.
        // Leaving at 07:59:44 reaches A at 08:09:00 and just catches T1: 08:30 − 07:59:44 = 1816 s.
        using var feed = WithWeekdayTrips(ThreeStops, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,08:10:00,08:10:00,A,1
            T1,08:30:00,08:30:00,C,2
            T2,08:20:00,08:20:00,A,1
            T2,08:40:00,08:40:00,C,2
            """);
        var router = feed.Router();
        Assert.Equal(2400, TravelTimeBetween(router, East(-0.005), East(0.2), "08:00:00"));
        Assert.Equal(1816, TravelTimeBetween(router, East(-0.005), East(0.2), "07:59:44"));
    }

    [Fact]
    public void An_overtaking_trip_is_found_even_though_it_leaves_later()
    {
        // X A 08:00 → B 08:20 → C 08:40 (slow); Y A 08:05 → B 08:10 → C 08:20 overtakes it.
        // Same stops and rules, but not FIFO, so they compile to two patterns. From A at 07:58 both are
        // catchable and Y arrives first: C at 08:20 (1320 s), B at 08:10 (720 s).
        using var feed = WithWeekdayTrips(ThreeStops, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            X,08:00:00,08:00:00,A,1
            X,08:20:00,08:20:00,B,2
            X,08:40:00,08:40:00,C,3
            Y,08:05:00,08:05:00,A,1
            Y,08:10:00,08:10:00,B,2
            Y,08:20:00,08:20:00,C,3
            """);
        var router = feed.Router();
        Assert.Equal(2, router.Timetable.PatternCount);
        Assert.Equal(1320, TravelTimeBetween(router, East(0), East(0.2), "07:58:00"));
        Assert.Equal(720, TravelTimeToStop(router, East(0), "B", "07:58:00"));
    }

    [Fact]
    public void Percentiles_over_a_window_count_unreachable_departures_as_infinite()
    {
        // Window 08:00–08:05 every minute: departures 08:00 … 08:04 (n = 5, end excluded).
        // One trip, A 08:03 → C 08:13. With 60 s slack: 08:00 → 780 s, 08:01 → 720, 08:02 → 660,
        // 08:03 and 08:04 → unreachable. Sorted [660, 720, 780, ∞, ∞]; nearest-rank index ceil(p·5/100) − 1:
        // p5 → 0 (660), p25 → 1 (720), p50 → 2 (780), p75 → 3 (∞), p95 → 4 (∞).
        using var feed = WithWeekdayTrips(ThreeStops, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,08:03:00,08:03:00,A,1
            T1,08:13:00,08:13:00,C,2
            """);
        var parameters = Simple with { Window = DepartureWindow.Parse("08:00-08:05") };
        var matrix = TravelTimeMatrix.Compute(feed.Compile(), [East(0)], [East(0.2)], parameters);
        const int U = TravelTime.Unreachable;
        Assert.Equal([780, 720, 660, U, U], matrix.TravelTimes(0, 0).ToArray());
        Assert.Equal([660, 720, 780, U, U], matrix.PercentilesOf(0, 0));
        Assert.Equal(2, matrix.DeparturesWithin(0, 0, 720));
        Assert.Equal(3, matrix.DeparturesReachingAtLeast(0, 1, 780));
        Assert.Equal(0, matrix.DeparturesReachingAtLeast(0, 2, 780));
    }

    [Fact]
    public void Range_search_gives_each_departure_the_same_answer_as_a_single_search()
    {
        // Two routes with a transfer and a faster later trip: the range search re-uses later
        // departures' labels, which must never leak a better-than-possible time into an earlier one.
        using var feed = WithWeekdayTrips(ThreeStops, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            S1,08:00:00,08:00:00,A,1
            S1,08:30:00,08:30:00,B,2
            S2,08:12:00,08:12:00,A,1
            S2,08:20:00,08:20:00,B,2
            L1,08:25:00,08:25:00,B,1
            L1,08:35:00,08:35:00,C,2
            L2,08:40:00,08:40:00,B,1
            L2,08:50:00,08:50:00,C,2
            """);
        var router = feed.Router(Simple with { Window = DepartureWindow.Parse("07:50-08:20") });
        var range = StopTravelTimes.Compute(router.CreateWorker(), East(0), router.Parameters.Window);
        var single = router.CreateWorker();
        for (var i = 0; i < router.Parameters.Window.Count; i++)
        {
            single.Route(East(0), router.Parameters.Window.DepartureAt(i));
            for (var s = 0; s < router.Timetable.StopCount; s++)
                Assert.Equal(single.TravelTimeToStop(s), range.AtDeparture(i)[s]);
        }
        // Hand check: leaving 08:10 (index 20), S2 (08:12) reaches B 08:20, L1 08:25 reaches C 08:35: 1500 s.
        Assert.True(router.Timetable.TryGetStop("C", out var c));
        Assert.Equal(1500, range.AtDeparture(20)[c]);
    }

    [Fact]
    public void A_travel_time_of_exactly_max_trip_duration_counts_and_one_second_more_does_not()
    {
        // T1 A 08:00 → C 10:00. Leaving A at 07:59:00 (slack exactly met) takes 2 h 1 min = 7,260 s.
        // With maxTripDuration 7,260 s that is reachable; with 7,259 s it is not.
        using var feed = WithWeekdayTrips(ThreeStops, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,08:00:00,08:00:00,A,1
            T1,10:00:00,10:00:00,C,2
            """);
        Assert.Equal(7260, TravelTimeBetween(feed.Router(Simple with { MaxTripDuration = 7260 }), East(0), East(0.2), "07:59:00"));
        Assert.Equal(TravelTime.Unreachable, TravelTimeBetween(feed.Router(Simple with { MaxTripDuration = 7259 }), East(0), East(0.2), "07:59:00"));
    }

    [Fact]
    public void A_loop_route_can_be_boarded_at_its_second_visit_of_a_stop()
    {
        // T1 runs A 08:00 → B 08:10 → A 08:20 → C 08:30 (a loop through A). Leaving A at 08:05 misses
        // the 08:00 departure but catches the trip's second call at A (08:20 ≥ 08:06): C at 08:30, 1500 s.
        using var feed = WithWeekdayTrips(ThreeStops, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,08:00:00,08:00:00,A,1
            T1,08:10:00,08:10:00,B,2
            T1,08:20:00,08:20:00,A,3
            T1,08:30:00,08:30:00,C,4
            """);
        Assert.Equal(1500, TravelTimeBetween(feed.Router(), East(0), East(0.2), "08:05:00"));
    }

    [Fact]
    public void The_matrix_reports_progress_per_origin_and_stops_when_cancelled()
    {
        // Three origins on the one-trip feed: progress ends at 3 of 3. A token cancelled beforehand
        // stops the computation with OperationCanceledException instead of returning partial results.
        using var feed = WithWeekdayTrips(ThreeStops, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,08:03:00,08:03:00,A,1
            T1,08:13:00,08:13:00,C,2
            """);
        var timetable = feed.Compile();
        var reports = new System.Collections.Concurrent.ConcurrentBag<MatrixProgress>();
        var matrix = TravelTimeMatrix.Compute(timetable, [East(0), East(0.1), East(0.2)], [East(0.2)], Simple, new Reporter(reports.Add), search: MatrixSearch.Forward);
        Assert.Equal(3, reports.Count);
        Assert.Contains(new MatrixProgress(3, 3), reports);
        Assert.Equal(3, matrix.OriginCount);

        // The profile search reports after each destination, the share done expressed in origins: one destination, one report.
        reports.Clear();
        TravelTimeMatrix.Compute(timetable, [East(0), East(0.1), East(0.2)], [East(0.2)], Simple, new Reporter(reports.Add), search: MatrixSearch.Profile);
        Assert.Equal([new MatrixProgress(3, 3)], reports.ToArray());

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            TravelTimeMatrix.Compute(timetable, [East(0)], [East(0.2)], Simple, null, cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() =>
            TravelTimeMatrix.Compute(timetable, [East(0)], [East(0.2)], Simple, null, cancelled.Token, MatrixSearch.Profile));
    }

    private sealed class Reporter(Action<MatrixProgress> report) : IProgress<MatrixProgress>
    {
        public void Report(MatrixProgress value) => report(value);
    }
}
