namespace Lis.Geo.Transit.Routing;

/// <summary>
/// A timetable prepared for routing under one set of <see cref="RoutingParameters"/>: the stop
/// spatial index and the generated walking transfers (every stop pair within
/// <see cref="RoutingParameters.MaxTransferWalk"/>; transfers.txt is ignored by the semantics).
/// Immutable and thread-safe; searches run on <see cref="RaptorWorker"/>s, one per thread.
/// </summary>
public sealed class TransitRouter
{
    public TransitRouter(Timetable timetable, RoutingParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(timetable);
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();
        Timetable = timetable;
        Parameters = parameters;
        var walk = parameters.Walk;
        var cell = walk.ReachMeters(Math.Max(parameters.MaxTransferWalk, 60));
        Stops = new StopGrid(timetable.StopLat, timetable.StopLon, cell);
        (TransferStart, TransferTarget, TransferSeconds) = BuildTransfers(timetable, Stops, parameters);
        _profileNetwork = new Lazy<ProfileNetwork>(() => new ProfileNetwork(this), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    private readonly Lazy<ProfileNetwork> _profileNetwork;

    public Timetable Timetable { get; }
    public RoutingParameters Parameters { get; }

    /// <summary>Generated walking transfers.</summary>
    public int TransferCount => TransferTarget.Length;

    internal StopGrid Stops { get; }

    /// <summary>Transfers from stop s are <c>TransferTarget/TransferSeconds[TransferStart[s]..TransferStart[s+1]]</c>.</summary>
    internal int[] TransferStart { get; }
    internal int[] TransferTarget { get; }
    internal int[] TransferSeconds { get; }

    /// <summary>The connections of the window for the profile search, built on first use (only profile searches pay for them).</summary>
    internal ProfileNetwork ProfileNetwork => _profileNetwork.Value;

    /// <summary>Connections the profile search scans for this router's window (builds them on first use).</summary>
    public int ProfileConnectionCount => ProfileNetwork.Connections.Length;

    /// <summary>Scratch state for one thread; reuse it for many searches.</summary>
    public RaptorWorker CreateWorker() => new(this);

    /// <summary>Indexes destination points by their egress stops, once, for many searches.</summary>
    public DestinationSet PrepareDestinations(IReadOnlyList<GeoPoint> points) => new(this, points);

    private static (int[], int[], int[]) BuildTransfers(Timetable timetable, StopGrid grid, RoutingParameters parameters)
    {
        var start = new int[timetable.StopCount + 1];
        var targets = new List<int>();
        var seconds = new List<int>();
        var near = new List<(int Stop, int Seconds)>();
        for (var s = 0; s < timetable.StopCount; s++)
        {
            grid.Within(timetable.StopLat[s], timetable.StopLon[s], parameters.MaxTransferWalk, parameters.Walk, near);
            near.Sort();
            foreach (var (stop, walk) in near)
            {
                if (stop == s) continue;
                targets.Add(stop);
                seconds.Add(walk);
            }
            start[s + 1] = targets.Count;
        }
        return (start, [.. targets], [.. seconds]);
    }
}

/// <summary>
/// Destination points with their egress walks (stops within <see cref="RoutingParameters.MaxEgressWalk"/>),
/// computed once and shared by all workers.
/// </summary>
public sealed class DestinationSet
{
    internal DestinationSet(TransitRouter router, IReadOnlyList<GeoPoint> points)
    {
        Router = router;
        Points = [.. points];
        EgressStart = new int[Points.Length + 1];
        var stops = new List<int>();
        var seconds = new List<int>();
        var near = new List<(int Stop, int Seconds)>();
        for (var d = 0; d < Points.Length; d++)
        {
            router.Stops.Within(Points[d].Lat, Points[d].Lon, router.Parameters.MaxEgressWalk, router.Parameters.Walk, near);
            foreach (var (stop, walk) in near)
            {
                stops.Add(stop);
                seconds.Add(walk);
            }
            EgressStart[d + 1] = stops.Count;
        }
        EgressStops = [.. stops];
        EgressSeconds = [.. seconds];
    }

    public int Count => Points.Length;

    internal TransitRouter Router { get; }
    internal GeoPoint[] Points { get; }
    internal int[] EgressStart { get; }
    internal int[] EgressStops { get; }
    internal int[] EgressSeconds { get; }
}
