using System.Diagnostics;

namespace Lis.Geo.Transit.Routing;

/// <summary>Progress of a matrix computation: origins finished out of the total.</summary>
public readonly record struct MatrixProgress(int OriginsDone, int OriginCount);

/// <summary>The direction a matrix is searched in: from every origin forward, or from every destination by profile.</summary>
public enum MatrixSearch
{
    /// <summary>The cheaper for the counts and rules (<see cref="TravelTimeMatrix.Choose"/>).</summary>
    Auto,

    /// <summary>Range RAPTOR from every origin (cost grows with origins).</summary>
    Forward,

    /// <summary>Profile Connection Scan from every destination, merged into every origin (cost grows with destinations, the merge with both).</summary>
    Profile,
}

/// <summary>Thread time of a profile search: the scans (one per destination) and the merges into the origins.</summary>
public sealed record ProfileTimings(int Destinations, TimeSpan Scan, TimeSpan Merge)
{
    public TimeSpan ScanPerDestination => Destinations == 0 ? TimeSpan.Zero : Scan / Destinations;
}

/// <summary>
/// Travel times from N origins to M destinations at every departure of a window: the input of every
/// indicator (percentiles per pair; per-minute counts for the time-share form). Stored densely as
/// [origin, destination, departure] ints, <see cref="TravelTime.Unreachable"/> where no journey
/// within maxTripDuration exists (4 bytes × N × M × departures: 2,500 × 30 × 180 is 54 MB).
/// </summary>
public sealed class TravelTimeMatrix
{
    private readonly int[] _travelTimes;

    private TravelTimeMatrix(int originCount, int destinationCount, RoutingParameters parameters)
    {
        OriginCount = originCount;
        DestinationCount = destinationCount;
        Parameters = parameters;
        _travelTimes = new int[checked(originCount * destinationCount * parameters.Window.Count)];
    }

    public int OriginCount { get; }
    public int DestinationCount { get; }

    /// <summary>The parameters the matrix was computed with (window and percentiles included), for the run record.</summary>
    public RoutingParameters Parameters { get; }

    public DepartureWindow Window => Parameters.Window;

    /// <summary>Which search ran (<see cref="MatrixSearch.Forward"/> or <see cref="MatrixSearch.Profile"/>), for the run record.</summary>
    public MatrixSearch Search { get; private set; }

    /// <summary>Where a profile search spent its time (summed over threads), null after a forward search.</summary>
    public ProfileTimings? Timings { get; private set; }

    /// <summary>
    /// Computes the matrix, on all cores, by the forward range RAPTOR from every origin (pruned to the
    /// destinations, one reusable <see cref="RaptorWorker"/> per thread) or by the profile search
    /// from every destination (<see cref="ProfileWorker"/>) merged into every origin; both give the
    /// same travel time for every pair and minute. <paramref name="search"/> Auto picks by
    /// <see cref="Choose"/>. Arrival windows are computed by the profile search only.
    /// </summary>
    /// <param name="progress">Reported after each origin (forward), or after each destination with the share done expressed in origins (profile), from worker threads.</param>
    /// <param name="cancellationToken">Checked between origins (destinations); cancellation throws <see cref="OperationCanceledException"/>.</param>
    public static TravelTimeMatrix Compute(
        Timetable timetable, IReadOnlyList<GeoPoint> origins, IReadOnlyList<GeoPoint> destinations,
        RoutingParameters parameters, IProgress<MatrixProgress>? progress = null, CancellationToken cancellationToken = default,
        MatrixSearch search = MatrixSearch.Auto) =>
        Compute(new TransitRouter(timetable, parameters), origins, destinations, progress, cancellationToken, search);

