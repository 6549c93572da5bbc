namespace Lis.Geo.Transit.Timetables;

/// <summary>
/// One service day of a feed compiled for routing: everything is dense <c>int</c> indexes and
/// <c>int</c> seconds after midnight of the service date in flat arrays (struct-of-arrays, as R5's
/// <c>TripPattern</c>/<c>TripSchedule</c>), so a RAPTOR round touches contiguous memory and the whole
/// day saves and loads as a handful of array copies. GTFS string ids exist only at the edges
/// (<see cref="StopId"/>, <see cref="TryGetStop"/>). Immutable and safe to share between threads.
/// </summary>
/// <remarks>
/// A <em>pattern</em> is a set of trips with the same stop sequence and the same pickup/drop-off
/// rules whose trips never overtake one another: at every stop both the departures and the arrivals
/// are non-decreasing in trip order. Trips of one stop sequence that do overtake are split into
/// several patterns when compiled, which keeps the RAPTOR route scan of Delling et al. (2012)
/// exact: the earliest trip catchable at a stop is also the earliest to arrive downstream.
/// Trip times of pattern p start at <c>PatternTimesStart[p]</c>. Arrivals are trip-major (trip t,
/// 0-based within the pattern, at stop position i is at <c>+ t * stopCount + i</c>), the order a ride
/// reads them; departures are stop-major (<c>+ i * tripCount + t</c>), so the binary search for the
/// first catchable trip at a stop reads one or two cache lines instead of one per probe.
/// </remarks>
public sealed class Timetable
{
    internal const byte CanBoard = 1;
    internal const byte CanAlight = 2;

    private readonly Dictionary<string, int> _stopIndex;
    private readonly Dictionary<string, int> _routeIndex;

    /// <summary>A timetable whose trips carry no route: all of them are put on one route with id "".</summary>
    internal Timetable(
        string feedHash, DateOnly serviceDate, string[] stopIds, double[] stopLat, double[] stopLon,
        int[] patternStopStart, int[] patternStops, byte[] patternStopRules,
        int[] patternTripStart, int[] patternTimesStart, int[] arrivals, int[] departures,
        FeedIssueLog issues)
        : this(feedHash, serviceDate, stopIds, stopLat, stopLon, patternStopStart, patternStops, patternStopRules,
            patternTripStart, patternTimesStart, arrivals, departures, issues,
            patternTripStart[^1] == 0 ? RouteTable.Empty : new RouteTable([""], [""], [-1]), new int[patternTripStart[^1]], null)
    {
    }

    internal Timetable(
        string feedHash, DateOnly serviceDate, string[] stopIds, double[] stopLat, double[] stopLon,
        int[] patternStopStart, int[] patternStops, byte[] patternStopRules,
        int[] patternTripStart, int[] patternTimesStart, int[] arrivals, int[] departures,
        FeedIssueLog issues, RouteTable routes, int[] tripRoutes, string? scenarioHash)
    {
        Routes = routes;
        TripRoutes = tripRoutes;
        ScenarioHash = scenarioHash;
        FeedHash = feedHash;
        Feeds = [new TimetableFeed("", feedHash, 0, stopIds.Length, patternTripStart[^1])];
        ServiceDate = serviceDate;
        StopIds = stopIds;
        StopLat = stopLat;
        StopLon = stopLon;
        PatternStopStart = patternStopStart;
        PatternStops = patternStops;
        PatternStopRules = patternStopRules;
        PatternTripStart = patternTripStart;
        PatternTimesStart = patternTimesStart;
        Arrivals = arrivals;
        Departures = departures;
        Issues = issues.Kept;
        IssueCount = issues.Total;
        CheckShape();
        _stopIndex = new Dictionary<string, int>(stopIds.Length, StringComparer.Ordinal);
        for (var i = 0; i < stopIds.Length; i++) _stopIndex[stopIds[i]] = i;
        _routeIndex = new Dictionary<string, int>(routes.Count, StringComparer.Ordinal);
        for (var i = 0; i < routes.Count; i++) _routeIndex[routes.Ids[i]] = i;
        (StopPatternStart, StopPatterns, StopPatternPositions) = IndexStopPatterns();
    }

    /// <summary>SHA-256 of the feed this was compiled from (see <see cref="GtfsSource.ComputeHash"/>); for a merged timetable, a hash over its feeds' labels and hashes.</summary>
    public string FeedHash { get; }

    /// <summary>The feeds compiled into this timetable, in order: one for a compiled feed, several for a <see cref="TimetableMerge"/>.</summary>
    public IReadOnlyList<TimetableFeed> Feeds { get; internal init; }

    public DateOnly ServiceDate { get; }

    /// <summary>Problems found while reading the feed; the timetable holds everything else.</summary>
    /// <remarks>The first <see cref="FeedIssueLog.KeptPerKind"/> of each file and code; <see cref="IssueCount"/> counts them all.</remarks>
    public IReadOnlyList<FeedIssue> Issues { get; }

    /// <summary>How many problems were found, counting those <see cref="Issues"/> leaves out.</summary>
    public int IssueCount { get; }

    /// <summary>Stops served by at least one trip on the service date, indexed 0..StopCount-1.</summary>
    public int StopCount => StopIds.Length;

    public int PatternCount => PatternTripStart.Length - 1;

    public int TripCount => PatternTripStart[^1];

    public string StopId(int stop) => StopIds[stop];

