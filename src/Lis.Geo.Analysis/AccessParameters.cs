using Lis.Geo.Transit;

namespace Lis.Geo.Analysis;

/// <summary>
/// The indicator rules of ACCESSIBILITY.md on top of the travel times: a centre counts as reachable
/// when its travel time at <see cref="Percentile"/> (the median by default) is within
/// <see cref="ThresholdSeconds"/>; an origin meets the target with at least <see cref="MinCentres"/>.
/// </summary>
public sealed record AccessParameters
{
    /// <summary>45 minutes: the Local Industrial Strategy's threshold.</summary>
    public int ThresholdSeconds { get; init; } = 2700;

    /// <summary>Three or more centres: the Local Industrial Strategy's target.</summary>
    public int MinCentres { get; init; } = 3;

    /// <summary>The travel-time percentile behind "reachable"; p50 (the median) is the default of the semantics.</summary>
    public int Percentile { get; init; } = 50;

    /// <summary>Throws a <see cref="RuleViolation"/> naming the first out-of-range rule.</summary>
    public void Validate()
    {
        if (ThresholdSeconds is < 60 or > 4 * 3600) throw new RuleViolation("thresholdSeconds", RuleKind.Invalid, $"threshold must be 60–14,400 s (got {ThresholdSeconds}).");
        if (MinCentres < 1) throw new RuleViolation("minCentres", RuleKind.Invalid, $"minCentres must be ≥ 1 (got {MinCentres}).");
        if (Percentile is < 1 or > 100) throw new RuleViolation("percentile", RuleKind.Invalid, $"percentile must be 1–100 (got {Percentile}).");
    }
}
