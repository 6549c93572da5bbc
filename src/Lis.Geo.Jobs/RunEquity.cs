namespace Lis.Geo.Jobs;

/// <summary>
/// Equity summaries of a zone-access run: by IMD decile, the most deprived 20% against the rest,
/// and concentration indices of access across deprivation — weighted by the zones' population or by
/// any IoD population denominator (children, 16–59, 60+, working age) — in one deprivation edition,
/// named in the answer with how each zone found its figures and which found none.
/// </summary>
/// <remarks>
/// Every figure here (deciles, gap, concentration index) covers the same zones: those with both a rank and a
/// decile, since the index needs the rank. The run summary's "by IMD decile" (<see cref="RunSummary"/>) differs
/// on purpose: it is in the run's own edition, by population, over every zone with a decile, and has a row for
/// the zones without one. With the run's edition and <c>population</c> the deciles agree wherever a decile comes
/// with its rank (MHCLG File 1, both editions).
/// </remarks>
public static class RunEquity
{
    /// <summary>Weights that can be chosen (<see cref="EquityRows.Weights"/>).</summary>
    public static readonly IReadOnlyDictionary<string, string> Populations = EquityRows.Weights;

    public sealed record Decile(int ImdDecile, int Zones, double Population, double PopulationMeetingTarget, double Share, double MeanCentresReachable);
    public sealed record Gap(double MostDeprived20Share, double RestShare, double Difference, double MostDeprived20MeanCentres, double RestMeanCentres);
    public sealed record Concentration(double? CentresReachable, double? MeetsTarget, string Formula);
    /// <summary>
    /// <see cref="Deprivation"/>: the edition of every figure here; <see cref="DeprivationMatch"/>: how many zones found
    /// their figures by their own code or through the LSOA lookup; <see cref="ZonesWithoutImdCodes"/>: those that found none.
    /// </summary>
    public sealed record Summary(long RunId, string? Deprivation, string Population, int MinCentres, int ThresholdMinutes, IReadOnlyList<Decile> ByImdDecile, Gap Gap,
        Concentration ConcentrationIndex, IReadOnlyDictionary<string, int> DeprivationMatch, int ZonesWithoutImd, double? PopulationWithoutImd,
        IReadOnlyList<string> ZonesWithoutImdCodes);

    /// <summary>The summary in <paramref name="edition"/> (checked by the caller; null: no edition matches the run's zones).</summary>
    public static async Task<Summary> ComputeAsync(NpgsqlDataSource db, AnalysisRun run, string population, string? edition, CancellationToken ct)
    {
        var access = run.Spec.Access;
        var zones = await EquityRows.ReadAsync(db, run.Id, population, edition, ct);
        var rows = zones.Select(z => (z.Weight, z.Centres, z.Rank, z.Decile)).ToList();
        var byMatch = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var g in zones.Where(z => z.Match is not null).GroupBy(z => z.Match!)) byMatch[g.Key] = g.Count();
        var unmatched = zones.Where(z => z.Match is null).Select(z => z.Code).ToList();
        var min = access.MinCentres;
        var ranked = rows.Where(x => x.Rank is not null && x.Decile is not null).ToList();
        var deciles = ranked.GroupBy(x => x.Decile!.Value).OrderBy(g => g.Key).Select(g =>
        {
            var pop = g.Sum(x => x.Weight);
            var meeting = g.Where(x => x.Centres >= min).Sum(x => x.Weight);
            return new Decile(g.Key, g.Count(), pop, meeting, pop > 0 ? meeting / pop : 0, pop > 0 ? g.Sum(x => x.Weight * x.Centres) / pop : 0);
        }).ToList();
        (double Share, double Mean) Of(IEnumerable<(double Weight, int Centres, int? Rank, int? Decile)> zs)
        {
            var list = zs.ToList();
            var pop = list.Sum(x => x.Weight);
            return pop > 0 ? (list.Where(x => x.Centres >= min).Sum(x => x.Weight) / pop, list.Sum(x => x.Weight * x.Centres) / pop) : (0, 0);
        }
        var (deprivedShare, deprivedMean) = Of(ranked.Where(x => x.Decile <= Indicators.MostDeprivedDeciles));
        var (restShare, restMean) = Of(ranked.Where(x => x.Decile > Indicators.MostDeprivedDeciles));
        var ci = new Concentration(
            Equity.ConcentrationIndex(ranked.Select(x => new Equity.Zone(x.Weight, x.Centres, x.Rank!.Value))),
            Equity.ConcentrationIndex(ranked.Select(x => new Equity.Zone(x.Weight, x.Centres >= min ? 1 : 0, x.Rank!.Value))),
            $"CI = 2/(μW) Σ wᵢ(hᵢ − μ)(Rᵢ − ½); zones ordered from most to least deprived by {DeprivationJoin.Label(edition)} rank, Rᵢ their weighted fractional rank; " +
            "negative = access concentrated among the more deprived, positive = among the less deprived.");
        var missing = rows.Where(x => x.Rank is null || x.Decile is null).ToList();
        return new Summary(run.Id, edition, population, min, access.ThresholdMinutes, deciles,
            new Gap(deprivedShare, restShare, deprivedShare - restShare, deprivedMean, restMean), ci, byMatch, missing.Count,
            // An IoD sub-population comes from the deprivation row itself, so for zones without one it is unknown, not zero.
            population == "population" ? missing.Sum(x => x.Weight) : null, unmatched);
    }
}
