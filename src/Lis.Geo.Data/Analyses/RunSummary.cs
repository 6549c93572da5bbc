namespace Lis.Geo.Data.Analyses;

/// <summary>
/// The run-level indicators of ACCESSIBILITY.md, population-weighted over the run's origins:
/// the headline share (origins reaching ≥ minCentres centres at the run's percentile within the
/// threshold), the time-share form, and mean centres reachable — overall and by LEP, local
/// authority and IMD decile of the run's deprivation edition (<see cref="Summary.Deprivation"/>). A district
/// in two LEPs counts in both LEPs' rows.
/// </summary>
/// <remarks>
/// By IMD decile here is every origin zone with a decile, weighted by its population, plus a last row (key null)
/// of the zones without one. The equity summary's deciles (<c>/analyses/{id}/equity</c>, Jobs' <c>RunEquity</c>)
/// are meant to differ in two ways: they take the edition and the weight the request chooses, and only zones with
/// both a rank and a decile (the concentration index, the gap and the deciles all cover the same ranked zones).
/// In the run's edition with <c>population</c> weights the two agree decile for decile wherever every deprivation
/// row with a decile also has a rank, as in MHCLG File 1 (both editions' ranks and deciles); only a joined table
/// giving deciles without ranks makes them differ.
/// </remarks>
public static class RunSummary
{
    public sealed record Group(string? Key, string? Name, int Origins, double Population, double PopulationMeetingTarget, double Share, double TimeShare, double MeanCentresReachable);
    public sealed record Summary(int ThresholdMinutes, int MinCentres, int Percentile, string? Deprivation, Group Overall,
        IReadOnlyList<Group> ByLep, IReadOnlyList<Group> ByLocalAuthority, IReadOnlyList<Group> ByImdDecile);

    /// <remarks>
    /// Float sums are taken in origin order (<c>sum(… ORDER BY index)</c>): a plain sum adds rows in
    /// whatever order the join delivers them, so two runs with the same record could differ in the last digit.
    /// </remarks>
    public static async Task<Summary> ComputeAsync(NpgsqlDataSource db, AnalysisRun run, CancellationToken ct)
    {
        var access = run.Spec.Access;
        var columns = $"""
            r.centres_reachable, {Indicators.MeetsTarget("r", "$3")} AS meets,
            {Indicators.TimeShare("r")} AS time_share
            """;
        var sql = $"""
            {ReportingGroups.ZoneOrigins(run.Spec.Deprivation, columns)}
            SELECT {ReportingGroups.KindKeyName},
                   count(*)::int, coalesce(sum(weight ORDER BY index), 0), coalesce(sum(weight ORDER BY index) FILTER (WHERE meets), 0),
                   coalesce(sum(weight * time_share ORDER BY index), 0), coalesce(sum(weight * centres_reachable ORDER BY index), 0)
            {ReportingGroups.GroupAndOrder}
            """;
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.Add(new() { Value = run.Id });
        cmd.Parameters.Add(new() { Value = run.Spec.ZoneSet });
        cmd.Parameters.Add(new() { Value = access.MinCentres });
        var groups = await ReportingGroups.ReadAsync(cmd, (r, key, name) =>
        {
            var population = r.GetDouble(4);
            double Per(double v) => population > 0 ? v / population : 0;
            return new Group(key, name, r.GetInt32(3), population, r.GetDouble(5), Per(r.GetDouble(5)), Per(r.GetDouble(6)), Per(r.GetDouble(7)));
        }, ct);
        return new Summary(access.ThresholdMinutes, access.MinCentres, access.Percentile, run.Spec.Deprivation,
            groups.Overall, groups.ByLep, groups.ByLocalAuthority, groups.ByImdDecile);
    }
}