    /// <inheritdoc cref="Compute(Timetable, IReadOnlyList{GeoPoint}, IReadOnlyList{GeoPoint}, RoutingParameters, IProgress{MatrixProgress}?, CancellationToken, MatrixSearch)"/>
    public static TravelTimeMatrix Compute(
        TransitRouter router, IReadOnlyList<GeoPoint> origins, IReadOnlyList<GeoPoint> destinations,
        IProgress<MatrixProgress>? progress = null, CancellationToken cancellationToken = default,
        MatrixSearch search = MatrixSearch.Auto)
    {
        var p = router.Parameters;
        var chosen = search == MatrixSearch.Auto ? Choose(p, origins.Count, destinations.Count) : search;
        if (chosen == MatrixSearch.Profile && WhyNotProfile(p) is { } why) throw new ArgumentException(why);
        if (chosen == MatrixSearch.Forward && p.WindowKind == WindowKind.Arrival)
            throw new ArgumentException("arrival windows are computed by the profile search only.");
        var matrix = new TravelTimeMatrix(origins.Count, destinations.Count, p) { Search = chosen };
        if (chosen == MatrixSearch.Profile) matrix.ComputeProfile(router, origins, destinations, progress, cancellationToken);
        else matrix.ComputeForward(router, origins, destinations, progress, cancellationToken);
        return matrix;
    }

    /// <summary>
    /// Profile search cost of one destination over forward search cost of one origin, rounded up: on the
    /// New York feed for 07:00–10:00 a destination's scan plus its merge into 2,500 origins took 256 ms of
    /// CPU and a forward origin 177 ms (bench/README.md, issue 13), a ratio of 1.45; 2 leaves room for
    /// building the window's connections once per router. The profile search is chosen when
    /// destinations × this ≤ origins.
    /// </summary>
    public const int ProfileCostRatio = 2;

    /// <summary>
    /// The cheaper direction for the counts and the rules: forward when a ride cap or a zero board
    /// slack rules the profile search out (<see cref="WhyNotProfile"/>), profile for arrival windows,
    /// else profile when destinations × <see cref="ProfileCostRatio"/> ≤ origins.
    /// </summary>
    public static MatrixSearch Choose(RoutingParameters parameters, int originCount, int destinationCount)
    {
        if (parameters.WindowKind == WindowKind.Arrival) return MatrixSearch.Profile;
        if (WhyNotProfile(parameters) is not null) return MatrixSearch.Forward;
        return (long)destinationCount * ProfileCostRatio <= originCount ? MatrixSearch.Profile : MatrixSearch.Forward;
    }

    /// <summary>Why the profile search cannot honour these rules, or null when it can.</summary>
    public static string? WhyNotProfile(RoutingParameters parameters) =>
        parameters.MaxRides is not null ? "the profile search has no ride cap (maxRides); use the forward search."
        : parameters.BoardSlack < 1 ? "the profile search needs boardSlack >= 1 s; use the forward search."
        : null;

    private void ComputeForward(TransitRouter router, IReadOnlyList<GeoPoint> origins, IReadOnlyList<GeoPoint> destinations,
        IProgress<MatrixProgress>? progress, CancellationToken cancellationToken)
    {
        var targets = router.PrepareDestinations(destinations);
        var window = router.Parameters.Window;
        int m = destinations.Count, minutes = window.Count;
        var done = 0;
        var options = new ParallelOptions { CancellationToken = cancellationToken };
        var cells = _travelTimes;
        Parallel.For(0, origins.Count, options,
            router.CreateWorker,
            (o, _, worker) =>
            {
                worker.RouteWindow(origins[o], window, targets, (i, travelTimes) =>
                {
                    var baseIndex = o * m * minutes + i;
                    for (var d = 0; d < m; d++) cells[baseIndex + d * minutes] = travelTimes[d];
                });
                progress?.Report(new MatrixProgress(Interlocked.Increment(ref done), origins.Count));
                return worker;
            },
            _ => { });
    }

