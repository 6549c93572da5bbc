namespace Lis.Geo.Transit.Timetables;

/// <summary>Trips as flat lists, each a run of stop positions with its times, rules and route: what <see cref="PatternBuilder"/> lays out.</summary>
internal sealed class TripList
{
    public readonly List<int> Start = [0];
    public readonly List<int> Stop = [];
    public readonly List<int> Arrival = [];
    public readonly List<int> Departure = [];
    public readonly List<byte> Rules = [];

    /// <summary>Per trip, its index in the route table.</summary>
    public readonly List<int> Route = [];

    /// <summary>Per trip, the compiler's active trip number it came from (frequencies.txt copies share it); -1 for a scenario's trip.</summary>
    public readonly List<int> Source = [];

    public int Count => Start.Count - 1;

    public void Add(ReadOnlySpan<int> stops, ReadOnlySpan<byte> rules, ReadOnlySpan<int> arrivals, ReadOnlySpan<int> departures, int route, int source = -1)
    {
        for (var k = 0; k < stops.Length; k++)
        {
            Stop.Add(stops[k]);
            Rules.Add(rules[k]);
            Arrival.Add(arrivals[k]);
            Departure.Add(departures[k]);
        }
        Start.Add(Stop.Count);
        Route.Add(route);
        Source.Add(source);
    }

    /// <summary>Appends trip <paramref name="t"/> of <paramref name="from"/> with every time moved by <paramref name="shift"/> seconds.</summary>
    public void AddCopy(TripList from, int t, int shift)
    {
        for (var k = from.Start[t]; k < from.Start[t + 1]; k++)
        {
            Stop.Add(from.Stop[k]);
            Arrival.Add(from.Arrival[k] + shift);
            Departure.Add(from.Departure[k] + shift);
            Rules.Add(from.Rules[k]);
        }
        Start.Add(Stop.Count);
        Route.Add(from.Route[t]);
        Source.Add(from.Source[t]);
    }
}

/// <summary>The routes trips belong to: route_id, agency_id ("" when not given) and route_type (-1 when unknown), by index.</summary>
internal sealed record RouteTable(string[] Ids, string[] AgencyIds, int[] Types)
{
    public static readonly RouteTable Empty = new([], [], []);

    public int Count => Ids.Length;
}

/// <summary>
/// Lays trips out as a <see cref="Timetable"/>: the one place that groups trips into patterns (same
/// stop sequence and rules) and splits each group into FIFO chains, for the feed compiler and for
/// scenarios alike, so a scenario's timetable follows exactly the rules of a compiled one.
/// </summary>
internal static class PatternBuilder
{
    /// <summary>
    /// Groups appear in the order of their first trip; within a group trips are sorted by first
    /// departure, then last arrival, then input order, and a trip joins the first chain whose last
    /// trip it never overtakes. Every stop given is kept (the caller decides which stops exist).
    /// </summary>
    public static Timetable Build(
        TripList trips, string[] stopIds, double[] stopLat, double[] stopLon, RouteTable routes,
        string feedHash, DateOnly date, FeedIssueLog issues, string? scenarioHash = null,
        IReadOnlyList<TimetableFeed>? feeds = null, IReadOnlyList<string>? sourceTripIds = null)
    {
        var groups = new Dictionary<int[], List<int>>(SequenceComparer.Instance);
        var groupOrder = new List<List<int>>();
        for (var t = 0; t < trips.Count; t++)
        {
            int s = trips.Start[t], e = trips.Start[t + 1];
            var key = new int[e - s];
            for (var k = s; k < e; k++) key[k - s] = (trips.Stop[k] << 2) | trips.Rules[k];
            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
                groupOrder.Add(list);
            }
            list.Add(t);
        }

        var patterns = new List<List<int>>();
        foreach (var group in groupOrder)
        {
            group.Sort((a, b) =>
            {
                var c = trips.Departure[trips.Start[a]].CompareTo(trips.Departure[trips.Start[b]]);
                if (c != 0) return c;
                c = trips.Arrival[trips.Start[a + 1] - 1].CompareTo(trips.Arrival[trips.Start[b + 1] - 1]);
                return c != 0 ? c : a.CompareTo(b);
            });
            var chains = new List<List<int>>();
            foreach (var t in group)
            {
                var chain = chains.FirstOrDefault(c => NeverEarlier(trips, t, c[^1]));
                if (chain is null) chains.Add(chain = []);
                chain.Add(t);
            }
            patterns.AddRange(chains);
        }

        var patternStopStart = new int[patterns.Count + 1];
        var patternTripStart = new int[patterns.Count + 1];
        var patternTimesStart = new int[patterns.Count];
        var patternStops = new List<int>();
        var patternRules = new List<byte>();
        var arrivals = new int[trips.Arrival.Count];
        var departures = new int[trips.Departure.Count];
        var tripRoutes = new int[trips.Count];
        // trip_id per laid-out trip, for reports (a scenario's own trips have none in the feed).
        var tripIds = sourceTripIds is null ? null : new string[trips.Count];
        var timesStart = 0;
        for (var p = 0; p < patterns.Count; p++)
        {
            var first = patterns[p][0];
            for (var k = trips.Start[first]; k < trips.Start[first + 1]; k++)
            {
                patternStops.Add(trips.Stop[k]);
                patternRules.Add(trips.Rules[k]);
            }
            patternStopStart[p + 1] = patternStops.Count;
            patternTimesStart[p] = timesStart;
            int n = patternStopStart[p + 1] - patternStopStart[p], tripCount = patterns[p].Count;
            for (var t = 0; t < tripCount; t++)
            {
                var from = trips.Start[patterns[p][t]];
                tripRoutes[patternTripStart[p] + t] = trips.Route[patterns[p][t]];
                if (tripIds is not null)
                    tripIds[patternTripStart[p] + t] = trips.Source[patterns[p][t]] is var source and >= 0 ? sourceTripIds![source] : "(scenario)";
                for (var i = 0; i < n; i++)
                {
                    arrivals[timesStart + t * n + i] = trips.Arrival[from + i];
                    departures[timesStart + i * tripCount + t] = trips.Departure[from + i];
                }
            }
            timesStart += n * tripCount;
            patternTripStart[p + 1] = patternTripStart[p] + tripCount;
        }
        // A scenario of a merged day keeps its feeds (their stops keep their indexes; new stops follow them).
        return feeds is null ? new Timetable(feedHash, date, stopIds, stopLat, stopLon,
            patternStopStart, [.. patternStops], [.. patternRules], patternTripStart, patternTimesStart,
            arrivals, departures, issues, routes, tripRoutes, scenarioHash) { TripIds = tripIds } : new Timetable(feedHash, date, stopIds, stopLat, stopLon,
            patternStopStart, [.. patternStops], [.. patternRules], patternTripStart, patternTimesStart,
            arrivals, departures, issues, routes, tripRoutes, scenarioHash) { Feeds = feeds, TripIds = tripIds };
    }

    private static bool NeverEarlier(TripList trips, int later, int earlier)
    {
        int a = trips.Start[later], b = trips.Start[earlier], n = trips.Start[later + 1] - a;
        for (var k = 0; k < n; k++)
        {
            if (trips.Departure[a + k] < trips.Departure[b + k] || trips.Arrival[a + k] < trips.Arrival[b + k]) return false;
        }
        return true;
    }
}
