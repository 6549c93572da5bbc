using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Quality;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Tests.Support;
using Lis.Geo.Transit.Walking;
using static Lis.Geo.Transit.Tests.Support.TestFeed;

namespace Lis.Geo.Transit.Tests.Quality;

/// <summary>The quality report on a hand-made bad feed, every finding derived by hand.</summary>
public sealed class FeedQualityTests
{
    /// <summary>
    /// Stops on the equator: A 0°, B 0.01°, C 0.02°; D 0.03° (no trip calls); A2 0.00002° north of A
    /// (2.22 m: a duplicate, unserved); P, a station (location_type 1) at A, is neither.
    /// Route R1 (service WK): T1 A 07:00 B 07:10 C 07:20; T2 A 07:05 B 07:12 C 07:18, so T2 overtakes
    /// T1 at C; T3 A 07:30 B 07:40 C 07:50. Route R2: L1 (service CD, defined only in calendar_dates on
    /// 21 and 22 Oct) A 23:00 → C 47:30, 24.5 h; L2 (WK) B 08:00 → C 08:10.
    /// </summary>
    private static TestFeed Feed() => new(
        ("stops.txt", """
            stop_id,stop_name,stop_lat,stop_lon,location_type
            A,Stop A,0,0,0
            B,Stop B,0,0.01,
            C,Stop C,0,0.02,0
            D,Stop D,0,0.03,0
            A2,Stop A again,0.00002,0,0
            P,Station,0,0,1
            """),
        ("calendar.txt", WeekdayCalendar),
        ("calendar_dates.txt", "service_id,date,exception_type\nCD,20261021,1\nCD,20261022,1\nWK,20261225,2\n"),
        ("trips.txt", "route_id,service_id,trip_id\nR1,WK,T1\nR1,WK,T2\nR1,WK,T3\nR2,CD,L1\nR2,WK,L2\n"),
        ("stop_times.txt", """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,07:00:00,07:00:00,A,1
            T1,07:10:00,07:10:00,B,2
            T1,07:20:00,07:20:00,C,3
            T2,07:05:00,07:05:00,A,1
            T2,07:12:00,07:12:00,B,2
            T2,07:18:00,07:18:00,C,3
            T3,07:30:00,07:30:00,A,1
            T3,07:40:00,07:40:00,B,2
            T3,07:50:00,07:50:00,C,3
            L1,23:00:00,23:00:00,A,1
            L1,47:30:00,47:30:00,C,2
            L2,08:00:00,08:00:00,B,1
            L2,08:10:00,08:10:00,C,2
            """));

    [Fact]
    public void Every_finding_of_the_bad_feed_is_found()
    {
        using var feed = Feed();
        var report = FeedQuality.Check(GtfsSource.Open(feed.Folder), ServiceDate);
        Assert.Equal((5, 3), (report.Trips, report.ServedStops));
        Assert.Equal([new CalendarDatesOnlyService("CD", 2, new DateOnly(2026, 10, 21), new DateOnly(2026, 10, 22), 1, true)], report.CalendarDatesOnlyServices.Items);
        var longTrip = Assert.Single(report.TripsLongerThan24Hours.Items);
        Assert.Equal(("L1", "R2", 23 * 3600, 47 * 3600 + 1800, 88_200), (longTrip.TripId, longTrip.RouteId, longTrip.FirstDeparture, longTrip.LastArrival, longTrip.DurationSeconds));
        Assert.Equal(["D", "A2"], report.StopsWithoutService.Items.Select(s => s.StopId));
        var duplicate = Assert.Single(report.DuplicateStops.Items);
        Assert.Equal(("A", "A2", 2.22), (duplicate.StopId, duplicate.OtherStopId, duplicate.Meters));
        Assert.Equal([new OvertakingRoute("R1", 3, 3, 1, "T1", "T2", "C", 7 * 3600 + 1200, 7 * 3600 + 1080)], report.OvertakingRoutes.Items);
        // Boardable departures (not at a trip's last stop): 07h T1, T2, T3 at A and B = 6, three trips
        // starting; 08h L2 at B; 23h L1 at A. Nothing after 23h (L1's 47:30 is an arrival).
        var hours = report.DeparturesPerHour.ToDictionary(h => h.Hour);
        Assert.Equal(24, hours.Count);
        Assert.Equal((6, 3), (hours[7].Departures, hours[7].TripsStarting));
        Assert.Equal((1, 1), (hours[8].Departures, hours[8].TripsStarting));
        Assert.Equal((1, 1), (hours[23].Departures, hours[23].TripsStarting));
        Assert.Equal(8, report.DeparturesPerHour.Sum(h => h.Departures));
        Assert.Null(report.Zones);
    }

    [Fact]
    public void Lists_are_capped_but_counts_stay_exact_and_the_window_limits_the_hours()
    {
        using var feed = Feed();
        var report = FeedQuality.Check(GtfsSource.Open(feed.Folder), ServiceDate,
            new FeedQualityOptions { MaxListed = 1, FromSeconds = 7 * 3600, ToSeconds = 9 * 3600, DuplicateStopMeters = 2 });
        Assert.Equal((2, 1, true), (report.StopsWithoutService.Count, report.StopsWithoutService.Items.Count, report.StopsWithoutService.Truncated));
        Assert.Equal(0, report.DuplicateStops.Count); // 2.22 m is not under 2 m
        Assert.Equal([new HourCount(7, 6, 3), new HourCount(8, 1, 1)], report.DeparturesPerHour);
    }

    [Fact]
    public void Zones_where_transit_never_beats_walking_are_named()
    {
        // Z1 at A, 07:00–07:10 every 5 min: at 07:00 (+60 s slack) T2 at 07:05 reaches C at 07:18, 1,080 s;
        // walking 2,224 m × 1.3 / 1.33 m/s takes 2,174 s: transit wins. Z2 at 0.1° (8.9 km from C, no stop
        // within the 600 s access walk) has no ride at all.
        using var feed = Feed();
        var routing = new RoutingParameters { Window = new DepartureWindow(7 * 3600, 7 * 3600 + 600, 300) };
        var report = FeedQuality.Check(GtfsSource.Open(feed.Folder), ServiceDate, zones: [("Z1", East(0)), ("Z2", East(0.1))], routing: routing);
        Assert.Equal((2, 2), (report.Zones!.Zones, report.Zones.DeparturesSampled));
        Assert.Equal(["Z2"], report.Zones.TransitNeverFaster.Items);
    }
}
