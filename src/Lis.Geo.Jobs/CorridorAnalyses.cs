using Lis.Geo.Data;
using System.Text.Json;
using Lis.Geo.Analysis.Reports;
using Lis.Geo.Data.Layers;
using Lis.Geo.Data.Model;
using NetTopologySuite.Geometries;
using Npgsql;

namespace Lis.Geo.Jobs;

/// <summary>
/// The corridor part of a corridor run's aggregation: for the run's corridor (or every corridor) the
/// figures of <see cref="CorridorFigures"/>, computed in PostGIS from the run's stored results, then the
/// map and the one-page report, all stored in <c>corridor_analysis</c> (an upsert, so a retried
/// aggregation rewrites rather than duplicates).
/// </summary>
public static class CorridorAnalyses
{
    /// <summary>Writes every corridor's analysis; returns the corridors that failed (when more than one was asked for), with why.</summary>
    public static async Task<IReadOnlyList<string>> WriteAsync(NpgsqlDataSource db, AnalysisRun run, CancellationToken ct)
    {
        var codes = new List<string>();
        await using (var cmd = db.CreateCommand("SELECT code FROM corridor WHERE $1::text IS NULL OR code = $1 ORDER BY code"))
        {
            cmd.Parameters.Add(new() { Value = (object?)run.Spec.Corridor ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) codes.Add(r.GetString(0));
        }
        var failures = new List<string>();
        foreach (var code in codes)
        {
            try { await WriteOneAsync(db, run, code, ct); }
            catch (Exception e) when (e is not OperationCanceledException && codes.Count > 1)
            {
                // One corridor's failure (say, a geometry PostGIS cannot measure) must not cost the others
                // or the run's zone results; it is reported on the run instead.
                failures.Add($"corridor {code}: {e.Message}");
            }
        }
        return failures;
    }

    private static async Task WriteOneAsync(NpgsqlDataSource db, AnalysisRun run, string code, CancellationToken ct)
    {
        var figures = await FiguresAsync(db, run, code, ct);
        if (figures is null) return; // deleted since the run was queued
        var previous = await PreviousAsync(db, code, run.Id, ct);
        var map = await MapAsync(db, run, code, ct);
        var change = previous is null ? null : CorridorChange.Between(previous, figures);
        var html = CorridorReport.Render(figures, map, change, DateTimeOffset.UtcNow);
        await using var cmd = db.CreateCommand("""
            INSERT INTO corridor_analysis (run_id, corridor_code, corridor_name, created_at, figures, report_html, map_svg)
            VALUES ($1, $2, $3, now(), $4::jsonb, $5, $6)
            ON CONFLICT (run_id, corridor_code) DO UPDATE SET corridor_name = excluded.corridor_name, created_at = excluded.created_at,
                figures = excluded.figures, report_html = excluded.report_html, map_svg = excluded.map_svg
            """);
        cmd.Parameters.Add(new() { Value = run.Id });
        cmd.Parameters.Add(new() { Value = code });
        cmd.Parameters.Add(new() { Value = figures.Name });
        cmd.Parameters.Add(new() { Value = JsonSerializer.Serialize(figures, AnalysisPlanner.Json) });
        cmd.Parameters.Add(new() { Value = html });
        cmd.Parameters.Add(new() { Value = map });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The corridor's analysis from the latest earlier run, for the report's "change since".</summary>
    public static async Task<CorridorFigures?> PreviousAsync(NpgsqlDataSource db, string code, long beforeRunId, CancellationToken ct)
    {
        // Succeeded runs only: a run cancelled or failed after writing its figures is not part of the history.
        await using var cmd = db.CreateCommand("""
            SELECT a.figures::text FROM corridor_analysis a JOIN analysis_run r ON r.id = a.run_id AND r.state = 'succeeded'
            WHERE a.corridor_code = $1 AND a.run_id < $2 ORDER BY a.run_id DESC LIMIT 1
            """);
        cmd.Parameters.Add(new() { Value = code });
        cmd.Parameters.Add(new() { Value = beforeRunId });
        return await cmd.ExecuteScalarAsync(ct) is string json ? JsonSerializer.Deserialize<CorridorFigures>(json, AnalysisPlanner.Json) : null;
    }

    private static async Task<CorridorFigures?> FiguresAsync(NpgsqlDataSource db, AnalysisRun run, string code, CancellationToken ct)
    {
        var spec = run.Spec;
        var (routing, access) = (spec.Routing, spec.Access);
        await using var conn = await db.OpenConnectionAsync(ct);
        string name;
        double hectares;
        await using (var cmd = Command(conn, "SELECT name, ST_Area(geom::geography) / 10000 FROM corridor WHERE code = $2", run.Id, code))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return null;
            (name, hectares) = (r.GetString(0), r.GetDouble(1));
        }

        // Every zone of the run, inside (centroid in the corridor: ONS best fit) or not, by IMD decile.
        var groups = new List<(bool Inside, int? Decile, int Zones, double Population, double Meeting, double TimeShare, double Centres)>();
        await using (var cmd = Command(conn, $"""
            WITH o AS (
                SELECT p.weight, r.centres_reachable, coalesce(r.departures_meeting_target::float8 / nullif(r.departures, 0), 0) AS time_share, d.imd_decile,
                       {CorridorMembership.ZoneInside("k.geom", CorridorMembership.RunPoint("p"))} AS inside
                FROM analysis_point p JOIN analysis_origin_result r ON r.run_id = p.run_id AND r.origin_index = p.index
                CROSS JOIN (SELECT geom FROM corridor WHERE code = $2) k
                {DeprivationJoin.Sql(spec.Deprivation, "p.code")}
                WHERE p.run_id = $1 AND p.is_origin AND p.kind = 'zone')
            SELECT inside, imd_decile, count(*)::int, sum(weight), coalesce(sum(weight) FILTER (WHERE centres_reachable >= $4), 0),
                   sum(weight * time_share), sum(weight * centres_reachable)
            FROM o GROUP BY inside, imd_decile
            """, run.Id, code, spec.ZoneSet, access.MinCentres))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                groups.Add((r.GetBoolean(0), r.IsDBNull(1) ? null : r.GetInt32(1), r.GetInt32(2), r.GetDouble(3), r.GetDouble(4), r.GetDouble(5), r.GetDouble(6)));
        AccessGroup Access(bool inside)
        {
            var g = groups.Where(x => x.Inside == inside).ToList();
            return AccessGroup.Of(g.Sum(x => x.Zones), g.Sum(x => x.Population), g.Sum(x => x.Meeting), g.Sum(x => x.TimeShare), g.Sum(x => x.Centres));
        }
        var residents = Residents.From(groups.Where(x => x.Inside).Select(x => (x.Decile, x.Zones, x.Population)).ToList());

        Housing housing;
        await using (var cmd = Command(conn, $"""
            SELECT count(*)::int, coalesce(sum(t.min_dwellings), 0)::bigint, coalesce(sum(t.max_dwellings), 0)::bigint, round(coalesce(sum(t.hectares), 0)::numeric, 2)::float8,
                   (count(*) FILTER (WHERE lr.centres_reachable < $3))::int, coalesce(sum(t.max_dwellings) FILTER (WHERE lr.centres_reachable < $3), 0)::bigint
            FROM corridor k JOIN housing_site t ON {CorridorMembership.SiteInside("k.geom", "t.geom")}
            {LayerCatalog.LandJoin(run.Id, spec.ZoneSet, spec.Deprivation)}
            WHERE k.code = $2
            """, run.Id, code, access.MinCentres))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            housing = new Housing(r.GetInt32(0), r.GetInt64(1), r.GetInt64(2), r.GetDouble(3), r.GetInt32(4), r.GetInt64(5));
        }

        EmploymentLand land;
        await using (var cmd = Command(conn, $"""
            SELECT count(*)::int, round(coalesce(sum(t.hectares), 0)::numeric, 2)::float8, coalesce(sum(t.jobs_estimate), 0)::bigint
            FROM corridor k JOIN employment_site t ON {CorridorMembership.SiteInside("k.geom", "t.geom")} WHERE k.code = $2
            """, run.Id, code))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            land = new EmploymentLand(r.GetInt32(0), r.GetDouble(1), r.GetInt64(2));
        }

