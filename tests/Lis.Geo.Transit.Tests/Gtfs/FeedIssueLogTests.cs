using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Tests.Support;
using Lis.Geo.Transit.Timetables;
using Lis.Geo.Transit.Walking;
using static Lis.Geo.Transit.Tests.Support.TestFeed;

namespace Lis.Geo.Transit.Tests.Gtfs;

/// <summary>A feed repeating one problem on thousands of rows: the first of each kind are kept, every one is counted.</summary>
public sealed class FeedIssueLogTests
{
    private const int GhostRows = 5000;

    /// <summary>
    /// stops.txt has A, C and a stop D without coordinates (line 4: one bad_value); stop_times.txt
    /// starts with <see cref="GhostRows"/> rows of trip GHOST, which trips.txt does not list (lines
    /// 2..5001: unknown_trip each), then T1 A 08:00 → C 08:20 (lines 5002–5003).
    /// </summary>
    private static TestFeed HostileFeed()
    {
        var stopTimes = new System.Text.StringBuilder("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n");
        for (var k = 1; k <= GhostRows; k++) stopTimes.Append($"GHOST,08:00:00,08:00:00,A,{k}\n");
        stopTimes.Append("T1,08:00:00,08:00:00,A,1\nT1,08:20:00,08:20:00,C,2\n");
        return WithWeekdayTrips("stop_id,stop_name,stop_lat,stop_lon\nA,A,0,0\nC,C,0,0.2\nD,D,x,0.3\n",
            stopTimes.ToString(), "route_id,service_id,trip_id\nR,WK,T1\n");
    }

    [Fact]
    public void Every_issue_is_counted_and_the_first_of_each_kind_are_kept_in_order()
    {
        using var feed = HostileFeed();
        var timetable = feed.Compile();
        Assert.Equal(GhostRows + 1, timetable.IssueCount);
        Assert.Equal(1, timetable.TripCount);
        var bad = Assert.Single(timetable.Issues, i => i.Code == IssueCodes.BadValue);
        Assert.Equal(("stops.txt", 4L), (bad.File, bad.Line));
        var ghosts = timetable.Issues.Where(i => i.Code == IssueCodes.UnknownTrip).ToList();
        Assert.All(ghosts, i => Assert.Equal("stop_times.txt", i.File));
        Assert.Equal(Enumerable.Range(2, FeedIssueLog.KeptPerKind).Select(l => (long)l), ghosts.Select(i => i.Line));
        Assert.Equal(FeedIssueLog.KeptPerKind + 1, timetable.Issues.Count);
    }

    [Fact]
    public void A_saved_timetable_keeps_the_exact_count_and_the_kept_issues()
    {
        using var feed = HostileFeed();
        var original = feed.Compile();
        var file = Path.Combine(feed.Folder, "t.lgtt");
        TimetableFile.Save(original, file);
        var loaded = TimetableFile.Load(file);
        Assert.NotNull(loaded);
        Assert.Equal(GhostRows + 1, loaded.IssueCount);
        Assert.Equal(original.Issues, loaded.Issues);
    }

    [Fact]
    public void A_merged_timetable_counts_every_issue_of_every_feed()
    {
        // Two copies under labels a and b: each keeps its own 1,000 ghost rows (files a/stop_times.txt
        // and b/stop_times.txt are different kinds) and counts all 5,001 of its issues.
        using var feed = HostileFeed();
        var one = feed.Compile();
        var merged = TimetableMerge.Merge([("a", one), ("b", one)]);
        Assert.Equal(2 * (GhostRows + 1), merged.IssueCount);
        Assert.Equal(2 * (FeedIssueLog.KeptPerKind + 1), merged.Issues.Count);
        Assert.Equal(FeedIssueLog.KeptPerKind, merged.Issues.Count(i => i.File == "b/stop_times.txt"));
        Assert.Equal(2L, merged.Issues.First(i => i.File == "b/stop_times.txt").Line);
    }

    [Fact]
    public void Route_lines_count_every_bad_shape_row_and_keep_the_first()
    {
        // Shape SH: line 2 is good, lines 3..1502 have latitude "x" (1,500 bad_value), line 1503 is good.
        var shapes = new System.Text.StringBuilder("shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\nSH,0,0,1\n");
        for (var k = 0; k < 1500; k++) shapes.Append($"SH,x,0.1,{k + 2}\n");
        shapes.Append("SH,0,0.2,2000\n");
        using var feed = new TestFeed(
            ("stops.txt", "stop_id,stop_name,stop_lat,stop_lon\nA,A,0,0\nC,C,0,0.2\n"),
            ("calendar.txt", WeekdayCalendar),
            ("routes.txt", "route_id,route_type\nR,3\n"),
            ("trips.txt", "route_id,service_id,trip_id,shape_id\nR,WK,T1,SH\n"),
            ("shapes.txt", shapes.ToString()),
            ("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,08:00:00,08:00:00,A,1\nT1,08:10:00,08:10:00,C,2\n"));
        var routes = FeedRoutes.Read(GtfsSource.Open(feed.Folder));
        Assert.Equal(1500, routes.IssueCount);
        Assert.Equal(Enumerable.Range(3, FeedIssueLog.KeptPerKind).Select(l => (IssueCodes.BadValue, "shapes.txt", (long)l)),
            routes.Issues.Select(i => (i.Code, i.File, i.Line)));
        Assert.Equal([new GeoPoint(0, 0), new GeoPoint(0, 0.2)], Assert.Single(Assert.Single(routes.Routes).Lines));
    }

    [Fact]
    public void A_log_given_another_logs_total_counts_the_issues_it_did_not_keep()
    {
        var log = new FeedIssueLog();
        log.Add(new FeedIssue(IssueSeverity.Warning, IssueCodes.NoService, "x", 0, "first"));
        log.AddAll([new FeedIssue(IssueSeverity.Error, IssueCodes.UnknownTrip, "stop_times.txt", 2, "kept")], 7);
        Assert.Equal(8, log.Total);
        Assert.Equal(["first", "kept"], log.Kept.Select(i => i.Message));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.AddAll([log.Kept[0], log.Kept[1]], 1));
    }
}
