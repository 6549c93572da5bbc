using Lis.Geo.Data.Model;
using Npgsql;

namespace Lis.Geo.Data.Analyses;

/// <summary>
/// The run-level indicators of ACCESSIBILITY.md, population-weighted over the run's origins:
/// the headline share (origins reaching ≥ minCentres centres at the run's percentile within the
/// threshold), the time-share form, and mean centres reachable — overall and by LEP, local
/// authority and IMD decile of the run's deprivation edition (<see cref="Summary.Deprivation"/>). A district
/// in two LEPs counts in both LEPs' rows.
/// </summary>
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
        var (zoneSet, access) = (run.Spec.ZoneSet, run.Spec.Access);
        var sql = $"""
            WITH o AS (
                SELECT p.index, p.weight, r.centres_reachable, r.centres_reachable >= $3 AS meets,
                       r.departures_meeting_target::float8 / nullif(r.departures, 0) AS time_share,
                       z.lad_code, d.imd_decile
                FROM analysis_point p
                JOIN analysis_origin_result r ON r.run_id = p.run_id AND r.origin_index = p.index
                LEFT JOIN zone z ON z.zone_set_id = $2 AND z.code = p.code
                {DeprivationJoin.Sql(run.Spec.Deprivation, "p.code")}
                WHERE p.run_id = $1 AND p.is_origin AND p.kind = 'zone'),
            {ReportingGroups.Cte}
            SELECT {ReportingGroups.KindKeyName},
                   count(*)::int, coalesce(sum(weight ORDER BY index), 0), coalesce(sum(weight ORDER BY index) FILTER (WHERE meets), 0),
                   coalesce(sum(weight * time_share ORDER BY index), 0), coalesce(sum(weight * centres_reachable ORDER BY index), 0)
            {ReportingGroups.GroupAndOrder}
            """;
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.Add(new() { Value = run.Id });
        cmd.Parameters.Add(new() { Value = zoneSet });
        cmd.Parameters.Add(new() { Value = access.MinCentres });
        var groups = new List<(string Kind, Group Group)>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                var population = r.GetDouble(4);
                double Per(double v) => population > 0 ? v / population : 0;
                groups.Add((r.GetString(0), new Group(r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt32(3),
                    population, r.GetDouble(5), Per(r.GetDouble(5)), Per(r.GetDouble(6)), Per(r.GetDouble(7)))));
            }
        IReadOnlyList<Group> Of(string kind) => ReportingGroups.Of(groups, kind);
        return new Summary(access.ThresholdMinutes, access.MinCentres, access.Percentile, run.Spec.Deprivation,
            groups.Single(g => g.Kind == "overall").Group, Of("lep"), Of("lad"), Of("imd"));
    }
}
