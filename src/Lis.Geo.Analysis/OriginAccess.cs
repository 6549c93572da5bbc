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
        var centres = centreCount ?? matrix.DestinationCount;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(centres, matrix.DestinationCount, nameof(centreCount));
        access.Validate();
        var percentiles = matrix.Parameters.Percentiles;
        var reachableIndex = IndexOf(percentiles, access.Percentile);
        var result = new OriginAccess[matrix.OriginCount];
        for (var o = 0; o < matrix.OriginCount; o++)
        {
            var perDestination = new int[matrix.DestinationCount][];
            var within = new int[matrix.DestinationCount];
            var reachable = 0;
            for (var d = 0; d < matrix.DestinationCount; d++)
            {
                perDestination[d] = matrix.PercentilesOf(o, d);
                within[d] = matrix.DeparturesWithin(o, d, access.ThresholdSeconds);
                if (d < centres && perDestination[d][reachableIndex] <= access.ThresholdSeconds) reachable++;
            }
            result[o] = new OriginAccess(o, perDestination, within, reachable,
                matrix.DeparturesReachingAtLeast(o, access.MinCentres, access.ThresholdSeconds, centres), matrix.Window.Count);
        }
        return result;
    }

    private static int IndexOf(IReadOnlyList<int> percentiles, int p)
    {
        for (var i = 0; i < percentiles.Count; i++)
            if (percentiles[i] == p) return i;
        throw new ArgumentException($"percentile {p} is not among the computed percentiles ({string.Join(", ", percentiles)}); add it to the run's percentiles.");
    }
}
