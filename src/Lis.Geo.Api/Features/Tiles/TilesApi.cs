using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Lis.Geo.Api.Features.Ogc;

namespace Lis.Geo.Api.Features.Tiles;

/// <summary>
/// OGC API – Tiles (vector tilesets of each collection) over every <see cref="Layer"/>: the tileset
/// list, the WebMercatorQuad tileset's metadata, a TileJSON 3.0 for MapLibre and friends, and the
/// tiles themselves as Mapbox Vector Tiles rendered by PostGIS (<see cref="TileQuery"/>). The tile path
/// follows the standard: <c>{tileMatrix}/{tileRow}/{tileCol}</c>, that is z/y/x.
/// </summary>
public static partial class TilesApi
{
    public const string MvtMediaType = "application/vnd.mapbox-vector-tile";
    public const string TileMatrixSet = "WebMercatorQuad";
    private const string TileMatrixSetUri = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";

    /// <summary>A link that may be a URI template (OGC API – Tiles' <c>templated</c>).</summary>
    public sealed record TileLink(string Href, string Rel, string? Type = null, string? Title = null, bool? Templated = null);

    public sealed record TileSetItem(string Title, string DataType, string Crs, string TileMatrixSetURI, IReadOnlyList<TileLink> Links);
    public sealed record TileSets(IReadOnlyList<TileSetItem> Tilesets, IReadOnlyList<TileLink> Links);
    public sealed record BoundingBox(double[] LowerLeft, double[] UpperRight, string Crs);
    public sealed record VectorLayer(string Id, string Title, string DataType, string GeometryType, int MinTileMatrix, int MaxTileMatrix, object PropertiesSchema);
    public sealed record TileSet(string Title, string Description, string DataType, string Crs, string TileMatrixSetURI,
        BoundingBox? BoundingBox, IReadOnlyList<VectorLayer> Layers, IReadOnlyList<TileLink> Links);

