namespace Lis.Geo.Data.Layers;

/// <summary>
/// What the Api's catalogue of layers asks the store besides the layers themselves (<see cref="LayerCatalog"/>):
/// whether the layer list may have changed, and a layer's extent. The caching around them is the Api's.
/// </summary>
public static class CatalogueQueries
{
    /// <summary>
    /// A text that changes whenever the list <see cref="LayerCatalog.ListAsync"/> builds may change: a run
    /// succeeds or is deleted (the count and newest id of succeeded runs), a zone set is added, renamed or
    /// removed. One small query, so the list can be kept until it does.
    /// </summary>
    public static async Task<string> ListVersionAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT (SELECT count(*) || '/' || coalesce(max(id), 0) FROM analysis_run WHERE state = 'succeeded') || '|' ||
                   (SELECT coalesce(string_agg(id || '=' || name, ',' ORDER BY id), '') FROM zone_set)
            """);
        return (string)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// The layer's extent in CRS84 (minx, miny, maxx, maxy), or null when it has no features: a collection's
    /// spatial extent and its tilesets' bounds. Built from the layer's own SQL fragments only.
    /// </summary>
    public static async Task<double[]?> ExtentAsync(NpgsqlDataSource db, Layer layer, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            $"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent({layer.GeometrySql}) e FROM {layer.From}{(layer.Where is null ? "" : $" WHERE {layer.Where}")}) x");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) && !r.IsDBNull(0) ? [r.GetDouble(0), r.GetDouble(1), r.GetDouble(2), r.GetDouble(3)] : null;
    }
}