    /// <summary>
    /// SHA-256 of the scenario applied to the feed's day (see <c>Scenarios.Scenario.ComputeHash</c>),
    /// or null for the day as published.
    /// </summary>
    public string? ScenarioHash { get; }

    /// <summary>Routes of the day's trips (trips.txt route_id), indexed 0..RouteCount-1 in the order trips.txt first names them.</summary>
    public int RouteCount => Routes.Count;

    public string RouteId(int route) => Routes.Ids[route];

    /// <summary>agency_id of routes.txt, "" when not given.</summary>
    public string RouteAgencyId(int route) => Routes.AgencyIds[route];

    /// <summary>route_type of routes.txt, -1 when unknown.</summary>
    public int RouteType(int route) => Routes.Types[route];

    public bool TryGetRoute(string routeId, out int route) => _routeIndex.TryGetValue(routeId, out route);

    internal RouteTable Routes { get; }

    /// <summary>Per trip (numbered as <see cref="PatternTripStart"/>), its route index.</summary>
    internal int[] TripRoutes { get; }

    public GeoPoint StopLocation(int stop) => new(StopLat[stop], StopLon[stop]);

    public bool TryGetStop(string stopId, out int stop) => _stopIndex.TryGetValue(stopId, out stop);

    /// <summary>
    /// trip_id of each trip in pattern-trip order (trip k of pattern p at <c>PatternTripStart[p] + k</c>;
    /// copies of a frequencies.txt trip share its id), for reports. Set by the compiler; null for a
    /// timetable loaded from its cache file (which does not keep them) or merged.
    /// </summary>
    internal string[]? TripIds { get; init; }

    internal string[] StopIds { get; }
    internal double[] StopLat { get; }
    internal double[] StopLon { get; }

    /// <summary>Per pattern p, its stops are <c>PatternStops[PatternStopStart[p]..PatternStopStart[p+1]]</c>.</summary>
    internal int[] PatternStopStart { get; }
    internal int[] PatternStops { get; }

    /// <summary><see cref="CanBoard"/>/<see cref="CanAlight"/> bits, parallel to <see cref="PatternStops"/>.</summary>
    internal byte[] PatternStopRules { get; }

    /// <summary>Trips of pattern p are numbered <c>PatternTripStart[p]..PatternTripStart[p+1]</c>, sorted by departure.</summary>
    internal int[] PatternTripStart { get; }
    internal int[] PatternTimesStart { get; }
    internal int[] Arrivals { get; }
    internal int[] Departures { get; }

    /// <summary>Per stop s, the (pattern, position) pairs that visit it (a looping pattern visits a stop twice).</summary>
    internal int[] StopPatternStart { get; }
    internal int[] StopPatterns { get; }
    internal int[] StopPatternPositions { get; }

    /// <summary>
    /// The router reads these arrays without bounds checks, so their shape is proven once here (a
    /// damaged cache file must fail to load, not corrupt memory).
    /// </summary>
    private void CheckShape()
    {
        var stops = StopIds.Length;
        var patterns = PatternTripStart.Length - 1;
        var ok = StopLat.Length == stops && StopLon.Length == stops && patterns >= 0 &&
                 PatternStopStart.Length == patterns + 1 && PatternTimesStart.Length == patterns &&
                 PatternStopRules.Length == PatternStops.Length && Arrivals.Length == Departures.Length &&
                 PatternStopStart[0] == 0 && PatternStopStart[^1] == PatternStops.Length && PatternTripStart[0] == 0;
        long times = 0;
        for (var p = 0; ok && p < patterns; p++)
        {
            long n = PatternStopStart[p + 1] - PatternStopStart[p], trips = PatternTripStart[p + 1] - PatternTripStart[p];
            ok = n >= 2 && trips >= 1 && PatternTimesStart[p] == times;
            times += n * trips;
        }
        ok = ok && times == Arrivals.Length && PatternStops.All(s => (uint)s < (uint)stops) &&
             Routes.AgencyIds.Length == Routes.Count && Routes.Types.Length == Routes.Count &&
             TripRoutes.Length == PatternTripStart[^1] && TripRoutes.All(r => (uint)r < (uint)Routes.Count);
        if (!ok) throw new InvalidDataException("timetable arrays are inconsistent.");
    }

    private (int[] Start, int[] Patterns, int[] Positions) IndexStopPatterns()
    {
        var start = new int[StopCount + 1];
        foreach (var s in PatternStops) start[s + 1]++;
        for (var s = 0; s < StopCount; s++) start[s + 1] += start[s];
        var fill = start[..^1];
        var patterns = new int[PatternStops.Length];
        var positions = new int[PatternStops.Length];
        for (var p = 0; p < PatternCount; p++)
        {
            for (var k = PatternStopStart[p]; k < PatternStopStart[p + 1]; k++)
            {
                var slot = fill[PatternStops[k]]++;
                patterns[slot] = p;
                positions[slot] = k - PatternStopStart[p];
            }
        }
        return (start, patterns, positions);
    }
}

/// <summary>One feed of a timetable: its label (the stop id prefix in a merged timetable, empty otherwise), hash, and its stops' range.</summary>
/// <param name="FirstStop">The feed's stops are <c>FirstStop..FirstStop+StopCount</c> of the timetable.</param>
/// <param name="TripCount">Trips of this feed on the service date.</param>
public sealed record TimetableFeed(string Label, string FeedHash, int FirstStop, int StopCount, int TripCount);
