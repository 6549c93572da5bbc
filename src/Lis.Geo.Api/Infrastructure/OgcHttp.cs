using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>
/// The HTTP conventions of OGC API – Common that every resource here follows (OGC collections, processes, runs, tiles): parameters checked the same way everywhere,
/// <c>f</c> or <c>Accept</c> choosing the encoding (406 when none fits), weak ETags with
/// <c>If-None-Match</c>, <c>Cache-Control</c>, and the document's links repeated as a <c>Link</c> header.
/// </summary>
public static class OgcHttp
{
    /// <summary>How every document here is written: camelCase members (the web defaults), absent values left out.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// <paramref name="path"/> as an absolute link under this API: the request's scheme, host and path base
    /// (set from <c>Api:PublicBaseUrl</c> or trusted proxies' forwarded headers only, README "Doors").
    /// </summary>
    public static string Href(HttpRequest req, string path) => $"{req.Scheme}://{req.Host}{req.PathBase}{path}";

    /// <summary>An encoding a resource offers: the <c>f</c> value and the media type.</summary>
    public sealed record Offer(string Format, string MediaType);

    public static readonly Offer Json = new("json", "application/json");
    public static readonly Offer GeoJson = new("geojson", GeoJsonResult.MediaType);
    public static readonly Offer Csv = new("csv", "text/csv");
    public static readonly Offer Schema = new("json", "application/schema+json");

    /// <summary>Refuses any query parameter not in <paramref name="allowed"/> (400 naming it), as /items does.</summary>
    public static void OnlyParameters(HttpRequest req, params string[] allowed)
    {
        foreach (var key in req.Query.Keys)
            if (!allowed.Contains(key))
                throw new Problems.BadParameterException(key, allowed.Length == 0
                    ? $"Unknown parameter '{key}'. This resource takes no parameters."
                    : $"Unknown parameter '{key}'. This resource accepts: {string.Join(", ", allowed)}.");
    }

    /// <summary>
    /// The encoding to answer in: <c>f</c> when given (one of the offers' formats, else 400), otherwise the
    /// best match of <c>Accept</c> (quality values and wildcards honoured; none or <c>*/*</c>: the first offer), else 406.
    /// </summary>
    public static Offer Negotiate(HttpRequest req, params Offer[] offers)
    {
        if (req.Query["f"].ToString() is { Length: > 0 } f)
            return offers.FirstOrDefault(o => o.Format == f)
                ?? (f == "json" ? offers[0] : null)
                ?? throw new Problems.BadParameterException("f", $"f may be {string.Join(" or ", offers.Select(o => o.Format).Distinct())} here.");
        var accept = req.Headers.Accept.ToString();
        if (accept.Length == 0 || !MediaTypeHeaderValue.TryParseList(req.Headers.Accept, out var ranges) || ranges.Count == 0) return offers[0];
        foreach (var range in ranges.Where(r => (r.Quality ?? 1) > 0).OrderByDescending(r => r.Quality ?? 1))
        {
            var type = range.MediaType.Value ?? "";
            if (type == "*/*") return offers[0];
            var match = offers.FirstOrDefault(o => o.MediaType.Equals(type, StringComparison.OrdinalIgnoreCase))
                ?? (type.EndsWith("/*", StringComparison.Ordinal) ? offers.FirstOrDefault(o => o.MediaType.StartsWith(type[..^1], StringComparison.OrdinalIgnoreCase)) : null)
                // application/json readers can read the JSON-based types (GeoJSON, JSON Schema).
                ?? (type.Equals("application/json", StringComparison.OrdinalIgnoreCase) ? offers.FirstOrDefault(o => o.MediaType.EndsWith("json", StringComparison.Ordinal)) : null);
            if (match is not null) return match;
        }
        throw new Problems.ProblemException(Problems.NotAcceptable,
            $"This resource is available as {string.Join(", ", offers.Select(o => o.MediaType).Distinct())}; the Accept header '{accept}' allows none of them.", "Accept");
    }

    /// <summary>A weak validator over the bytes (weak: compression may re-encode them).</summary>
    public static string ETag(ReadOnlySpan<byte> body) => $"W/\"{Convert.ToHexStringLower(SHA256.HashData(body)[..16])}\"";

    /// <summary>Sets ETag and Cache-Control; true when the client's If-None-Match already holds this version (answer 304).</summary>
    public static bool NotModified(HttpContext http, string etag, bool immutable)
    {
        http.Response.Headers.ETag = etag;
        // Finished runs' results never change; everything else may, so caches revalidate (cheap with the ETag).
        http.Response.Headers.CacheControl = immutable ? "public, max-age=31536000, immutable" : "no-cache";
        var inm = http.Request.Headers.IfNoneMatch.ToString();
        if (inm.Length == 0) return false;
        return inm.Trim() == "*" || inm.Split(',').Any(t => WeakEquals(t.Trim(), etag));
    }

    private static bool WeakEquals(string a, string b) => Strip(a) == Strip(b);
    private static string Strip(string tag) => tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;

    /// <summary>The links as an RFC 8288 <c>Link</c> header (Part 1 recommends it for paging clients that never parse the body).</summary>
    public static void LinkHeader(HttpResponse response, IEnumerable<Link> links) =>
        response.Headers.Link = string.Join(", ", links.Select(l =>
            $"<{l.Href}>; rel=\"{l.Rel}\"" + (l.Type is null ? "" : $"; type=\"{l.Type}\"") + (l.Title is null ? "" : $"; title=\"{l.Title.Replace("\"", "'", StringComparison.Ordinal)}\"")));

    /// <summary>A JSON document (landing page, collections, schemas…) with ETag, Cache-Control and Link header.</summary>
    public sealed class Document(object body, string mediaType, IReadOnlyList<Link> links, bool immutable = false) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(body, JsonOptions);
            LinkHeader(http.Response, links);
            if (NotModified(http, ETag(bytes), immutable))
            {
                http.Response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }
            http.Response.ContentType = mediaType;
            http.Response.ContentLength = bytes.Length;
            await http.Response.Body.WriteAsync(bytes, http.RequestAborted);
        }
    }
}

/// <summary>A link of OGC API – Common / Features (and of every other document here that lists links).</summary>
public sealed record Link(string Href, string Rel, string? Type = null, string? Title = null);
