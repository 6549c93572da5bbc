using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>
/// Declares the query parameters of <c>/collections/{collectionId}/items</c> in the OpenAPI document.
/// The handler reads them from the query string itself (the filters differ per collection), so
/// Swashbuckle cannot see them; GDAL's OAPIF driver reads <c>limit</c>'s default and maximum from here
/// to choose its page size.
/// </summary>
public sealed class ItemsParametersFilter(IOptions<ApiOptions> options) : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.RelativePath?.TrimEnd('/') is not ("collections/{collectionId}/items" or "analyses/{id}/zones")) return;
        var o = options.Value;
        operation.Parameters ??= [];
        operation.Parameters.Add(Query("limit", "Features per page (larger values are served at the maximum).", new OpenApiSchema
            { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = o.MaxPageSize.ToString(System.Globalization.CultureInfo.InvariantCulture), Default = JsonValue.Create(o.DefaultPageSize) }));
        operation.Parameters.Add(Query("offset", "Features to skip (follow the next link instead: it pages by key, at the same cost at any depth).", new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0", Default = JsonValue.Create(0) }));
        operation.Parameters.Add(Query("after", "Position of the next page, as given in a next link.", new OpenApiSchema { Type = JsonSchemaType.String }));
        operation.Parameters.Add(Query("datetime", "RFC 3339 date, date-time or interval (a/b, ../b, a/..): selects run results by their service date; ignored (with a note) by collections without time.", new OpenApiSchema { Type = JsonSchemaType.String }));
        operation.Parameters.Add(Query("filter", "CQL2 expression over the collection's queryables (see /queryables), e.g. imd_decile <= 2 AND name LIKE 'Birmingham%'.", new OpenApiSchema { Type = JsonSchemaType.String }));
        operation.Parameters.Add(Query("filter-lang", "Language of filter: cql2-text (default), cql2-json, or cql-text (the draft name, read as cql2-text).",
            new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. Features.Ogc.ItemsQuery.FilterLanguages.Select(l => (JsonNode)JsonValue.Create(l))], Default = JsonValue.Create("cql2-text") }));
        operation.Parameters.Add(Query("filter-crs", "CRS of the filter's geometry literals.", new OpenApiSchema { Type = JsonSchemaType.String, Default = JsonValue.Create("http://www.opengis.net/def/crs/OGC/1.3/CRS84") }));
        operation.Parameters.Add(Query("sortby", "Comma-separated properties, - before a name for descending, e.g. -population,code.", new OpenApiSchema { Type = JsonSchemaType.String }));
        operation.Parameters.Add(Query("bbox", "minx,miny,maxx,maxy in bbox-crs (CRS84 by default).", new OpenApiSchema { Type = JsonSchemaType.String }));
        operation.Parameters.Add(Query("bbox-crs", "CRS of bbox.", new OpenApiSchema { Type = JsonSchemaType.String, Default = JsonValue.Create("http://www.opengis.net/def/crs/OGC/1.3/CRS84") }));
        operation.Parameters.Add(Query("crs", "CRS of the response geometries.", new OpenApiSchema { Type = JsonSchemaType.String, Default = JsonValue.Create("http://www.opengis.net/def/crs/OGC/1.3/CRS84") }));
        operation.Parameters.Add(Query("properties", "Comma-separated properties to include.", new OpenApiSchema { Type = JsonSchemaType.String }));
        operation.Parameters.Add(Query("f", "json (GeoJSON, default) or csv.", new OpenApiSchema { Type = JsonSchemaType.String }));
        // Part 1 "parameters for filtering on feature properties": every property of any collection, equality.
        // GDAL's OAPIF driver pushes attribute filters down only on properties declared here.
        var declared = operation.Parameters.Select(p => p.Name).ToHashSet();
        foreach (var name in AllPropertyNames.Where(declared.Add))
            operation.Parameters.Add(Query(name, $"Features whose {name} equals this value (collections that have a {name} property; see their /queryables).", new OpenApiSchema { Type = JsonSchemaType.String }));
    }

    /// <summary>The property names of every kind of layer (fixed, zone sets, run results), in order of first appearance.</summary>
    private static readonly string[] AllPropertyNames = KindsOfLayer().SelectMany(l => l.Properties.Select(p => p.Name)).Distinct().ToArray();

    private static IEnumerable<Data.Layers.Layer> KindsOfLayer()
    {
        // A stand-in run of each site kind: only the layers' property names are read, so any rules do (the documented defaults').
        var rules = new Analysis.AccessParameters();
        Data.Layers.LayerCatalog.RunFacts Run(string siteSet) => new(1, new Data.Analyses.RunSpec
        {
            Type = Data.Analyses.AnalysisTypes.ZoneAccess, Feeds = [new Data.Analyses.RunFeed(1, "any")], Routing = new(),
            Access = new Data.Analyses.AccessRules(rules.ThresholdSeconds, rules.MinCentres, rules.Percentile), ZoneSet = "lsoa11", SiteSet = siteSet,
        }, 1);
        return [.. Data.Layers.LayerCatalog.Fixed, Data.Layers.LayerCatalog.ZoneLayer("lsoa11", "LSOA", false),
            .. Data.Analyses.AnalysisTypes.SiteTables.Keys.SelectMany(set => new[] { Data.Analyses.ResultLayer.Zones, Data.Analyses.ResultLayer.Housing, Data.Analyses.ResultLayer.Sites, Data.Analyses.ResultLayer.Isochrones }
                .Select(Run(set).Layer))];
    }

    private static OpenApiParameter Query(string name, string description, OpenApiSchema schema) =>
        new() { Name = name, In = ParameterLocation.Query, Required = false, Description = description, Schema = schema };
}
