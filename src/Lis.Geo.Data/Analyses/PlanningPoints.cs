namespace Lis.Geo.Data.Analyses;

/// <summary>
/// The points a run is planned over, as the store holds them now: zones at their population-weighted
/// centroids, centres, and sites at their point on surface. The planner freezes them into the run
/// (<see cref="RunStore.AddAsync"/>), so chunks and re-reads agree whatever the store holds later.
/// </summary>
public static class PlanningPoints
{
    /// <summary>An origin or destination: <see cref="Kind"/> is one of <see cref="PointKind"/>; an origin's <see cref="Weight"/> is its population.</summary>
    public sealed record Point(string Kind, string Code, string? Name, double Lon, double Lat, double Weight);

    /// <summary>The zones of <paramref name="zoneSet"/> that have a centroid, by code, weighted by their population (0 when unknown).</summary>
    public static Task<List<Point>> ZonesAsync(NpgsqlDataSource db, string zoneSet, CancellationToken ct) =>
        ReadAsync(db, PointKind.Zone, """
            SELECT code, name, ST_X(centroid), ST_Y(centroid), coalesce(population, 0)::float8 FROM zone
            WHERE zone_set_id = $1 AND centroid IS NOT NULL ORDER BY code
            """, zoneSet, ct);

    /// <summary>The centres (of <paramref name="kind"/>, or all), by code.</summary>
    public static Task<List<Point>> CentresAsync(NpgsqlDataSource db, string? kind, CancellationToken ct) =>
        ReadAsync(db, PointKind.Centre, """
            SELECT code, name, ST_X(geom), ST_Y(geom), 1.0 FROM centre WHERE $1::text IS NULL OR kind = $1 ORDER BY code
            """, kind, ct);

    /// <summary>
    /// The sites of <paramref name="siteSet"/> (a key of <see cref="AnalysisTypes.SiteTables"/>), or only
    /// <paramref name="reference"/>, by reference; weight 0, as sites have no residents. A polygon site is
    /// reached at its point on surface (ACCESSIBILITY.md, destinations).
    /// </summary>
    public static Task<List<Point>> SitesAsync(NpgsqlDataSource db, string siteSet, string? reference, CancellationToken ct) =>
        ReadAsync(db, PointKind.Site, $"""
            SELECT reference, name, ST_X(p), ST_Y(p), 0.0 FROM (SELECT reference, name, ST_PointOnSurface(geom) p FROM {AnalysisTypes.SiteTables[siteSet]} WHERE $1::text IS NULL OR reference = $1) s ORDER BY reference
            """, reference, ct);

    /// <summary>Points of <paramref name="kind"/> from <paramref name="sql"/>, with <paramref name="parameter"/> bound as $1 (text).</summary>
    private static async Task<List<Point>> ReadAsync(NpgsqlDataSource db, string kind, string sql, string? parameter, CancellationToken ct)
    {
        var list = new List<Point>();
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)parameter ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new Point(kind, r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4)));
        return list;
    }
}
