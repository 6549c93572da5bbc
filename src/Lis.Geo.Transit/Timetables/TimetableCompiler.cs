namespace Lis.Geo.Transit.Timetables;

/// <summary>
/// Reads a GTFS feed and compiles the trips running on one service date into a <see cref="Timetable"/>.
/// Every data problem becomes a <see cref="FeedIssue"/>; the offending row (or, when its times cannot
/// be trusted, its trip) is left out and the rest of the feed is compiled.
/// </summary>
public static partial class TimetableCompiler
{
    /// <summary>A time left empty in stop_times (a non-timepoint), filled by interpolation.</summary>
    private const int NoTime = -1;

    /// <summary>Compiles the trips of <paramref name="serviceDate"/>. Trips of the previous day running past midnight are not included (AM-peak scope).</summary>
    public static Timetable Compile(GtfsSource source, DateOnly serviceDate, string? feedHash = null)
    {
        var issues = FeedIssueLog.From(source.ConversionIssues, source.ConversionIssueCount);
        var stops = ReadStops(source, issues);
        var services = ReadActiveServices(source, serviceDate, issues, out var knownServices);
        var routes = ReadRoutes(source);
        var trips = ReadTrips(source, services, knownServices, routes, issues);
        var rows = ReadStopTimes(source, stops, trips, issues);
        var compiled = BuildTrips(rows, stops, trips, issues);
        compiled = ExpandFrequencies(source, compiled, trips, issues);
        return BuildPatterns(compiled, stops, trips.Routes(), trips.ActiveIds, feedHash ?? source.ComputeHash(), serviceDate, issues);
    }

    private sealed class StopTable
    {
        public readonly Dictionary<string, int> Index = new(StringComparer.Ordinal);
        public readonly List<string> Ids = [];
        public readonly List<double> Lat = [];
        public readonly List<double> Lon = [];
    }