        var sites = new List<EmploymentSiteCatchment>();
        await using (var cmd = Command(conn, $"""
            SELECT t.reference, t.name, {CorridorMembership.SiteInside("k.geom", "t.geom")}, ST_Distance(t.geom::geography, k.geom::geography), t.hectares, t.jobs_estimate,
                   sr.catchment_population, sr.deprived_catchment_population, sr.deprived_rank, sor.centres_reachable
            FROM corridor k JOIN employment_site t ON ST_DWithin(t.geom::geography, k.geom::geography, $3)
            LEFT JOIN analysis_point p ON p.run_id = $1 AND NOT p.is_origin AND p.kind = 'site' AND p.code = t.reference
            LEFT JOIN analysis_site_result sr ON sr.run_id = p.run_id AND sr.site_index = p.index
            LEFT JOIN analysis_point so ON so.run_id = $1 AND so.is_origin AND so.kind = 'site' AND so.code = t.reference
            LEFT JOIN analysis_origin_result sor ON sor.run_id = so.run_id AND sor.origin_index = so.index
            WHERE k.code = $2
            ORDER BY sr.deprived_rank NULLS LAST, t.reference
            """, run.Id, code, (double)spec.NearMeters!.Value))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                sites.Add(new EmploymentSiteCatchment(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetBoolean(2), Math.Round(r.GetDouble(3), 1),
                    r.IsDBNull(4) ? null : r.GetDouble(4), r.IsDBNull(5) ? null : r.GetInt32(5), r.IsDBNull(6) ? null : r.GetDouble(6),
                    r.IsDBNull(7) ? null : r.GetDouble(7), r.IsDBNull(8) ? null : r.GetInt32(8), r.IsDBNull(9) ? null : r.GetInt32(9)));

