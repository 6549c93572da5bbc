using System.Runtime.InteropServices;

namespace Lis.Geo.Transit.Gtfs;

/// <summary>Where a route's lines come from.</summary>
public enum RouteGeometrySource
{
    /// <summary>Every line is a shapes.txt shape used by one of its trips.</summary>
    Shapes,

    /// <summary>Every line joins the stops of one distinct stop sequence of its trips (no usable shapes).</summary>
    Stops,

    /// <summary>Some trips have usable shapes and some do not; both kinds of line are present.</summary>
    Mixed,
}

/// <summary>
/// A route of routes.txt as drawn on a map: its attributes as published and its lines, one per
/// distinct shape or distinct stop sequence of its trips, in WGS84.
/// </summary>
/// <param name="AgencyId">agency_id, or the feed's only agency when routes.txt leaves it empty (as GTFS allows).</param>
/// <param name="RouteType">route_type, or null when it is missing or not an integer (reported).</param>
/// <param name="TripCount">Trips of trips.txt on this route, whatever their service days.</param>
public sealed record FeedRoute(
    string RouteId,
    string? AgencyId,
    string? AgencyName,
    string? ShortName,
    string? LongName,
    int? RouteType,
    string? Color,
    string? TextColor,
    int TripCount,
    RouteGeometrySource Source,
    IReadOnlyList<GeoPoint[]> Lines);

/// <summary>
/// The routes of a feed with a line geometry each, read in streaming passes over routes, trips,
/// shapes, stops and stop_times (for map layers, not for routing, so every trip counts whatever its
/// service days). A trip is drawn by its shapes.txt shape when it names one that has at least two
/// valid points; otherwise by a line through its stops in stop_sequence order. Distinct shapes and
/// distinct stop sequences each give one line.
/// <para>
/// Memory: one entry per trip, the points of the shapes trips use, and one int array per distinct
/// stop sequence — never the stop_times table. Rows of stop_times are grouped as they come (feeds
/// list them trip by trip); a trip whose rows are scattered is re-read in a second pass, so the
/// result never depends on the file's order.
/// </para>
/// <para>
/// Issues are reported only for what the timetable compiler does not already report: routes.txt,
/// shapes.txt, trips naming unknown routes or shapes. Bad stop_times and stops rows are skipped
/// here silently because the compiler reports each of them.
/// </para>
/// </summary>
/// <param name="Issues">The kept issues (see <see cref="FeedIssueLog"/>).</param>
/// <param name="IssueCount">Every issue found, kept or not.</param>
public sealed record FeedRoutes(IReadOnlyList<FeedRoute> Routes, IReadOnlyList<FeedIssue> Issues, int IssueCount)
{
    /// <summary>Pattern slot of a trip whose stop_times have not been seen yet.</summary>
    private const int NotSeen = -1;

    /// <summary>Pattern slot of a trip whose stop_times rows are not contiguous; re-read in a second pass.</summary>
    private const int Scattered = -2;

    public static FeedRoutes Read(GtfsSource source)
    {
        var issues = new FeedIssueLog();
        var agencies = ReadAgencies(source);
        var routes = ReadRoutes(source, agencies, issues);
        if (routes.Count == 0) return new FeedRoutes([], issues.Kept, issues.Total);
        var trips = ReadTrips(source, routes, issues);
        var shapes = ReadShapes(source, trips, issues);
        var patterns = ReadStopPatterns(source, trips, shapes);
        return new FeedRoutes(Assemble(routes, trips, shapes, patterns, issues), issues.Kept, issues.Total);
    }

    /// <summary>agency_name by agency_id, and the only agency of a one-agency feed (whose routes may omit agency_id).</summary>
    private sealed record Agencies(Dictionary<string, string> Names, (string? Id, string? Name)? Only);

