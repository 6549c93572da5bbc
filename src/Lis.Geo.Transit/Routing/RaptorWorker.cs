using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lis.Geo.Transit.Routing;

/// <summary>A stop reached by a ride, with the time left in a travel-time budget (what an isochrone grows egress walks from).</summary>
public readonly record struct ReachedStop(int Stop, int RemainingSeconds);

/// <summary>Called once per departure of a window, latest first, while the worker holds that departure's results.</summary>
public delegate void DepartureCallback(int departureIndex, int departureTime);

/// <summary>Called once per departure of a window, latest first, with the travel time to each destination.</summary>
public delegate void DestinationsCallback(int departureIndex, ReadOnlySpan<int> travelTimes);

/// <summary>
/// RAPTOR (Delling, Pajor, Werneck 2012) and its range variant over a departure window, with the
/// reusable scratch state of one thread. Not thread-safe: create one per thread with
/// <see cref="TransitRouter.CreateWorker"/>. After <see cref="Route"/>, or inside a
/// <see cref="RouteWindow"/> callback, the query methods describe the current departure.
/// </summary>
/// <remarks>
/// Labels are kept per round k: <c>_ride[k][s]</c>, the earliest arrival at s alighting from a
/// ride with at most k rides, and <c>_ready[k][s]</c>, the earliest time at s by that or by one
/// walk after it (the access walk in round 0): the time from which a ride of round k + 1 may board.
/// Egress uses <c>_ride</c> only and transfers start from <c>_ride</c> only, so walks never chain.
/// Both are non-increasing in k (invariant kept by copying improvements of round k − 1 into round k
/// for the stops that changed, rather than whole arrays).
/// The range search walks the window from the latest departure to the earliest and keeps all labels
/// between departures: a journey leaving later is also a journey "leaving at or after" an earlier
/// departure, so the labels stay valid bounds and each departure only explores what its earlier
/// start improves (rRAPTOR, Delling et al. 2012 §4; used for percentiles by Conway et al. 2017).
/// Labels above departure + maxTripDuration are not recorded: they can only give unreachable times.
/// </remarks>
public sealed class RaptorWorker
{
    private readonly TransitRouter _router;
    private readonly Timetable _tt;
    private readonly RoutingParameters _p;
    private readonly int _stopCount;
    private readonly int _maxRound;
    private readonly List<int[]> _ride = [];
    private readonly List<int[]> _ready = [];
    private readonly int[] _patternFirstPosition;
    private readonly List<int> _patternsToScan = [];
    private ulong[] _changedPrevious;
    private ulong[] _changedCurrent;
    private ulong[] _markedPrevious;
    private ulong[] _markedCurrent;
    private readonly ulong[] _rideImproved;
    private readonly List<(int Stop, int Seconds)> _access = [];
    private int[] _directWalk = [];
    private DestinationSet? _directFor;
    private GeoPoint _origin;
    private int _departure;
    private int _topRound;

    /// <summary>Target pruning: no label later than this is recorded (int.MaxValue: none).</summary>
    private int _targetBound = int.MaxValue;

    /// <summary>False after a destinations-only search: pruned stop labels are bounds, not answers, so stop queries are refused.</summary>
    private bool _stopsExact = true;

    internal RaptorWorker(TransitRouter router)
    {
        _router = router;
        _tt = router.Timetable;
        _p = router.Parameters;
        _stopCount = _tt.StopCount;
        _maxRound = _p.MaxRides ?? int.MaxValue;
        _patternFirstPosition = new int[_tt.PatternCount];
        Array.Fill(_patternFirstPosition, int.MaxValue);
        var words = (_stopCount + 63) / 64;
        _changedPrevious = new ulong[words];
        _changedCurrent = new ulong[words];
        _markedPrevious = new ulong[words];
        _markedCurrent = new ulong[words];
        _rideImproved = new ulong[words];
        AddRound();
    }

    /// <summary>The departure time the query methods currently describe.</summary>
    public int DepartureTime => _departure;

