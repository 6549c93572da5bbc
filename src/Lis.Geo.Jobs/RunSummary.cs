using Lis.Geo.Data;
using Lis.Geo.Data.Model;
using Npgsql;

namespace Lis.Geo.Jobs;

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

    public static async Task<Summary> ComputeAsync(NpgsqlDataSource db, AnalysisRun run, CancellationToken ct)
    {
        var (zoneSet, access) = (run.Spec.ZoneSet, run.Spec.Access);
        var sql = $"""
            WITH o AS (
                SELECT p.weight, r.centres_reachable, r.centres_reachable >= $3 AS meets,
                       r.departures_meeting_target::float8 / nullif(r.departures, 0) AS time_share,
                       z.lad_code, d.imd_decile
                FROM analysis_point p
                JOIN analysis_origin_result r ON r.run_id = p.run_id AND r.origin_index = p.index
                LEFT JOIN zone z ON z.zone_set_id = $2 AND z.code = p.code
                {DeprivationJoin.Sql(run.Spec.Deprivation, "p.code")}
                WHERE p.run_id = $1 AND p.is_origin AND p.kind = 'zone'),
            g AS (
                SELECT 'overall' AS kind, NULL::text AS key, * FROM o
                UNION ALL SELECT 'lad', lad_code, * FROM o
                UNION ALL SELECT 'lep', m.lep_code, o.* FROM o JOIN lep_membership m ON m.lad_code = o.lad_code
                UNION ALL SELECT 'imd', imd_decile::text, * FROM o)
            SELECT g.kind, g.key,
                   CASE g.kind WHEN 'lad' THEN (SELECT name FROM local_authority WHERE code = g.key)
                               WHEN 'lep' THEN (SELECT min(lep_name) FROM lep_membership WHERE lep_code = g.key) END,
                   count(*)::int, coalesce(sum(weight), 0), coalesce(sum(weight) FILTER (WHERE meets), 0),
                   coalesce(sum(weight * time_share), 0), coalesce(sum(weight * centres_reachable), 0)
            FROM g GROUP BY g.kind, g.key ORDER BY g.kind, lpad(g.key, 12, '0') NULLS LAST
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
        IReadOnlyList<Group> Of(string kind) => groups.Where(g => g.Kind == kind).Select(g => g.Group).ToList();
        return new Summary(access.ThresholdMinutes, access.MinCentres, access.Percentile, run.Spec.Deprivation,
            groups.Single(g => g.Kind == "overall").Group, Of("lep"), Of("lad"), Of("imd"));
    }
}
