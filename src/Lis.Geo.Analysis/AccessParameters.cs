using Lis.Geo.Transit;

namespace Lis.Geo.Analysis;

/// <summary>
/// The indicator rules of ACCESSIBILITY.md on top of the travel times: a centre counts as reachable
/// when its travel time at <see cref="Percentile"/> (the median by default) is within
/// <see cref="ThresholdSeconds"/>; an origin meets the target with at least <see cref="MinCentres"/>.
/// </summary>
public sealed record AccessParameters
{
    // The documented defaults (ACCESSIBILITY.md), stated here once: the run request, the synchronous
    // endpoints and the process descriptions all take them from these.

    /// <summary>45 minutes: the Local Industrial Strategy's threshold.</summary>
    public const int DefaultThresholdMinutes = 45;

    /// <summary>Three or more centres: the Local Industrial Strategy's target.</summary>
    public const int DefaultMinCentres = 3;

    /// <summary>p50 (the median): the default of the semantics.</summary>
    public const int DefaultPercentile = 50;

    /// <summary>The threshold's range, 1 minute to 4 hours; Limits:MaxThresholdMinutes may only lower the top for runs.</summary>
    public const int MinThresholdSeconds = 60, MaxThresholdSeconds = 4 * 3600;

    public int ThresholdSeconds { get; init; } = DefaultThresholdMinutes * 60;

    public int MinCentres { get; init; } = DefaultMinCentres;

    /// <summary>The travel-time percentile behind "reachable".</summary>
    public int Percentile { get; init; } = DefaultPercentile;

    /// <summary>Throws a <see cref="RuleViolation"/> naming the first out-of-range rule.</summary>
    public void Validate()
    {
        if (ThresholdSeconds is < MinThresholdSeconds or > MaxThresholdSeconds) throw new RuleViolation("thresholdSeconds", RuleKind.Invalid, $"threshold must be 60–14,400 s (got {ThresholdSeconds}).");
        if (MinCentres < 1) throw new RuleViolation("minCentres", RuleKind.Invalid, $"minCentres must be ≥ 1 (got {MinCentres}).");
        if (Percentile is < 1 or > 100) throw new RuleViolation("percentile", RuleKind.Invalid, $"percentile must be 1–100 (got {Percentile}).");
    }
}
