using Lis.Geo.Transit.Timetables;
using Lis.Geo.Transit.Walking;

namespace Lis.Geo.Transit.Routing;

/// <summary>Progress of a matrix computation: origins finished out of the total.</summary>
public readonly record struct MatrixProgress(int OriginsDone, int OriginCount);

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

    /// <summary>
    /// Computes the matrix with range RAPTOR from every origin (pruned to the destinations), in
    /// parallel on all cores, one reusable <see cref="RaptorWorker"/> per thread.
    /// </summary>
    /// <param name="progress">Reported after each origin, from worker threads.</param>
    /// <param name="cancellationToken">Checked between origins; cancellation throws <see cref="OperationCanceledException"/>.</param>
    public static TravelTimeMatrix Compute(
        Timetable timetable, IReadOnlyList<GeoPoint> origins, IReadOnlyList<GeoPoint> destinations,
        RoutingParameters parameters, IProgress<MatrixProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Compute(new TransitRouter(timetable, parameters), origins, destinations, progress, cancellationToken);

    /// <inheritdoc cref="Compute(Timetable, IReadOnlyList{GeoPoint}, IReadOnlyList{GeoPoint}, RoutingParameters, IProgress{MatrixProgress}?, CancellationToken)"/>
    public static TravelTimeMatrix Compute(
        TransitRouter router, IReadOnlyList<GeoPoint> origins, IReadOnlyList<GeoPoint> destinations,
        IProgress<MatrixProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var matrix = new TravelTimeMatrix(origins.Count, destinations.Count, router.Parameters);
        var targets = router.PrepareDestinations(destinations);
        var window = router.Parameters.Window;
        int m = destinations.Count, minutes = window.Count;
        var done = 0;
        var options = new ParallelOptions { CancellationToken = cancellationToken };
        Parallel.For(0, origins.Count, options,
            router.CreateWorker,
            (o, _, worker) =>
            {
                var cells = matrix._travelTimes;
                worker.RouteWindow(origins[o], window, targets, (i, travelTimes) =>
                {
                    var baseIndex = o * m * minutes + i;
                    for (var d = 0; d < m; d++) cells[baseIndex + d * minutes] = travelTimes[d];
                });
                progress?.Report(new MatrixProgress(Interlocked.Increment(ref done), origins.Count));
                return worker;
            },
            _ => { });
        return matrix;
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