    private static Agencies ReadAgencies(GtfsSource source)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var rows = 0;
        (string? Id, string? Name) first = default;
        using var table = source.OpenTable(GtfsFiles.Agency);
        if (table is not null)
        {
            int id = table.Column("agency_id"), name = table.Column("agency_name");
            while (table.ReadRow())
            {
                if (rows++ == 0) first = (NullIfEmpty(table.Row[id]), NullIfEmpty(table.Row[name]));
                if (!table.Row[id].IsEmpty) names.TryAdd(table.Row[id].ToString(), table.Row[name].ToString());
            }
        }
        return new Agencies(names, rows == 1 ? first : null);
    }

    private sealed class RouteRow
    {
        public required string Id;
        public long Line;
        public string? AgencyId, AgencyName, ShortName, LongName, Color, TextColor;
        public int? Type;
        public int TripCount;
    }

    private static List<RouteRow> ReadRoutes(GtfsSource source, Agencies agencies, FeedIssueLog issues)
    {
        var routes = new List<RouteRow>();
        using var table = source.OpenTable(GtfsFiles.Routes);
        if (table is null)
        {
            issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.MissingFile, GtfsFiles.Routes, 0, "routes.txt is missing; no route lines are stored."));
            return routes;
        }
        if (!table.RequireColumns(issues, "route_id")) return routes;
        int id = table.Column("route_id"), agency = table.Column("agency_id"), shortName = table.Column("route_short_name"),
            longName = table.Column("route_long_name"), type = table.Column("route_type"), color = table.Column("route_color"), textColor = table.Column("route_text_color");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var row = table.Row;
        while (table.ReadRow())
        {
            var routeId = row[id].ToString();
            if (routeId.Length == 0)
            {
                issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.BadValue, GtfsFiles.Routes, row.Line, "empty route_id; row skipped."));
                continue;
            }
            if (!seen.Add(routeId))
            {
                issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.DuplicateId, GtfsFiles.Routes, row.Line, $"route_id '{routeId}' repeats; the first row is used."));
                continue;
            }
            int? routeType = null;
            if (GtfsValues.TryParseInt(row[type], out var t)) routeType = t;
            else issues.Add(new FeedIssue(IssueSeverity.Warning, IssueCodes.BadValue, GtfsFiles.Routes, row.Line, $"route '{routeId}' has route_type '{row[type]}', not an integer; stored without one."));
            var agencyId = NullIfEmpty(row[agency]);
            routes.Add(new RouteRow
            {
                Id = routeId,
                Line = row.Line,
                AgencyId = agencyId ?? agencies.Only?.Id,
                AgencyName = agencyId is null ? agencies.Only?.Name : agencies.Names.GetValueOrDefault(agencyId),
                ShortName = NullIfEmpty(row[shortName]),
                LongName = NullIfEmpty(row[longName]),
                Type = routeType,
                Color = NullIfEmpty(row[color]),
                TextColor = NullIfEmpty(row[textColor]),
            });
        }
        return routes;
    }

    private static string? NullIfEmpty(ReadOnlySpan<char> value) => value.IsEmpty ? null : value.ToString();

    /// <summary>Trips by dense index: route, shape (interned), and the stop pattern found for it.</summary>
    private sealed class TripTable
    {
        public readonly Dictionary<string, int> Index = new(StringComparer.Ordinal);
        public readonly List<int> Route = [];
        public readonly List<int> Shape = [];
        public readonly Dictionary<string, int> ShapeIndex = new(StringComparer.Ordinal);
        public readonly List<string> ShapeIds = [];

        /// <summary>trips.txt line of the first trip naming each shape, for the issue when the shape is missing.</summary>
        public readonly List<long> ShapeFirstLine = [];
    }

    private static TripTable ReadTrips(GtfsSource source, List<RouteRow> routes, FeedIssueLog issues)
    {
        var trips = new TripTable();
        using var table = source.OpenTable(GtfsFiles.Trips);
        // A missing trips.txt or trip_id/route_id column is reported by the compiler; no route then has trips.
        if (table is null || table.Column("trip_id") < 0 || table.Column("route_id") < 0) return trips;
        int id = table.Column("trip_id"), route = table.Column("route_id"), shape = table.Column("shape_id");
        var routeIndex = new Dictionary<string, int>(routes.Count, StringComparer.Ordinal);
        for (var i = 0; i < routes.Count; i++) routeIndex[routes[i].Id] = i;
        var routeLookup = routeIndex.GetAlternateLookup<ReadOnlySpan<char>>();
        var reportedRoutes = new HashSet<string>(StringComparer.Ordinal);
        var row = table.Row;
        while (table.ReadRow())
        {
            if (!routeLookup.TryGetValue(row[route], out var r))
            {
                var routeId = row[route].ToString();
                if (reportedRoutes.Add(routeId))
                    issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.UnknownRoute, GtfsFiles.Trips, row.Line, $"route_id '{routeId}' is not in routes.txt; its trips are on no route line."));
                continue;
            }
            var tripId = row[id].ToString();
            // Repeated trip ids are reported by the compiler; the first row counts, as there.
            if (tripId.Length == 0 || !trips.Index.TryAdd(tripId, trips.Route.Count)) continue;
            var s = -1;
            if (!row[shape].IsEmpty)
            {
                var shapeId = row[shape].ToString();
                if (!trips.ShapeIndex.TryGetValue(shapeId, out s))
                {
                    s = trips.ShapeIds.Count;
                    trips.ShapeIndex[shapeId] = s;
                    trips.ShapeIds.Add(shapeId);
                    trips.ShapeFirstLine.Add(row.Line);
                }
            }
            trips.Route.Add(r);
            trips.Shape.Add(s);
            routes[r].TripCount++;
        }
        return trips;
    }

    private readonly record struct ShapePoint(int Sequence, long Line, double Lat, double Lon);

    /// <summary>
    /// The usable line of each shape trips name (null where there is none: absent from shapes.txt or
    /// fewer than two distinct valid points). Every row is validated, used or not, so the report does
    /// not depend on which trips a feed has.
    /// </summary>
    private static GeoPoint[]?[] ReadShapes(GtfsSource source, TripTable trips, FeedIssueLog issues)
    {
        var lines = new GeoPoint[]?[trips.ShapeIds.Count];
        if (trips.ShapeIds.Count == 0) return lines;
        using var table = source.OpenTable(GtfsFiles.Shapes);
        if (table is null)
        {
            issues.Add(new FeedIssue(IssueSeverity.Warning, IssueCodes.MissingFile, GtfsFiles.Shapes, 0,
                $"trips name {trips.ShapeIds.Count} shape_id(s) but shapes.txt is missing; their routes are drawn through their stops."));
            return lines;
        }
        if (!table.RequireColumns(issues, "shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence")) return lines;
        int id = table.Column("shape_id"), lat = table.Column("shape_pt_lat"), lon = table.Column("shape_pt_lon"), seq = table.Column("shape_pt_sequence");
        var points = new List<ShapePoint>?[trips.ShapeIds.Count];
        var shapeLookup = trips.ShapeIndex.GetAlternateLookup<ReadOnlySpan<char>>();
        var row = table.Row;
        while (table.ReadRow())
        {
            if (!GtfsValues.TryParseDouble(row[lat], out var la) || !GtfsValues.TryParseDouble(row[lon], out var lo) || la is < -90 or > 90 || lo is < -180 or > 180)
            {
                issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.BadValue, GtfsFiles.Shapes, row.Line,
                    $"shape '{row[id]}' has shape_pt_lat '{row[lat]}' / shape_pt_lon '{row[lon]}', not a WGS84 position; point skipped."));
                continue;
            }
            if (!GtfsValues.TryParseInt(row[seq], out var sequence) || sequence < 0)
            {
                issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.BadValue, GtfsFiles.Shapes, row.Line,
                    $"shape '{row[id]}' has shape_pt_sequence '{row[seq]}', not a non-negative integer; point skipped."));
                continue;
            }
            if (!shapeLookup.TryGetValue(row[id], out var s)) continue;
            (points[s] ??= []).Add(new ShapePoint(sequence, row.Line, la, lo));
        }

        for (var s = 0; s < points.Length; s++)
        {
            var shapeId = trips.ShapeIds[s];
            if (points[s] is not { } list)
            {
                issues.Add(new FeedIssue(IssueSeverity.Warning, IssueCodes.UnknownShape, GtfsFiles.Trips, trips.ShapeFirstLine[s],
                    $"shape_id '{shapeId}' has no valid point in shapes.txt; its trips are drawn through their stops."));
                continue;
            }
            // Points may come in any order; the sequence orders them and the file line breaks no ties (repeats are reported).
            list.Sort((a, b) => a.Sequence != b.Sequence ? a.Sequence.CompareTo(b.Sequence) : a.Line.CompareTo(b.Line));
            var line = new List<GeoPoint>(list.Count);
            for (var k = 0; k < list.Count; k++)
            {
                if (k > 0 && list[k].Sequence == list[k - 1].Sequence)
                {
                    issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.DuplicateSequence, GtfsFiles.Shapes, list[k].Line,
                        $"shape '{shapeId}' repeats shape_pt_sequence {list[k].Sequence}; the first point is used."));
                    continue;
                }
                AppendDistinct(line, new GeoPoint(list[k].Lat, list[k].Lon));
            }
            if (line.Count >= 2) lines[s] = [.. line];
            else issues.Add(new FeedIssue(IssueSeverity.Warning, IssueCodes.TooFewPoints, GtfsFiles.Shapes, list[0].Line,
                $"shape '{shapeId}' has fewer than two distinct valid points; its trips are drawn through their stops."));
        }
        return lines;
    }

    /// <summary>A repeated vertex adds nothing to a line, and a line of one repeated point is degenerate.</summary>
    private static void AppendDistinct(List<GeoPoint> line, GeoPoint p)
    {
        if (line.Count == 0 || line[^1] != p) line.Add(p);
    }

    /// <summary>Distinct stop sequences (as stop positions) and, per trip, which one it follows.</summary>
    private sealed class StopPatterns
    {
        public readonly List<int[]> Sequences = [];
        public readonly Dictionary<int[], int> Index = new(SequenceComparer.Instance);
        public int[] TripPattern = [];
        public readonly List<double> Lat = [];
        public readonly List<double> Lon = [];

        public int Intern(int[] stops)
        {
            if (Index.TryGetValue(stops, out var p)) return p;
            p = Sequences.Count;
            Sequences.Add(stops);
            Index[stops] = p;
            return p;
        }
    }

    private static StopPatterns ReadStopPatterns(GtfsSource source, TripTable trips, GeoPoint[]?[] shapes)
    {
        var patterns = new StopPatterns { TripPattern = new int[trips.Route.Count] };
        Array.Fill(patterns.TripPattern, NotSeen);
        var needsStops = new bool[trips.Route.Count];
        var any = false;
        for (var t = 0; t < needsStops.Length; t++)
            any |= needsStops[t] = trips.Shape[t] < 0 || shapes[trips.Shape[t]] is null;
        if (!any) return patterns;

        var stopIndex = ReadStopPositions(source, patterns);
        var scattered = new HashSet<int>();
        ScanStopTimes(source, trips.Index, stopIndex, (trip, rows) =>
        {
            if (!needsStops[trip]) return;
            if (patterns.TripPattern[trip] != NotSeen)
            {
                // A second run of rows for one trip: its sequence is known only once all rows are read.
                patterns.TripPattern[trip] = Scattered;
                scattered.Add(trip);
                return;
            }
            patterns.TripPattern[trip] = patterns.Intern(Ordered(rows));
        });
        if (scattered.Count == 0) return patterns;

        var rowsOf = scattered.ToDictionary(t => t, _ => new List<(int Sequence, int Stop)>());
        ScanStopTimes(source, trips.Index, stopIndex, (trip, rows) =>
        {
            if (rowsOf.TryGetValue(trip, out var list)) list.AddRange(rows);
        });
        foreach (var (trip, rows) in rowsOf) patterns.TripPattern[trip] = patterns.Intern(Ordered(CollectionsMarshal.AsSpan(rows)));
        return patterns;
    }

    /// <summary>Stop positions in stop_sequence order (ties keep file order; the compiler reports repeats).</summary>
    private static int[] Ordered(ReadOnlySpan<(int Sequence, int Stop)> rows)
    {
        var copy = rows.ToArray();
        var sorted = true;
        for (var k = 1; k < copy.Length && sorted; k++) sorted = copy[k].Sequence >= copy[k - 1].Sequence;
        if (!sorted)
        {
            var keys = copy.Select((r, k) => ((long)r.Sequence << 32) | (uint)k).ToArray();
            Array.Sort(keys, copy);
        }
        return Array.ConvertAll(copy, r => r.Stop);
    }

    /// <summary>Located stops only: a stop without a valid position cannot be a vertex (the compiler reports it).</summary>
    private static Dictionary<string, int> ReadStopPositions(GtfsSource source, StopPatterns patterns)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        using var table = source.OpenTable(GtfsFiles.Stops);
        if (table is null) return index;
        int id = table.Column("stop_id"), lat = table.Column("stop_lat"), lon = table.Column("stop_lon");
        if (id < 0 || lat < 0 || lon < 0) return index;
        var row = table.Row;
        while (table.ReadRow())
        {
            if (!GtfsValues.TryParseDouble(row[lat], out var la) || !GtfsValues.TryParseDouble(row[lon], out var lo) || la is < -90 or > 90 || lo is < -180 or > 180)
                continue;
            if (row[id].IsEmpty || !index.TryAdd(row[id].ToString(), patterns.Lat.Count)) continue;
            patterns.Lat.Add(la);
            patterns.Lon.Add(lo);
        }
        return index;
    }

    private delegate void RunHandler(int trip, ReadOnlySpan<(int Sequence, int Stop)> rows);

    /// <summary>
    /// Streams stop_times and hands each contiguous run of one trip's usable rows (sequence, stop
    /// position) to <paramref name="onRun"/>; the span is only valid during the call. Rows with an
    /// unknown trip or stop or a bad stop_sequence are skipped (the compiler reports them).
    /// </summary>
    private static void ScanStopTimes(GtfsSource source, Dictionary<string, int> tripIndex, Dictionary<string, int> stopIndex, RunHandler onRun)
    {
        using var table = source.OpenTable(GtfsFiles.StopTimes);
        if (table is null) return;
        int tripCol = table.Column("trip_id"), stopCol = table.Column("stop_id"), seqCol = table.Column("stop_sequence");
        if (tripCol < 0 || stopCol < 0 || seqCol < 0) return;
        var tripLookup = tripIndex.GetAlternateLookup<ReadOnlySpan<char>>();
        var stopLookup = stopIndex.GetAlternateLookup<ReadOnlySpan<char>>();
        var run = new List<(int Sequence, int Stop)>();
        string? currentId = null;
        var current = -1; // -1 while the current trip id is unknown
        var row = table.Row;
        while (table.ReadRow())
        {
            // Rows come trip by trip, so the trip is looked up only when its id changes.
            if (currentId is null || !row[tripCol].SequenceEqual(currentId))
            {
                if (current >= 0 && run.Count > 0) onRun(current, CollectionsMarshal.AsSpan(run));
                run.Clear();
                currentId = row[tripCol].ToString();
                if (!tripLookup.TryGetValue(row[tripCol], out current)) current = -1;
            }
            if (current < 0) continue;
            if (stopLookup.TryGetValue(row[stopCol], out var stop) && GtfsValues.TryParseInt(row[seqCol], out var sequence) && sequence >= 0)
                run.Add((sequence, stop));
        }
        if (current >= 0 && run.Count > 0) onRun(current, CollectionsMarshal.AsSpan(run));
    }

    private static List<FeedRoute> Assemble(List<RouteRow> routes, TripTable trips, GeoPoint[]?[] shapes, StopPatterns patterns, FeedIssueLog issues)
    {
        // Per route, its distinct shapes and stop patterns in order of first use by its trips.
        var shapeLines = new List<int>[routes.Count];
        var patternLines = new List<int>[routes.Count];
        var seenShape = new HashSet<(int Route, int Shape)>();
        var seenPattern = new HashSet<(int Route, int Pattern)>();
        for (var t = 0; t < trips.Route.Count; t++)
        {
            var r = trips.Route[t];
            var s = trips.Shape[t];
            if (s >= 0 && shapes[s] is not null)
            {
                if (seenShape.Add((r, s))) (shapeLines[r] ??= []).Add(s);
            }
            else if (patterns.TripPattern[t] >= 0 && seenPattern.Add((r, patterns.TripPattern[t])))
                (patternLines[r] ??= []).Add(patterns.TripPattern[t]);
        }

        var result = new List<FeedRoute>();
        for (var r = 0; r < routes.Count; r++)
        {
            var route = routes[r];
            if (route.TripCount == 0) continue; // not run by any trip: nothing to draw, and not a data problem
            var lines = new List<GeoPoint[]>();
            foreach (var s in shapeLines[r] ?? []) lines.Add(shapes[s]!);
            var fromShapes = lines.Count;
            foreach (var p in patternLines[r] ?? [])
            {
                var line = new List<GeoPoint>();
                foreach (var stop in patterns.Sequences[p]) AppendDistinct(line, new GeoPoint(patterns.Lat[stop], patterns.Lon[stop]));
                if (line.Count >= 2) lines.Add([.. line]);
            }
            if (lines.Count == 0)
            {
                issues.Add(new FeedIssue(IssueSeverity.Warning, IssueCodes.TooFewPoints, GtfsFiles.Routes, route.Line,
                    $"route '{route.Id}' has {route.TripCount} trip(s) but none with a usable shape or two located stops; it has no line and is not stored."));
                continue;
            }
            var source = fromShapes == lines.Count ? RouteGeometrySource.Shapes : fromShapes == 0 ? RouteGeometrySource.Stops : RouteGeometrySource.Mixed;
            result.Add(new FeedRoute(route.Id, route.AgencyId, route.AgencyName, route.ShortName, route.LongName, route.Type,
                route.Color, route.TextColor, route.TripCount, source, lines));
        }
        return result;
    }
}