    public GeoPoint Origin => _origin;

    /// <summary>Stops of the timetable (query methods take 0..StopCount-1).</summary>
    public int StopCount => _stopCount;

    /// <summary>Earliest arrival from <paramref name="origin"/> leaving at or after <paramref name="departureTime"/>.</summary>
    public void Route(GeoPoint origin, int departureTime)
    {
        Reset(origin);
        RunDeparture(departureTime);
    }

    /// <summary>
    /// Range RAPTOR over every departure of <paramref name="window"/>, latest first; <paramref name="onDeparture"/>
    /// reads the results of each departure through the query methods.
    /// </summary>
    public void RouteWindow(GeoPoint origin, DepartureWindow window, DepartureCallback onDeparture)
    {
        Reset(origin);
        for (var i = window.Count - 1; i >= 0; i--)
        {
            RunDeparture(window.DepartureAt(i));
            onDeparture(i, _departure);
        }
    }

    /// <summary>
    /// Range RAPTOR to a set of destinations only, with target pruning (Delling et al. 2012 §3.1,
    /// generalised to many targets): once every destination has an arrival, a label later than the
    /// latest of them cannot improve any destination, because egress walks only add time. A later
    /// departure's arrivals bound an earlier departure's, so the bound carries down the window.
    /// Results equal <see cref="RouteWindow(GeoPoint, DepartureWindow, DepartureCallback)"/> +
    /// <see cref="TravelTimesTo"/>; stop queries are refused until the next search.
    /// </summary>
    public void RouteWindow(GeoPoint origin, DepartureWindow window, DestinationSet destinations, DestinationsCallback onDeparture)
    {
        var travelTimes = new int[destinations.Count];
        Reset(origin);
        _stopsExact = false;
        for (var i = window.Count - 1; i >= 0; i--)
        {
            RunDeparture(window.DepartureAt(i));
            TravelTimesTo(destinations, travelTimes);
            onDeparture(i, travelTimes);
            var latest = _departure;
            foreach (var t in travelTimes)
            {
                if (t == TravelTime.Unreachable) { latest = int.MaxValue; break; }
                latest = Math.Max(latest, _departure + t);
            }
            _targetBound = latest;
        }
    }

    /// <summary>Earliest arrival at <paramref name="stop"/> by any means (access walk, ride, or transfer walk), or <see cref="TravelTime.Unreachable"/>.</summary>
    public int ArrivalAtStop(int stop) => ToArrival(StopLabels(_ready)[stop]);

    /// <summary>Travel time to <paramref name="stop"/> by any means, or <see cref="TravelTime.Unreachable"/>.</summary>
    public int TravelTimeToStop(int stop) => ToTravelTime(StopLabels(_ready)[stop]);

    /// <summary>Travel times to every stop by any means (<see cref="TravelTimeToStop"/> for all stops at once).</summary>
    public void TravelTimesToStops(Span<int> into)
    {
        var ready = StopLabels(_ready).AsSpan(0, _stopCount);
        if (into.Length < ready.Length) throw new ArgumentException("span shorter than the stop count.", nameof(into));
        for (var s = 0; s < ready.Length; s++) into[s] = ToTravelTime(ready[s]);
    }

    /// <summary>Travel time to <paramref name="stop"/> alighting from a ride there (the point an egress walk may start from).</summary>
    public int RideTravelTimeToStop(int stop) => ToTravelTime(StopLabels(_ride)[stop]);

    /// <summary>Travel time to each destination: the best of direct walk and ride + egress walk.</summary>
    public void TravelTimesTo(DestinationSet destinations, Span<int> into)
    {
        if (destinations.Router != _router) throw new ArgumentException("the destinations were prepared by another router.", nameof(destinations));
        if (into.Length < destinations.Count) throw new ArgumentException("span shorter than the destination count.", nameof(into));
        PrepareDirectWalks(destinations);
        var ride = _ride[_topRound];
        for (var d = 0; d < destinations.Count; d++)
        {
            var best = _departure + _directWalk[d];
            for (var k = destinations.EgressStart[d]; k < destinations.EgressStart[d + 1]; k++)
            {
                var t = ride[destinations.EgressStops[k]] + destinations.EgressSeconds[k];
                if (t < best) best = t;
            }
            into[d] = ToTravelTime(best);
        }
    }

