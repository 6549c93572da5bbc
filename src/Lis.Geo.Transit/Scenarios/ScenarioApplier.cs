namespace Lis.Geo.Transit.Scenarios;

/// <summary>A scenario's timetable, and notes on modifications that matched nothing on the day (not errors: the scenario is still valid).</summary>
public sealed record AppliedScenario(Timetable Timetable, IReadOnlyList<ScenarioError> Notes);

/// <summary>
/// Applies a <see cref="Scenario"/> to a compiled <see cref="Timetable"/> without reading the feed
/// again: the day's trips are unpacked into plain lists, each modification edits them in order, and
/// <see cref="PatternBuilder"/> lays them out again exactly as the compiler does (patterns, FIFO
/// splits). Every baseline stop keeps its index; new stops are appended, so a router built on the
/// result generates walking transfers to and from them like any other stop.
/// </summary>
/// <remarks>
/// <para><b>Frequency changes.</b> For each chosen route, its trips leaving their first stop in
/// [from, to) are grouped by stop sequence (and pickup/drop-off rules). Each group is replaced by
/// trips every <c>h</c> seconds from the group's first departure while before <c>to</c>, all
/// running the group's <em>representative</em> times: those of its median trip by departure (the
/// ⌈n/2⌉-th), i.e. every stop's arrival and departure offset from the first stop. <c>h</c> is
/// <c>headwaySeconds</c>, or <c>factor</c> × the group's current headway rounded to the second,
/// where the current headway is (last − first departure) / (n − 1), or to − from for a single trip.
/// Trips outside the range, and sequences with no trip in it, are unchanged.</para>
/// <para><b>Times.</b> Running time of a hop = arrival at the next stop − departure from this one;
/// dwell = departure − arrival at a stop. Scaled values are rounded to the nearest second (halves
/// away from zero), per hop, then summed along the trip from its unchanged first departure.</para>
/// <para>The empty scenario returns the baseline itself.</para>
/// </remarks>
public static class ScenarioApplier
{
    /// <summary>Bumped when the rules above change, so cached scenario timetables are rebuilt.</summary>
    public const int RulesVersion = 1;

    private const byte BoardAndAlight = Timetable.CanBoard | Timetable.CanAlight;

    /// <exception cref="ScenarioException">The scenario is malformed, or an add-route names a stop not served on the day (its position is unknown).</exception>
    public static AppliedScenario Apply(Timetable baseline, Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        var invalid = ScenarioValidator.Validate(scenario, null);
        if (invalid.Count > 0) throw new ScenarioException(invalid);
        if (scenario.Modifications.Count == 0) return new AppliedScenario(baseline, []);

        var model = Model.From(baseline);
        var notes = new List<ScenarioError>();
        var errors = new List<ScenarioError>();
        for (var i = 0; i < scenario.Modifications.Count; i++)
        {
            var p = $"modifications[{i}]";
            var changed = scenario.Modifications[i] switch
            {
                AddRoute a => AddRoute(model, a, i, p, errors),
                AdjustFrequency f => AdjustFrequency(model, f, Select(model, f, p, notes)),
                RemoveService r => Remove(model, r, Select(model, r, p, notes), p, notes),
                AdjustSpeed s => AdjustSpeed(model, s, Select(model, s, p, notes), p, notes),
                _ => throw new InvalidOperationException("validated above"),
            };
            if (!changed) notes.Add(new(p, "no trip matched on this day; nothing changed."));
        }
        if (errors.Count > 0) throw new ScenarioException(errors);
        return new AppliedScenario(model.Build(baseline, scenario.ComputeHash()), notes);
    }

    internal static string RouteIdOf(AddRoute a, int index) => a.RouteId ?? $"scenario-{index + 1}";

    internal static string NewStopId(string routeId, string? stopId, int position) => stopId ?? $"{routeId}:{position + 1}";

    internal static double LineLengthMeters(IReadOnlyList<double[]> line)
    {
        var total = 0.0;
        for (var k = 1; k < line.Count; k++) total += GeoPoint.HaversineMeters(line[k - 1][1], line[k - 1][0], line[k][1], line[k][0]);
        return total;
    }

