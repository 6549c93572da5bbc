using NpgsqlTypes;
using Lis.Geo.Data.Layers;

namespace Lis.Geo.Data.Analyses;

/// <summary>
/// Corridor runs in the store: what their figures are computed from (the run's zones by membership of the
/// corridor and IMD decile, the corridor's sites, the report map's features), and <c>corridor_analysis</c>,
/// one row per run and corridor with the figures (JSON of Analysis' <c>CorridorFigures</c>, which Data
/// does not know), the report and the map. Only succeeded runs are part of a corridor's history.
/// </summary>
public static class CorridorAnalysisStore
{
    /// <summary>A stored analysis; <see cref="FiguresJson"/> is the figures as written.</summary>
    public sealed record Stored(long RunId, string Code, string Name, DateTimeOffset CreatedAt, long? ScheduleId, string FiguresJson);

    /// <summary>The two documents stored with each analysis.</summary>
    public enum Document { ReportHtml, MapSvg }

    /// <summary>
    /// Analyses of succeeded runs, newest first: of corridor <paramref name="code"/> (any when null),
    /// from run <paramref name="runId"/> and older (or exactly that run).
    /// </summary>
    public static async Task<List<Stored>> RowsAsync(NpgsqlDataSource db, string? code, long? runId, int limit, CancellationToken ct, bool exactRun = false)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT a.run_id, a.corridor_code, a.corridor_name, a.created_at, r.schedule_id, a.figures::text
            FROM corridor_analysis a JOIN analysis_run r ON r.id = a.run_id AND r.state = 'succeeded'
            WHERE ($1::text IS NULL OR a.corridor_code = $1) AND ($2::bigint IS NULL OR a.run_id {(exactRun ? "=" : "<=")} $2)
            ORDER BY a.run_id DESC, a.corridor_code LIMIT $3
            """);
        cmd.Parameters.Add(new() { Value = (object?)code ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = (object?)runId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new() { Value = (long)limit });
        var rows = new List<Stored>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new Stored(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3), r.IsDBNull(4) ? null : r.GetInt64(4), r.GetString(5)));
        return rows;
    }

    /// <summary>The figures of the corridor's analysis from the latest succeeded run before <paramref name="beforeRunId"/>, for the report's "change since".</summary>
    public static async Task<string?> PreviousFiguresAsync(NpgsqlDataSource db, string code, long beforeRunId, CancellationToken ct)
    {
        // Succeeded runs only: a run cancelled or failed after writing its figures is not part of the history.
        await using var cmd = db.CreateCommand("""
            SELECT a.figures::text FROM corridor_analysis a JOIN analysis_run r ON r.id = a.run_id AND r.state = 'succeeded'
            WHERE a.corridor_code = $1 AND a.run_id < $2 ORDER BY a.run_id DESC LIMIT 1
            """);
        cmd.Parameters.Add(new() { Value = code });
        cmd.Parameters.Add(new() { Value = beforeRunId });
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>A document of the corridor's analysis in run <paramref name="runId"/>, when that run succeeded.</summary>
    public static async Task<string?> DocumentAsync(NpgsqlDataSource db, string code, long runId, Document document, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT a.{(document == Document.MapSvg ? "map_svg" : "report_html")} FROM corridor_analysis a JOIN analysis_run r ON r.id = a.run_id AND r.state = 'succeeded'
            WHERE a.corridor_code = $1 AND a.run_id = $2
            """);
        cmd.Parameters.Add(new() { Value = code });
        cmd.Parameters.Add(new() { Value = runId });
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>Writes the corridor's analysis of the run (an upsert, so a retried aggregation rewrites rather than duplicates).</summary>
    public static async Task UpsertAsync(NpgsqlDataSource db, long runId, string code, string name, string figuresJson, string reportHtml, string mapSvg, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO corridor_analysis (run_id, corridor_code, corridor_name, created_at, figures, report_html, map_svg)
            VALUES ($1, $2, $3, now(), $4::jsonb, $5, $6)
            ON CONFLICT (run_id, corridor_code) DO UPDATE SET corridor_name = excluded.corridor_name, created_at = excluded.created_at,
                figures = excluded.figures, report_html = excluded.report_html, map_svg = excluded.map_svg
            """);
        cmd.Parameters.Add(new() { Value = runId });
        cmd.Parameters.Add(new() { Value = code });
        cmd.Parameters.Add(new() { Value = name });
        cmd.Parameters.Add(new() { Value = figuresJson });
        cmd.Parameters.Add(new() { Value = reportHtml });
        cmd.Parameters.Add(new() { Value = mapSvg });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The run's origin zones inside the corridor (centroid in it: ONS best fit) or not, by IMD decile, with sums for the access figures.</summary>
    public sealed record ZoneGroup(bool Inside, int? Decile, int Zones, double Population, double Meeting, double WeightedTimeShare, double WeightedCentres);
    public sealed record HousingTotals(int Sites, long MinDwellings, long MaxDwellings, double Hectares, int SitesPoorlyConnected, long MaxDwellingsPoorlyConnected);
    public sealed record EmploymentTotals(int Sites, double Hectares, long Jobs);
    /// <summary>An employment site within the run's near distance of the corridor, with its catchment in the run (null: not one of the run's sites).</summary>
    public sealed record EmploymentSite(string Reference, string? Name, bool Inside, double DistanceMeters, double? Hectares, int? Jobs,
        double? CatchmentPopulation, double? DeprivedCatchmentPopulation, int? DeprivedRank, int? CentresReachable);

    /// <summary>
    /// <see cref="ZoneGroup"/>s of run <paramref name="runId"/> for the corridor. Float sums in origin order and groups in a
    /// fixed order, so equal runs give bit-identical figures.
    /// </summary>
    public static async Task<List<ZoneGroup>> ZoneGroupsAsync(NpgsqlDataSource db, long runId, string code, string? deprivation, int minCentres, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            WITH o AS (
                SELECT p.index, p.weight, r.centres_reachable, coalesce({Indicators.TimeShare("r")}, 0) AS time_share, d.imd_decile,
                       {CorridorMembership.ZoneInside("k.geom", CorridorMembership.RunPoint("p"))} AS inside
                FROM {RunOrigins.PointsWithResults}
                CROSS JOIN (SELECT geom FROM corridor WHERE code = $2) k
                {DeprivationJoin.Sql(deprivation, "p.code")}
                WHERE {RunOrigins.AreZoneOrigins("$1")})
            SELECT inside, imd_decile, count(*)::int, sum(weight ORDER BY index), coalesce(sum(weight ORDER BY index) FILTER (WHERE {Indicators.MeetsTarget(null, "$3")}), 0),
                   sum(weight * time_share ORDER BY index), sum(weight * centres_reachable ORDER BY index)
            FROM o GROUP BY inside, imd_decile ORDER BY inside, imd_decile NULLS LAST
            """);
        cmd.Parameters.Add(new() { Value = runId });
        cmd.Parameters.Add(new() { Value = code });
        cmd.Parameters.Add(new() { Value = minCentres });
        var groups = new List<ZoneGroup>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            groups.Add(new ZoneGroup(r.GetBoolean(0), r.IsDBNull(1) ? null : r.GetInt32(1), r.GetInt32(2), r.GetDouble(3), r.GetDouble(4), r.GetDouble(5), r.GetDouble(6)));
        return groups;
    }

    /// <summary>The corridor's housing sites, and those standing in a zone of the run that reaches fewer than <paramref name="minCentres"/> centres.</summary>
    public static async Task<HousingTotals> HousingAsync(NpgsqlDataSource db, long runId, string code, string zoneSet, string? deprivation, int minCentres, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT count(*)::int, coalesce(sum(t.min_dwellings), 0)::bigint, coalesce(sum(t.max_dwellings), 0)::bigint, round(coalesce(sum(t.hectares ORDER BY t.id), 0)::numeric, 2)::float8,
                   (count(*) FILTER (WHERE lr.centres_reachable < $2))::int, coalesce(sum(t.max_dwellings) FILTER (WHERE lr.centres_reachable < $2), 0)::bigint
            FROM corridor k JOIN housing_site t ON {CorridorMembership.SiteInside("k.geom", "t.geom")}
            {LayerCatalog.LandJoin(runId, zoneSet, deprivation)}
            WHERE k.code = $1
            """);
        cmd.Parameters.Add(new() { Value = code });
        cmd.Parameters.Add(new() { Value = minCentres });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new HousingTotals(r.GetInt32(0), r.GetInt64(1), r.GetInt64(2), r.GetDouble(3), r.GetInt32(4), r.GetInt64(5));
    }

    public static async Task<EmploymentTotals> EmploymentLandAsync(NpgsqlDataSource db, string code, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT count(*)::int, round(coalesce(sum(t.hectares ORDER BY t.id), 0)::numeric, 2)::float8, coalesce(sum(t.jobs_estimate), 0)::bigint
            FROM corridor k JOIN employment_site t ON {CorridorMembership.SiteInside("k.geom", "t.geom")} WHERE k.code = $1
            """);
        cmd.Parameters.Add(new() { Value = code });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new EmploymentTotals(r.GetInt32(0), r.GetDouble(1), r.GetInt64(2));
    }

    /// <summary>Employment sites within <paramref name="nearMeters"/> of the corridor, most deprived catchment first.</summary>
    public static async Task<List<EmploymentSite>> EmploymentSitesAsync(NpgsqlDataSource db, long runId, string code, double nearMeters, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT t.reference, t.name, {CorridorMembership.SiteInside("k.geom", "t.geom")}, ST_Distance(t.geom::geography, k.geom::geography), t.hectares, t.jobs_estimate,
                   sr.catchment_population, sr.deprived_catchment_population, sr.deprived_rank, sor.centres_reachable
            FROM corridor k JOIN employment_site t ON ST_DWithin(t.geom::geography, k.geom::geography, $3)
            LEFT JOIN analysis_point p ON p.run_id = $1 AND NOT p.is_origin AND p.kind = 'site' AND p.code = t.reference
            LEFT JOIN analysis_site_result sr ON sr.run_id = p.run_id AND sr.site_index = p.index
            {RunOrigins.SiteAccessJoin("$1", "t.reference")}
            WHERE k.code = $2
            ORDER BY sr.deprived_rank NULLS LAST, t.reference
            """);
        cmd.Parameters.Add(new() { Value = runId });
        cmd.Parameters.Add(new() { Value = code });
        cmd.Parameters.Add(new() { Value = nearMeters });
        var sites = new List<EmploymentSite>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            sites.Add(new EmploymentSite(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetBoolean(2), r.GetDouble(3),
                r.IsDBNull(4) ? null : r.GetDouble(4), r.IsDBNull(5) ? null : r.GetInt32(5), r.IsDBNull(6) ? null : r.GetDouble(6),
                r.IsDBNull(7) ? null : r.GetDouble(7), r.IsDBNull(8) ? null : r.GetInt32(8), r.IsDBNull(9) ? null : r.GetInt32(9)));
        return sites;
    }

    /// <summary>The report map's features: what is drawn (simplified to about <see cref="MapFrame.Tolerance"/>), its name, and for zones the bivariate class.</summary>
    public sealed record MapShape(Geometry Geometry, string Name, string? Class = null);

    /// <summary>The corridor with a 15% margin around it, in WGS84 degrees, and the simplification tolerance for a map <paramref name="pixels"/> wide (its longer side).</summary>
    public sealed record MapFrame(Envelope Extent, double Tolerance);

    public static async Task<MapFrame> MapFrameAsync(NpgsqlDataSource db, string code, int pixels, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
            FROM (SELECT ST_Expand(ST_Envelope(geom), greatest(ST_XMax(geom) - ST_XMin(geom), ST_YMax(geom) - ST_YMin(geom)) * 0.15) e FROM corridor WHERE code = $1) x
            """);
        cmd.Parameters.Add(new() { Value = code });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var extent = new Envelope(r.GetDouble(0), r.GetDouble(2), r.GetDouble(1), r.GetDouble(3));
        return new MapFrame(extent, Math.Max(extent.Width, extent.Height) / pixels);
    }

    /// <summary>The run's zones in the frame with their bivariate class (<see cref="BivariateClasses.ClassSql"/>).</summary>
    public static Task<List<MapShape>> MapZonesAsync(NpgsqlDataSource db, long runId, string zoneSet, string? deprivation, int minCentres, MapFrame frame, CancellationToken ct) =>
        ShapesAsync(db, $"""
            SELECT ST_SimplifyPreserveTopology(z.geom, $5), z.code, {BivariateClasses.ClassSql(minCentres)}
            FROM {RunOrigins.PointsWithResults}
            JOIN zone z ON z.zone_set_id = '{LayerCatalog.SafeZoneSet(zoneSet)}' AND z.code = p.code
            {DeprivationJoin.Sql(deprivation, "z.code")}
            WHERE {RunOrigins.AreZoneOrigins("$6")} AND ST_Intersects(z.geom, {FrameSql})
            """, frame, runId, ct);

    public static Task<List<MapShape>> MapCorridorAsync(NpgsqlDataSource db, string code, CancellationToken ct) =>
        ShapesAsync(db, "SELECT geom, name FROM corridor WHERE code = $1", null, code, ct);

    /// <summary>Housing and employment sites (their point on surface, labelled by name or reference) and centres in the frame.</summary>
    public static async Task<(List<MapShape> Housing, List<MapShape> Employment, List<MapShape> Centres)> MapPlacesAsync(NpgsqlDataSource db, MapFrame frame, CancellationToken ct) =>
        (await ShapesAsync(db, $"SELECT ST_PointOnSurface(geom), coalesce(name, reference) FROM housing_site WHERE ST_Intersects(geom, {FrameSql})", frame, null, ct),
         await ShapesAsync(db, $"SELECT ST_PointOnSurface(geom), coalesce(name, reference) FROM employment_site WHERE ST_Intersects(geom, {FrameSql})", frame, null, ct),
         await ShapesAsync(db, $"SELECT geom, name FROM centre WHERE ST_Intersects(geom, {FrameSql})", frame, null, ct));

    private const string FrameSql = "ST_MakeEnvelope($1, $2, $3, $4, 4326)";

    /// <summary>
    /// Rows of (geometry, name[, class]). With a frame, $1–$4 are its extent and $5 the tolerance, and <paramref name="arg"/>
    /// is $6; without, <paramref name="arg"/> is $1. Only the parameters the SQL names are bound.
    /// </summary>
    private static async Task<List<MapShape>> ShapesAsync(NpgsqlDataSource db, string sql, MapFrame? frame, object? arg, CancellationToken ct)
    {
        var args = new List<object>();
        if (frame is { Extent: var e }) args.AddRange([e.MinX, e.MinY, e.MaxX, e.MaxY, frame.Tolerance]);
        if (arg is not null) args.Add(arg);
        await using var cmd = db.CreateCommand(sql);
        var used = Enumerable.Range(1, args.Count).Where(i => sql.Contains($"${i}", StringComparison.Ordinal)).DefaultIfEmpty(0).Max();
        for (var i = 0; i < used; i++) cmd.Parameters.Add(new NpgsqlParameter { Value = args[i] });
        var shapes = new List<MapShape>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            shapes.Add(new MapShape(r.GetFieldValue<Geometry>(0), r.GetString(1), r.FieldCount > 2 ? r.GetString(2) : null));
        return shapes;
    }
}