    /// <summary>Stops alighted at within <paramref name="budgetSeconds"/> of travel, with the time left (capped at the egress walk limit).</summary>
    public void ReachedStops(int budgetSeconds, List<ReachedStop> into)
    {
        into.Clear();
        var budget = Math.Min(budgetSeconds, _p.MaxTripDuration);
        var ride = StopLabels(_ride);
        for (var s = 0; s < _stopCount; s++)
        {
            var tt = ride[s] - _departure;
            if (ride[s] < TravelTime.Unreached && tt <= budget) into.Add(new ReachedStop(s, Math.Min(budget - tt, _p.MaxEgressWalk)));
        }
    }

    private int[] StopLabels(List<int[]> rounds) =>
        _stopsExact ? rounds[_topRound] : throw new InvalidOperationException("stop results are not available after a destinations-only search.");

    private int ToArrival(int label) => label - _departure <= _p.MaxTripDuration ? label : TravelTime.Unreachable;

    private int ToTravelTime(int label) => label - _departure <= _p.MaxTripDuration ? label - _departure : TravelTime.Unreachable;

    private void PrepareDirectWalks(DestinationSet destinations)
    {
        if (ReferenceEquals(_directFor, destinations) && _directWalk.Length == destinations.Count) return;
        _directFor = destinations;
        _directWalk = new int[destinations.Count];
        var walk = _p.Walk;
        for (var d = 0; d < destinations.Count; d++)
        {
            var seconds = walk.Seconds(_origin.Lat, _origin.Lon, destinations.Points[d].Lat, destinations.Points[d].Lon);
            _directWalk[d] = seconds <= _p.MaxDirectWalk ? seconds : TravelTime.Unreached;
        }
    }

    private void Reset(GeoPoint origin)
    {
        _origin = origin;
        _directFor = null;
        _targetBound = int.MaxValue;
        _stopsExact = true;
        for (var k = 0; k <= _topRound; k++)
        {
            Array.Fill(_ride[k], TravelTime.Unreached);
            Array.Fill(_ready[k], TravelTime.Unreached);
        }
        _router.Stops.Within(origin.Lat, origin.Lon, _p.MaxAccessWalk, _p.Walk, _access);
    }

    private void AddRound()
    {
        if (_ride.Count == 0)
        {
            _ride.Add(NewLabels());
            _ready.Add(NewLabels());
        }
        else
        {
            // A new round starts as a copy of the one below: at most k rides includes at most k − 1.
            _ride.Add((int[])_ride[^1].Clone());
            _ready.Add((int[])_ready[^1].Clone());
        }
        _topRound = _ride.Count - 1;
    }

    private int[] NewLabels()
    {
        var labels = new int[_stopCount];
        Array.Fill(labels, TravelTime.Unreached);
        return labels;
    }

    private void RunDeparture(int departure)
    {
        _departure = departure;
        var limit = Math.Min(departure + _p.MaxTripDuration, _targetBound);
        Array.Clear(_changedCurrent);
        Array.Clear(_markedCurrent);
        var anyMarked = false;
        var ready0 = _ready[0];
        foreach (var (stop, walk) in _access)
        {
            var t = departure + walk;
            if (t < ready0[stop])
            {
                ready0[stop] = t;
                Set(_changedCurrent, stop);
                Set(_markedCurrent, stop);
                anyMarked = true;
            }
        }
        NextRound();

        var k = 1;
        for (; anyMarked && k <= _maxRound; k++)
        {
            if (k > _topRound) AddRound();
            else CopyChangesUp(k);
            anyMarked = false;
            ScanPatterns(k, limit, ref anyMarked);
            RelaxTransfers(k, limit, ref anyMarked);
            NextRound();
        }
        for (; k <= _topRound; k++)
        {
            CopyChangesUp(k);
            NextRound();
        }
    }

