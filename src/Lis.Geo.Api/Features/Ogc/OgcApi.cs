using System.Globalization;
using Lis.Geo.Api.Infrastructure;
using Lis.Geo.Data.Layers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lis.Geo.Api.Features.Ogc;

/// <summary>
/// OGC API – Features Part 1 (Core, GeoJSON, OpenAPI 3.0) and Part 2 (CRS by reference) over every
/// <see cref="Layer"/>: landing page, conformance, collections, items with paging links, bbox,
/// filters, property selection and CRS, and single items. QGIS, ArcGIS and GDAL's OAPIF driver read it.
/// </summary>
public static class OgcApi
{
    public sealed record LandingPage(string Title, string Description, IReadOnlyList<Link> Links);
    public sealed record Conformance(IReadOnlyList<string> ConformsTo);
    public sealed record Extent(SpatialExtent Spatial);
    public sealed record SpatialExtent(IReadOnlyList<double[]> Bbox, string Crs);
    public sealed record Collection(string Id, string Title, string Description, string ItemType, Extent? Extent,
        IReadOnlyList<string> Crs, string StorageCrs, int DefaultLimit, int MaxLimit, IReadOnlyList<Link> Links);
    public sealed record Collections([property: System.Text.Json.Serialization.JsonPropertyName("collections")] IReadOnlyList<Collection> CollectionList, IReadOnlyList<Link> Links);

    private static readonly string[] ConformanceClasses =
    [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    ];