        return new CorridorFigures(code, name, Math.Round(hectares, 2), run.Id, spec.ServiceDate.ToString("yyyy-MM-dd"),
            // Departure windows keep their established text (runs compare it); arrival windows say so.
            $"{(routing.WindowKind == Lis.Geo.Transit.Routing.WindowKind.Arrival ? CorridorFigures.ArrivalPrefix : "")}{Clock(routing.Window.StartSeconds)}–{Clock(routing.Window.EndSeconds)}",
            access.ThresholdMinutes, access.MinCentres, access.Percentile, spec.NearMeters!.Value, spec.ZoneSet,
            // Every feed routed on: two runs on different feed sets are not comparable, even when their first feeds agree.
            string.Join("+", spec.Feeds.Select(f => f.Sha256)), $"{run.DestinationSet}@{run.DestinationVersion}", spec.RoutingFingerprint,
            residents, housing, land, AccessComparison.Of(Access(true), Access(false)), sites, CorridorFigures.MethodText)
        {
            Deprivation = spec.Deprivation,
            DeprivationName = DeprivationJoin.Label(spec.Deprivation),
        };
    }

    /// <summary>
    /// The report map: the corridor with a margin around it, zones coloured by the overlay's bivariate
    /// class, housing and employment sites, centres. Geometries are simplified to about a pixel.
    /// </summary>
    private static async Task<string> MapAsync(NpgsqlDataSource db, AnalysisRun run, string code, CancellationToken ct)
    {
        var access = run.Spec.Access;
        const int width = 760, height = 280;
        await using var conn = await db.OpenConnectionAsync(ct);
        Envelope extent;
        double tolerance;
        await using (var cmd = Command(conn, """
            SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
            FROM (SELECT ST_Expand(ST_Envelope(geom), greatest(ST_XMax(geom) - ST_XMin(geom), ST_YMax(geom) - ST_YMin(geom)) * 0.15) e FROM corridor WHERE code = $2) x
            """, run.Id, code))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            extent = new Envelope(r.GetDouble(0), r.GetDouble(2), r.GetDouble(1), r.GetDouble(3));
            tolerance = Math.Max(extent.Width, extent.Height) / Math.Max(width, height);
        }
        var legend = BivariateClasses.Legend(access.MinCentres, access.ThresholdMinutes);
        var colours = legend.ToDictionary(l => l.Class, l => l.Colour);
        var features = new List<MapFeature>();
        var classesShown = new HashSet<string>();
        var envelope = "ST_MakeEnvelope($3, $4, $5, $6, 4326)";
        object[] args = [run.Id, code, extent.MinX, extent.MinY, extent.MaxX, extent.MaxY, tolerance];

        await using (var cmd = Command(conn, $"""
            SELECT ST_SimplifyPreserveTopology(z.geom, $7), z.code, {BivariateClasses.ClassSql(access.MinCentres)}
            FROM analysis_point p JOIN analysis_origin_result r ON r.run_id = p.run_id AND r.origin_index = p.index
            JOIN zone z ON z.zone_set_id = '{LayerCatalog.SafeZoneSet(run.Spec.ZoneSet)}' AND z.code = p.code
            {DeprivationJoin.Sql(run.Spec.Deprivation, "z.code")}
            WHERE p.run_id = $1 AND p.is_origin AND p.kind = 'zone' AND ST_Intersects(z.geom, {envelope})
            """, args))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                var zoneClass = r.GetString(2);
                classesShown.Add(zoneClass);
                features.Add(new MapFeature(r.GetFieldValue<Geometry>(0), new MapStyle(colours[zoneClass], "#ffffff", 0.3, 0.9), $"{r.GetString(1)}: {zoneClass}"));
            }

        var corridorStyle = new MapStyle("none", "#111111", 2.2, 0);
        await using (var cmd = Command(conn, "SELECT geom, name FROM corridor WHERE code = $2", args))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                features.Add(new MapFeature(r.GetFieldValue<Geometry>(0), corridorStyle, r.GetString(1)));

        var housingStyle = new MapStyle("#ffd92f", "#5a4a00", 0.8, 1, 3.5);
        var employmentStyle = new MapStyle("#7b3294", "#ffffff", 0.8, 1, 4.5);
        var centreStyle = new MapStyle("#000000", "#ffffff", 1, 1, 3);
        foreach (var (sql, style, labelled) in new[]
                 {
                     ($"SELECT ST_PointOnSurface(geom), coalesce(name, reference) FROM housing_site WHERE ST_Intersects(geom, {envelope})", housingStyle, false),
                     ($"SELECT ST_PointOnSurface(geom), coalesce(name, reference) FROM employment_site WHERE ST_Intersects(geom, {envelope})", employmentStyle, false),
                     ($"SELECT geom, name FROM centre WHERE ST_Intersects(geom, {envelope})", centreStyle, true),
                 })
        {
            await using var cmd = Command(conn, sql, args);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                features.Add(new MapFeature(r.GetFieldValue<Geometry>(0), style, r.GetString(1), labelled ? r.GetString(1) : null));
        }

        List<LegendItem> items =
        [
            .. legend.Where(l => classesShown.Contains(l.Class)).Select(l => new LegendItem(l.Label, new MapStyle(l.Colour, "#999999", 0.3, 0.9))),
            new("Corridor", corridorStyle),
            new("Housing site", housingStyle, IsPoint: true),
            new("Employment site", employmentStyle, IsPoint: true),
            new("Centre", centreStyle, IsPoint: true),
        ];
        return SvgMap.Render(extent, features, items, width, height, "Contains OS data © Crown copyright and database right");
    }

    /// <summary>07:00 rather than 07:00:00: windows are whole minutes.</summary>
    private static string Clock(int seconds) => FormattableString.Invariant($"{seconds / 3600:00}:{seconds % 3600 / 60:00}");

    /// <summary>
    /// A command whose SQL uses some of <paramref name="args"/> as $1, $2, …: the arguments up to the highest
    /// one referenced are bound. Unreferenced ones below it are harmless because Npgsql sends each
    /// parameter's type, so PostgreSQL never has to infer it.
    /// </summary>
    private static NpgsqlCommand Command(NpgsqlConnection conn, string sql, params object[] args)
    {
        var cmd = new NpgsqlCommand(sql, conn);
        var used = Enumerable.Range(1, args.Length).Where(i => sql.Contains($"${i}", StringComparison.Ordinal)).DefaultIfEmpty(0).Max();
        for (var i = 0; i < used; i++) cmd.Parameters.Add(new NpgsqlParameter { Value = args[i] });
        return cmd;
    }
}
