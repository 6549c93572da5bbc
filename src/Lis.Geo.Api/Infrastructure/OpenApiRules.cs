using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>
/// A query parameter a handler reads from the query string itself (Swashbuckle sees only bound
/// arguments), declared on the endpoint with <see cref="QueryParameters.WithQuery{TBuilder}"/> so the
/// OpenAPI document lists it and Swagger UI can send it.
/// </summary>
public sealed record QueryParameter(string Name, string Description, JsonSchemaType Type = JsonSchemaType.String, bool Required = false, string? Example = null);

/// <summary>
/// The rules every operation of the OpenAPI document follows, applied in one place: declared query
/// parameters; every error answer as <c>application/problem+json</c> with the ProblemDetails schema (400
/// for all, 401 for writes, 404 where the path names a resource, 500 for all); the API-key security
/// scheme on exactly the operations that need the key; an example for every path parameter.
/// </summary>
public sealed class OpenApiRules : IOperationFilter
{
    public const string ProblemMediaType = "application/problem+json";
    public const string SecuritySchemeId = "ApiKey";

    /// <summary>Examples of path parameters by name, so "Try it out" has a working value to start from.</summary>
    private static readonly Dictionary<string, string> PathExamples = new()
    {
        ["collectionId"] = "zones-lsoa11", ["featureId"] = "E01009001", ["id"] = "1", ["code"] = "C1", ["dataset"] = "centres",
        ["collection"] = "housing-sites", ["reference"] = "H1", ["slug"] = "not-found", ["processId"] = "zone-access", ["jobId"] = "1", ["runId"] = "1",
        ["tileMatrixSetId"] = "WebMercatorQuad", ["tileMatrix"] = "0", ["tileRow"] = "0", ["tileCol"] = "0",
    };

    /// <summary>A number's example as a JSON number, so it validates against its schema.</summary>
    private static JsonNode? ExampleOf(QueryParameter q) =>
        q.Example is null ? null
        : q.Type is JsonSchemaType.Number or JsonSchemaType.Integer && double.TryParse(q.Example, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? JsonValue.Create(n) : JsonValue.Create(q.Example);

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        operation.Parameters ??= [];
        foreach (var q in metadata.OfType<QueryParameter>())
        {
            // A bound argument Swashbuckle already lists (e.g. string? baseline) takes the declaration's
            // description, requiredness and example: the handler, not the argument's nullability, decides.
            if (operation.Parameters.OfType<OpenApiParameter>().FirstOrDefault(p => p.Name == q.Name && p.In == ParameterLocation.Query) is { } bound)
            {
                (bound.Required, bound.Description, bound.Example) = (q.Required, q.Description, ExampleOf(q));
                continue;
            }
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = q.Name, In = ParameterLocation.Query, Required = q.Required, Description = q.Description,
                Schema = new OpenApiSchema { Type = q.Type }, Example = ExampleOf(q),
            });
        }
        var hasPathParameters = false;
        foreach (var p in operation.Parameters.OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Path))
        {
            hasPathParameters = true;
            if (p.Example is null && PathExamples.TryGetValue(p.Name!, out var example)) p.Example = JsonValue.Create(example);
        }

        var writes = metadata.OfType<ApiKeyRequiredMetadata>().Any();
        context.SchemaGenerator.GenerateSchema(typeof(ProblemDetails), context.SchemaRepository);
        var problem = new OpenApiMediaType { Schema = new OpenApiSchemaReference(SwaggerSetup.SchemaId(typeof(ProblemDetails)), context.Document) };
        operation.Responses ??= [];
        void Add(int status, string description)
        {
            var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (operation.Responses.ContainsKey(key)) return;
            operation.Responses[key] = new OpenApiResponse { Description = description };
        }
        Add(400, "Bad request: a parameter or the body is malformed, unknown or out of range ('field' names it)");
        if (writes) Add(401, "No or wrong API key (X-API-Key)");
        if (hasPathParameters) Add(404, "No resource with this id");
        Add(500, "Unexpected error (logged; nothing was stored)");
        // A group's declared 401 applies to its writes only: reads are public.
        if (!writes) operation.Responses.Remove("401");
        // Every 4xx and 5xx answer is a problem, whoever declared it first.
        foreach (var (status, response) in operation.Responses)
        {
            if (status.Length != 3 || status[0] is not ('4' or '5') || response is not OpenApiResponse r) continue;
            r.Content = new Dictionary<string, IOpenApiMediaType> { [ProblemMediaType] = problem };
        }

        operation.Security = writes
            ? [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeId, context.Document)] = [] }]
            : null;
    }
}

/// <summary>
/// GeoJSON objects may carry foreign members (RFC 7946 §6.1: links, crs, numberMatched…), so their
/// schemas never say <c>additionalProperties: false</c>.
/// </summary>
public sealed class GeoJsonSchemas : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is OpenApiSchema s && context.Type.Name.StartsWith("GeoJson", StringComparison.Ordinal))
        {
            s.AdditionalPropertiesAllowed = true;
            s.AdditionalProperties = null;
        }
    }
}
