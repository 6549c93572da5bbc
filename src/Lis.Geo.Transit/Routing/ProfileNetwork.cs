namespace Lis.Geo.Transit.Routing;

/// <summary>
/// The timetable as elementary connections (one trip from one stop to the next) for the profile
/// search, sorted by departure time, latest first, and restricted to the times that can matter for
/// the router's window. Built once per <see cref="TransitRouter"/> (lazily, on first profile search)
/// and shared by every <see cref="ProfileWorker"/>.
/// </summary>
/// <remarks>
/// Ties in departure time are ordered by position along the trip, later first, so a trip's later
/// connections are always scanned before its earlier ones even with zero dwell and zero running
/// time. Connections of different trips departing at the same second never depend on each other
/// because the board slack is at least one second (see <see cref="ProfileWorker"/>).
/// </remarks>
internal sealed class ProfileNetwork
{
    public const byte Board = 1;
    public const byte Alight = 2;

    public ProfileNetwork(TransitRouter router)
    {
        var tt = router.Timetable;
        var p = router.Parameters;
        (EarliestDeparture, LatestArrival) = TimeRange(p);
        var keys = new List<long>();
        var list = new List<Connection>();
        for (var pattern = 0; pattern < tt.PatternCount; pattern++)
        {
            int stopBase = tt.PatternStopStart[pattern], n = tt.PatternStopStart[pattern + 1] - stopBase;
            int tripBase = tt.PatternTripStart[pattern], tripCount = tt.PatternTripStart[pattern + 1] - tripBase;
            var timesBase = tt.PatternTimesStart[pattern];
            for (var t = 0; t < tripCount; t++)
            {
                for (var i = n - 2; i >= 0; i--)
                {
                    var departure = tt.Departures[timesBase + i * tripCount + t];
                    var arrival = tt.Arrivals[timesBase + t * n + i + 1];
                    if (departure < EarliestDeparture || arrival > LatestArrival) continue;
                    var flags = (byte)(((tt.PatternStopRules[stopBase + i] & Timetable.CanBoard) != 0 ? Board : 0) |
                                       ((tt.PatternStopRules[stopBase + i + 1] & Timetable.CanAlight) != 0 ? Alight : 0));
                    if (flags == 0) continue;
                    // Latest departure first; within one departure second, generation order (later positions first).
                    keys.Add(((long)(int.MaxValue - departure) << 32) | (uint)list.Count);
                    list.Add(new Connection(departure, arrival, tripBase + t, tt.PatternStops[stopBase + i], tt.PatternStops[stopBase + i + 1], flags));
                }
            }
        }
        var keyArray = keys.ToArray();
        var connections = list.ToArray();
        Array.Sort(keyArray, connections);
        Connections = connections;
        TripCount = tt.TripCount;

        // One profile entry at most per boarding connection: the capacity of each stop's profile.
        BoardingStart = new int[tt.StopCount + 1];
        foreach (var c in connections)
            if ((c.Flags & Board) != 0) BoardingStart[c.From + 1]++;
        for (var s = 0; s < tt.StopCount; s++) BoardingStart[s + 1] += BoardingStart[s];

        // Transfers again, each stop's sorted by walk time so an evaluation can stop at the first
        // walk that cannot beat the best value found so far.
        TransferStart = router.TransferStart;
        TransferTarget = (int[])router.TransferTarget.Clone();
        TransferSeconds = (int[])router.TransferSeconds.Clone();
        for (var s = 0; s < tt.StopCount; s++)
        {
            var length = TransferStart[s + 1] - TransferStart[s];
            Array.Sort(TransferSeconds, TransferTarget, TransferStart[s], length);
        }
    }

    /// <summary>Scan order: latest departure first.</summary>
    public Connection[] Connections { get; }

    public int TripCount { get; }

    /// <summary>Connections departing before this cannot be boarded by a journey of the window.</summary>
    public int EarliestDeparture { get; }

    /// <summary>Connections arriving after this cannot end a journey that counts for the window.</summary>
    public int LatestArrival { get; }

    /// <summary>Profile entries of stop s live at <c>BoardingStart[s]..BoardingStart[s+1]</c>.</summary>
    public int[] BoardingStart { get; }

    public int[] TransferStart { get; }
    public int[] TransferTarget { get; }
    public int[] TransferSeconds { get; }

    /// <summary>
    /// The times a journey of the window can use. Departure window: it leaves at W0 or later and
    /// counts only if it arrives by the last departure + maxTripDuration. Arrival window: it arrives
    /// by the last arrival minute and counts only if it leaves at A0 − maxTripDuration or later.
    /// </summary>
    public static (int EarliestDeparture, int LatestArrival) TimeRange(RoutingParameters p)
    {
        var w = p.Window;
        var last = w.DepartureAt(w.Count - 1);
        return p.WindowKind == WindowKind.Arrival
            ? (w.StartSeconds - p.MaxTripDuration, last)
            : (w.StartSeconds, last + p.MaxTripDuration);
    }

    internal readonly record struct Connection(int Departure, int Arrival, int Trip, int From, int To, byte Flags);
}
