using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Tests.Support;
using Lis.Geo.Transit.Timetables;
using static Lis.Geo.Transit.Tests.Support.TestFeed;

namespace Lis.Geo.Transit.Tests.Gtfs;

/// <summary>Reading real-world GTFS text: encodings, quoting, column order, calendars, bad rows.</summary>
public sealed class GtfsReaderTests
{
    private const string ThreeStops = """
        stop_id,stop_name,stop_lat,stop_lon
        A,A,0,0
        B,B,0,0.1
        C,C,0,0.2
        """;

    [Fact]
    public void Bom_quoted_fields_crlf_and_columns_in_any_order_are_read()
    {
        // stops.txt starts with a UTF-8 BOM, has columns in an unusual order and quoted names holding a
        // comma, a doubled quote and a line break; stop_times.txt has its own column order, CRLF line
        // ends and a one-digit hour. T1 A 8:00 → C 08:20 from A at 07:50: TT 1800 s.
        using var feed = new TestFeed(
            ("stops.txt", "\uFEFFstop_lon,stop_name,stop_id,stop_lat\n0,\"Alpha, \"\"North\"\"\",A,0\n0.2,\"Charlie\nCentral\",C,0\n"),
            ("calendar.txt", WeekdayCalendar),
            ("trips.txt", "trip_id,route_id,service_id\r\nT1,R,WK\r\n"),
            ("stop_times.txt", "stop_sequence,stop_id,departure_time,trip_id,arrival_time\r\n1,A,8:00:00,T1,8:00:00\r\n2,C,08:20:00,T1,08:20:00\r\n"));
        var timetable = feed.Compile();
        Assert.Empty(timetable.Issues);
        Assert.Equal(["A", "C"], Enumerable.Range(0, timetable.StopCount).Select(timetable.StopId));
        Assert.Equal(1800, TravelTimeBetween(new TransitRouter(timetable, Simple), East(0), East(0.2), "07:50:00"));
    }

    [Fact]
    public void A_row_after_a_quoted_line_break_reports_its_physical_line()
    {
        // The quoted name of A spans lines 2–3, so the row of C (latitude "x") starts on physical line 4.
        using var feed = new TestFeed(
            ("stops.txt", "stop_id,stop_name,stop_lat,stop_lon\nA,\"two\nlines\",0,0\nC,C,x,0.2\n"),
            ("calendar.txt", WeekdayCalendar),
            ("trips.txt", "route_id,service_id,trip_id\nR,WK,T1\n"),
            ("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,08:00:00,08:00:00,A,1\nT1,08:20:00,08:20:00,C,2\n"));
        var issue = Assert.Single(feed.Compile().Issues, i => i.File == "stops.txt");
        Assert.Equal((IssueCodes.BadValue, 4L), (issue.Code, issue.Line));
    }

    [Fact]
    public void Calendar_dates_add_and_remove_services_on_the_date()
    {
        // WK runs on Wednesdays but calendar_dates removes it on 2026-10-21; EXTRA exists only in
        // calendar_dates, added that day. T1 (WK, A 08:00 → C 08:20) does not run; T2 (EXTRA,
        // A 08:30 → C 08:50) does. From A at 07:50: 3600 s.
        using var feed = new TestFeed(
            ("stops.txt", ThreeStops),
            ("calendar.txt", WeekdayCalendar),
            ("calendar_dates.txt", "service_id,date,exception_type\nWK,20261021,2\nEXTRA,20261021,1\nWK,20261022,2\n"),
            ("trips.txt", "route_id,service_id,trip_id\nR,WK,T1\nR,EXTRA,T2\n"),
            ("stop_times.txt", """
                trip_id,arrival_time,departure_time,stop_id,stop_sequence
                T1,08:00:00,08:00:00,A,1
                T1,08:20:00,08:20:00,C,2
                T2,08:30:00,08:30:00,A,1
                T2,08:50:00,08:50:00,C,2
                """));
        var timetable = feed.Compile();
        Assert.Empty(timetable.Issues);
        Assert.Equal(1, timetable.TripCount);
        Assert.Equal(3600, TravelTimeBetween(new TransitRouter(timetable, Simple), East(0), East(0.2), "07:50:00"));
    }

