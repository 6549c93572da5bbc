namespace Lis.Geo.Data.Analyses;

/// <summary>
/// Each site's catchment in a run with sites as destinations: the zones whose travel time to the
/// site at the run's percentile is within the threshold, their population, the part in the 20% most
/// deprived LSOAs (deciles 1–2 of the run's deprivation edition, <see cref="RunSpec.Deprivation"/>),
/// and the sites' rank by that deprived population. Written once by the aggregation
/// (an upsert, so a retried aggregation rewrites the same rows) and read by the sites layer.
/// </summary>
public static class SiteCatchments
{
    /// <remarks>Populations are summed in origin order (<c>ORDER BY o.index</c>) so equal runs give bit-identical catchments.</remarks>
    public static async Task WriteAsync(NpgsqlDataSource db, AnalysisRun run, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            INSERT INTO analysis_site_result (run_id, site_index, catchment_zones, catchment_population, deprived_catchment_population, deprived_rank)
            SELECT run_id, site_index, zones, population, deprived, rank() OVER (ORDER BY deprived DESC)::int
            FROM (
                SELECT s.run_id, s.index AS site_index, count(o.index)::int AS zones, coalesce(sum(o.weight ORDER BY o.index), 0) AS population,
                       coalesce(sum(o.weight ORDER BY o.index) FILTER (WHERE {Indicators.MostDeprived20("dep")}), 0) AS deprived
                FROM analysis_point s
                LEFT JOIN analysis_pair_result pr ON pr.run_id = s.run_id AND pr.destination_index = s.index AND pr.percentiles[$2] <= $3
                LEFT JOIN analysis_point o ON {RunOrigins.AreZoneOrigins("pr.run_id", "o")} AND o.index = pr.origin_index
                {DeprivationJoin.Sql(run.Spec.Deprivation, "o.code", "dep")}
                WHERE s.run_id = $1 AND NOT s.is_origin AND s.kind = 'site'
                GROUP BY s.run_id, s.index) c
            ON CONFLICT (run_id, site_index) DO UPDATE SET catchment_zones = excluded.catchment_zones, catchment_population = excluded.catchment_population,
                deprived_catchment_population = excluded.deprived_catchment_population, deprived_rank = excluded.deprived_rank
            """);
        cmd.Parameters.Add(new() { Value = run.Id });
        cmd.Parameters.Add(new() { Value = run.Spec.PercentilePosition });
        cmd.Parameters.Add(new() { Value = run.Spec.Access.ThresholdSeconds });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