    /// <summary>The day's trips as editable lists.</summary>
    private sealed class Model
    {
        public readonly List<string> StopIds = [];
        public readonly List<double> Lat = [];
        public readonly List<double> Lon = [];
        public readonly Dictionary<string, int> StopIndex = new(StringComparer.Ordinal);
        public readonly List<string> RouteIds = [];
        public readonly List<string> Agencies = [];
        public readonly List<int> Types = [];
        public readonly Dictionary<string, int> RouteIndex = new(StringComparer.Ordinal);
        public List<Trip> Trips = [];

        public static Model From(Timetable t)
        {
            var m = new Model();
            for (var s = 0; s < t.StopCount; s++) m.AddStop(t.StopIds[s], t.StopLat[s], t.StopLon[s]);
            for (var r = 0; r < t.RouteCount; r++) m.AddRoute(t.Routes.Ids[r], t.Routes.AgencyIds[r], t.Routes.Types[r]);
            for (var p = 0; p < t.PatternCount; p++)
            {
                int from = t.PatternStopStart[p], n = t.PatternStopStart[p + 1] - from;
                int trips = t.PatternTripStart[p + 1] - t.PatternTripStart[p], times = t.PatternTimesStart[p];
                var stops = t.PatternStops.AsSpan(from, n).ToArray();
                var rules = t.PatternStopRules.AsSpan(from, n).ToArray();
                for (var k = 0; k < trips; k++)
                {
                    var arr = t.Arrivals.AsSpan(times + k * n, n).ToArray();
                    var dep = new int[n];
                    for (var i = 0; i < n; i++) dep[i] = t.Departures[times + i * trips + k];
                    m.Trips.Add(new Trip(t.TripRoutes[t.PatternTripStart[p] + k], stops, rules, arr, dep));
                }
            }
            return m;
        }

        public int AddStop(string id, double lat, double lon)
        {
            StopIndex[id] = StopIds.Count;
            StopIds.Add(id);
            Lat.Add(lat);
            Lon.Add(lon);
            return StopIds.Count - 1;
        }

        public int AddRoute(string id, string agency, int type)
        {
            RouteIndex[id] = RouteIds.Count;
            RouteIds.Add(id);
            Agencies.Add(agency);
            Types.Add(type);
            return RouteIds.Count - 1;
        }

        public Timetable Build(Timetable baseline, string scenarioHash)
        {
            var list = new TripList();
            foreach (var trip in Trips) list.Add(trip.Stops, trip.Rules, trip.Arrivals, trip.Departures, trip.Route);
            return PatternBuilder.Build(list, [.. StopIds], [.. Lat], [.. Lon], new RouteTable([.. RouteIds], [.. Agencies], [.. Types]),
                baseline.FeedHash, baseline.ServiceDate, FeedIssueLog.From(baseline.Issues, baseline.IssueCount), scenarioHash, baseline.Feeds);
        }
    }

    /// <summary>One trip; arrays may be shared between trips of a pattern and are never edited in place.</summary>
    private sealed record Trip(int Route, int[] Stops, byte[] Rules, int[] Arrivals, int[] Departures)
    {
        public int FirstDeparture => Departures[0];

        /// <summary>This trip with every time moved so that it leaves its first stop at <paramref name="departure"/>.</summary>
        public Trip MovedTo(int departure)
        {
            var shift = departure - FirstDeparture;
            return this with
            {
                Arrivals = [.. Arrivals.Select(a => a + shift)],
                Departures = [.. Departures.Select(d => d + shift)],
            };
        }
    }

    /// <summary>Route indexes the modification chooses; ids with no trips on the day are noted.</summary>
    private static HashSet<int> Select(Model m, RouteModification mod, string p, List<ScenarioError> notes)
    {
        var chosen = new HashSet<int>();
        if (mod.Routes is { } ids)
        {
            for (var j = 0; j < ids.Count; j++)
            {
                if (m.RouteIndex.TryGetValue(ids[j], out var r)) chosen.Add(r);
                else notes.Add(new($"{p}.routes[{j}]", $"route '{ids[j]}' has no trips on this day."));
            }
        }
        else
        {
            for (var r = 0; r < m.RouteIds.Count; r++) chosen.Add(r);
        }
        if (mod.AgencyId is { } agency) chosen.RemoveWhere(r => m.Agencies[r] != agency);
        if (mod.RouteType is { } type) chosen.RemoveWhere(r => m.Types[r] != type);
        return chosen;
    }

