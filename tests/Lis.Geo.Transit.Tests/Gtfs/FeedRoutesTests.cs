using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Tests.Support;
using Lis.Geo.Transit.Walking;
using static Lis.Geo.Transit.Tests.Support.TestFeed;

namespace Lis.Geo.Transit.Tests.Gtfs;

/// <summary>Route lines for maps: shapes where trips name them, else lines through each distinct stop sequence.</summary>
public sealed class FeedRoutesTests
{
    private const string FourStops = """
        stop_id,stop_name,stop_lat,stop_lon
        A,A,0,0
        B,B,0,0.1
        C,C,0,0.2
        D,D,0.1,0.2
        """;

    private static FeedRoutes Read(params (string File, string Text)[] tables)
    {
        using var feed = new TestFeed([("stops.txt", FourStops), ("calendar.txt", WeekdayCalendar), .. tables]);
        return FeedRoutes.Read(GtfsSource.Open(feed.Folder));
    }

    private static GeoPoint P(double lat, double lon) => new(lat, lon);

    [Fact]
    public void A_route_with_a_shape_is_drawn_by_the_shape_points_in_sequence_order_and_one_without_through_its_stops()
    {
        // SH's points are listed out of order (sequence 20, 5, 10); trips T1 and T2 of route R1 share it.
        // Route R2 has no shape: T3 runs A→B→C and T4 the reverse, so two lines; T5 repeats T3's sequence.
        var routes = Read(
            ("routes.txt", "route_id,agency_id,route_short_name,route_long_name,route_type,route_color\nR1,AG,1,One,3,FF0000\nR2,,2,Two,0,\nR3,,3,Unused,3,\n"),
            ("agency.txt", "agency_id,agency_name\nAG,Agency\n"),
            ("trips.txt", "route_id,service_id,trip_id,shape_id\nR1,WK,T1,SH\nR1,WK,T2,SH\nR2,WK,T3,\nR2,WK,T4,\nR2,WK,T5,\n"),
            ("shapes.txt", "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\nSH,0.3,0.3,20\nSH,0.1,0.1,5\nSH,0.2,0.25,10\n"),
            ("stop_times.txt", """
                trip_id,arrival_time,departure_time,stop_id,stop_sequence
                T1,08:00:00,08:00:00,A,1
                T1,08:10:00,08:10:00,C,2
                T2,09:00:00,09:00:00,A,1
                T2,09:10:00,09:10:00,C,2
                T3,08:00:00,08:00:00,A,1
                T3,08:05:00,08:05:00,B,2
                T3,08:10:00,08:10:00,C,3
                T4,08:00:00,08:00:00,C,1
                T4,08:05:00,08:05:00,B,2
                T4,08:10:00,08:10:00,A,3
                T5,09:00:00,09:00:00,A,1
                T5,09:05:00,09:05:00,B,2
                T5,09:10:00,09:10:00,C,3
                """));
        Assert.Empty(routes.Issues);
        Assert.Equal(["R1", "R2"], routes.Routes.Select(r => r.RouteId)); // R3 has no trips
        var r1 = routes.Routes[0];
        Assert.Equal(("AG", "Agency", "1", "One", 3, "FF0000", 2, RouteGeometrySource.Shapes), (r1.AgencyId, r1.AgencyName, r1.ShortName, r1.LongName, r1.RouteType, r1.Color, r1.TripCount, r1.Source));
        Assert.Equal([P(0.1, 0.1), P(0.2, 0.25), P(0.3, 0.3)], Assert.Single(r1.Lines));
        var r2 = routes.Routes[1];
        Assert.Equal((RouteGeometrySource.Stops, 3, (string?)null), (r2.Source, r2.TripCount, r2.Color));
        Assert.Equal(2, r2.Lines.Count);
        Assert.Equal([P(0, 0), P(0, 0.1), P(0, 0.2)], r2.Lines[0]);
        Assert.Equal([P(0, 0.2), P(0, 0.1), P(0, 0)], r2.Lines[1]);
    }