    /// <summary>Keeps labels non-increasing in k: improvements of round k − 1 (this departure's) lower round k.</summary>
    private void CopyChangesUp(int k)
    {
        int[] ridePrev = _ride[k - 1], readyPrev = _ready[k - 1], ride = _ride[k], ready = _ready[k];
        for (var w = 0; w < _changedPrevious.Length; w++)
        {
            var bits = _changedPrevious[w];
            while (bits != 0)
            {
                var s = (w << 6) + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                var changed = false;
                if (ridePrev[s] < ride[s]) { ride[s] = ridePrev[s]; changed = true; }
                if (readyPrev[s] < ready[s]) { ready[s] = readyPrev[s]; changed = true; }
                if (changed) Set(_changedCurrent, s);
            }
        }
    }

    private void ScanPatterns(int k, int limit, ref bool anyMarked)
    {
        var tt = _tt;
        for (var w = 0; w < _markedPrevious.Length; w++)
        {
            var bits = _markedPrevious[w];
            while (bits != 0)
            {
                var s = (w << 6) + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                for (var e = tt.StopPatternStart[s]; e < tt.StopPatternStart[s + 1]; e++)
                {
                    var p = tt.StopPatterns[e];
                    var position = tt.StopPatternPositions[e];
                    if (_patternFirstPosition[p] == int.MaxValue) _patternsToScan.Add(p);
                    if (position < _patternFirstPosition[p]) _patternFirstPosition[p] = position;
                }
            }
        }
        foreach (var p in _patternsToScan)
        {
            ScanPattern(p, _patternFirstPosition[p], k, limit, ref anyMarked);
            _patternFirstPosition[p] = int.MaxValue;
        }
        _patternsToScan.Clear();
    }