    [Fact]
    public void Malformed_rows_become_issues_and_the_rest_is_routed()
    {
        // Line numbers count the header as line 1.
        // stops.txt line 5: latitude "north" → bad_value.  stop_times.txt:
        //  line 5  T1 at unknown stop NOPE → unknown_stop (T1 keeps A, B, C);
        //  line 6  trip GHOST not in trips.txt → unknown_trip;
        //  line 8  T2 arrives B 08:25 after leaving A 08:30 → decreasing_time (T2 left out);
        //  line 11 T3 time "9:xx:00" → bad_value (T3 keeps A and C);
        //  line 14 T4 repeats stop_sequence 1 → duplicate_sequence (T4 left out).
        // calendar_dates.txt lacks exception_type → missing_column (the table is skipped).
        // Routing on the rest: from A at 07:50, T1 reaches C 08:20 (1800 s); at 08:45, T3 reaches C 09:20 (2100 s).
        using var feed = new TestFeed(
            ("stops.txt", ThreeStops + "\nBAD,Bad,north,0\n"),
            ("calendar.txt", WeekdayCalendar),
            ("calendar_dates.txt", "service_id,date\nWK,20261021\n"),
            ("trips.txt", "route_id,service_id,trip_id\nR,WK,T1\nR,WK,T2\nR,WK,T3\nR,WK,T4\n"),
            ("stop_times.txt", """
                trip_id,arrival_time,departure_time,stop_id,stop_sequence
                T1,08:00:00,08:00:00,A,1
                T1,08:10:00,08:10:00,B,2
                T1,08:20:00,08:20:00,C,3
                T1,08:25:00,08:25:00,NOPE,4
                GHOST,08:00:00,08:00:00,A,1
                T2,08:30:00,08:30:00,A,1
                T2,08:25:00,08:25:00,B,2
                T2,08:50:00,08:50:00,C,3
                T3,09:00:00,09:00:00,A,1
                T3,9:xx:00,9:xx:00,B,2
                T3,09:20:00,09:20:00,C,3
                T4,10:00:00,10:00:00,A,1
                T4,10:10:00,10:10:00,B,1
                """));
        var timetable = feed.Compile();
        var found = timetable.Issues.Select(i => (i.File, i.Code, i.Line)).Order().ToList();
        (string, string, long)[] expected =
        [
            ("calendar_dates.txt", IssueCodes.MissingColumn, 1),
            ("stop_times.txt", IssueCodes.BadValue, 11),
            ("stop_times.txt", IssueCodes.DecreasingTime, 8),
            ("stop_times.txt", IssueCodes.DuplicateSequence, 14),
            ("stop_times.txt", IssueCodes.UnknownStop, 5),
            ("stop_times.txt", IssueCodes.UnknownTrip, 6),
            ("stops.txt", IssueCodes.BadValue, 5),
        ];
        Assert.Equal(expected.Order(), found);
        Assert.All(timetable.Issues, i => Assert.Equal(IssueSeverity.Error, i.Severity));
        Assert.Equal(2, timetable.TripCount);
        var router = new TransitRouter(timetable, Simple);
        Assert.Equal(1800, TravelTimeBetween(router, East(0), East(0.2), "07:50:00"));
        Assert.Equal(2100, TravelTimeBetween(router, East(0), East(0.2), "08:45:00"));
    }

    [Fact]
    public void Empty_intermediate_times_are_interpolated_by_distance()
    {
        // B lies a quarter of the way from A (0°) to C (0.4°); T1 leaves A 08:00 and reaches C 08:40
        // with no time at B, so B gets 08:10. From A at 07:50, B is reached at 08:10: 1200 s.
        using var feed = WithWeekdayTrips("""
            stop_id,stop_name,stop_lat,stop_lon
            A,A,0,0
            B,B,0,0.1
            C,C,0,0.4
            """, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,08:00:00,08:00:00,A,1
            T1,,,B,2
            T1,08:40:00,08:40:00,C,3
            """);
        Assert.Equal(1200, TravelTimeToStop(feed.Router(), East(0), "B", "07:50:00"));
    }

    [Fact]
    public void A_saved_timetable_reloads_identically()
    {
        using var feed = WithWeekdayTrips(ThreeStops, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type
            T1,08:00:00,08:00:00,A,1,0
            T1,08:10:00,08:10:00,B,2,1
            T1,08:20:00,08:20:00,C,3,0
            """);
        var original = feed.Compile();
        var file = Path.Combine(feed.Folder, "t.lgtt");
        TimetableFile.Save(original, file);
        var loaded = TimetableFile.Load(file);
        Assert.NotNull(loaded);
        Assert.Equal(original.FeedHash, loaded.FeedHash);
        Assert.Equal(original.ServiceDate, loaded.ServiceDate);
        Assert.Equal(original.StopIds, loaded.StopIds);
        Assert.Equal(original.StopLat, loaded.StopLat);
        Assert.Equal(original.PatternStops, loaded.PatternStops);
        Assert.Equal(original.PatternStopRules, loaded.PatternStopRules);
        Assert.Equal(original.Arrivals, loaded.Arrivals);
        Assert.Equal(original.Departures, loaded.Departures);
        Assert.Equal(original.PatternTripStart, loaded.PatternTripStart);
    }

    [Fact]
    public void A_damaged_timetable_file_is_refused_rather_than_loaded()
    {
        // The file is cut after its first half: loading must report "not usable" (null) so the cache recompiles.
        using var feed = WithWeekdayTrips(ThreeStops, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,08:00:00,08:00:00,A,1
            T1,08:20:00,08:20:00,C,2
            """);
        var file = Path.Combine(feed.Folder, "t.lgtt");
        TimetableFile.Save(feed.Compile(), file);
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);
        Assert.Null(TimetableFile.Load(file));
    }

    [Fact]
    public void The_cache_compiles_once_and_then_loads()
    {
        using var feed = WithWeekdayTrips(ThreeStops, """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,08:00:00,08:00:00,A,1
            T1,08:20:00,08:20:00,C,2
            """);
        var cache = new TimetableCache(Path.Combine(feed.Folder, "cache"));
        var steps = new List<string>();
        var progress = new SyncProgress(steps.Add);
        var first = cache.LoadOrCompile(feed.Folder, ServiceDate, progress);
        var second = cache.LoadOrCompile(feed.Folder, ServiceDate, progress);
        Assert.StartsWith("compiling", steps[0]);
        Assert.StartsWith("loaded", steps[^1]);
        Assert.Equal(first.Arrivals, second.Arrivals);
    }

    private sealed class SyncProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
