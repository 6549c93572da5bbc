using Swashbuckle.AspNetCore.SwaggerGen;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>Swagger document: title, the API key scheme for writes, and GeoJSON schemas.</summary>
public static class SwaggerSetup
{
    /// <summary>A type's schema name: its full name without the API's prefix; generic arguments spelled out (OpenAPI allows only [A-Za-z0-9.-_]).</summary>
    public static string SchemaId(Type t)
    {
        var name = (t.IsGenericType ? t.FullName![..t.FullName!.IndexOf('`')] : t.FullName!).Replace("Lis.Geo.Api.", "", StringComparison.Ordinal).Replace('+', '.');
        return t.IsGenericType ? name + "Of" + string.Join("And", t.GetGenericArguments().Select(a => a.Name)) : name;
    }

    public static void Configure(SwaggerGenOptions o)
    {
        o.SwaggerDoc("v1", new()
        {
            Title = "Lis.Geo API",
            Version = "v1",
            Description = "West Midlands public-transport accessibility, deprivation and inclusive growth. OGC API – Features collections " +
                          "serve RFC 7946 GeoJSON (WGS84 by default, crs=EPSG:27700 on request). Writes need the X-API-Key header.",
        });
        o.CustomSchemaIds(SchemaId);
        o.OperationFilter<ItemsParametersFilter>();
        o.OperationFilter<OpenApiRules>();
        // Scenario modifications are one JSON type per "type" value ([JsonDerivedType]); each subtype's members are documented.
        o.UseOneOfForPolymorphism();
        // Only the modifications are polymorphic; other base types (ProblemDetails) stay one schema.
        o.SelectSubTypesUsing(t => typeof(Lis.Geo.Transit.Scenarios.Modification).IsAssignableFrom(t)
            ? t.Assembly.GetTypes().Where(x => x.IsSubclassOf(t)) : []);
        o.SchemaFilter<GeoJsonSchemas>();
        o.UseAllOfForInheritance();
        o.SelectDiscriminatorNameUsing(t => t == typeof(Lis.Geo.Transit.Scenarios.Modification) ? "type" : null);
        o.SelectDiscriminatorValueUsing(t => System.Reflection.CustomAttributeExtensions
            .GetCustomAttributes<System.Text.Json.Serialization.JsonDerivedTypeAttribute>(typeof(Lis.Geo.Transit.Scenarios.Modification))
            .FirstOrDefault(a => a.DerivedType == t)?.TypeDiscriminator as string);
        o.AddSecurityDefinition(OpenApiRules.SecuritySchemeId, new Microsoft.OpenApi.OpenApiSecurityScheme
        {
            Type = Microsoft.OpenApi.SecuritySchemeType.ApiKey,
            In = Microsoft.OpenApi.ParameterLocation.Header,
            Name = ApiKey.Header,
            Description = "The key configured as Auth:ApiKey. Needed for POST/PUT/DELETE only.",
        });
        var xml = Path.Combine(AppContext.BaseDirectory, "Lis.Geo.Api.xml");
        if (File.Exists(xml)) o.IncludeXmlComments(xml);
        var engineXml = Path.Combine(AppContext.BaseDirectory, "Lis.Geo.Transit.xml");
        if (File.Exists(engineXml)) o.IncludeXmlComments(engineXml);
    }
}

/// <summary>The OpenAPI document at <c>/api</c>, as OGC API – Features asks (<c>service-desc</c> of the landing page).</summary>
public static class ApiDefinition
{
    public const string MediaType = "application/vnd.oai.openapi+json;version=3.0";

    public static void MapApiDefinition(this IEndpointRouteBuilder app) =>
        app.MapGet("/api", async (HttpContext http, Swashbuckle.AspNetCore.Swagger.ISwaggerProvider swagger) =>
            {
                OgcHttp.OnlyParameters(http.Request, "f");
                var doc = swagger.GetSwagger("v1", $"{http.Request.Scheme}://{http.Request.Host}", http.Request.PathBase);
                await using var buffer = new MemoryStream();
                await Microsoft.OpenApi.OpenApiSerializableExtensions.SerializeAsJsonAsync(doc, buffer, Microsoft.OpenApi.OpenApiSpecVersion.OpenApi3_0, http.RequestAborted);
                http.Response.ContentType = MediaType;
                await http.Response.Body.WriteAsync(buffer.ToArray(), http.RequestAborted);
            })
            .ExcludeFromDescription();
}
