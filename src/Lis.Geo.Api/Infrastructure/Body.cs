using System.Text.Json;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>Reads a JSON request body within a size limit, turning every failure into the right ProblemDetails.</summary>
public static class Body
{
    public static async Task<(JsonDocument? Json, IResult? Problem)> ReadJsonAsync(HttpRequest req, long maxBytes, CancellationToken ct)
    {
        if (req.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            && !type.StartsWith("application/geo+json", StringComparison.OrdinalIgnoreCase))
            return (null, Problems.Result(Problems.UnsupportedMediaType, $"Content-Type '{type}' is not accepted; send application/geo+json.", "Content-Type"));
        if (req.ContentLength > maxBytes)
            return (null, TooLarge(maxBytes));
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = await req.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > maxBytes) return (null, TooLarge(maxBytes));
            buffer.Write(chunk, 0, n);
        }
        try
        {
            return (JsonDocument.Parse(buffer.ToArray()), null);
        }
        catch (JsonException e)
        {
            return (null, Problems.Result(Problems.InvalidBody, $"The body is not valid JSON: {e.Message}", "body"));
        }
    }

    public static IResult TooLarge(long maxBytes) =>
        Problems.Result(Problems.PayloadTooLarge, $"The body is larger than the limit of {maxBytes:N0} bytes.", "body");
}
