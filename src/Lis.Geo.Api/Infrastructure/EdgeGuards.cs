using Microsoft.AspNetCore.Http.Features;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>What kind of body an endpoint reads, and so which size limit guards it (default: a JSON body of <see cref="LimitsOptions.MaxJsonBytes"/>).</summary>
public enum BodyKind
{
    /// <summary>A run request, schedule or other small JSON document: <see cref="LimitsOptions.MaxJsonBytes"/>, checked as JSON before binding.</summary>
    Json,
    /// <summary>A single GeoJSON Feature: <see cref="ApiOptions.MaxFeatureBytes"/>, checked as JSON before binding.</summary>
    Feature,
    /// <summary>An uploaded file, streamed to disk: <see cref="ApiOptions.MaxUploadBytes"/>.</summary>
    Upload,
}

/// <summary>Endpoint metadata: the body this endpoint reads (see <see cref="EdgeGuards.Reads{TBuilder}"/>).</summary>
public sealed record BodyKindMetadata(BodyKind Kind);

/// <summary>Endpoint metadata: writes need the API key, checked before the body is read (<see cref="ApiKey.RequireApiKey{TBuilder}"/>).</summary>
public sealed class ApiKeyRequiredMetadata;

/// <summary>
/// The checks every request meets before an endpoint sees it, in one middleware: the API key of a
/// write (so a keyless client cannot make the server read, let alone parse, its body), the body
/// limit of the endpoint (Content-Length first, then counted as bytes arrive), and for JSON bodies a
/// read of the whole (small) body for well-formedness, UTF-8, NUL and surrogates, naming the member
/// at fault. It also sets the standard security headers on every answer.
/// </summary>
public static class EdgeGuards
{
    /// <summary>Declares the body an endpoint reads; endpoints without it get the JSON limit.</summary>
    public static TBuilder Reads<TBuilder>(this TBuilder builder, BodyKind kind) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyKindMetadata(kind));

    public static IApplicationBuilder UseEdgeGuards(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        SecurityHeaders(http);
        var endpoint = http.GetEndpoint();
        if (endpoint is null)
        {
            await next(http);
            return;
        }
        if (endpoint.Metadata.GetMetadata<ApiKeyRequiredMetadata>() is not null && !ApiKey.IsAuthorised(http))
        {
            await ApiKey.Refusal(http).ExecuteAsync(http);
            return;
        }
        var api = http.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value;
        var limits = http.RequestServices.GetRequiredService<IOptions<LimitsOptions>>().Value;
        var kind = endpoint.Metadata.GetMetadata<BodyKindMetadata>()?.Kind ?? BodyKind.Json;
        var max = kind switch
        {
            BodyKind.Upload => api.MaxUploadBytes,
            BodyKind.Feature => api.MaxFeatureBytes,
            _ => limits.MaxJsonBytes,
        };
        if (http.Request.ContentLength > max)
        {
            await Body.TooLarge(max).ExecuteAsync(http);
            return;
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = max;
        if (kind != BodyKind.Upload && HasBody(http.Request))
        {
            if (!IsJson(http.Request.ContentType))
            {
                await Problems.Result(Problems.UnsupportedMediaType,
                    $"Content-Type '{http.Request.ContentType}' is not read here; send the body as application/json{(kind == BodyKind.Feature ? " or application/geo+json" : "")}.",
                    "Content-Type").ExecuteAsync(http);
                return;
            }
            // Small by the limit above, so read whole: then checked once, and bound from memory.
            var bytes = await ReadLimitedAsync(http.Request.Body, max, http.RequestAborted);
            if (bytes is null)
            {
                await Body.TooLarge(max).ExecuteAsync(http);
                return;
            }
            if (JsonBodyCheck.Find(bytes, limits.MaxJsonDepth) is { } fault)
            {
                await Problems.Result(Problems.InvalidBody, fault.Message, fault.Field).ExecuteAsync(http);
                return;
            }
            http.Request.Body = new MemoryStream(bytes, writable: false);
            http.Request.ContentLength = bytes.Length;
        }
        await next(http);
    });

    private static bool HasBody(HttpRequest req) =>
        req.ContentLength > 0 || (req.ContentLength is null && req.Headers.TransferEncoding.Count > 0)
        || (req.ContentLength is null && !HttpMethods.IsGet(req.Method) && !HttpMethods.IsHead(req.Method) && !HttpMethods.IsDelete(req.Method));

    /// <summary>JSON unless the client said otherwise: minimal APIs bind JSON whatever the type, so an untyped body is checked too.</summary>
    private static bool IsJson(string? contentType) =>
        contentType is null || contentType.Contains("json", StringComparison.OrdinalIgnoreCase);

    private static async Task<byte[]?> ReadLimitedAsync(Stream body, long max, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        try
        {
            while ((n = await body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + n > max) return null;
                buffer.Write(chunk, 0, n);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// nosniff (a CSV or SVG is never run as script), no framing (clickjacking), no referrer leaking
    /// run or feature ids to other sites; HSTS on HTTPS only.
    /// </summary>
    private static void SecurityHeaders(HttpContext http)
    {
        var h = http.Response.Headers;
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
        h["Referrer-Policy"] = "no-referrer";
        h.ContentSecurityPolicy = "frame-ancestors 'none'";
        h["Cross-Origin-Opener-Policy"] = "same-origin";
        if (http.Request.IsHttps) h.StrictTransportSecurity = "max-age=31536000";
    }
}
