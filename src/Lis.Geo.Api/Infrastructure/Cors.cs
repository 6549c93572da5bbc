using Microsoft.AspNetCore.Cors.Infrastructure;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>Section "Cors": which web origins may call the API from a browser.</summary>
public sealed class CorsOptions
{
    public const string Section = "Cors";

    /// <summary>Origins allowed to read (GET, HEAD); <c>*</c> (the default) lets any page show the data, which is public anyway.</summary>
    public string[] ReadOrigins { get; set; } = ["*"];

    /// <summary>
    /// Origins allowed to write (POST, PUT, PATCH, DELETE with the X-API-Key header); none by default, so a
    /// key typed into one site's page cannot be used from another. List exact origins, e.g. https://maps.example.org.
    /// </summary>
    public string[] WriteOrigins { get; set; } = [];
}

/// <summary>
/// ASP.NET Core CORS with two policies chosen by method: reads from <see cref="CorsOptions.ReadOrigins"/>,
/// writes from <see cref="CorsOptions.WriteOrigins"/>. A preflight is judged by the method it announces.
/// The headers a map client needs (paging Link, ETag, Content-Crs) are exposed.
/// </summary>
public sealed class CorsPolicies(IOptions<CorsOptions> options) : ICorsPolicyProvider
{
    private static readonly string[] Exposed = ["Link", "ETag", "Content-Crs", "Location", "Content-Disposition"];

    private readonly CorsPolicy _read = Build(options.Value.ReadOrigins, ["GET", "HEAD"], ["Accept", "If-None-Match", "Content-Type"]);
    private readonly CorsPolicy _write = Build(options.Value.WriteOrigins, ["POST", "PUT", "PATCH", "DELETE"], ["Accept", "Content-Type", ApiKey.Header, "Prefer"]);

    private static CorsPolicy Build(string[] origins, string[] methods, string[] headers)
    {
        var b = new CorsPolicyBuilder();
        if (origins.Contains("*")) b.AllowAnyOrigin();
        else b.WithOrigins(origins);
        return b.WithMethods(methods).WithHeaders(headers).WithExposedHeaders(Exposed).SetPreflightMaxAge(TimeSpan.FromHours(1)).Build();
    }

    public Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName)
    {
        var method = HttpMethods.IsOptions(context.Request.Method)
            ? context.Request.Headers.AccessControlRequestMethod.ToString()
            : context.Request.Method;
        return Task.FromResult<CorsPolicy?>(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? _read : _write);
    }
}