    /// <summary>
    /// One profile scan per destination, each merged at once into every origin's cells (so only one
    /// destination's profiles per thread are ever held). The origins' access walks and direct walks
    /// are computed once, the same way the forward search computes them.
    /// </summary>
    private void ComputeProfile(TransitRouter router, IReadOnlyList<GeoPoint> origins, IReadOnlyList<GeoPoint> destinations,
        IProgress<MatrixProgress>? progress, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var p = router.Parameters;
        var targets = router.PrepareDestinations(destinations);
        var walk = p.Walk;
        var accessStart = new int[origins.Count + 1];
        var accessStops = new List<int>();
        var accessSeconds = new List<int>();
        var near = new List<(int Stop, int Seconds)>();
        for (var o = 0; o < origins.Count; o++)
        {
            router.Stops.Within(origins[o].Lat, origins[o].Lon, p.MaxAccessWalk, walk, near);
            foreach (var (stop, seconds) in near)
            {
                accessStops.Add(stop);
                accessSeconds.Add(seconds);
            }
            accessStart[o + 1] = accessStops.Count;
        }
        int[] stops = [.. accessStops], seconds2 = [.. accessSeconds];
        int m = destinations.Count, minutes = p.Window.Count, n = origins.Count;
        var arrival = p.WindowKind == WindowKind.Arrival;
        _ = router.ProfileNetwork;
        long scanTicks = 0, mergeTicks = 0;
        var done = 0;
        var cells = _travelTimes;
        var options = new ParallelOptions { CancellationToken = cancellationToken };
        Parallel.For(0, m, options,
            () => new ProfileWorker(router),
            (d, _, worker) =>
            {
                var t0 = Stopwatch.GetTimestamp();
                worker.Scan(targets, d);
                var t1 = Stopwatch.GetTimestamp();
                var target = destinations[d];
                for (var o = 0; o < n; o++)
                {
                    var direct = walk.Seconds(origins[o].Lat, origins[o].Lon, target.Lat, target.Lon);
                    if (direct > p.MaxDirectWalk) direct = TravelTime.Unreached;
                    var range = accessStart[o]..accessStart[o + 1];
                    var into = cells.AsSpan((o * m + d) * minutes, minutes);
                    if (arrival) worker.ArrivalTravelTimes(stops.AsSpan(range), seconds2.AsSpan(range), direct, into);
                    else worker.DepartureTravelTimes(stops.AsSpan(range), seconds2.AsSpan(range), direct, into);
                }
                var t2 = Stopwatch.GetTimestamp();
                Interlocked.Add(ref scanTicks, t1 - t0);
                Interlocked.Add(ref mergeTicks, t2 - t1);
                var finished = Interlocked.Increment(ref done);
                progress?.Report(new MatrixProgress((int)((long)n * finished / m), n));
                return worker;
            },
            _ => { });
        Timings = new ProfileTimings(m, Stopwatch.GetElapsedTime(0, scanTicks), Stopwatch.GetElapsedTime(0, mergeTicks));
    }

    /// <summary>Travel time of each departure of the window, in departure order.</summary>
    public ReadOnlySpan<int> TravelTimes(int origin, int destination) =>
        _travelTimes.AsSpan((origin * DestinationCount + destination) * Window.Count, Window.Count);

    /// <summary>Nearest-rank percentiles of the pair, in the order asked (default: <see cref="RoutingParameters.Percentiles"/>).</summary>
    public int[] PercentilesOf(int origin, int destination, IReadOnlyList<int>? percentiles = null) =>
        Percentiles.Compute(TravelTimes(origin, destination), percentiles ?? Parameters.Percentiles);

    /// <summary>Departures of the window from which the destination is reached within <paramref name="cutoffSeconds"/>.</summary>
    public int DeparturesWithin(int origin, int destination, int cutoffSeconds)
    {
        var count = 0;
        foreach (var t in TravelTimes(origin, destination))
            if (t <= cutoffSeconds) count++;
        return count;
    }

    /// <summary>
    /// Departures of the window at which at least <paramref name="minDestinations"/> destinations are
    /// within <paramref name="thresholdSeconds"/>: the numerator of the time-share indicator. Only the
    /// first <paramref name="destinationPrefix"/> destinations count (default all), so a run can route
    /// to centres and sites together and count centres alone.
    /// </summary>
    public int DeparturesReachingAtLeast(int origin, int minDestinations, int thresholdSeconds, int? destinationPrefix = null)
    {
        var counted = destinationPrefix ?? DestinationCount;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(counted, DestinationCount, nameof(destinationPrefix));
        var result = 0;
        for (var i = 0; i < Window.Count; i++)
        {
            var reached = 0;
            for (var d = 0; d < counted; d++)
                if (_travelTimes[(origin * DestinationCount + d) * Window.Count + i] <= thresholdSeconds) reached++;
            if (reached >= minDestinations) result++;
        }
        return result;
    }
}
