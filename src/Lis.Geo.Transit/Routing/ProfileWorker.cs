using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lis.Geo.Transit.Routing;

/// <summary>
/// The exact all-to-one profile search: for one destination point, every stop's Pareto step
/// function "time at the stop, ready to board → earliest arrival at the destination", then the
/// merge that turns an origin's access stops into its travel time at every minute of the window.
/// Not thread-safe: one per thread, reused across destinations.
/// </summary>
/// <remarks>
/// <para><b>Why profile Connection Scan and not a reverse range-RAPTOR.</b> The forward search's
/// answer for a departure minute d is EA(d), a step function of d whose steps sit at boarding
/// events, not on the minute grid. A reverse range-RAPTOR computes LD(a) and must be run for every
/// distinct arrival event at the destination (every trip arrival at every egress stop, thousands
/// for a busy centre in five hours) to recover EA exactly, each run re-scanning routes round by
/// round. Profile CSA (Dibbelt, Pajor, Strasser, Wagner 2018, §4) visits each connection of the
/// window once, latest departure first, and the profile of every stop falls out of that single
/// pass, with no rounds (the number of rides is unbounded, as the default semantics are; a
/// <see cref="RoutingParameters.MaxRides"/> cap would need one profile per ride count and is left
/// to the forward search). Both the departure-window and the arrival-window answers are read from
/// the same profiles.</para>
/// <para><b>The recurrence</b>, with the rules of ACCESSIBILITY.md. B_s(t), the earliest arrival at
/// the destination of someone at stop s at time t who next boards a trip at s: the minimum over
/// boarding connections c from s with dep(c) ≥ t + boardSlack of T(c), where T(c) is the best
/// arrival when on c's trip during c: the minimum of T of the trip's next connection and, when
/// alighting is allowed at c's arrival stop s' (arrival time t'), A_{s'}(t') = min(t' + egress(s'),
/// B_{s'}(t'), B_u(t' + walk(s', u)) for every transfer walk s' → u). Egress and transfer walks
/// start only from an alighting, and a transfer walk always ends in a boarding, so walks are never
/// chained; the access walk is added by the merge, then B, so the first boarding pays the slack
/// too. Scanning latest departure first makes every B needed by c final when c is scanned: B_u(x)
/// with x ≥ arr(c) ≥ dep(c) only uses connections with departure ≥ x + boardSlack &gt; dep(c)
/// (hence the profile search needs boardSlack ≥ 1 s), and a trip's later connections are scanned
/// before its earlier ones (<see cref="ProfileNetwork"/>'s tie order).</para>
/// <para><b>Flat Pareto profiles.</b> Each stop's entries (τ = dep − boardSlack, arrival) are
/// appended to a slice of two flat arrays sized by the stop's boarding connections in the window.
/// They arrive in decreasing τ; an entry is kept only if it arrives strictly earlier than the last
/// kept one, so within a slice τ and arrival both decrease: B_s(t) is the last entry with τ ≥ t.
/// An entry whose arrival − τ exceeds maxTripDuration is dropped: any journey using it leaves the
/// origin at or before τ, so its travel time exceeds the limit and it is unreachable either way.</para>
/// </remarks>
internal sealed class ProfileWorker
{
    private readonly TransitRouter _router;
    private readonly ProfileNetwork _net;
    private readonly RoutingParameters _p;
    private readonly int[] _tripArrival;
    private readonly int[] _count;
    private readonly int[] _tau;
    private readonly int[] _arrival;
    private readonly int[] _egress;
    private readonly List<int> _egressStops = [];
    private int[] _minuteBest = [];

    public ProfileWorker(TransitRouter router)
    {
        if (router.Parameters.BoardSlack < 1)
            throw new ArgumentException("the profile search needs BoardSlack >= 1 s (its scan order relies on it); use the forward search.");
        if (router.Parameters.MaxRides is not null)
            throw new ArgumentException("the profile search has no ride cap; use the forward search when MaxRides is set.");
        _router = router;
        _net = router.ProfileNetwork;
        _p = router.Parameters;
        _tripArrival = new int[_net.TripCount];
        _count = new int[router.Timetable.StopCount];
        _tau = new int[_net.BoardingStart[^1]];
        _arrival = new int[_net.BoardingStart[^1]];
        _egress = new int[router.Timetable.StopCount];
        Array.Fill(_egress, TravelTime.Unreached);
    }

