using System.Net;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>
/// Wiring of the edge: body binding that refuses unknown members, the per-client limiter of
/// synchronous routing, trusted proxies, the public base URL, and Kestrel without a Server header.
/// One place, so Program.cs stays a list of features.
/// </summary>
public static class EdgeSetup
{
    public static void AddEdge(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<LimitsOptions>().BindConfiguration(LimitsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            // {"thresholdMinute": 30} (misspelt) is refused by name rather than silently ignored.
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            // A number is a JSON number: "45" (text) is refused, not quietly read as 45.
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        // A body that cannot be bound throws (and becomes ProblemDetails naming the member) in every
        // environment; by default production answers a bare 400 with no word of what was wrong.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddAntiforgery();
        builder.Services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(RoutingLimiter(builder, perMinute: true), RoutingLimiter(builder, perMinute: false));
            o.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? (int)Math.Ceiling(retry.TotalSeconds) : 1;
                http.Response.Headers.RetryAfter = wait.ToString(CultureInfo.InvariantCulture);
                await Problems.Result(Problems.TooManyRequests,
                    $"Too many synchronous routing requests from this client; retry in {wait} s (Limits:InteractivePerMinute, Limits:InteractiveConcurrent). Batch work: POST /analyses.").ExecuteAsync(http);
            };
        });
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ApiOptions>>((f, api) =>
        {
            f.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            f.KnownIPNetworks.Clear();
            f.KnownProxies.Clear();
            foreach (var proxy in api.Value.TrustedProxies) f.KnownProxies.Add(IPAddress.Parse(proxy));
        });
    }

    /// <summary>Forwarded headers from trusted proxies only, then the public base URL, then the guards; before every endpoint.</summary>
    public static void UseEdge(this WebApplication app)
    {
        // The GTFS and import readers run in this process (uploads) and in its Hangfire server.
        Transit.Gtfs.InputLimits.Current = app.Services.GetRequiredService<IOptions<LimitsOptions>>().Value.Input();
        var api = app.Services.GetRequiredService<IOptions<ApiOptions>>().Value;
        if (api.TrustedProxies.Length > 0) app.UseForwardedHeaders();
        if (api.PublicBaseUrl.Length > 0)
        {
            var baseUrl = new Uri(api.PublicBaseUrl.TrimEnd('/') + "/", UriKind.Absolute);
            app.Use((http, next) =>
            {
                http.Request.Scheme = baseUrl.Scheme;
                http.Request.Host = HostString.FromUriComponent(baseUrl);
                http.Request.PathBase = PathString.FromUriComponent(baseUrl.AbsolutePath.TrimEnd('/'));
                return next(http);
            });
        }
        app.UseRouting();
        app.UseRateLimiter();
        app.UseEdgeGuards();
        app.UseAntiforgery();
    }

    /// <summary>Synchronous routing routes: anonymous, and each request is a range-RAPTOR search over the window.</summary>
    public static bool IsInteractiveRouting(PathString path) =>
        path.StartsWithSegments("/accessibility") || path.StartsWithSegments("/isochrones")
        || (path.StartsWithSegments("/sites") && (path.Value!.EndsWith("/accessibility", StringComparison.Ordinal) || path.Value.EndsWith("/isochrones", StringComparison.Ordinal)));

    /// <summary>Per client (its address; key holders are operators and unlimited): a fixed window of requests per minute, or a few at once.</summary>
    private static PartitionedRateLimiter<HttpContext> RoutingLimiter(WebApplicationBuilder builder, bool perMinute) =>
        PartitionedRateLimiter.Create<HttpContext, string>(http =>
        {
            if (!IsInteractiveRouting(http.Request.Path) || ApiKey.IsAuthorised(http)) return RateLimitPartition.GetNoLimiter("unlimited");
            var limits = http.RequestServices.GetRequiredService<IOptions<LimitsOptions>>().Value;
            var client = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            return perMinute
                ? RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.InteractivePerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })
                : RateLimitPartition.GetConcurrencyLimiter(client, _ => new ConcurrencyLimiterOptions { PermitLimit = limits.InteractiveConcurrent, QueueLimit = 2 * limits.InteractiveConcurrent });
        });
}
