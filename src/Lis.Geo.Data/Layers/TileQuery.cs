using System.Globalization;
using System.Text;

namespace Lis.Geo.Data.Layers;

/// <summary>
/// Renders one Mapbox Vector Tile (WebMercatorQuad z/x/y) of a <see cref="Layer"/> in PostGIS with
/// <c>ST_AsMVTGeom</c> / <c>ST_AsMVT</c>, so a browser map draws thousands of zones or stops without
/// downloading every feature. The tile's envelope is transformed to the storage CRS (EPSG:4326), never
/// the column, so the GiST index picks the features; only those are projected to Web Mercator.
/// </summary>
public static class TileQuery
{
    /// <summary>Tile coordinate space (the MVT default): 4,096 units per tile side.</summary>
    public const int Extent = 4096;

    /// <summary>Units of buffer around the tile, so strokes and point symbols at tile edges are not cut off.</summary>
    public const int Buffer = 64;

    /// <summary>Deepest zoom served; by then one tile unit is a few centimetres.</summary>
    public const int MaxZoom = 22;

    /// <summary>The MVT attribute carrying the feature's OGC id (MVT feature ids must be integers; ours are codes).</summary>
    public const string IdAttribute = "id";

    private const double WebMercatorSize = 2 * Math.PI * 6_378_137;

    /// <summary>
    /// Simplification tolerance at zoom <paramref name="z"/>, in Web Mercator metres: half a tile unit,
    /// below what a screen can show at that zoom, so polygons and lines shed vertices where they are
    /// drawn small and keep every vertex up close. Points are never simplified.
    /// </summary>
    public static double Tolerance(int z) => WebMercatorSize / (1L << z) / Extent / 2;

    /// <summary>
    /// The tile as MVT bytes (empty when no feature touches it). The tile holds one layer named after
    /// the collection id, with every property of the layer plus <see cref="IdAttribute"/>.
    /// </summary>
    public static async Task<byte[]> RenderAsync(NpgsqlDataSource db, Layer layer, int z, int x, int y, CancellationToken ct)
    {
        var tolerance = Tolerance(z).ToString("R", CultureInfo.InvariantCulture);
        var margin = ((double)Buffer / Extent).ToString("R", CultureInfo.InvariantCulture);
        var projected = $"ST_Transform({layer.GeometrySql}, 3857)";
        // ST_Simplify keeps a polygon or line that would collapse (preserveCollapsed), so a small zone stays clickable.
        var simplified = layer.GeometryType == "Point" ? projected : $"ST_Simplify({projected}, {tolerance}, true)";
        var columns = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"ST_AsMVTGeom({simplified}, b.env, {Extent}, {Buffer}, true) AS mvt_geom")
            .Append(CultureInfo.InvariantCulture, $", ({layer.IdSql})::text AS \"{IdAttribute}\"");
        foreach (var p in layer.Properties.Where(p => p.Name != IdAttribute))
            columns.Append(", (").Append(p.Sql).Append(")::").Append(SqlType(p.Type)).Append(" AS \"").Append(p.Name).Append('"');
        var where = new List<string> { $"{layer.GeometrySql} && b.env4326", $"ST_Intersects({layer.GeometrySql}, b.env4326)" };
        if (layer.Where is not null) where.Insert(0, $"({layer.Where})");
        var sql = $"""
            WITH b AS (SELECT ST_TileEnvelope($1, $2, $3) AS env, ST_Transform(ST_TileEnvelope($1, $2, $3, margin => {margin}), 4326) AS env4326),
            f AS (SELECT {columns} FROM {layer.From} CROSS JOIN b WHERE {string.Join(" AND ", where)})
            SELECT coalesce(ST_AsMVT(f, $4, {Extent}, 'mvt_geom'), ''::bytea) FROM f WHERE mvt_geom IS NOT NULL
            """;
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = z });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = x });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = y });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = layer.Id });
        return (byte[])(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// ST_AsMVT writes only booleans, integers, floats and text as typed values (anything else, such as
    /// numeric, as text), so each property is cast to the MVT type its declared JSON type needs.
    /// </summary>
    private static string SqlType(PropertyType type) => type switch
    {
        PropertyType.Integer => "bigint",
        PropertyType.Number => "double precision",
        PropertyType.Boolean => "boolean",
        _ => "text",
    };

    /// <summary>
    /// The store's import version: the id of its latest import record (every import writes its record in
    /// the transaction that writes its rows). A finished run's zone layer joins the zones and IMD as
    /// stored, so its tile URLs carry this version (<c>?v=</c>): a later import changes the URL, and a tile
    /// cached as immutable under the old one is never served as the new data.
    /// </summary>
    public static async Task<long> ImportVersionAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT coalesce(max(id), 0) FROM import_record");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// What a cached tile of an import- or feed-derived layer was rendered from (<see cref="DataVersionAsync"/>):
    /// <c>Imports</c> counts the import records, <c>LatestImport</c> is the newest one's id (the tile URLs'
    /// <c>?v=</c>, <see cref="ImportVersionAsync"/>), <c>Feeds</c> lists the stored feeds' ids.
    /// </summary>
    public sealed record DataVersion(long Imports, long LatestImport, string Feeds)
    {
        /// <summary>The cache key part: changes whenever an import or a feed upload or deletion commits.</summary>
        public string Key => $"{Imports}/{LatestImport}/{Feeds}";
    }

    /// <summary>
    /// The store's data version in one query. Import records are only ever added, each in the transaction
    /// that writes its rows, so their count rises with every commit (the newest id alone can miss an import
    /// that got a lower id and committed later). A feed's stops and routes are written with its row and
    /// deleted with it, so the set of feed ids names them exactly. Read it before rendering: the render's
    /// snapshot then holds at least the data of the version it is cached under.
    /// </summary>
    public static async Task<DataVersion> DataVersionAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT (SELECT count(*) FROM import_record), (SELECT coalesce(max(id), 0) FROM import_record),
                   (SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM transit_feed)
            """);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new DataVersion(r.GetInt64(0), r.GetInt64(1), r.GetString(2));
    }
}
