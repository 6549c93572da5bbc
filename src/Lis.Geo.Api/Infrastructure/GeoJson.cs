using System.Text;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>
/// Writes GeoJSON that PostGIS has already rendered feature by feature, straight to the response
/// (no object model in between), with the RFC 7946 media type and the OGC <c>Content-Crs</c> header.
/// </summary>
public sealed class GeoJsonResult(Func<Stream, CancellationToken, Task> write, string contentCrs) : IResult
{
    public const string MediaType = "application/geo+json";

    public async Task ExecuteAsync(HttpContext http)
    {
        http.Response.ContentType = MediaType;
        http.Response.Headers["Content-Crs"] = $"<{contentCrs}>";
        // Features arrive one by one; buffering sends a page in a few large chunks instead of one per feature.
        await using var buffered = new BufferedStream(http.Response.Body, 64 * 1024);
        await write(buffered, http.RequestAborted);
        await buffered.FlushAsync(http.RequestAborted);
    }

    public static async Task WriteAsync(Stream body, string text, CancellationToken ct) =>
        await body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
}

// ----- Schema-only types: they tell Swagger (and its readers) the GeoJSON shapes the API returns. -----

/// <summary>An RFC 7946 geometry: <c>type</c> and nested <c>coordinates</c>.</summary>
public sealed record GeoJsonGeometry(string Type, object Coordinates);

/// <summary>An RFC 7946 Feature.</summary>
public sealed record GeoJsonFeature(string Type, string? Id, GeoJsonGeometry Geometry, Dictionary<string, object?> Properties);

/// <summary>One feature as <c>/items/{featureId}</c> returns it: an RFC 7946 Feature with its OGC links (self, collection).</summary>
public sealed record GeoJsonFeatureWithLinks(string Type, string? Id, GeoJsonGeometry Geometry, Dictionary<string, object?> Properties, IReadOnlyList<Link> Links);

/// <summary>A link of OGC API – Features.</summary>
public sealed record Link(string Href, string Rel, string? Type = null, string? Title = null);

/// <summary>An RFC 7946 FeatureCollection with the OGC API – Features paging members.</summary>
public sealed record GeoJsonFeatureCollection(string Type, IReadOnlyList<GeoJsonFeature> Features, long NumberMatched, int NumberReturned, string TimeStamp, IReadOnlyList<Link> Links);