    [Fact]
    public void Malformed_shape_rows_are_reported_with_their_line_and_skipped()
    {
        // Line 3 has latitude "x", line 4 sequence "two", line 5 longitude 200: the shape keeps lines 2 and 6.
        var routes = Read(
            ("routes.txt", "route_id,route_type\nR,3\n"),
            ("trips.txt", "route_id,service_id,trip_id,shape_id\nR,WK,T1,SH\n"),
            ("shapes.txt", "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\nSH,0,0,1\nSH,x,0.1,2\nSH,0,0.2,two\nSH,0,200,4\nSH,0.5,0.5,5\n"),
            ("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,08:00:00,08:00:00,A,1\nT1,08:10:00,08:10:00,C,2\n"));
        Assert.Equal([(IssueCodes.BadValue, "shapes.txt", 3L), (IssueCodes.BadValue, "shapes.txt", 4L), (IssueCodes.BadValue, "shapes.txt", 5L)],
            routes.Issues.Select(i => (i.Code, i.File, i.Line)));
        Assert.All(routes.Issues, i => Assert.Equal(IssueSeverity.Error, i.Severity));
        var route = Assert.Single(routes.Routes);
        Assert.Equal(RouteGeometrySource.Shapes, route.Source);
        Assert.Equal([P(0, 0), P(0.5, 0.5)], Assert.Single(route.Lines));
    }

    [Fact]
    public void A_trip_whose_shape_is_missing_is_drawn_through_its_stops_and_the_route_is_mixed()
    {
        var routes = Read(
            ("routes.txt", "route_id,route_type\nR,3\n"),
            ("trips.txt", "route_id,service_id,trip_id,shape_id\nR,WK,T1,SH\nR,WK,T2,GONE\n"),
            ("shapes.txt", "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\nSH,0,0,1\nSH,0,0.2,2\n"),
            ("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,08:00:00,08:00:00,A,1\nT1,08:10:00,08:10:00,C,2\nT2,08:00:00,08:00:00,C,1\nT2,08:10:00,08:10:00,D,2\n"));
        var issue = Assert.Single(routes.Issues);
        Assert.Equal((IssueCodes.UnknownShape, "trips.txt", 3L), (issue.Code, issue.File, issue.Line));
        var route = Assert.Single(routes.Routes);
        Assert.Equal(RouteGeometrySource.Mixed, route.Source);
        Assert.Equal([[P(0, 0), P(0, 0.2)], [P(0, 0.2), P(0.1, 0.2)]], route.Lines);
    }

    [Fact]
    public void Scattered_and_unsorted_stop_times_give_the_same_line_as_sorted_ones()
    {
        // T1's rows are split by T2's and listed against stop_sequence order: A(1) B(2) C(3) D(4).
        var routes = Read(
            ("routes.txt", "route_id,route_type\nR,3\nQ,3\n"),
            ("trips.txt", "route_id,service_id,trip_id\nR,WK,T1\nQ,WK,T2\n"),
            ("stop_times.txt", """
                trip_id,arrival_time,departure_time,stop_id,stop_sequence
                T1,08:10:00,08:10:00,C,3
                T1,08:00:00,08:00:00,A,1
                T2,08:00:00,08:00:00,A,1
                T2,08:10:00,08:10:00,D,2
                T1,08:20:00,08:20:00,D,4
                T1,08:05:00,08:05:00,B,2
                """));
        Assert.Empty(routes.Issues);
        Assert.Equal([P(0, 0), P(0, 0.1), P(0, 0.2), P(0.1, 0.2)], Assert.Single(routes.Routes.Single(r => r.RouteId == "R").Lines));
        Assert.Equal([P(0, 0), P(0.1, 0.2)], Assert.Single(routes.Routes.Single(r => r.RouteId == "Q").Lines));
    }

    [Fact]
    public void Trips_of_unknown_routes_and_routes_without_a_drawable_trip_are_reported()
    {
        // T1 names route X (not in routes.txt). T2's only located stop is A (Z is not in stops.txt), so R has no line.
        var routes = Read(
            ("routes.txt", "route_id,route_type\nR,bus\n"),
            ("trips.txt", "route_id,service_id,trip_id\nX,WK,T1\nR,WK,T2\n"),
            ("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,08:00:00,08:00:00,A,1\nT1,08:10:00,08:10:00,C,2\nT2,08:00:00,08:00:00,A,1\nT2,08:10:00,08:10:00,Z,2\n"));
        Assert.Empty(routes.Routes);
        Assert.Equal([(IssueCodes.BadValue, "routes.txt", 2L), (IssueCodes.UnknownRoute, "trips.txt", 2L), (IssueCodes.TooFewPoints, "routes.txt", 2L)],
            routes.Issues.Select(i => (i.Code, i.File, i.Line)));
    }
}
