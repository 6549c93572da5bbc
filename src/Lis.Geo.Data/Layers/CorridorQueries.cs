using NpgsqlTypes;

namespace Lis.Geo.Data.Layers;

/// <summary>
/// Corridors as places: which exist, their size, and what lies in one (<c>GET /corridors/{code}/contents</c>),
/// by the one membership rule of <see cref="CorridorMembership"/> that the corridor figures use too.
/// </summary>
public static class CorridorQueries
{
    /// <summary>A zone meeting the corridor; <see cref="ImdDecile"/> is in its zone set's default edition, <see cref="Deprivation"/>.</summary>
    public sealed record ZoneInCorridor(string ZoneSet, string Code, string? Name, int? Population, int? ImdDecile, bool CentroidInside, string? Deprivation);
    public sealed record SiteInCorridor(string Reference, string? Name, int? MinDwellings, int? MaxDwellings, double? Hectares, int? JobsEstimate);
    public sealed record CentreInCorridor(string Code, string Name, string? Kind);
    public sealed record Totals(long Population, int ZonesIntersecting, int ZonesByCentroid, long MinDwellings, long MaxDwellings,
        double HousingHectares, double EmploymentHectares, long Jobs, IReadOnlyDictionary<string, long> PopulationByImdDecile);
    public sealed record CorridorContents(string Code, string Name, double AreaHectares, Totals Totals,
        IReadOnlyList<ZoneInCorridor> Zones, IReadOnlyList<SiteInCorridor> HousingSites, IReadOnlyList<SiteInCorridor> EmploymentSites,
        IReadOnlyList<CentreInCorridor> Centres, string Method);

    /// <summary>How zones count toward totals; returned with every answer so the figure is never misread.</summary>
    public const string Method =
        "Zones are listed when they intersect the corridor. Population is counted by best fit: a zone counts whole when its population-weighted " +
        "centroid lies inside the corridor (ONS best-fit practice; zones without a centroid use their point on surface). Sites and centres count when they intersect the corridor.";

    public static async Task<bool> ExistsAsync(NpgsqlDataSource db, string code, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM corridor WHERE code = $1)");
        cmd.Parameters.Add(new() { Value = code });
        return await cmd.ExecuteScalarAsync(ct) is true;
    }

    /// <summary>The corridor's codes, in order: just <paramref name="code"/> when it exists, every corridor when it is null.</summary>
    public static async Task<List<string>> CodesAsync(NpgsqlDataSource db, string? code, CancellationToken ct)
    {
        var codes = new List<string>();
        await using var cmd = db.CreateCommand("SELECT code FROM corridor WHERE $1::text IS NULL OR code = $1 ORDER BY code");
        cmd.Parameters.Add(new() { Value = (object?)code ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) codes.Add(r.GetString(0));
        return codes;
    }

    /// <summary>The corridor's name and area in hectares (unrounded, on the ellipsoid); null when there is no such corridor.</summary>
    public static async Task<(string Name, double Hectares)?> NameAndAreaAsync(NpgsqlDataSource db, string code, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT name, ST_Area(geom::geography) / 10000 FROM corridor WHERE code = $1");
        cmd.Parameters.Add(new() { Value = code });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetString(0), r.GetDouble(1)) : null;
    }

    /// <summary>
    /// What lies in corridor <paramref name="code"/>, with totals over one zone set (<paramref name="zoneSet"/>, by
    /// default the first the corridor touches) so LSOA 2011 and 2021 never double count the same people; null when there is no such corridor.
    /// </summary>
    public static async Task<CorridorContents?> ContentsAsync(NpgsqlDataSource db, string code, string? zoneSet, CancellationToken ct)
    {
        if (await NameAndAreaAsync(db, code, ct) is not { } corridor) return null;
        var (name, area) = corridor;

        var zones = new List<ZoneInCorridor>();
        await using (var c = db.CreateCommand($"""
            WITH ed AS ({DeprivationJoin.ZoneSetDefaultsCte})
            SELECT z.zone_set_id, z.code, z.name, z.population, d.imd_decile,
                   {CorridorMembership.ZoneInside("k.geom", CorridorMembership.ZonePoint("z"))}, ed.edition
            FROM corridor k JOIN zone z ON ST_Intersects(z.geom, k.geom) JOIN ed ON ed.zone_set_id = z.zone_set_id
            {DeprivationJoin.SqlFor("ed.edition", "z.code")}
            WHERE k.code = $1 AND ($2::text IS NULL OR z.zone_set_id = $2)
            ORDER BY z.zone_set_id, z.code
            """))
        {
            c.Parameters.Add(new NpgsqlParameter { Value = code });
            c.Parameters.Add(new NpgsqlParameter { Value = (object?)zoneSet ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            await using var r = await c.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                zones.Add(new ZoneInCorridor(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2),
                    r.IsDBNull(3) ? null : r.GetInt32(3), r.IsDBNull(4) ? null : r.GetInt32(4), r.GetBoolean(5), r.IsDBNull(6) ? null : r.GetString(6)));
        }
        var housing = await SitesAsync(db, code, "housing_site", "min_dwellings, max_dwellings, hectares, NULL::int", ct);
        var employment = await SitesAsync(db, code, "employment_site", "NULL::int, NULL::int, hectares, jobs_estimate", ct);
        var centres = new List<CentreInCorridor>();
        await using (var c = db.CreateCommand("SELECT c.code, c.name, c.kind FROM corridor k JOIN centre c ON ST_Intersects(c.geom, k.geom) WHERE k.code = $1 ORDER BY c.code"))
        {
            c.Parameters.Add(new NpgsqlParameter { Value = code });
            await using var r = await c.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                centres.Add(new CentreInCorridor(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2)));
        }

        var countedSet = zoneSet ?? zones.Select(z => z.ZoneSet).Order().FirstOrDefault();
        var counted = zones.Where(z => z.ZoneSet == countedSet && z.CentroidInside).ToList();
        var totals = new Totals(
            counted.Sum(z => (long)(z.Population ?? 0)),
            zones.Count(z => z.ZoneSet == countedSet), counted.Count,
            housing.Sum(s => (long)(s.MinDwellings ?? 0)), housing.Sum(s => (long)(s.MaxDwellings ?? 0)),
            housing.Sum(s => s.Hectares ?? 0), employment.Sum(s => s.Hectares ?? 0), employment.Sum(s => (long)(s.JobsEstimate ?? 0)),
            counted.GroupBy(z => z.ImdDecile?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown")
                .OrderBy(g => g.Key.Length).ThenBy(g => g.Key)
                .ToDictionary(g => g.Key, g => g.Sum(z => (long)(z.Population ?? 0))));
        return new CorridorContents(code, name, Math.Round(area, 2), totals, zones, housing, employment, centres, Method);
    }

    private static async Task<List<SiteInCorridor>> SitesAsync(NpgsqlDataSource db, string code, string table, string columns, CancellationToken ct)
    {
        var list = new List<SiteInCorridor>();
        await using var c = db.CreateCommand($"SELECT s.reference, s.name, {columns} FROM corridor k JOIN {table} s ON {CorridorMembership.SiteInside("k.geom", "s.geom")} WHERE k.code = $1 ORDER BY s.reference");
        c.Parameters.Add(new NpgsqlParameter { Value = code });
        await using var r = await c.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new SiteInCorridor(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1),
                r.IsDBNull(2) ? null : r.GetInt32(2), r.IsDBNull(3) ? null : r.GetInt32(3),
                r.IsDBNull(4) ? null : r.GetDouble(4), r.IsDBNull(5) ? null : r.GetInt32(5)));
        return list;
    }
}
