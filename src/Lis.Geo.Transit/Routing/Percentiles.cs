namespace Lis.Geo.Transit.Routing;

/// <summary>The nearest-rank percentile of ACCESSIBILITY.md (Conway et al. 2017 report travel-time percentiles over a window the same way).</summary>
public static class Percentiles
{
    /// <summary>
    /// The value at 0-based index ceil(p/100 × n) − 1 of <paramref name="sorted"/> (ascending, with
    /// <see cref="TravelTime.Unreachable"/> as +∞). Integer arithmetic, so p × n / 100 is exact.
    /// </summary>
    public static int NearestRank(ReadOnlySpan<int> sorted, int percentile)
    {
        if (percentile is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(percentile), "percentile must be 1–100.");
        if (sorted.IsEmpty) throw new ArgumentException("no values", nameof(sorted));
        var rank = (percentile * sorted.Length + 99) / 100;
        return sorted[rank - 1];
    }

    /// <summary>Sorts a copy of <paramref name="travelTimes"/> and returns each requested percentile.</summary>
    public static int[] Compute(ReadOnlySpan<int> travelTimes, IReadOnlyList<int> percentiles)
    {
        var sorted = travelTimes.ToArray();
        Array.Sort(sorted);
        var result = new int[percentiles.Count];
        for (var i = 0; i < result.Length; i++) result[i] = NearestRank(sorted, percentiles[i]);
        return result;
    }
}