    public static IEndpointRouteBuilder MapOgc(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("").WithTags("OGC API – Features");

        g.MapGet("/", (HttpRequest req) => TypedResults.Ok(new LandingPage(
                "Lis.Geo — West Midlands accessibility and inclusive growth",
                "Boundaries, zones with IMD 2019, centres, corridors and sites of the West Midlands Local Industrial Strategy, as OGC API – Features.",
                [
                    new(Href(req, "/"), "self", "application/json", "This document"),
                    new(Href(req, "/swagger/v1/swagger.json"), "service-desc", "application/vnd.oai.openapi+json;version=3.0", "OpenAPI definition"),
                    new(Href(req, "/swagger"), "service-doc", "text/html", "API documentation"),
                    new(Href(req, "/conformance"), "conformance", "application/json", "Conformance classes"),
                    new(Href(req, "/collections"), "data", "application/json", "Collections"),
                ])))
            .WithSummary("Landing page");

        g.MapGet("/conformance", () => TypedResults.Ok(new Conformance(ConformanceClasses))).WithSummary("Conformance classes");

        g.MapGet("/collections", async (HttpRequest req, NpgsqlDataSource db, IOptions<ApiOptions> options, CancellationToken ct) =>
            {
                var layers = await LayerCatalog.ListAsync(db, ct);
                var list = new List<Collection>();
                foreach (var l in layers) list.Add(await Describe(req, db, l, options.Value, ct));
                return TypedResults.Ok(new Collections(list, [new(Href(req, "/collections"), "self", "application/json")]));
            })
            .WithSummary("Every collection (layer)");

        g.MapGet("/collections/{collectionId}", async Task<Results<Ok<Collection>, ProblemHttpResult>> (
                string collectionId, HttpRequest req, NpgsqlDataSource db, IOptions<ApiOptions> options, CancellationToken ct) =>
            await LayerCatalog.FindAsync(db, collectionId, ct, Deprivation(req)) is { } layer
                ? TypedResults.Ok(await Describe(req, db, layer, options.Value, ct))
                : UnknownCollection(collectionId))
            .WithSummary("One collection");

        g.MapGet("/collections/{collectionId}/queryables", async Task<Results<Ok<Dictionary<string, object>>, ProblemHttpResult>> (
                string collectionId, HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
            {
                if (await LayerCatalog.FindAsync(db, collectionId, ct, Deprivation(req)) is not { } layer) return UnknownCollection(collectionId);
                return TypedResults.Ok(new Dictionary<string, object>
                {
                    ["$schema"] = "https://json-schema.org/draft/2019-09/schema",
                    ["$id"] = Href(req, $"/collections/{collectionId}/queryables"),
                    ["type"] = "object",
                    ["title"] = layer.Title,
                    ["properties"] = layer.Filters.ToDictionary(f => f.Name, f => (object)new { type = JsonType(f.Type), description = f.Description }),
                });
            })
            .WithSummary("The filters a collection's items accept");

        g.MapGet("/collections/{collectionId}/items", async Task<IResult> (
                string collectionId, HttpRequest req, NpgsqlDataSource db, IOptions<ApiOptions> options, CancellationToken ct) =>
            {
                if (await LayerCatalog.FindAsync(db, collectionId, ct, Deprivation(req)) is not { } layer) return UnknownCollection(collectionId);
                return await Items(layer, req, db, options.Value, ct);
            })
            .Produces<GeoJsonFeatureCollection>(StatusCodes.Status200OK, GeoJsonResult.MediaType)
            .WithSummary("Features of a collection, paged")
            .WithDescription("Parameters: limit (default and maximum in the collection metadata), offset, bbox=minx,miny,maxx,maxy, bbox-crs, " +
                             "crs (CRS84 default, or http://www.opengis.net/def/crs/EPSG/0/27700), properties=a,b, and the collection's filters (see /queryables).");

        g.MapGet("/collections/{collectionId}/items/{featureId}", async Task<Results<GeoJsonResult, ProblemHttpResult>> (
                string collectionId, string featureId, HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
            {
                if (await LayerCatalog.FindAsync(db, collectionId, ct, Deprivation(req)) is not { } layer) return UnknownCollection(collectionId);
                var srid = OgcCrs.Parse(req.Query["crs"].ToString(), "crs");
                string? feature = null;
                await foreach (var f in FeatureQuery.ReadAsync(db, layer, new FeatureRequest { FeatureId = featureId, OutputSrid = srid }, ct))
                    feature = f;
                if (feature is null)
                    return Problems.Result(Problems.NotFound, $"Collection '{collectionId}' has no feature '{featureId}'.", "featureId");
                var links = System.Text.Json.JsonSerializer.Serialize(new[]
                {
                    new Link(Href(req, $"/collections/{collectionId}/items/{Uri.EscapeDataString(featureId)}"), "self", GeoJsonResult.MediaType),
                    new Link(Href(req, $"/collections/{collectionId}"), "collection", "application/json"),
                }, Json);
                return new GeoJsonResult((body, token) => GeoJsonResult.WriteAsync(body, feature[..^1] + ",\"links\":" + links + "}", token), OgcCrs.Uri(srid));
            })
            .Produces<GeoJsonFeature>(StatusCodes.Status200OK, GeoJsonResult.MediaType)
            .WithSummary("One feature by id");

        return app;
    }

    /// <summary>
    /// A page of a layer: GeoJSON (default) or, with <c>f=csv</c>, the same features' ids and
    /// properties as CSV for spreadsheets. Shared by every collection and by the analysis result routes;
    /// <c>foreignMembers</c> adds top-level members (a JSON fragment such as <c>"legend":[…]</c>).
    /// </summary>
    internal static async Task<IResult> Items(Layer layer, HttpRequest req, NpgsqlDataSource db, ApiOptions options, CancellationToken ct, string? foreignMembers = null)
    {
        var fr = ItemsQuery.Parse(req.Query, layer, options);
        if (req.Query["f"].ToString() == "csv")
            return new CsvResult(layer, fr, db, $"{layer.Id}.csv");
        var matched = await FeatureQuery.CountAsync(db, layer, fr, ct);
        return new GeoJsonResult(async (body, token) =>
        {
            await GeoJsonResult.WriteAsync(body, "{\"type\":\"FeatureCollection\",\"features\":[", token);
            var returned = 0;
            await foreach (var feature in FeatureQuery.ReadAsync(db, layer, fr, token))
                await GeoJsonResult.WriteAsync(body, returned++ == 0 ? feature : "," + feature, token);
            var links = PageLinks(req, fr, matched, returned);
            await GeoJsonResult.WriteAsync(body,
                $"],{(foreignMembers is null ? "" : foreignMembers + ",")}\"numberMatched\":{matched},\"numberReturned\":{returned},\"timeStamp\":\"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}\",\"links\":{System.Text.Json.JsonSerializer.Serialize(links, Json)}}}", token);
        }, OgcCrs.Uri(fr.OutputSrid));
    }

    internal static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary><c>?deprivation=</c>: the edition a zone collection's figures come from (null: the newest covering its zone set).</summary>
    internal static string? Deprivation(HttpRequest req) =>
        req.Query["deprivation"].ToString() is not { Length: > 0 } value ? null
        : Lis.Geo.Data.Model.DeprivationEditions.All.Contains(value) ? value
        : throw new Problems.BadParameterException("deprivation", $"Unknown deprivation edition '{value}'. Use {string.Join(" or ", Lis.Geo.Data.Model.DeprivationEditions.All)}.");

    internal static ProblemHttpResult UnknownCollection(string id) =>
        Problems.Result(Problems.NotFound, $"No collection '{id}'. GET /collections lists them.", "collectionId");

    private static async Task<Collection> Describe(HttpRequest req, NpgsqlDataSource db, Layer layer, ApiOptions options, CancellationToken ct)
    {
        Extent? extent = null;
        await using (var cmd = db.CreateCommand($"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent({layer.GeometrySql}) e FROM {layer.From}{(layer.Where is null ? "" : $" WHERE {layer.Where}")}) x"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            if (await r.ReadAsync(ct) && !r.IsDBNull(0))
                extent = new Extent(new SpatialExtent([[r.GetDouble(0), r.GetDouble(1), r.GetDouble(2), r.GetDouble(3)]], OgcCrs.Crs84));
        var self = $"/collections/{layer.Id}";
        return new Collection(layer.Id, layer.Title, layer.Description, "feature", extent, OgcCrs.Supported, OgcCrs.Crs84,
            options.DefaultPageSize, options.MaxPageSize,
            [
                new(Href(req, self), "self", "application/json", layer.Title),
                new(Href(req, self + "/items"), "items", GeoJsonResult.MediaType, "Features"),
                new(Href(req, self + "/queryables"), "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json", "Filters"),
            ]);
    }

    /// <summary>self, and next/prev when there are more pages, keeping every other parameter of the request.</summary>
    private static List<Link> PageLinks(HttpRequest req, FeatureRequest fr, long matched, int returned)
    {
        string Page(int offset)
        {
            var q = req.Query.Where(kv => kv.Key is not ("offset" or "limit"))
                .ToDictionary(kv => kv.Key, kv => (string?)kv.Value.ToString());
            q["limit"] = fr.Limit.ToString(CultureInfo.InvariantCulture);
            q["offset"] = offset.ToString(CultureInfo.InvariantCulture);
            return QueryHelpers.AddQueryString(Href(req, req.Path), q);
        }
        var links = new List<Link> { new(Page(fr.Offset), "self", GeoJsonResult.MediaType, "This page") };
        if (fr.Offset + returned < matched)
            links.Add(new(Page(fr.Offset + fr.Limit), "next", GeoJsonResult.MediaType, "Next page"));
        if (fr.Offset > 0)
            links.Add(new(Page(Math.Max(0, fr.Offset - fr.Limit)), "prev", GeoJsonResult.MediaType, "Previous page"));
        return links;
    }

    internal static string Href(HttpRequest req, string path) => $"{req.Scheme}://{req.Host}{req.PathBase}{path}";

    private static string JsonType(PropertyType t) => t switch
    {
        PropertyType.Integer => "integer",
        PropertyType.Number => "number",
        PropertyType.Boolean => "boolean",
        _ => "string",
    };
}