    private static StopTable ReadStops(GtfsSource source, FeedIssueLog issues)
    {
        var stops = new StopTable();
        using var table = source.OpenTable(GtfsFiles.Stops);
        if (table is null)
        {
            issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.MissingFile, GtfsFiles.Stops, 0, "stops.txt is missing; no trip can be routed."));
            return stops;
        }
        if (!table.RequireColumns(issues, "stop_id", "stop_lat", "stop_lon")) return stops;
        int id = table.Column("stop_id"), lat = table.Column("stop_lat"), lon = table.Column("stop_lon"), type = table.Column("location_type");
        var row = table.Row;
        while (table.ReadRow())
        {
            var stopId = row[id].ToString();
            if (stopId.Length == 0)
            {
                issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.BadValue, GtfsFiles.Stops, row.Line, "empty stop_id; row skipped."));
                continue;
            }
            if (!GtfsValues.TryParseDouble(row[lat], out var la) || !GtfsValues.TryParseDouble(row[lon], out var lo) ||
                la is < -90 or > 90 || lo is < -180 or > 180)
            {
                // Generic nodes and boarding areas (location_type 3, 4) may have no position; they are never served.
                if (!(GtfsValues.TryParseInt(row[type], out var t) && t >= 3))
                    issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.BadValue, GtfsFiles.Stops, row.Line, $"stop '{stopId}' has no valid stop_lat/stop_lon; row skipped."));
                continue;
            }
            if (!stops.Index.TryAdd(stopId, stops.Ids.Count))
            {
                issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.DuplicateId, GtfsFiles.Stops, row.Line, $"stop_id '{stopId}' repeats; the first row is used."));
                continue;
            }
            stops.Ids.Add(stopId);
            stops.Lat.Add(la);
            stops.Lon.Add(lo);
        }
        return stops;
    }

    /// <summary>calendar.txt (weekday flag within start/end dates), then calendar_dates.txt (1 adds, 2 removes).</summary>
    private static HashSet<string> ReadActiveServices(GtfsSource source, DateOnly date, FeedIssueLog issues, out HashSet<string> known)
    {
        var active = new HashSet<string>(StringComparer.Ordinal);
        known = new HashSet<string>(StringComparer.Ordinal);
        var calendar = source.OpenTable(GtfsFiles.Calendar);
        var calendarDates = source.OpenTable(GtfsFiles.CalendarDates);
        if (calendar is null && calendarDates is null)
            issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.MissingFile, GtfsFiles.Calendar, 0, "neither calendar.txt nor calendar_dates.txt is present; no trip runs."));

        string[] days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
        var dayColumn = days[((int)date.DayOfWeek + 6) % 7];
        using (calendar)
        {
            if (calendar is not null && calendar.RequireColumns(issues, "service_id", dayColumn, "start_date", "end_date"))
            {
                int id = calendar.Column("service_id"), day = calendar.Column(dayColumn), start = calendar.Column("start_date"), end = calendar.Column("end_date");
                var row = calendar.Row;
                while (calendar.ReadRow())
                {
                    var serviceId = row[id].ToString();
                    if (!GtfsValues.TryParseDate(row[start], out var from) || !GtfsValues.TryParseDate(row[end], out var to))
                    {
                        issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.BadValue, GtfsFiles.Calendar, row.Line, $"service '{serviceId}' has an invalid start_date or end_date; row skipped."));
                        continue;
                    }
                    known.Add(serviceId);
                    if (row[day] is "1" && from <= date && date <= to) active.Add(serviceId);
                }
            }
        }
        using (calendarDates)
        {
            if (calendarDates is not null && calendarDates.RequireColumns(issues, "service_id", "date", "exception_type"))
            {
                int id = calendarDates.Column("service_id"), day = calendarDates.Column("date"), type = calendarDates.Column("exception_type");
                var row = calendarDates.Row;
                while (calendarDates.ReadRow())
                {
                    var serviceId = row[id].ToString();
                    if (!GtfsValues.TryParseDate(row[day], out var d) || row[type] is not ("1" or "2"))
                    {
                        issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.BadValue, GtfsFiles.CalendarDates, row.Line, $"service '{serviceId}' has an invalid date or exception_type; row skipped."));
                        continue;
                    }
                    known.Add(serviceId);
                    if (d != date) continue;
                    if (row[type] is "1") active.Add(serviceId);
                    else active.Remove(serviceId);
                }
            }
        }
        return active;
    }

    private sealed class TripTable
    {
        /// <summary>trip_id → active trip number, or -1 for a trip that does not run on the date.</summary>
        public readonly Dictionary<string, int> Index = new(StringComparer.Ordinal);
        public readonly List<string> ActiveIds = [];

        /// <summary>Per active trip, its route's index in <see cref="RouteIds"/>.</summary>
        public readonly List<int> ActiveRoutes = [];

        /// <summary>Routes of active trips, in the order trips.txt first names them.</summary>
        public readonly List<string> RouteIds = [];
        public readonly Dictionary<string, int> RouteIndex = new(StringComparer.Ordinal);
        public Dictionary<string, (string AgencyId, int Type)> RouteRows = [];

        public RouteTable Routes() => new([.. RouteIds],
            [.. RouteIds.Select(id => RouteRows.TryGetValue(id, out var r) ? r.AgencyId : "")],
            [.. RouteIds.Select(id => RouteRows.TryGetValue(id, out var r) ? r.Type : -1)]);
    }

    /// <summary>
    /// agency_id and route_type by route_id, for scenarios that select routes by agency or mode. Read
    /// quietly: <see cref="FeedRoutes"/> reports the problems of routes.txt, and routing never needs it.
    /// </summary>
    private static Dictionary<string, (string AgencyId, int Type)> ReadRoutes(GtfsSource source)
    {
        var routes = new Dictionary<string, (string, int)>(StringComparer.Ordinal);
        using var table = source.OpenTable(GtfsFiles.Routes);
        if (table is null) return routes;
        int id = table.Column("route_id"), agency = table.Column("agency_id"), type = table.Column("route_type");
        var row = table.Row;
        while (table.ReadRow())
            routes.TryAdd(row[id].ToString(), (row[agency].ToString(), GtfsValues.TryParseInt(row[type], out var t) ? t : -1));
        return routes;
    }

    private static TripTable ReadTrips(GtfsSource source, HashSet<string> active, HashSet<string> known,
        Dictionary<string, (string AgencyId, int Type)> routes, FeedIssueLog issues)
    {
        var trips = new TripTable { RouteRows = routes };
        using var table = source.OpenTable(GtfsFiles.Trips);
        if (table is null)
        {
            issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.MissingFile, GtfsFiles.Trips, 0, "trips.txt is missing; no trip can be routed."));
            return trips;
        }
        if (!table.RequireColumns(issues, "trip_id", "service_id")) return trips;
        int id = table.Column("trip_id"), service = table.Column("service_id"), route = table.Column("route_id");
        var row = table.Row;
        var reportedServices = new HashSet<string>(StringComparer.Ordinal);
        while (table.ReadRow())
        {
            var tripId = row[id].ToString();
            var serviceId = row[service].ToString();
            if (trips.Index.ContainsKey(tripId))
            {
                issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.DuplicateId, GtfsFiles.Trips, row.Line, $"trip_id '{tripId}' repeats; the first row is used."));
                continue;
            }
            if (!known.Contains(serviceId) && reportedServices.Add(serviceId))
                issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.UnknownService, GtfsFiles.Trips, row.Line, $"service_id '{serviceId}' is in neither calendar.txt nor calendar_dates.txt; its trips never run."));
            if (active.Contains(serviceId))
            {
                trips.Index[tripId] = trips.ActiveIds.Count;
                trips.ActiveIds.Add(tripId);
                var routeId = row[route].ToString();
                if (!trips.RouteIndex.TryGetValue(routeId, out var r))
                {
                    trips.RouteIndex[routeId] = r = trips.RouteIds.Count;
                    trips.RouteIds.Add(routeId);
                }
                trips.ActiveRoutes.Add(r);
            }
            else trips.Index[tripId] = -1;
        }
        return trips;
    }

    /// <summary>The stop_times rows of active trips, column-wise.</summary>
    private sealed class StopTimeRows
    {
        public int Count;
        public int[] Trip = new int[1024];
        public int[] Sequence = new int[1024];
        public int[] Stop = new int[1024];
        public int[] Arrival = new int[1024];
        public int[] Departure = new int[1024];
        public byte[] Rules = new byte[1024];
        public long[] Line = new long[1024];

        public void Add(int trip, int sequence, int stop, int arrival, int departure, byte rules, long line)
        {
            if (Count == Trip.Length)
            {
                var n = Count * 2;
                Array.Resize(ref Trip, n);
                Array.Resize(ref Sequence, n);
                Array.Resize(ref Stop, n);
                Array.Resize(ref Arrival, n);
                Array.Resize(ref Departure, n);
                Array.Resize(ref Rules, n);
                Array.Resize(ref Line, n);
            }
            Trip[Count] = trip;
            Sequence[Count] = sequence;
            Stop[Count] = stop;
            Arrival[Count] = arrival;
            Departure[Count] = departure;
            Rules[Count] = rules;
            Line[Count] = line;
            Count++;
        }
    }

    private static StopTimeRows ReadStopTimes(GtfsSource source, StopTable stops, TripTable trips, FeedIssueLog issues)
    {
        var rows = new StopTimeRows();
        using var table = source.OpenTable(GtfsFiles.StopTimes);
        if (table is null)
        {
            issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.MissingFile, GtfsFiles.StopTimes, 0, "stop_times.txt is missing; no trip can be routed."));
            return rows;
        }
        if (!table.RequireColumns(issues, "trip_id", "stop_id", "stop_sequence", "arrival_time", "departure_time")) return rows;
        int tripCol = table.Column("trip_id"), stopCol = table.Column("stop_id"), seqCol = table.Column("stop_sequence"),
            arrCol = table.Column("arrival_time"), depCol = table.Column("departure_time"),
            pickupCol = table.Column("pickup_type"), dropOffCol = table.Column("drop_off_type");
        // Span lookups: no string is allocated per row of the largest table.
        var tripLookup = trips.Index.GetAlternateLookup<ReadOnlySpan<char>>();
        var stopLookup = stops.Index.GetAlternateLookup<ReadOnlySpan<char>>();
        var row = table.Row;
        while (table.ReadRow())
        {
            if (!tripLookup.TryGetValue(row[tripCol], out var trip))
            {
                issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.UnknownTrip, GtfsFiles.StopTimes, row.Line, $"trip_id '{row[tripCol]}' is not in trips.txt; row skipped."));
                continue;
            }
            if (trip < 0) continue;
            if (!stopLookup.TryGetValue(row[stopCol], out var stop))
            {
                issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.UnknownStop, GtfsFiles.StopTimes, row.Line, $"stop_id '{row[stopCol]}' is not in stops.txt; row skipped, trip '{trips.ActiveIds[trip]}' keeps its other stops."));
                continue;
            }
            if (!GtfsValues.TryParseInt(row[seqCol], out var sequence) || sequence < 0)
            {
                issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.BadValue, GtfsFiles.StopTimes, row.Line, $"stop_sequence '{row[seqCol]}' is not a non-negative integer; row skipped."));
                continue;
            }
            if (!TryParseOptionalTime(row[arrCol], out var arrival) || !TryParseOptionalTime(row[depCol], out var departure))
            {
                issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.BadValue, GtfsFiles.StopTimes, row.Line, $"arrival_time '{row[arrCol]}' or departure_time '{row[depCol]}' is not HH:MM:SS; row skipped."));
                continue;
            }
            if (arrival == NoTime) arrival = departure;
            if (departure == NoTime) departure = arrival;
            byte rules = 0;
            if (!row[pickupCol].SequenceEqual("1")) rules |= Timetable.CanBoard;
            if (!row[dropOffCol].SequenceEqual("1")) rules |= Timetable.CanAlight;
            rows.Add(trip, sequence, stop, arrival, departure, rules, row.Line);
        }
        return rows;
    }

    private static bool TryParseOptionalTime(ReadOnlySpan<char> value, out int seconds)
    {
        if (value.IsEmpty)
        {
            seconds = NoTime;
            return true;
        }
        return GtfsValues.TryParseTime(value, out seconds);
    }

    /// <summary>Valid trips, each a run of stop positions in stop_sequence order, with interpolated times.</summary>
    private static TripList BuildTrips(StopTimeRows rows, StopTable stops, TripTable tripTable, FeedIssueLog issues)
    {
        var order = new int[rows.Count];
        var keys = new long[rows.Count];
        var sorted = true;
        for (var i = 0; i < rows.Count; i++)
        {
            order[i] = i;
            keys[i] = ((long)rows.Trip[i] << 31) | (uint)rows.Sequence[i];
            if (i > 0 && keys[i] < keys[i - 1]) sorted = false;
        }
        // Feeds usually list stop_times grouped by trip in sequence order; sort only when they do not.
        if (!sorted) Array.Sort(keys, order);

        var trips = new TripList();
        for (var i = 0; i < order.Length;)
        {
            var trip = rows.Trip[order[i]];
            var j = i;
            while (j < order.Length && rows.Trip[order[j]] == trip) j++;
            AddTrip(rows, order.AsSpan(i, j - i), trip, tripTable.ActiveIds[trip], tripTable.ActiveRoutes[trip], stops, trips, issues);
            i = j;
        }
        return trips;
    }

    private static void AddTrip(StopTimeRows rows, ReadOnlySpan<int> order, int trip, string tripId, int route, StopTable stops, TripList trips, FeedIssueLog issues)
    {
        var firstLine = rows.Line[order[0]];
        if (order.Length < 2)
        {
            issues.Add(new FeedIssue(IssueSeverity.Warning, IssueCodes.TooFewStops, GtfsFiles.StopTimes, firstLine, $"trip '{tripId}' has fewer than two usable stop times; it cannot be ridden and is left out."));
            return;
        }
        for (var k = 1; k < order.Length; k++)
        {
            if (rows.Sequence[order[k]] == rows.Sequence[order[k - 1]])
            {
                issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.DuplicateSequence, GtfsFiles.StopTimes, rows.Line[order[k]], $"trip '{tripId}' repeats stop_sequence {rows.Sequence[order[k]]}; the trip is left out."));
                return;
            }
        }
        var n = order.Length;
        var arrival = new int[n];
        var departure = new int[n];
        for (var k = 0; k < n; k++)
        {
            arrival[k] = rows.Arrival[order[k]];
            departure[k] = rows.Departure[order[k]];
        }
        if (arrival[0] == NoTime || arrival[n - 1] == NoTime)
        {
            issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.MissingTime, GtfsFiles.StopTimes, firstLine, $"trip '{tripId}' has no time at its first or last stop; the trip is left out."));
            return;
        }
        Interpolate(rows, order, stops, arrival, departure);
        for (var k = 0; k < n; k++)
        {
            if (departure[k] < arrival[k] || (k > 0 && arrival[k] < departure[k - 1]))
            {
                issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.DecreasingTime, GtfsFiles.StopTimes, rows.Line[order[k]], $"trip '{tripId}' goes back in time at stop_sequence {rows.Sequence[order[k]]}; the trip is left out."));
                return;
            }
        }
        var stopOf = new int[n];
        var rules = new byte[n];
        for (var k = 0; k < n; k++)
        {
            stopOf[k] = rows.Stop[order[k]];
            rules[k] = rows.Rules[order[k]];
        }
        trips.Add(stopOf, rules, arrival, departure, route, source: trip);
    }

    /// <summary>Fills stops without times in proportion to straight-line distance between the timed stops around them (as R5 does).</summary>
    private static void Interpolate(StopTimeRows rows, ReadOnlySpan<int> order, StopTable stops, int[] arrival, int[] departure)
    {
        var previous = 0;
        for (var k = 1; k < order.Length; k++)
        {
            if (arrival[k] == NoTime) continue;
            if (k - previous > 1)
            {
                var cumulative = new double[k - previous + 1];
                for (var m = previous + 1; m <= k; m++)
                {
                    int a = rows.Stop[order[m - 1]], b = rows.Stop[order[m]];
                    cumulative[m - previous] = cumulative[m - previous - 1] + GeoPoint.HaversineMeters(stops.Lat[a], stops.Lon[a], stops.Lat[b], stops.Lon[b]);
                }
                var total = cumulative[^1];
                for (var m = previous + 1; m < k; m++)
                {
                    var share = total > 0 ? cumulative[m - previous] / total : (double)(m - previous) / (k - previous);
                    var t = departure[previous] + (int)Math.Round(share * (arrival[k] - departure[previous]));
                    arrival[m] = departure[m] = t;
                }
            }
            previous = k;
        }
    }

    /// <summary>Keeps only the stops some trip serves (in stops.txt order) and lays the trips out as patterns.</summary>
    private static Timetable BuildPatterns(TripList trips, StopTable stops, RouteTable routes, List<string> tripIds, string feedHash, DateOnly date, FeedIssueLog issues)
    {
        var used = new bool[stops.Ids.Count];
        foreach (var s in trips.Stop) used[s] = true;
        var denseOf = new int[stops.Ids.Count];
        var stopIds = new List<string>();
        var lat = new List<double>();
        var lon = new List<double>();
        for (var s = 0; s < used.Length; s++)
        {
            denseOf[s] = -1;
            if (!used[s]) continue;
            denseOf[s] = stopIds.Count;
            stopIds.Add(stops.Ids[s]);
            lat.Add(stops.Lat[s]);
            lon.Add(stops.Lon[s]);
        }
        for (var k = 0; k < trips.Stop.Count; k++) trips.Stop[k] = denseOf[trips.Stop[k]];
        return PatternBuilder.Build(trips, [.. stopIds], [.. lat], [.. lon], routes, feedHash, date, issues, sourceTripIds: tripIds);
    }
}