    private static bool AddRoute(Model m, AddRoute a, int index, string p, List<ScenarioError> errors)
    {
        var routeId = RouteIdOf(a, index);
        if (m.RouteIndex.ContainsKey(routeId))
        {
            errors.Add(new($"{p}.routeId", $"route '{routeId}' already exists."));
            return false;
        }
        var stops = new List<int>();
        var hopMeters = new List<double>();
        if (a.Stops is { } given)
        {
            for (var j = 0; j < given.Count; j++)
            {
                var stop = given[j];
                if (stop.Lat is { } lat && stop.Lon is { } lon)
                {
                    var id = NewStopId(routeId, stop.StopId, j);
                    if (m.StopIndex.ContainsKey(id)) errors.Add(new($"{p}.stops[{j}].stopId", $"stop '{id}' already exists; leave out lat/lon to use it."));
                    else stops.Add(m.AddStop(id, lat, lon));
                }
                else if (m.StopIndex.TryGetValue(stop.StopId!, out var s)) stops.Add(s);
                else errors.Add(new($"{p}.stops[{j}].stopId", $"stop '{stop.StopId}' is not served on this day, so its position is unknown; give lat and lon."));
            }
            if (errors.Count > 0) return false;
            for (var k = 1; k < stops.Count; k++)
                hopMeters.Add(GeoPoint.HaversineMeters(m.Lat[stops[k - 1]], m.Lon[stops[k - 1]], m.Lat[stops[k]], m.Lon[stops[k]]));
        }
        else
        {
            var placed = PlaceAlong(a.Line!, a.StopSpacingMeters!.Value);
            for (var j = 0; j < placed.Count; j++)
            {
                var id = NewStopId(routeId, null, j);
                if (m.StopIndex.ContainsKey(id))
                {
                    errors.Add(new($"{p}.routeId", $"stop id '{id}' generated for the line already exists; choose another routeId."));
                    return false;
                }
                stops.Add(m.AddStop(id, placed[j].Point.Lat, placed[j].Point.Lon));
                if (j > 0) hopMeters.Add(placed[j].Along - placed[j - 1].Along);
            }
        }

        var hops = a.HopSeconds is { } h
            ? [.. h]
            : hopMeters.Select(d => (int)Math.Round(d / (a.SpeedKmh!.Value / 3.6), MidpointRounding.AwayFromZero)).ToArray();
        var departures = new SortedSet<int>();
        foreach (var f in a.Frequencies ?? [])
        {
            ClockTime.TryParse(f.From, out var from);
            ClockTime.TryParse(f.To, out var to);
            for (var t = from; t < to; t += f.HeadwaySeconds) departures.Add(t);
        }
        foreach (var d in a.Departures ?? [])
        {
            ClockTime.TryParse(d, out var t);
            departures.Add(t);
        }
        var route = m.AddRoute(routeId, a.AgencyId ?? "", a.RouteType);
        AddTrips(m, route, [.. stops], hops, a.DwellSeconds, departures);
        if (a.Bidirectional)
        {
            stops.Reverse();
            AddTrips(m, route, [.. stops], [.. hops.Reverse()], a.DwellSeconds, departures);
        }
        return departures.Count > 0;
    }

    private static void AddTrips(Model m, int route, int[] stops, int[] hops, int dwell, IEnumerable<int> departures)
    {
        int n = stops.Length;
        var rules = Enumerable.Repeat(BoardAndAlight, n).ToArray();
        var arr = new int[n];
        var dep = new int[n];
        for (var k = 1; k < n; k++)
        {
            arr[k] = dep[k - 1] + hops[k - 1];
            dep[k] = arr[k] + (k < n - 1 ? dwell : 0);
        }
        var template = new Trip(route, stops, rules, arr, dep);
        foreach (var t in departures) m.Trips.Add(template.MovedTo(t));
    }