    public static IEndpointRouteBuilder MapTiles(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/collections/{collectionId}/tiles").WithTags("OGC API – Tiles");

        g.MapGet("", async (string collectionId, HttpRequest req, NpgsqlDataSource db, OgcCatalogue catalogue, CancellationToken ct) =>
                await catalogue.FindAsync(collectionId, ct) is { } layer
                    ? Results.Ok(new TileSets(
                        [new(layer.Title, "vector", "http://www.opengis.net/def/crs/EPSG/0/3857", TileMatrixSetUri,
                            [new(OgcHttp.Href(req, $"/collections/{layer.Id}/tiles/{TileMatrixSet}"), "self", "application/json", "Tileset metadata")])],
                        [new(OgcHttp.Href(req, $"/collections/{layer.Id}/tiles"), "self", "application/json")]))
                    : OgcApi.UnknownCollection(collectionId))
            .Produces<TileSets>()
            .WithSummary("The collection's vector tilesets (one: WebMercatorQuad)");

        g.MapGet("/{tileMatrixSetId}", async (string collectionId, string tileMatrixSetId, HttpRequest req, NpgsqlDataSource db, OgcCatalogue catalogue, CancellationToken ct) =>
            {
                if (await catalogue.FindAsync(collectionId, ct) is not { } layer) return OgcApi.UnknownCollection(collectionId);
                if (tileMatrixSetId != TileMatrixSet) return UnknownTileMatrixSet(tileMatrixSetId);
                var bounds = await CatalogueQueries.ExtentAsync(db, layer, ct);
                var self = $"/collections/{layer.Id}/tiles/{TileMatrixSet}";
                return Results.Ok(new TileSet(layer.Title, layer.Description, "vector", "http://www.opengis.net/def/crs/EPSG/0/3857", TileMatrixSetUri,
                    bounds is { } b ? new BoundingBox([b[0], b[1]], [b[2], b[3]], "http://www.opengis.net/def/crs/OGC/1.3/CRS84") : null,
                    [new VectorLayer(layer.Id, layer.Title, "vector", OgcGeometryType(layer.GeometryType), 0, TileQuery.MaxZoom, PropertiesSchema(layer))],
                    [
                        new(OgcHttp.Href(req, self), "self", "application/json", "This tileset"),
                        new(TileMatrixSetUri, "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", "application/json", "WebMercatorQuad"),
                        new(OgcHttp.Href(req, $"{self}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}") + await VersionQueryAsync(db, layer, ct), "item", MvtMediaType, "Mapbox Vector Tiles", true),
                        new(OgcHttp.Href(req, $"{self}/tilejson.json"), "describedby", "application/json", "TileJSON 3.0"),
                        new(OgcHttp.Href(req, $"/collections/{layer.Id}"), "collection", "application/json", layer.Title),
                    ]));
            })
            .Produces<TileSet>()
            .WithSummary("Tileset metadata: tile URL template, layer and its attributes, bounds");

        g.MapGet("/{tileMatrixSetId}/tilejson.json", async (string collectionId, string tileMatrixSetId, HttpRequest req, NpgsqlDataSource db, OgcCatalogue catalogue, CancellationToken ct) =>
            {
                if (await catalogue.FindAsync(collectionId, ct) is not { } layer) return OgcApi.UnknownCollection(collectionId);
                if (tileMatrixSetId != TileMatrixSet) return UnknownTileMatrixSet(tileMatrixSetId);
                var bounds = await CatalogueQueries.ExtentAsync(db, layer, ct);
                return Results.Ok(new Dictionary<string, object?>
                {
                    ["tilejson"] = "3.0.0",
                    ["name"] = layer.Title,
                    ["description"] = layer.Description,
                    ["tiles"] = new[] { OgcHttp.Href(req, $"/collections/{layer.Id}/tiles/{TileMatrixSet}/{{z}}/{{y}}/{{x}}") + await VersionQueryAsync(db, layer, ct) },
                    ["minzoom"] = 0,
                    ["maxzoom"] = TileQuery.MaxZoom,
                    ["bounds"] = bounds ?? [-180, -85.0511, 180, 85.0511],
                    ["vector_layers"] = new[]
                    {
                        new Dictionary<string, object>
                        {
                            ["id"] = layer.Id,
                            ["description"] = layer.Description,
                            ["minzoom"] = 0,
                            ["maxzoom"] = TileQuery.MaxZoom,
                            ["fields"] = new[] { (Name: TileQuery.IdAttribute, Type: "String") }
                                .Concat(layer.Properties.Select(p => (p.Name, Type: p.Type switch { PropertyType.String => "String", PropertyType.Boolean => "Boolean", _ => "Number" })))
                                .ToDictionary(f => f.Name, f => f.Type),
                        },
                    },
                    ["attribution"] = "Contains OS data © Crown copyright and database right; IMD 2019 © MHCLG (OGL v3)",
                });
            })
            .WithSummary("TileJSON 3.0 of the collection's tiles (for MapLibre GL, Leaflet plugins, QGIS)");

        g.MapGet("/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}", async (string collectionId, string tileMatrixSetId, string tileMatrix, string tileRow, string tileCol,
                HttpContext http, NpgsqlDataSource db, OgcCatalogue catalogue, TileCache cache, CancellationToken ct) =>
            {
                if (tileMatrixSetId != TileMatrixSet) return UnknownTileMatrixSet(tileMatrixSetId);
                // Limits first: a bad address is a 400 before any database work.
                var z = Coordinate(tileMatrix, "tileMatrix", TileQuery.MaxZoom);
                var max = (1 << z) - 1;
                var y = Coordinate(tileRow, "tileRow", max);
                var x = Coordinate(tileCol, "tileCol", max);
                if (await catalogue.FindAsync(collectionId, ct) is not { } layer) return OgcApi.UnknownCollection(collectionId);
                // Read before rendering (see TileQuery.DataVersionAsync), for the cache key and the run tiles' ?v=.
                var (immutable, cacheable) = (IsImmutable(layer.Id), cache.Enabled && TileCache.IsCacheable(layer.Id));
                var version = immutable || cacheable ? await TileQuery.DataVersionAsync(db, ct) : null;
                var key = new TileCache.Key(layer.Id, z, x, y);
                if (!cacheable || !cache.TryGet(version!.Key, key, out var rendered))
                {
                    var bytes = await TileQuery.RenderAsync(db, layer, z, x, y, ct);
                    rendered = new TileCache.Tile(bytes, "\"" + Convert.ToHexString(SHA256.HashData(bytes), 0, 16).ToLowerInvariant() + "\"");
                    if (cacheable) cache.Set(version!.Key, key, rendered);
                }
                var (tile, etag) = (rendered.Bytes, rendered.ETag);
                http.Response.Headers.ETag = etag;
                // A finished run's results never change and its id is in the URL; the zones and IMD its tiles
                // join can be re-imported, so the URL carries the import version too (?v=, from the tileset and
                // TileJSON): a tile asked at the current version is cached for a year. Any other tile (other
                // layers, an old or missing version) revalidates with the ETag.
                http.Response.Headers.CacheControl = immutable && http.Request.Query["v"] is [{ } v]
                    && v == version!.LatestImport.ToString(CultureInfo.InvariantCulture)
                    ? "public, max-age=31536000, immutable" : "no-cache";
                if (http.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == etag || t.Trim() == "*")))
                    return Results.StatusCode(StatusCodes.Status304NotModified);
                // OGC API – Tiles: an empty tile inside the limits is 204 No Content.
                return tile.Length == 0 ? Results.NoContent() : Results.Bytes(tile, MvtMediaType);
            })
            .Produces(StatusCodes.Status200OK, contentType: MvtMediaType)
            .WithSummary("One vector tile (MVT) of the collection: tileMatrix = zoom (0–22), tileRow = y, tileCol = x")
            .WithDescription("Tiles of a finished run's zones and isochrones (collections analysis-{id}-zones, analysis-{id}-isochrones) asked with the import version ?v= of their TileJSON are immutable and cached for a year; " +
                             "other tiles carry an ETag to revalidate. Geometry is simplified to half a tile unit per zoom; the MVT layer is named after the collection. " +
                             "Tiles of layers that change only by imports and feed uploads (zones, centroids, boundaries, stops, routes, run zones, isochrones and comparisons) are kept in a server-side cache " +
                             "(Tiles:CacheMegabytes) under the store's data version, so an import or feed change is never served stale.");
        return app;
    }

    /// <summary>The <c>?v=</c> that keys a run layer's tile URLs by the store's import version; empty for other layers.</summary>
    private static async Task<string> VersionQueryAsync(NpgsqlDataSource db, Layer layer, CancellationToken ct) =>
        IsImmutable(layer.Id) ? $"?v={await TileQuery.ImportVersionAsync(db, ct)}" : "";

    /// <summary>A finished run's result layers (zones with their indicators, isochrone polygons): immutable at a given import version.</summary>
    internal static bool IsImmutable(string collectionId) => ImmutableLayer().IsMatch(collectionId);

    [GeneratedRegex(@"^analysis-\d+-(zones|isochrones)$")]
    private static partial Regex ImmutableLayer();

    private static int Coordinate(string raw, string field, int max) =>
        int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v <= max
            ? v
            : throw new Problems.BadParameterException(field, $"'{raw}' is not a whole number in 0..{max}{(field == "tileMatrix" ? " (the zoom level)" : " at this zoom level")}.");

    private static IResult UnknownTileMatrixSet(string id) =>
        Problems.Result(Problems.NotFound, $"No tile matrix set '{id}'; tiles are served in {TileMatrixSet}.", "tileMatrixSetId");

    private static string OgcGeometryType(string geometryType) => geometryType switch
    {
        "Point" or "MultiPoint" => "points",
        "LineString" or "MultiLineString" => "lines",
        "Polygon" or "MultiPolygon" => "polygons",
        _ => "geometry",
    };

    private static object PropertiesSchema(Layer layer) => new Dictionary<string, object>
    {
        ["type"] = "object",
        ["properties"] = new[] { new LayerProperty(TileQuery.IdAttribute, "", PropertyType.String, "Feature id (as in /items)") }.Concat(layer.Properties)
            .ToDictionary(p => p.Name, p => (object)new { type = p.Type switch { PropertyType.Integer => "integer", PropertyType.Number => "number", PropertyType.Boolean => "boolean", _ => "string" }, description = p.Description }),
    };
}
