namespace Lis.Geo.Jobs;

/// <summary>The spec's stored rules as the Analysis library takes them.</summary>
public static class SpecRules
{
    public static AccessParameters Parameters(this AccessRules a) =>
        new() { ThresholdSeconds = a.ThresholdSeconds, MinCentres = a.MinCentres, Percentile = a.Percentile };
}