    /// <summary>
    /// One pattern, from its first stop improved last round: ride the current trip (alighting where
    /// allowed) and switch to an earlier trip wherever last round's label catches one. Trips of a
    /// pattern never overtake, so the earliest catchable trip is also the earliest downstream.
    /// Boarding is tried only at stops improved last round (Delling et al. 2012: marked stops): a
    /// label that did not change was already used for boarding in an earlier round or a later
    /// departure, whose arrivals are kept, so boarding with it again cannot improve anything.
    /// </summary>
    private void ScanPattern(int p, int firstPosition, int k, int limit, ref bool anyMarked)
    {
        var tt = _tt;
        int stopBase = tt.PatternStopStart[p], n = tt.PatternStopStart[p + 1] - stopBase;
        int tripCount = tt.PatternTripStart[p + 1] - tt.PatternTripStart[p], timesBase = tt.PatternTimesStart[p];
        int[] departures = tt.Departures;
        // The hot loop indexes through refs: every index is within arrays the compiler validated
        // (pattern stops and trip rows come from the same Timetable), so per-access bounds checks are dropped.
        ref var stops = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(tt.PatternStops), stopBase);
        ref var rules = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(tt.PatternStopRules), stopBase);
        ref var arrivalsBase = ref MemoryMarshal.GetArrayDataReference(tt.Arrivals);
        ref var departuresBase = ref MemoryMarshal.GetArrayDataReference(departures);
        ref var ride = ref MemoryMarshal.GetArrayDataReference(_ride[k]);
        ref var ready = ref MemoryMarshal.GetArrayDataReference(_ready[k]);
        ref var readyPrev = ref MemoryMarshal.GetArrayDataReference(_ready[k - 1]);
        var markedPrevious = _markedPrevious;
        var slack = _p.BoardSlack;
        var trip = -1;
        var tripTimes = 0;
        var marked = false;
        for (var i = firstPosition; i < n; i++)
        {
            var s = Unsafe.Add(ref stops, i);
            var rule = Unsafe.Add(ref rules, i);
            if (trip >= 0 && (rule & Timetable.CanAlight) != 0)
            {
                var arrival = Unsafe.Add(ref arrivalsBase, tripTimes + i);
                ref var rideLabel = ref Unsafe.Add(ref ride, s);
                if (arrival < rideLabel && arrival <= limit)
                {
                    rideLabel = arrival;
                    Set(_rideImproved, s);
                    Set(_changedCurrent, s);
                    ref var readyLabel = ref Unsafe.Add(ref ready, s);
                    if (arrival < readyLabel)
                    {
                        readyLabel = arrival;
                        Set(_markedCurrent, s);
                        marked = true;
                    }
                }
            }
            if ((rule & Timetable.CanBoard) != 0 && i < n - 1 && IsSet(markedPrevious, s))
            {
                var earliest = Unsafe.Add(ref readyPrev, s) + slack;
                if (trip < 0)
                {
                    var found = FirstDepartureAtOrAfter(departures, timesBase + i * tripCount, tripCount, earliest);
                    if (found < tripCount && Unsafe.Add(ref departuresBase, timesBase + i * tripCount + found) <= limit)
                    {
                        trip = found;
                        tripTimes = timesBase + trip * n;
                    }
                }
                else if (trip > 0 && Unsafe.Add(ref departuresBase, timesBase + i * tripCount + trip - 1) >= earliest)
                {
                    while (trip > 0 && Unsafe.Add(ref departuresBase, timesBase + i * tripCount + trip - 1) >= earliest) trip--;
                    tripTimes = timesBase + trip * n;
                }
            }
        }
        if (marked) anyMarked = true;
    }

    /// <summary>The first of <paramref name="tripCount"/> sorted departures from <paramref name="start"/> that is ≥ <paramref name="time"/>.</summary>
    private static int FirstDepartureAtOrAfter(int[] departures, int start, int tripCount, int time)
    {
        int lo = 0, hi = tripCount;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (departures[start + mid] >= time) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    private void RelaxTransfers(int k, int limit, ref bool anyMarked)
    {
        int[] start = _router.TransferStart;
        ref var ride = ref MemoryMarshal.GetArrayDataReference(_ride[k]);
        ref var ready = ref MemoryMarshal.GetArrayDataReference(_ready[k]);
        ref var target = ref MemoryMarshal.GetArrayDataReference(_router.TransferTarget);
        ref var seconds = ref MemoryMarshal.GetArrayDataReference(_router.TransferSeconds);
        var marked = false;
        for (var w = 0; w < _rideImproved.Length; w++)
        {
            var bits = _rideImproved[w];
            if (bits == 0) continue;
            _rideImproved[w] = 0;
            while (bits != 0)
            {
                var s = (w << 6) + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                var from = Unsafe.Add(ref ride, s);
                for (int e = start[s], end = start[s + 1]; e < end; e++)
                {
                    var t = from + Unsafe.Add(ref seconds, e);
                    var u = Unsafe.Add(ref target, e);
                    ref var label = ref Unsafe.Add(ref ready, u);
                    if (t < label && t <= limit)
                    {
                        label = t;
                        Set(_changedCurrent, u);
                        Set(_markedCurrent, u);
                        marked = true;
                    }
                }
            }
        }
        if (marked) anyMarked = true;
    }

    private void NextRound()
    {
        (_changedPrevious, _changedCurrent) = (_changedCurrent, _changedPrevious);
        (_markedPrevious, _markedCurrent) = (_markedCurrent, _markedPrevious);
        Array.Clear(_changedCurrent);
        Array.Clear(_markedCurrent);
    }

    private static void Set(ulong[] bits, int index) => bits[index >> 6] |= 1UL << index;

    private static bool IsSet(ulong[] bits, int index) => (bits[index >> 6] & (1UL << index)) != 0;
}
