using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Tests.Support;
using static Lis.Geo.Transit.Tests.Support.TestFeed;

namespace Lis.Geo.Transit.Tests.Routing;

/// <summary>
/// Hand-derived profiles and arrive-by travel times on tiny feeds (stops on the equator 0.1° apart,
/// never walkable; walks at 1 m/s, circuity 1: 0.01° is 1,112 s; board slack 60 s unless stated).
/// </summary>
public sealed class ProfileScenarioTests
{
    private const string Stops = """
        stop_id,stop_name,stop_lat,stop_lon
        A,A,0,0
        C,C,0,0.2
        """;

    /// <summary>
    /// T1 A 08:00 → C 08:20, T2 A 08:10 → C 08:25, T4 A 08:15 → C 08:24 (overtakes T2), T3 A 08:20 → C 08:50.
    /// </summary>
    private const string FourTrips = """
        trip_id,arrival_time,departure_time,stop_id,stop_sequence
        T1,08:00:00,08:00:00,A,1
        T1,08:20:00,08:20:00,C,2
        T2,08:10:00,08:10:00,A,1
        T2,08:25:00,08:25:00,C,2
        T4,08:15:00,08:15:00,A,1
        T4,08:24:00,08:24:00,C,2
        T3,08:20:00,08:20:00,A,1
        T3,08:50:00,08:50:00,C,2
        """;

    [Fact]
    public void A_stops_profile_is_the_pareto_steps_of_its_trips_shifted_by_the_board_slack()
    {
        // Destination at C (egress 0 s). A's steps: be at A by dep − 60 s. T2 (ready 08:09, at C 08:25)
        // is dominated by T4 (ready 08:14, at C 08:24), so the profile keeps T1, T4, T3.
        using var feed = WithWeekdayTrips(Stops, FourTrips);
        var router = feed.Router(Simple with { Window = DepartureWindow.Parse("07:50-08:30") });
        var worker = new ProfileWorker(router);
        worker.Scan(router.PrepareDestinations([East(0.2)]), 0);
        Assert.True(router.Timetable.TryGetStop("A", out var a));
        Assert.Equal([(Clock("07:59:00"), Clock("08:20:00")), (Clock("08:14:00"), Clock("08:24:00")), (Clock("08:19:00"), Clock("08:50:00"))],
            worker.ProfileOf(a));

        // From a point at A over 07:58–08:21: 07:58 → 08:20 (1320 s), 07:59 → 1260, 08:00 → 08:24 (1440),
        // …, 08:14 → 600, 08:15 → 08:50 (2100), …, 08:19 → 1860, 08:20 → nothing left: unreachable.
        var matrix = TravelTimeMatrix.Compute(router.Timetable, [East(0)], [East(0.2)],
            router.Parameters with { Window = DepartureWindow.Parse("07:58-08:21") }, search: MatrixSearch.Profile);
        int[] expected = [1320, 1260, .. Enumerable.Range(0, 15).Select(i => 1440 - 60 * i), .. Enumerable.Range(0, 5).Select(i => 2100 - 60 * i), TravelTime.Unreachable];
        Assert.Equal(expected, matrix.TravelTimes(0, 0).ToArray());
    }

    [Fact]
    public void The_board_slack_moves_the_step()
    {
        // Every 30 s from 07:58:00. Slack 60 s: T1 (08:00) is caught until 07:59:00 (1260 s). Slack 90 s:
        // the step moves to 07:58:30, so at 07:59:00 the next is T4 (be at A by 08:13:30): 08:24 − 07:59 = 1500 s.
        using var feed = WithWeekdayTrips(Stops, FourTrips);
        var window = DepartureWindow.Parse("07:58-07:59:30", stepSeconds: 30);
        var slack60 = TravelTimeMatrix.Compute(feed.Compile(), [East(0)], [East(0.2)], Simple with { Window = window }, search: MatrixSearch.Profile);
        var slack90 = TravelTimeMatrix.Compute(feed.Compile(), [East(0)], [East(0.2)], Simple with { Window = window, BoardSlack = 90 }, search: MatrixSearch.Profile);
        Assert.Equal([1320, 1290, 1260], slack60.TravelTimes(0, 0).ToArray());
        Assert.Equal([1320, 1290, 1500], slack90.TravelTimes(0, 0).ToArray());
    }

