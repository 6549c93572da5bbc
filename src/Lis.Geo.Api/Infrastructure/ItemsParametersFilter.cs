using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
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
        operation.Parameters.Add(Query("limit", "Features per page.", new OpenApiSchema
            { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = o.MaxPageSize.ToString(System.Globalization.CultureInfo.InvariantCulture), Default = JsonValue.Create(o.DefaultPageSize) }));
        operation.Parameters.Add(Query("offset", "Features to skip (follow the next link instead when you can).", new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0", Default = JsonValue.Create(0) }));
        operation.Parameters.Add(Query("bbox", "minx,miny,maxx,maxy in bbox-crs (CRS84 by default).", new OpenApiSchema { Type = JsonSchemaType.String }));
        operation.Parameters.Add(Query("bbox-crs", "CRS of bbox.", new OpenApiSchema { Type = JsonSchemaType.String, Default = JsonValue.Create("http://www.opengis.net/def/crs/OGC/1.3/CRS84") }));
        operation.Parameters.Add(Query("crs", "CRS of the response geometries.", new OpenApiSchema { Type = JsonSchemaType.String, Default = JsonValue.Create("http://www.opengis.net/def/crs/OGC/1.3/CRS84") }));
        operation.Parameters.Add(Query("properties", "Comma-separated properties to include.", new OpenApiSchema { Type = JsonSchemaType.String }));
        operation.Parameters.Add(Query("f", "json (GeoJSON, default) or csv.", new OpenApiSchema { Type = JsonSchemaType.String }));
    }

    private static OpenApiParameter Query(string name, string description, OpenApiSchema schema) =>
        new() { Name = name, In = ParameterLocation.Query, Required = false, Description = description, Schema = schema };
}