    /// <summary>Stops at 0, s, 2s, … metres along the line and at its end (unless a stop already sits there), with their distance along it.</summary>
    private static List<(GeoPoint Point, double Along)> PlaceAlong(IReadOnlyList<double[]> line, double spacing)
    {
        var placed = new List<(GeoPoint, double)> { (new GeoPoint(line[0][1], line[0][0]), 0) };
        var walked = 0.0;
        var next = spacing;
        for (var k = 1; k < line.Count; k++)
        {
            double lat0 = line[k - 1][1], lon0 = line[k - 1][0], lat1 = line[k][1], lon1 = line[k][0];
            var length = GeoPoint.HaversineMeters(lat0, lon0, lat1, lon1);
            while (length > 0 && next <= walked + length)
            {
                var share = (next - walked) / length;
                placed.Add((new GeoPoint(lat0 + share * (lat1 - lat0), lon0 + share * (lon1 - lon0)), next));
                next += spacing;
            }
            walked += length;
        }
        if (walked - placed[^1].Item2 > 1e-6) placed.Add((new GeoPoint(line[^1][1], line[^1][0]), walked));
        return placed;
    }

    private static bool AdjustFrequency(Model m, AdjustFrequency f, HashSet<int> routes)
    {
        ClockTime.TryParse(f.From, out var from);
        ClockTime.TryParse(f.To, out var to);
        var groups = new Dictionary<string, List<Trip>>(StringComparer.Ordinal);
        var order = new List<List<Trip>>();
        var kept = new List<Trip>();
        foreach (var trip in m.Trips)
        {
            if (!routes.Contains(trip.Route) || trip.FirstDeparture < from || trip.FirstDeparture >= to)
            {
                kept.Add(trip);
                continue;
            }
            var key = $"{trip.Route}|{string.Join(',', trip.Stops.Select((s, i) => (s << 2) | trip.Rules[i]))}";
            if (!groups.TryGetValue(key, out var group))
            {
                groups[key] = group = [];
                order.Add(group);
            }
            group.Add(trip);
        }
        foreach (var group in order)
        {
            group.Sort((a, b) => a.FirstDeparture.CompareTo(b.FirstDeparture));
            var representative = group[(group.Count - 1) / 2];
            int first = group[0].FirstDeparture, n = group.Count;
            var headway = f.HeadwaySeconds ?? (int)Math.Round(
                f.Factor!.Value * (n >= 2 ? (double)(group[^1].FirstDeparture - first) / (n - 1) : to - from), MidpointRounding.AwayFromZero);
            headway = Math.Max(1, headway);
            for (var t = first; t < to; t += headway) kept.Add(representative.MovedTo(t));
        }
        m.Trips = kept;
        return order.Count > 0;
    }

    private static bool Remove(Model m, RemoveService r, HashSet<int> routes, string p, List<ScenarioError> notes)
    {
        int from = int.MinValue, to = int.MaxValue;
        if (r.From is not null)
        {
            ClockTime.TryParse(r.From, out from);
            ClockTime.TryParse(r.To, out to);
        }
        var skipped = new HashSet<int>();
        for (var j = 0; r.Stops is not null && j < r.Stops.Count; j++)
        {
            if (m.StopIndex.TryGetValue(r.Stops[j], out var s)) skipped.Add(s);
            else notes.Add(new($"{p}.stops[{j}]", $"stop '{r.Stops[j]}' is not served on this day."));
        }
        var changed = false;
        var kept = new List<Trip>(m.Trips.Count);
        foreach (var trip in m.Trips)
        {
            if (!routes.Contains(trip.Route) || trip.FirstDeparture < from || trip.FirstDeparture >= to)
            {
                kept.Add(trip);
                continue;
            }
            if (r.Stops is null)
            {
                changed = true;
                continue;
            }
            var keep = Enumerable.Range(0, trip.Stops.Length).Where(i => !skipped.Contains(trip.Stops[i])).ToArray();
            if (keep.Length == trip.Stops.Length)
            {
                kept.Add(trip);
                continue;
            }
            changed = true;
            // A trip left with fewer than two stops cannot be ridden.
            if (keep.Length >= 2)
                kept.Add(trip with
                {
                    Stops = [.. keep.Select(i => trip.Stops[i])],
                    Rules = [.. keep.Select(i => trip.Rules[i])],
                    Arrivals = [.. keep.Select(i => trip.Arrivals[i])],
                    Departures = [.. keep.Select(i => trip.Departures[i])],
                });
        }
        m.Trips = kept;
        return changed;
    }