    /// <summary>Profile entries kept by the last <see cref="Scan"/> (all stops).</summary>
    public int EntryCount
    {
        get
        {
            var total = 0;
            foreach (var c in _count) total += c;
            return total;
        }
    }

    /// <summary>The profile of <paramref name="stop"/> after the last <see cref="Scan"/>: (latest time at the stop to board, arrival at the destination), earliest first.</summary>
    public (int ReadyBy, int Arrival)[] ProfileOf(int stop)
    {
        var slice = _net.BoardingStart[stop];
        var entries = new (int, int)[_count[stop]];
        for (var j = 0; j < entries.Length; j++) entries[j] = (_tau[slice + entries.Length - 1 - j], _arrival[slice + entries.Length - 1 - j]);
        return entries;
    }

    /// <summary>Builds every stop's profile towards destination <paramref name="d"/> of <paramref name="destinations"/>.</summary>
    public void Scan(DestinationSet destinations, int d)
    {
        if (destinations.Router != _router) throw new ArgumentException("the destinations were prepared by another router.", nameof(destinations));
        foreach (var s in _egressStops) _egress[s] = TravelTime.Unreached;
        _egressStops.Clear();
        for (var k = destinations.EgressStart[d]; k < destinations.EgressStart[d + 1]; k++)
        {
            var s = destinations.EgressStops[k];
            _egress[s] = destinations.EgressSeconds[k];
            _egressStops.Add(s);
        }
        Array.Fill(_tripArrival, TravelTime.Unreached);
        Array.Clear(_count);

        var slack = _p.BoardSlack;
        var maxTrip = _p.MaxTripDuration;
        var connections = _net.Connections;
        ref var tripArrival = ref MemoryMarshal.GetArrayDataReference(_tripArrival);
        for (var c = 0; c < connections.Length; c++)
        {
            ref readonly var k = ref connections[c];
            ref var onTrip = ref Unsafe.Add(ref tripArrival, k.Trip);
            var best = onTrip;
            if ((k.Flags & ProfileNetwork.Alight) != 0) best = AfterAlighting(k.To, k.Arrival, best);
            onTrip = best;
            if ((k.Flags & ProfileNetwork.Board) != 0 && best < TravelTime.Unreached)
            {
                var tau = k.Departure - slack;
                if (best - tau <= maxTrip) Insert(k.From, tau, best);
            }
        }
    }

    /// <summary>
    /// Departure window: the travel time at every departure minute from an origin whose access stops
    /// and walks are given, with its direct walk (<see cref="TravelTime.Unreached"/> when too long).
    /// EA(d) is the least arrival over entries (τ − access, arrival) with τ − access ≥ d: each entry is
    /// put in the bucket of the last minute it serves, then a suffix minimum spreads it to earlier
    /// minutes (waiting at the origin is allowed).
    /// </summary>
    public void DepartureTravelTimes(ReadOnlySpan<int> accessStops, ReadOnlySpan<int> accessSeconds, int directWalk, Span<int> into)
    {
        var w = _p.Window;
        int n = w.Count, start = w.StartSeconds, step = w.StepSeconds, last = w.DepartureAt(n - 1);
        var best = MinuteScratch(n, TravelTime.Unreached);
        for (var a = 0; a < accessStops.Length; a++)
        {
            int s = accessStops[a], walk = accessSeconds[a], slice = _net.BoardingStart[s];
            // Smallest τ first: the entries that serve the earliest minutes; past the last minute only
            // the first one matters (later ones arrive later).
            for (var j = slice + _count[s] - 1; j >= slice; j--)
            {
                var leave = _tau[j] - walk;
                if (leave < start) continue;
                var minute = leave >= last ? n - 1 : (leave - start) / step;
                if (_arrival[j] < best[minute]) best[minute] = _arrival[j];
                if (leave >= last) break;
            }
        }
        var arrival = TravelTime.Unreached;
        for (var i = n - 1; i >= 0; i--)
        {
            if (best[i] < arrival) arrival = best[i];
            var departure = start + i * step;
            var tt = Math.Min(arrival - departure, directWalk);
            into[i] = tt <= _p.MaxTripDuration ? tt : TravelTime.Unreachable;
        }
    }

