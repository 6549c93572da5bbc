using Lis.Geo.Transit.Routing;

namespace Lis.Geo.Analysis;

/// <summary>
/// One origin's accessibility to a set of destinations over the departure window.
/// <see cref="Percentiles"/>[d][k] is the travel time to destination d at the k-th requested
/// percentile (<see cref="TravelTime.Unreachable"/> when not reached in time).
/// </summary>
public sealed record OriginAccess(int Origin, int[][] Percentiles, int[] DeparturesWithinThreshold, int CentresReachable, int DeparturesMeetingTarget, int Departures)
{
    /// <summary>The time-share form: the share of departure minutes at which the origin meets the target.</summary>
    public double TimeShare => Departures == 0 ? 0 : (double)DeparturesMeetingTarget / Departures;
}

/// <summary>
/// One destination group's part of an origin's indicators (<see cref="ZoneAccess.SummariseGroup"/>):
/// pair figures for the group's destinations, its centres reachable, and
/// <see cref="CentresWithin"/>[i], the group's centres within the threshold at minute i of the window.
/// </summary>
public sealed record OriginAccessPart(int Origin, int[][] Percentiles, int[] DeparturesWithinThreshold, int CentresReachable, int[] CentresWithin);

/// <summary>Turns a travel-time matrix into the per-origin indicators of ACCESSIBILITY.md.</summary>
public static class ZoneAccess
{
    /// <summary>
    /// Indicators of every origin of <paramref name="matrix"/>. Centres are the first
    /// <paramref name="centreCount"/> destinations (default all); later ones (sites) get travel times
    /// but never count toward centres reachable or the time-share form.
    /// </summary>
    public static OriginAccess[] Summarise(TravelTimeMatrix matrix, AccessParameters access, int? centreCount = null)
    {
        var parts = SummariseGroup(matrix, access, centreCount ?? matrix.DestinationCount);
        return [.. parts.Select(p =>
        {
            var (reachable, meeting, departures) = Combine([(p.CentresReachable, p.CentresWithin)], access.MinCentres);
            return new OriginAccess(p.Origin, p.Percentiles, p.DeparturesWithinThreshold, reachable, meeting, departures);
        })];
    }

    /// <summary>
    /// The part of every origin's indicators that one group of destinations gives (a chunk of a run
    /// split by destination groups): pair figures, the group's centres reachable and, per minute, its
    /// centres within the threshold. Centres are the group's first <paramref name="centresInGroup"/>
    /// destinations. <see cref="Combine"/> over all groups gives what <see cref="Summarise"/> gives.
    /// </summary>
    public static OriginAccessPart[] SummariseGroup(TravelTimeMatrix matrix, AccessParameters access, int centresInGroup)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(centresInGroup, matrix.DestinationCount, nameof(centresInGroup));
        ArgumentOutOfRangeException.ThrowIfNegative(centresInGroup);
        access.Validate();
        var reachableIndex = IndexOf(matrix.Parameters.Percentiles, access.Percentile);
        var result = new OriginAccessPart[matrix.OriginCount];
        // Each origin's part reads only its own cells and fills only its own slot, so origins are
        // summarised on every core with results identical to one thread's.
        Parallel.For(0, matrix.OriginCount, o =>
        {
            var perDestination = new int[matrix.DestinationCount][];
            var within = new int[matrix.DestinationCount];
            var centresWithin = new int[matrix.Window.Count];
            var reachable = 0;
            for (var d = 0; d < matrix.DestinationCount; d++)
            {
                perDestination[d] = matrix.PercentilesOf(o, d);
                within[d] = matrix.DeparturesWithin(o, d, access.ThresholdSeconds);
                if (d >= centresInGroup) continue;
                if (perDestination[d][reachableIndex] <= access.ThresholdSeconds) reachable++;
                var times = matrix.TravelTimes(o, d);
                for (var i = 0; i < times.Length; i++)
                    if (times[i] <= access.ThresholdSeconds) centresWithin[i]++;
            }
            result[o] = new OriginAccessPart(o, perDestination, within, reachable, centresWithin);
        });
        return result;
    }

    /// <summary>
    /// An origin's indicators from its parts over disjoint destination groups: centres reachable add
    /// up; a minute of the window meets the target when the groups together reach at least
    /// <paramref name="minCentres"/> centres within the threshold at that minute.
    /// </summary>
    public static (int CentresReachable, int DeparturesMeetingTarget, int Departures) Combine(
        IReadOnlyCollection<(int CentresReachable, int[] CentresWithin)> parts, int minCentres)
    {
        if (parts.Count == 0) throw new ArgumentException("an origin needs at least one destination group.", nameof(parts));
        var minutes = parts.First().CentresWithin.Length;
        var reached = new int[minutes];
        var reachable = 0;
        foreach (var (centres, within) in parts)
        {
            if (within.Length != minutes) throw new ArgumentException($"destination groups disagree on the window's minutes ({within.Length} vs {minutes}).", nameof(parts));
            reachable += centres;
            for (var i = 0; i < minutes; i++) reached[i] += within[i];
        }
        return (reachable, reached.Count(n => n >= minCentres), minutes);
    }

    private static int IndexOf(IReadOnlyList<int> percentiles, int p)
    {
        for (var i = 0; i < percentiles.Count; i++)
            if (percentiles[i] == p) return i;
        throw new ArgumentException($"percentile {p} is not among the computed percentiles ({string.Join(", ", percentiles)}); add it to the run's percentiles.");
    }
}
