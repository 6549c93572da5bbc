using Lis.Geo.Testing;
using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Timetables;
using Lis.Geo.Transit.Walking;

namespace Lis.Geo.Transit.Tests.Support;

/// <summary>
/// A tiny GTFS feed written from inline text into a temporary folder. Scenarios place stops on the
/// equator, where 0.001° of longitude is 111.195 m, and route with walkSpeed 1 m/s and circuity 1
/// so a walk of 0.001° takes ceil(111.195) = 112 s, 0.002° 223 s, 0.005° 556 s, 0.01° 1112 s.
/// </summary>
internal sealed class TestFeed : IDisposable
{
    /// <summary>Wednesday: the weekday service below runs, its calendar spans all of 2026.</summary>
    public static readonly DateOnly ServiceDate = GtfsTables.ServiceDate;

    public const string WeekdayCalendar = GtfsTables.WeekdayCalendar;

    /// <summary>Parameters whose walks are easy to derive by hand (1 m/s, circuity 1); the rest are the defaults.</summary>
    public static readonly RoutingParameters Simple = new() { WalkSpeed = 1.0, Circuity = 1.0 };

    public TestFeed(params (string File, string Text)[] tables) =>
        Folder = GtfsTables.WriteFolder(tables.Select(t => KeyValuePair.Create(t.File, t.Text)));

    public string Folder { get; }

    /// <summary>A feed with the weekday calendar, one service "WK", and trips on it.</summary>
    public static TestFeed WithWeekdayTrips(string stops, string stopTimes, string? trips = null) =>
        new([.. GtfsTables.Weekday(stops, stopTimes, trips).Select(t => (t.Key, t.Value))]);

    public Timetable Compile() => TimetableCompiler.Compile(GtfsSource.Open(Folder), ServiceDate);

    public TransitRouter Router(RoutingParameters? parameters = null) => new(Compile(), parameters ?? Simple);

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    public static GeoPoint East(double lonDegrees) => new(0, lonDegrees);

    public static int Clock(string hhmmss) => DepartureWindow.ParseClock(hhmmss);

    /// <summary>Travel time from a point to a point leaving at a clock time.</summary>
    public static int TravelTimeBetween(TransitRouter router, GeoPoint from, GeoPoint to, string depart)
    {
        var worker = router.CreateWorker();
        worker.Route(from, Clock(depart));
        var result = new int[1];
        worker.TravelTimesTo(router.PrepareDestinations([to]), result);
        return result[0];
    }

    /// <summary>Travel time to a stop (by any means) leaving a point at a clock time.</summary>
    public static int TravelTimeToStop(TransitRouter router, GeoPoint from, string stopId, string depart)
    {
        var worker = router.CreateWorker();
        worker.Route(from, Clock(depart));
        Assert.True(router.Timetable.TryGetStop(stopId, out var stop), $"stop {stopId} is not in the timetable");
        return worker.TravelTimeToStop(stop);
    }
}