    /// <summary>
    /// Arrival window: TTa = a − LD(a) at every arrival minute a, LD(a) the greatest τ − access over
    /// entries arriving by a: each entry is put in the bucket of the first minute it serves, then a
    /// prefix maximum spreads it to later minutes (waiting at the destination is allowed). A direct
    /// walk gives TTa = its walk time.
    /// </summary>
    public void ArrivalTravelTimes(ReadOnlySpan<int> accessStops, ReadOnlySpan<int> accessSeconds, int directWalk, Span<int> into)
    {
        var w = _p.Window;
        int n = w.Count, start = w.StartSeconds, step = w.StepSeconds, last = w.DepartureAt(n - 1);
        var latest = MinuteScratch(n, int.MinValue);
        for (var a = 0; a < accessStops.Length; a++)
        {
            int s = accessStops[a], walk = accessSeconds[a], slice = _net.BoardingStart[s];
            // Smallest arrival first; entries arriving after the last minute serve none.
            for (var j = slice + _count[s] - 1; j >= slice; j--)
            {
                var arrival = _arrival[j];
                if (arrival > last) break;
                var minute = arrival <= start ? 0 : (arrival - start + step - 1) / step;
                var leave = _tau[j] - walk;
                if (leave > latest[minute]) latest[minute] = leave;
            }
        }
        var leaveBy = int.MinValue;
        for (var i = 0; i < n; i++)
        {
            if (latest[i] > leaveBy) leaveBy = latest[i];
            var arriveBy = start + i * step;
            var tta = leaveBy == int.MinValue ? directWalk : Math.Min(arriveBy - leaveBy, directWalk);
            into[i] = tta <= _p.MaxTripDuration ? tta : TravelTime.Unreachable;
        }
    }

    /// <summary>The best arrival at the destination after alighting at <paramref name="stop"/> at <paramref name="time"/>, or <paramref name="best"/> if no better.</summary>
    private int AfterAlighting(int stop, int time, int best)
    {
        var egress = _egress[stop];
        if (egress != TravelTime.Unreached && time + egress < best) best = time + egress;
        var slack = _p.BoardSlack;
        // Every boarding value is at least the boarding time + slack, so a walk that already reaches
        // that bound cannot improve; transfers are sorted by walk, so the first such walk ends the loop.
        if (time + slack < best) best = Math.Min(best, Evaluate(stop, time));
        var net = _net;
        for (int e = net.TransferStart[stop], end = net.TransferStart[stop + 1]; e < end; e++)
        {
            var at = time + net.TransferSeconds[e];
            if (at + slack >= best) break;
            var v = Evaluate(net.TransferTarget[e], at);
            if (v < best) best = v;
        }
        return best;
    }

    /// <summary>B_s(t): the arrival of the last entry of s with τ ≥ t, or <see cref="TravelTime.Unreached"/>.</summary>
    private int Evaluate(int stop, int time)
    {
        var count = _count[stop];
        if (count == 0) return TravelTime.Unreached;
        var slice = _net.BoardingStart[stop];
        // The queries come soon after the latest entries (smallest τ, at the end): try those first.
        var j = slice + count - 1;
        var stopAt = Math.Max(slice, j - 8);
        for (; j >= stopAt; j--)
            if (_tau[j] >= time) return _arrival[j];
        if (j < slice) return TravelTime.Unreached;
        // Entries slice..j all remain; τ decreases with the index: find the last with τ ≥ time.
        int lo = slice, hi = j;
        if (_tau[lo] < time) return TravelTime.Unreached;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >>> 1;
            if (_tau[mid] >= time) lo = mid;
            else hi = mid - 1;
        }
        return _arrival[lo];
    }

    private void Insert(int stop, int tau, int arrival)
    {
        var slice = _net.BoardingStart[stop];
        var count = _count[stop];
        if (count > 0)
        {
            var lastIndex = slice + count - 1;
            if (arrival >= _arrival[lastIndex]) return;
            if (_tau[lastIndex] == tau)
            {
                _arrival[lastIndex] = arrival;
                return;
            }
        }
        _tau[slice + count] = tau;
        _arrival[slice + count] = arrival;
        _count[stop] = count + 1;
    }

    private int[] MinuteScratch(int n, int fill)
    {
        if (_minuteBest.Length < n) _minuteBest = new int[n];
        var span = _minuteBest.AsSpan(0, n);
        span.Fill(fill);
        return _minuteBest;
    }
}