    private static bool AdjustSpeed(Model m, AdjustSpeed a, HashSet<int> routes, string p, List<ScenarioError> notes)
    {
        int fromStop = -1, toStop = -1;
        if (a.FromStop is not null)
        {
            if (!m.StopIndex.TryGetValue(a.FromStop, out fromStop)) notes.Add(new($"{p}.fromStop", $"stop '{a.FromStop}' is not served on this day."));
            if (!m.StopIndex.TryGetValue(a.ToStop!, out toStop)) notes.Add(new($"{p}.toStop", $"stop '{a.ToStop}' is not served on this day."));
            if (fromStop < 0 || toStop < 0) return false;
        }
        bool[]? inside = null;
        if (a.Polygon is { } polygon)
        {
            inside = new bool[m.StopIds.Count];
            for (var s = 0; s < inside.Length; s++) inside[s] = Contains(polygon, m.Lon[s], m.Lat[s]);
        }
        var changed = false;
        for (var t = 0; t < m.Trips.Count; t++)
        {
            var trip = m.Trips[t];
            if (!routes.Contains(trip.Route)) continue;
            var n = trip.Stops.Length;
            var scaled = new bool[n - 1];
            var dwells = new bool[n];
            if (a.FromStop is not null)
            {
                var start = Array.IndexOf(trip.Stops, fromStop);
                var end = start < 0 ? -1 : Array.IndexOf(trip.Stops, toStop, start + 1);
                if (end < 0) continue;
                for (var k = start; k < end; k++) scaled[k] = true;
                for (var k = start + 1; k < end; k++) dwells[k] = true;
            }
            else if (inside is not null)
            {
                for (var k = 0; k < n; k++) dwells[k] = inside[trip.Stops[k]];
                for (var k = 0; k < n - 1; k++) scaled[k] = dwells[k] && dwells[k + 1];
            }
            else
            {
                Array.Fill(scaled, true);
                Array.Fill(dwells, true);
            }
            var arr = (int[])trip.Arrivals.Clone();
            var dep = (int[])trip.Departures.Clone();
            for (var k = 1; k < n; k++)
            {
                var hop = trip.Arrivals[k] - trip.Departures[k - 1];
                if (scaled[k - 1] && a.RunningTimeFactor is { } factor) hop = (int)Math.Round(hop * factor, MidpointRounding.AwayFromZero);
                var dwell = trip.Departures[k] - trip.Arrivals[k];
                if (dwells[k] && k < n - 1)
                    dwell = a.DwellSeconds ?? (a.DwellFactor is { } df ? (int)Math.Round(dwell * df, MidpointRounding.AwayFromZero) : dwell);
                arr[k] = dep[k - 1] + hop;
                dep[k] = arr[k] + dwell;
            }
            if (arr.AsSpan().SequenceEqual(trip.Arrivals) && dep.AsSpan().SequenceEqual(trip.Departures)) continue;
            m.Trips[t] = trip with { Arrivals = arr, Departures = dep };
            changed = true;
        }
        return changed;
    }

    /// <summary>Even-odd rule on [lon, lat] (a stop on the boundary may fall either side).</summary>
    private static bool Contains(IReadOnlyList<double[]> ring, double lon, double lat)
    {
        var inside = false;
        for (int i = 0, j = ring.Count - 1; i < ring.Count; j = i++)
        {
            double xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
            if ((yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) inside = !inside;
        }
        return inside;
    }
}
