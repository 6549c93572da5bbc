namespace Lis.Geo.Data.Layers;

/// <summary>Which LEPs, local authority, zones (with deprivation) and corridors a point lies in: the store's answer behind <c>GET /lookup</c>.</summary>
public static class PointLookup
{
    public sealed record Named(string Code, string Name);
    public sealed record Authority(string Code, string Name, IReadOnlyList<Named> Leps);
    /// <summary>A zone the point is in, with its deprivation in its zone set's default edition (<see cref="Deprivation"/>).</summary>
    public sealed record ZoneHit(string ZoneSet, string Code, string? Name, int? Population, int? ImdDecile, int? ImdRank, double? ImdScore, string? Deprivation);
    public sealed record Result(double Lon, double Lat, IReadOnlyList<Named> Leps, Authority? LocalAuthority, IReadOnlyList<ZoneHit> Zones, IReadOnlyList<Named> Corridors, string? Note);

    /// <summary>One round trip: each boundary layer contributes rows tagged with its kind.</summary>
    public static async Task<Result> FindAsync(NpgsqlDataSource db, double lon, double lat, CancellationToken ct)
    {
        var sql = $"""
            WITH p AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326) g), ed AS ({DeprivationJoin.ZoneSetDefaultsCte})
            SELECT 'lep', code, name, NULL::int, NULL::int, NULL::int, NULL::float8, NULL::text FROM lep, p WHERE ST_Intersects(geom, p.g)
            UNION ALL
            SELECT 'lad', la.code, la.name, NULL, NULL, NULL, NULL, NULL FROM local_authority la, p WHERE ST_Intersects(la.geom, p.g)
            UNION ALL
            SELECT 'zone:' || z.zone_set_id, z.code, z.name, z.population, d.imd_decile, d.imd_rank, d.imd_score, ed.edition
            FROM zone z JOIN ed ON ed.zone_set_id = z.zone_set_id {DeprivationJoin.SqlFor("ed.edition", "z.code")}, p
            WHERE ST_Intersects(z.geom, p.g)
            UNION ALL
            SELECT 'corridor', code, name, NULL, NULL, NULL, NULL, NULL FROM corridor, p WHERE ST_Intersects(geom, p.g)
            UNION ALL
            SELECT 'membership', m.lep_code, m.lep_name, NULL, NULL, NULL, NULL, m.lad_code
            FROM lep_membership m JOIN local_authority la ON la.code = m.lad_code, p WHERE ST_Intersects(la.geom, p.g)
            """;
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = lon });
        cmd.Parameters.Add(new NpgsqlParameter { Value = lat });
        var leps = new List<Named>();
        var corridors = new List<Named>();
        var zones = new List<ZoneHit>();
        var memberships = new List<Named>();
        Named? lad = null;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var kind = r.GetString(0);
                var named = new Named(r.GetString(1), r.IsDBNull(2) ? r.GetString(1) : r.GetString(2));
                switch (kind)
                {
                    case "lep": leps.Add(named); break;
                    case "lad": lad = named; break;
                    case "corridor": corridors.Add(named); break;
                    case "membership": memberships.Add(named); break;
                    default:
                        zones.Add(new ZoneHit(kind["zone:".Length..], named.Code, named.Name,
                            r.IsDBNull(3) ? null : r.GetInt32(3), r.IsDBNull(4) ? null : r.GetInt32(4),
                            r.IsDBNull(5) ? null : r.GetInt32(5), r.IsDBNull(6) ? null : r.GetDouble(6), r.IsDBNull(7) ? null : r.GetString(7)));
                        break;
                }
            }
        }
        var note = lad is null && zones.Count == 0 ? "The point is outside every boundary loaded in this store." : null;
        return new Result(lon, lat, leps, lad is null ? null : new Authority(lad.Code, lad.Name, memberships), zones, corridors, note);
    }

    /// <summary>
    /// The point on surface of the site or centre whose <paramref name="key"/> column is <paramref name="reference"/> in
    /// <paramref name="table"/> (both interpolated, so only the place tables and their keys pass), the point a polygon
    /// is routed from (ACCESSIBILITY.md); null when there is no such place.
    /// </summary>
    public static async Task<(double Lon, double Lat)?> PlacePointAsync(NpgsqlDataSource db, string table, string key, string reference, CancellationToken ct)
    {
        if ((table, key) is not (("housing_site" or "employment_site", "reference") or ("centre", "code")))
            throw new ArgumentException($"Not a place table and key: {table}.{key}.", nameof(table));
        await using var cmd = db.CreateCommand($"SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM {table} WHERE {key} = $1) x");
        cmd.Parameters.Add(new NpgsqlParameter { Value = reference });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetDouble(0), r.GetDouble(1)) : null;
    }

    /// <summary>The centroids of a zone set's zones that have one, by code.</summary>
    public static async Task<List<(string Code, Lis.Geo.Transit.Walking.GeoPoint Point)>> ZoneCentroidsAsync(NpgsqlDataSource db, string zoneSet, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT code, ST_Y(centroid), ST_X(centroid) FROM zone WHERE zone_set_id = $1 AND centroid IS NOT NULL ORDER BY code
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = zoneSet });
        var zones = new List<(string, Lis.Geo.Transit.Walking.GeoPoint)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) zones.Add((r.GetString(0), new Lis.Geo.Transit.Walking.GeoPoint(r.GetDouble(1), r.GetDouble(2))));
        return zones;
    }
}
