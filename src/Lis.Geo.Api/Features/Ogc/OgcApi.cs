using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Lis.Geo.Api.Features.Ogc;

/// <summary>
/// OGC API – Features over every <see cref="Layer"/>: Part 1 (Core, GeoJSON, OpenAPI 3.0), Part 2 (CRS by
/// reference), Part 3 (CQL2 filters, queryables) and Part 5 (schemas), with keyset paging, sorting and
/// HTTP caching. QGIS, ArcGIS, GDAL's OAPIF driver and browser map libraries read it.
/// </summary>
public static class OgcApi
{
    public sealed record LandingPage(string Title, string Description, IReadOnlyList<Link> Links);
    public sealed record Conformance(IReadOnlyList<string> ConformsTo);
    public sealed record Extent(SpatialExtent Spatial, TemporalExtent? Temporal = null);
    public sealed record SpatialExtent(IReadOnlyList<double[]> Bbox, string Crs);
    public sealed record TemporalExtent(IReadOnlyList<string?[]> Interval, string Trs = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian");
    public sealed record Collection(string Id, string Title, string Description, string ItemType, Extent? Extent,
        IReadOnlyList<string> Crs, string StorageCrs, int DefaultLimit, int MaxLimit, IReadOnlyList<Link> Links);
    public sealed record Collections([property: System.Text.Json.Serialization.JsonPropertyName("collections")] IReadOnlyList<Collection> CollectionList, IReadOnlyList<Link> Links);

    /// <summary>
    /// What the server claims, each backed by a test (README, "OGC conformance"). The CQL2 classes are
    /// listed under their final names and the 2022 draft names (<c>basic-spatial-operators</c>,
    /// <c>spatial-operators</c>) that clients released against the drafts look for before sending filters.
    /// </summary>
    public static readonly string[] ConformanceClasses =
    [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
        "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
        "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
        "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-operators",
        "http://www.opengis.net/spec/cql2/1.0/conf/spatial-operators",
        "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas",
        "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/core-roles-features",
        "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/sorting",
        // OGC API – Tiles (Features/Tiles): vector tilesets of each collection in WebMercatorQuad, as MVT.
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    ];

    public const string QueryablesRel = "http://www.opengis.net/def/rel/ogc/1.0/queryables";
    public const string SchemaRel = "http://www.opengis.net/def/rel/ogc/1.0/schema";
    public const string TilesetsVectorRel = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector";

    private static readonly byte[] Comma = [(byte)','];

    /// <summary>Pages up to this size are assembled in memory to carry an ETag; larger ones stream without.</summary>
    private const int MaxBufferedFeatures = 1_000;

    public static IEndpointRouteBuilder MapOgc(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("").WithTags("OGC API – Features");

        g.MapGet("/", (HttpRequest req) =>
            {
                OgcHttp.OnlyParameters(req, "f");
                OgcHttp.Negotiate(req, OgcHttp.Json);
                var links = new List<Link>
                {
                    new(OgcHttp.Href(req, "/"), "self", "application/json", "This document"),
                    new(OgcHttp.Href(req, "/api"), "service-desc", "application/vnd.oai.openapi+json;version=3.0", "OpenAPI definition"),
                    new(OgcHttp.Href(req, "/swagger"), "service-doc", "text/html", "API documentation"),
                    new(OgcHttp.Href(req, "/conformance"), "conformance", "application/json", "Conformance classes"),
                    new(OgcHttp.Href(req, "/collections"), "data", "application/json", "Collections"),
                    new(OgcHttp.Href(req, "/processes"), Processes.ProcessesApi.ProcessesRel, "application/json", "Processes (OGC API - Processes): the analyses"),
                    new(OgcHttp.Href(req, "/jobs"), Processes.ProcessesApi.JobListRel, "application/json", "Jobs: the analysis runs"),
                };
                return new OgcHttp.Document(new LandingPage(
                    "Lis.Geo — West Midlands accessibility and inclusive growth",
                    "Boundaries, zones with IMD 2019 or IoD 2025 (each feature names its edition), centres, corridors and sites of the West Midlands Local Industrial Strategy, as OGC API – Features.",
                    links), "application/json", links);
            })
            .Produces<LandingPage>()
            .WithSummary("Landing page");

        g.MapGet("/conformance", (HttpRequest req) =>
            {
                OgcHttp.OnlyParameters(req, "f");
                OgcHttp.Negotiate(req, OgcHttp.Json);
                return new OgcHttp.Document(new Conformance([.. ConformanceClasses, .. Processes.ProcessesApi.ConformanceClasses]), "application/json", [new(OgcHttp.Href(req, "/conformance"), "self", "application/json")]);
            })
            .Produces<Conformance>()
            .WithSummary("Conformance classes");

        g.MapGet("/collections", async (HttpRequest req, OgcCatalogue catalogue, IOptions<ApiOptions> options, CancellationToken ct) =>
            {
                OgcHttp.OnlyParameters(req, "f");
                OgcHttp.Negotiate(req, OgcHttp.Json);
                var list = new List<Collection>();
                foreach (var l in OgcCatalogue.Listed(await catalogue.ListAsync(ct), options.Value.ListedRuns)) list.Add(await Describe(req, catalogue, l, options.Value, ct));
                var links = new List<Link>
                {
                    new(OgcHttp.Href(req, "/collections"), "self", "application/json"),
                    new(OgcHttp.Href(req, "/analyses"), "related", "application/json", $"Every analysis run; each run's collections are at /analyses/{{id}}/collections (only the latest {options.Value.ListedRuns} runs are listed here)"),
                };
                return new OgcHttp.Document(new Collections(list, links), "application/json", links);
            })
            .Produces<Collections>()
            .WithSummary("Every collection: the fixed layers, zone sets and the results of the latest runs (Api:ListedRuns; every run's are under /analyses/{id}/collections)");

        g.MapGet("/collections/{collectionId}", async (string collectionId, HttpRequest req, OgcCatalogue catalogue, IOptions<ApiOptions> options, CancellationToken ct) =>
            {
                OgcHttp.OnlyParameters(req, "f", "deprivation");
                OgcHttp.Negotiate(req, OgcHttp.Json);
                if (await catalogue.FindAsync(collectionId, ct, Deprivation(req)) is not { } layer) return UnknownCollection(collectionId);
                var c = await Describe(req, catalogue, layer, options.Value, ct);
                return new OgcHttp.Document(c, "application/json", c.Links, OgcCatalogue.IsImmutable(layer));
            })
            .Produces<Collection>()
            .WithSummary("One collection");

        MapSchema("queryables", Schemas.Queryables, "The properties a filter (CQL2), sortby or property=value can use, with their types (JSON Schema)");
        MapSchema("schema", Schemas.Returnables, "Every property of the collection's features with its type (OGC API – Features Part 5 schema)");
        MapSchema("feature-schema", Schemas.Feature, "JSON Schema of one GeoJSON Feature of the collection (the collection's describedby link; GDAL types its fields from it)");

        // A collection's three JSON Schema documents are served alike (parameters, media types, caching); only the schema differs.
        void MapSchema(string document, Func<Layer, string, Dictionary<string, object>> schema, string summary) =>
            g.MapGet($"/collections/{{collectionId}}/{document}", async (string collectionId, HttpRequest req, OgcCatalogue catalogue, CancellationToken ct) =>
                {
                    OgcHttp.OnlyParameters(req, "f", "deprivation");
                    var offer = OgcHttp.Negotiate(req, OgcHttp.Schema, OgcHttp.Json);
                    if (await catalogue.FindAsync(collectionId, ct, Deprivation(req)) is not { } layer) return UnknownCollection(collectionId);
                    var self = OgcHttp.Href(req, $"/collections/{collectionId}/{document}");
                    return new OgcHttp.Document(schema(layer, self), offer.MediaType, [new(self, "self", offer.MediaType)], OgcCatalogue.IsImmutable(layer));
                })
                .WithSummary(summary);

        g.MapGet("/collections/{collectionId}/items", async Task<IResult> (
                string collectionId, HttpRequest req, NpgsqlDataSource db, OgcCatalogue catalogue, IOptions<ApiOptions> options, CancellationToken ct) =>
            {
                if (await catalogue.FindAsync(collectionId, ct, Deprivation(req)) is not { } layer) return UnknownCollection(collectionId);
                return await Items(layer, req, db, options.Value, ct);
            })
            .Produces<GeoJsonFeatureCollection>(StatusCodes.Status200OK, GeoJsonResult.MediaType)
            .WithSummary("Features of a collection, paged")
            .WithDescription("Parameters: limit (default and maximum in the collection metadata; larger values are capped), after (from a next link) or offset, " +
                             "bbox=minx,miny,maxx,maxy, bbox-crs, crs (CRS84 default, or http://www.opengis.net/def/crs/EPSG/0/27700), properties=a,b, " +
                             "datetime, filter with filter-lang (cql2-text, cql2-json) and filter-crs, sortby=+a,-b, property=value for any queryable, and the collection's filters.");

        g.MapGet("/collections/{collectionId}/items/{featureId}", async Task<IResult> (
                string collectionId, string featureId, HttpRequest req, NpgsqlDataSource db, OgcCatalogue catalogue, CancellationToken ct) =>
            {
                OgcHttp.OnlyParameters(req, "f", "crs", "deprivation");
                OgcHttp.Negotiate(req, OgcHttp.GeoJson);
                if (await catalogue.FindAsync(collectionId, ct, Deprivation(req)) is not { } layer) return UnknownCollection(collectionId);
                var srid = OgcCrs.Parse(req.Query["crs"].ToString(), "crs");
                string? feature = null;
                await foreach (var f in FeatureQuery.ReadAsync(db, layer, new FeatureRequest { FeatureId = featureId, OutputSrid = srid }, ct))
                    feature = f;
                if (feature is null)
                    return Problems.Result(Problems.NotFound, $"Collection '{collectionId}' has no feature '{featureId}'.", "featureId");
                var links = new List<Link>
                {
                    new(OgcHttp.Href(req, $"/collections/{collectionId}/items/{Uri.EscapeDataString(featureId)}"), "self", GeoJsonResult.MediaType),
                    new(OgcHttp.Href(req, $"/collections/{collectionId}"), "collection", "application/json"),
                };
                var body = feature[..^1] + CrsMember(srid) + ",\"links\":" + System.Text.Json.JsonSerializer.Serialize(links, OgcHttp.JsonOptions) + "}";
                return new BufferedGeoJson(Encoding.UTF8.GetBytes(body), [], OgcCrs.Uri(srid), links, OgcCatalogue.IsImmutable(layer));
            })
            .Produces<GeoJsonFeatureWithLinks>(StatusCodes.Status200OK, GeoJsonResult.MediaType)
            .WithSummary("One feature by id");

        return app;
    }

    /// <summary>
    /// GDAL's GeoJSON driver reads a top-level <c>crs</c> member (the 2008 GeoJSON form) and otherwise
    /// assumes WGS84, so metres in EPSG:27700 would be taken for degrees; RFC 7946 readers ignore it.
    /// </summary>
    private static string CrsMember(int srid) => srid == 4326 ? "" : $",\"crs\":{{\"type\":\"name\",\"properties\":{{\"name\":\"urn:ogc:def:crs:EPSG::{srid}\"}}}}";

    /// <summary>
    /// A page of a layer: GeoJSON (default) or, with <c>f=csv</c> or <c>Accept: text/csv</c>, the same
    /// features' ids and properties as CSV. Shared by every collection and by the analysis result routes;
    /// <c>foreignMembers</c> adds top-level members (a JSON fragment such as <c>"legend":[…]</c>).
    /// </summary>
    internal static async Task<IResult> Items(Layer layer, HttpRequest req, NpgsqlDataSource db, ApiOptions options, CancellationToken ct, string? foreignMembers = null)
    {
        var (fr, notes) = ItemsQuery.Parse(req.Query, layer, options);
        var offer = OgcHttp.Negotiate(req, OgcHttp.GeoJson, OgcHttp.Csv);
        await FilterChecks.CheckAsync(db, layer, fr, ct);
        if (offer == OgcHttp.Csv)
        {
            // CSV is an export: every matching row unless limit is given, then that many (not capped at a page).
            // A page-sized CSV is served whole (Content-Length, ETag and byte ranges, for GDAL's /vsicurl/); a
            // larger one streams, so memory does not grow with the layer.
            var csv = fr with { Limit = QueryParameters.Int(req.Query, "limit", int.MaxValue, 1, int.MaxValue) };
            var result = new CsvResult(layer, csv, db, $"{layer.Id}.csv");
            return csv.Limit <= options.MaxPageSize ? new WholeFile(result, "text/csv; charset=utf-8") : result;
        }
        var catalogue = req.HttpContext.RequestServices.GetRequiredService<OgcCatalogue>();
        var matched = await catalogue.CountAsync(layer, fr, ct);
        var immutable = OgcCatalogue.IsImmutable(layer);
        // One row more than the page says whether there is a next page, whatever the paging.
        var rows = FeatureQuery.ReadRowsAsync(db, layer, fr with { Limit = fr.Limit + 1 }, withKeys: true, ct);
        var members = (foreignMembers is null ? "" : "," + foreignMembers) + CrsMember(fr.OutputSrid)
            + (notes.Count == 0 ? "" : ",\"notes\":" + System.Text.Json.JsonSerializer.Serialize(notes, OgcHttp.JsonOptions));

        async Task<List<Link>> WriteAsync(Stream body, CancellationToken token)
        {
            await GeoJsonResult.WriteAsync(body, "{\"type\":\"FeatureCollection\",\"features\":[", token);
            var returned = 0;
            string? lastKey = null;
            var more = false;
            await foreach (var row in rows.WithCancellation(token))
            {
                if (returned == fr.Limit) { more = true; break; }
                if (returned++ > 0) await body.WriteAsync(Comma, token);
                await GeoJsonResult.WriteAsync(body, row.Json, token);
                lastKey = row.Key;
            }
            var links = PageLinks(req, layer, fr, more ? lastKey : null, more);
            await GeoJsonResult.WriteAsync(body,
                $"]{members},\"numberMatched\":{matched},\"numberReturned\":{returned},\"links\":{System.Text.Json.JsonSerializer.Serialize(links, OgcHttp.JsonOptions)}", token);
            return links;
        }

        if (fr.Limit <= MaxBufferedFeatures)
        {
            var buffer = new PooledBufferStream();
            try
            {
                var links = await WriteAsync(buffer, ct);
                return new BufferedGeoJson(buffer.Written, Encoding.UTF8.GetBytes($",\"timeStamp\":\"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}\"}}"),
                    OgcCrs.Uri(fr.OutputSrid), links, immutable, buffer);
            }
            catch
            {
                await buffer.DisposeAsync();
                throw;
            }
        }
        return new GeoJsonResult(async (body, token) =>
        {
            await WriteAsync(body, token);
            await GeoJsonResult.WriteAsync(body, $",\"timeStamp\":\"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}\"}}", token);
        }, OgcCrs.Uri(fr.OutputSrid));
    }

    /// <summary>
    /// A response served as a file: rendered to memory first, so it has a Content-Length, an ETag and
    /// byte ranges — what GDAL's /vsicurl/ needs to open a CSV (HEAD for the size, then ranges).
    /// </summary>
    private sealed class WholeFile(IResult inner, string contentType) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            var body = http.Response.Body;
            await using var buffer = new MemoryStream();
            http.Response.Body = buffer;
            try
            {
                await inner.ExecuteAsync(http);
            }
            finally
            {
                http.Response.Body = body;
            }
            var bytes = buffer.ToArray();
            var etag = OgcHttp.ETag(bytes);
            http.Response.Headers.CacheControl = "no-cache";
            await Results.Bytes(bytes, contentType, enableRangeProcessing: true,
                entityTag: Microsoft.Net.Http.Headers.EntityTagHeaderValue.Parse(etag)).ExecuteAsync(http);
        }
    }

    /// <summary>
    /// A GeoJSON body built in memory: ETag over everything but the time stamp, then 304 or the bytes.
    /// <paramref name="owner"/>, when given, holds the body's memory and is disposed once it is sent.
    /// </summary>
    private sealed class BufferedGeoJson(ReadOnlyMemory<byte> body, byte[] tail, string contentCrs, IReadOnlyList<Link> links, bool immutable, IDisposable? owner = null) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            try
            {
                OgcHttp.LinkHeader(http.Response, links);
                http.Response.Headers["Content-Crs"] = $"<{contentCrs}>";
                if (OgcHttp.NotModified(http, OgcHttp.ETag(body.Span), immutable))
                {
                    http.Response.StatusCode = StatusCodes.Status304NotModified;
                    return;
                }
                http.Response.ContentType = GeoJsonResult.MediaType;
                http.Response.ContentLength = body.Length + tail.Length;
                await http.Response.Body.WriteAsync(body, http.RequestAborted);
                await http.Response.Body.WriteAsync(tail, http.RequestAborted);
            }
            finally
            {
                owner?.Dispose();
            }
        }
    }

    /// <summary>
    /// <c>?deprivation=</c>: the edition a zone collection's figures come from (null: the newest covering its zone set);
    /// an unknown name is refused as a run request's is (<see cref="DeprivationJoin.Check"/>).
    /// </summary>
    internal static string? Deprivation(HttpRequest req) =>
        req.Query["deprivation"].ToString() is { Length: > 0 } value ? DeprivationJoin.Check(value) : null;

    internal static IResult UnknownCollection(string id) =>
        Problems.Result(Problems.NotFound, $"No collection '{id}'. GET /collections lists them.", "collectionId");

    internal static async Task<Collection> Describe(HttpRequest req, OgcCatalogue catalogue, Layer layer, ApiOptions options, CancellationToken ct)
    {
        var box = await catalogue.ExtentAsync(layer, ct);
        TemporalExtent? temporal = null;
        if (layer.TimeSql is { } time && time.StartsWith("DATE '", StringComparison.Ordinal))
        {
            var day = time["DATE '".Length..^1];
            temporal = new TemporalExtent([[day + "T00:00:00Z", day + "T23:59:59Z"]]);
        }
        var extent = box is null ? null : new Extent(new SpatialExtent([box], OgcCrs.Crs84), temporal);
        var self = $"/collections/{layer.Id}";
        return new Collection(layer.Id, layer.Title, layer.Description, "feature", extent, OgcCrs.Supported, OgcCrs.Crs84,
            options.DefaultPageSize, options.MaxPageSize,
            [
                new(OgcHttp.Href(req, self), "self", "application/json", layer.Title),
                new(OgcHttp.Href(req, self + "/items"), "items", GeoJsonResult.MediaType, "Features (GeoJSON)"),
                new(OgcHttp.Href(req, self + "/items?f=csv"), "items", "text/csv", "Features (CSV, without geometry)"),
                new(OgcHttp.Href(req, self + "/queryables"), QueryablesRel, "application/schema+json", "Queryables"),
                new(OgcHttp.Href(req, self + "/tiles"), TilesetsVectorRel, "application/json", "Vector tilesets (Mapbox Vector Tiles)"),
                new(OgcHttp.Href(req, self + "/schema"), SchemaRel, "application/schema+json", "Schema of the features' properties"),
                new(OgcHttp.Href(req, self + "/feature-schema"), "describedby", "application/schema+json", "JSON Schema of a feature"),
                // GDAL 3.6 matches the relation case-sensitively as it was written in a draft.
                new(OgcHttp.Href(req, self + "/feature-schema"), "describedBy", "application/schema+json", "JSON Schema of a feature"),
            ]);
    }

    /// <summary>
    /// self, alternate (CSV), next (keyset <c>after</c> when the layer's order allows, else offset), and
    /// prev for offset pages, keeping every other parameter of the request.
    /// </summary>
    private static List<Link> PageLinks(HttpRequest req, Layer layer, FeatureRequest fr, string? lastKey, bool more)
    {
        string Url(Action<Dictionary<string, string?>> change)
        {
            var q = req.Query.ToDictionary(kv => kv.Key, kv => (string?)kv.Value.ToString());
            q["limit"] = fr.Limit.ToString(CultureInfo.InvariantCulture);
            change(q);
            return QueryHelpers.AddQueryString(OgcHttp.Href(req, req.Path), q);
        }
        var links = new List<Link>
        {
            new(Url(_ => { }), "self", GeoJsonResult.MediaType, "This page"),
            new(Url(q => q["f"] = "csv"), "alternate", "text/csv", "This page as CSV"),
            new(OgcHttp.Href(req, $"/collections/{layer.Id}"), "collection", "application/json", layer.Title),
        };
        if (more)
        {
            var keyset = fr.SortBy is null && lastKey is not null && Keyset.Usable(lastKey);
            links.Add(new(Url(q =>
            {
                q.Remove("f");
                if (keyset)
                {
                    q.Remove("offset");
                    q["after"] = Keyset.Encode(lastKey!);
                }
                else
                {
                    q.Remove("after");
                    q["offset"] = (fr.Offset + fr.Limit).ToString(CultureInfo.InvariantCulture);
                }
            }), "next", GeoJsonResult.MediaType, "Next page"));
        }
        if (fr.After is null && fr.Offset > 0)
            links.Add(new(Url(q => q["offset"] = Math.Max(0, fr.Offset - fr.Limit).ToString(CultureInfo.InvariantCulture)), "prev", GeoJsonResult.MediaType, "Previous page"));
        return links;
    }
}