    [Fact]
    public void A_walk_that_beats_every_ride_is_the_answer_at_every_minute()
    {
        // B is 0.01° (1,112 s) from A; T1 A 08:01 → B 08:30 and T2 A 08:05 → B 08:25 take 24–29 min
        // plus waiting. The direct walk (1,112 s ≤ 1,800 s) wins every departure and every arrival minute.
        // With maxDirectWalk 1,000 s only rides count: 08:00 → T2 (ready 08:04) at 08:25, 1500 s;
        // 08:04 → 1260 s; 08:05 → unreachable.
        using var feed = WithWeekdayTrips("""
            stop_id,stop_name,stop_lat,stop_lon
            A,A,0,0
            B,B,0,0.01
            """, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,08:01:00,08:01:00,A,1
            T1,08:30:00,08:30:00,B,2
            T2,08:05:00,08:05:00,A,1
            T2,08:25:00,08:25:00,B,2
            """);
        var window = DepartureWindow.Parse("08:00-08:06");
        var walk = TravelTimeMatrix.Compute(feed.Compile(), [East(0)], [East(0.01)], Simple with { Window = window }, search: MatrixSearch.Profile);
        Assert.All(walk.TravelTimes(0, 0).ToArray(), tt => Assert.Equal(1112, tt));
        var arriveBy = TravelTimeMatrix.Compute(feed.Compile(), [East(0)], [East(0.01)], Simple with { Window = DepartureWindow.Parse("08:20-08:26"), WindowKind = WindowKind.Arrival });
        Assert.All(arriveBy.TravelTimes(0, 0).ToArray(), tt => Assert.Equal(1112, tt));
        var rides = TravelTimeMatrix.Compute(feed.Compile(), [East(0)], [East(0.01)], Simple with { Window = window, MaxDirectWalk = 1000 }, search: MatrixSearch.Profile);
        Assert.Equal([1500, 1440, 1380, 1320, 1260, TravelTime.Unreachable], rides.TravelTimes(0, 0).ToArray());
    }

    [Fact]
    public void Arrive_by_travel_time_is_the_arrival_minute_minus_the_latest_departure()
    {
        // Arrive at C by a, from a point at A: LD(08:19) none (unreachable); LD(08:20..08:23) = 07:59
        // (T1): 1260, 1320, 1380, 1440; LD(08:24) = 08:14 (T4): 600; LD(08:25) = 08:14 (T2 leaves earlier): 660.
        using var feed = WithWeekdayTrips(Stops, FourTrips);
        var arrive = Simple with { Window = DepartureWindow.Parse("08:19-08:26"), WindowKind = WindowKind.Arrival };
        var matrix = TravelTimeMatrix.Compute(feed.Compile(), [East(0)], [East(0.2)], arrive);
        Assert.Equal(MatrixSearch.Profile, matrix.Search);
        Assert.Equal([TravelTime.Unreachable, 1260, 1320, 1380, 1440, 600, 660], matrix.TravelTimes(0, 0).ToArray());

        // TTa above maxTripDuration is unreachable: with 1,300 s, 08:21 (1320) and later T1 minutes drop out.
        var capped = TravelTimeMatrix.Compute(feed.Compile(), [East(0)], [East(0.2)], arrive with { MaxTripDuration = 1300 });
        const int U = TravelTime.Unreachable;
        Assert.Equal([U, 1260, U, U, U, 600, 660], capped.TravelTimes(0, 0).ToArray());

        // An origin 0.005° (556 s) west of A must leave 556 s earlier still: 1260 + 556 at 08:20.
        var walked = TravelTimeMatrix.Compute(feed.Compile(), [East(-0.005)], [East(0.2)], arrive);
        Assert.Equal(1816, walked.TravelTimes(0, 0)[1]);
    }

    [Fact]
    public void Arrival_windows_refuse_the_forward_search_and_a_ride_cap()
    {
        using var feed = WithWeekdayTrips(Stops, FourTrips);
        var arrive = Simple with { WindowKind = WindowKind.Arrival };
        Assert.Throws<ArgumentException>(() => TravelTimeMatrix.Compute(feed.Compile(), [East(0)], [East(0.2)], arrive, search: MatrixSearch.Forward));
        Assert.Throws<ArgumentException>(() => TravelTimeMatrix.Compute(feed.Compile(), [East(0)], [East(0.2)], arrive with { MaxRides = 2 }));
    }
}
