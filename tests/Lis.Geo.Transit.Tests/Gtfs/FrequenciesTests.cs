using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Tests.Support;
using static Lis.Geo.Transit.Tests.Support.TestFeed;

namespace Lis.Geo.Transit.Tests.Gtfs;

/// <summary>frequencies.txt: headway-defined trips expanded into scheduled trips (ACCESSIBILITY.md, README "frequencies").</summary>
public sealed class FrequenciesTests
{
    private const string Stops = """
        stop_id,stop_name,stop_lat,stop_lon
        A,A,0,0
        B,B,0,0.01
        C,C,0,0.02
        """;

    /// <summary>
    /// Template F: A 00:00, B arr 00:05 dep 00:06, C 00:12 (offsets from the first departure, whatever
    /// the template's own clock). F runs every 600 s from 07:00 before 07:30 exactly (07:00, 07:10,
    /// 07:20; 07:30 is the exclusive end) and every 1200 s from 08:00 before 08:20:01 with exact_times 0
    /// (08:00, 08:20). S is a plain trip, kept as published. OFF has a headway but its service does not
    /// run on the date; the row with headway 0 is refused and reported.
    /// </summary>
    private static TestFeed Feed() => new(
        ("stops.txt", Stops),
        ("calendar.txt", WeekdayCalendar + "\nSAT,0,0,0,0,0,1,0,20260101,20261231\n"),
        ("trips.txt", "route_id,service_id,trip_id\nR,WK,F\nR,WK,S\nR,SAT,OFF\n"),
        ("stop_times.txt", """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            F,10:00:00,10:00:00,A,1
            F,10:05:00,10:06:00,B,2
            F,10:12:00,10:12:00,C,3
            S,07:03:00,07:03:00,A,1
            S,07:20:00,07:20:00,C,2
            OFF,07:00:00,07:00:00,A,1
            OFF,07:10:00,07:10:00,C,2
            """),
        ("frequencies.txt", """
            trip_id,start_time,end_time,headway_secs,exact_times
            F,07:00:00,07:30:00,600,1
            F,08:00:00,08:20:01,1200,0
            F,09:00:00,10:00:00,0,1
            OFF,07:00:00,09:00:00,300,1
            """));

    [Fact]
    public void Headways_expand_into_the_hand_listed_trips()
    {
        using var feed = Feed();
        var timetable = feed.Compile();
        Assert.Equal(
        [
            "A 07:00:00-07:00:00 B 07:05:00-07:06:00 C 07:12:00-07:12:00",
            "A 07:03:00-07:03:00 C 07:20:00-07:20:00",
            "A 07:10:00-07:10:00 B 07:15:00-07:16:00 C 07:22:00-07:22:00",
            "A 07:20:00-07:20:00 B 07:25:00-07:26:00 C 07:32:00-07:32:00",
            "A 08:00:00-08:00:00 B 08:05:00-08:06:00 C 08:12:00-08:12:00",
            "A 08:20:00-08:20:00 B 08:25:00-08:26:00 C 08:32:00-08:32:00",
        ], TimetableTrips.Of(timetable));
        var issue = Assert.Single(timetable.Issues);
        Assert.Equal((IssueCodes.BadValue, "frequencies.txt", 4L), (issue.Code, issue.File, issue.Line));
    }

    [Fact]
    public void Expanded_trips_are_routed()
    {
        // At A from 07:09 the first boardable departure (60 s slack) is F at 07:10, at C 07:22: 780 s.
        // S (07:03) has left; from 07:30 the next is F at 08:00, at C 08:12 from 07:30: 2520 s.
        using var feed = Feed();
        var router = feed.Router();
        Assert.Equal(780, TravelTimeBetween(router, East(0), East(0.02), "07:09:00"));
        Assert.Equal(2520, TravelTimeBetween(router, East(0), East(0.02), "07:30:00"));
    }
}
