namespace Lis.Geo.Analysis;

/// <summary>How an indicator is shared across deprivation.</summary>
public static class Equity
{
    /// <summary>One zone: its population weight, the indicator's value, and its deprivation rank (1 = most deprived).</summary>
    public readonly record struct Zone(double Weight, double Value, int DeprivationRank);

    /// <summary>
    /// The concentration index of <c>Value</c> over zones ranked from most to least deprived
    /// (Kakwani, Wagstaff and van Doorslaer 1997, weighted form):
    /// <c>CI = 2 / (μ W) · Σ wᵢ (hᵢ − μ)(Rᵢ − ½)</c>, where <c>W = Σ wᵢ</c>, <c>μ = Σ wᵢ hᵢ / W</c>, and
    /// <c>Rᵢ = (Σ_{j ranked before i} wⱼ + wᵢ / 2) / W</c> is zone i's weighted fractional rank.
    /// CI lies in (−1, 1); negative means the indicator is concentrated among the more deprived,
    /// positive among the less deprived, 0 that it is spread evenly. Null when μ = 0 (nothing to share).
    /// </summary>
    public static double? ConcentrationIndex(IEnumerable<Zone> zones)
    {
        var ordered = zones.Where(z => z.Weight > 0).OrderBy(z => z.DeprivationRank).ToList();
        var w = ordered.Sum(z => z.Weight);
        if (w <= 0) return null;
        var mu = ordered.Sum(z => z.Weight * z.Value) / w;
        if (mu == 0) return null;
        double before = 0, sum = 0;
        foreach (var z in ordered)
        {
            var rank = (before + z.Weight / 2) / w;
            sum += z.Weight * (z.Value - mu) * (rank - 0.5);
            before += z.Weight;
        }
        return 2 * sum / (mu * w);
    }
}
