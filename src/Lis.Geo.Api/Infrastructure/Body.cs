using System.Text.Json;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>Reads request bodies and query values within limits, turning every failure into the right ProblemDetails.</summary>
public static class Body
{
    public static async Task<(JsonDocument? Json, IResult? Problem)> ReadJsonAsync(HttpRequest req, long maxBytes, CancellationToken ct)
    {
        if (req.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            && !type.StartsWith("application/geo+json", StringComparison.OrdinalIgnoreCase))
            return (null, Problems.Result(Problems.UnsupportedMediaType, $"Content-Type '{type}' is not accepted; send application/geo+json.", "Content-Type"));
        if (req.ContentLength > maxBytes)
            return (null, TooLarge(maxBytes));
        if (await ReadLimitedAsync(req.Body, maxBytes, ct) is not { } bytes)
            return (null, TooLarge(maxBytes));
        try
        {
            return (JsonDocument.Parse(bytes), null);
        }
        catch (JsonException e)
        {
            return (null, Problems.Result(Problems.InvalidBody, $"The body is not valid JSON: {e.Message}", "body"));
        }
    }

    public static IResult TooLarge(long maxBytes) =>
        Problems.Result(Problems.PayloadTooLarge, $"The body is larger than the limit of {maxBytes:N0} bytes.", "body");

    /// <summary>An uploaded file: a multipart part named <c>file</c>, or the raw body with <c>?fileName=</c>.</summary>
    public static async Task<(string Name, byte[]? Content, IResult? Problem)> ReadUploadAsync(HttpRequest req, long max, CancellationToken ct)
    {
        if (req.HasFormContentType)
        {
            var form = await req.ReadFormAsync(ct);
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
            if (file is null) return ("", null, Problems.Result(Problems.InvalidBody, "The form has no file; send it in a part named 'file'.", "file"));
            if (file.Length > max) return ("", null, TooLarge(max));
            using var ms = new MemoryStream();
            await file.CopyToAsync(ms, ct);
            return (file.FileName, ms.ToArray(), null);
        }
        var fileName = Nonempty(req.Query["fileName"]) ?? "upload";
        return await ReadLimitedAsync(req.Body, max, ct) switch
        {
            null => ("", null, TooLarge(max)),
            { Length: 0 } => ("", null, Problems.Result(Problems.InvalidBody, "The body is empty; send the file.", "file")),
            var bytes => (fileName, bytes, null),
        };
    }

    /// <summary>The whole stream, or null as soon as it passes <paramref name="max"/> bytes (a chunked body has no Content-Length to check first).</summary>
    private static async Task<byte[]?> ReadLimitedAsync(Stream body, long max, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > max) return null;
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    public static string? Nonempty(Microsoft.Extensions.Primitives.StringValues v) => v.ToString() is { Length: > 0 } s ? s : null;

    public static bool Flag(IQueryCollection q, string name) => q[name].ToString() switch
    {
        "" or "false" => false,
        "true" => true,
        var v => throw new Problems.BadParameterException(name, $"'{v}' is not true or false."),
    };

    /// <summary>A required WGS84 longitude or latitude query parameter.</summary>
    public static double Coordinate(HttpRequest req, string name, double max)
    {
        var raw = req.Query[name].ToString();
        if (raw.Length == 0)
            throw new Problems.BadParameterException(name, $"{name} is required (WGS84 decimal degrees).");
        if (!double.TryParse(raw, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || Math.Abs(v) > max)
            throw new Problems.BadParameterException(name, $"'{raw}' is not a {name} in -{max}..{max} (WGS84 decimal degrees; British National Grid eastings/northings are not accepted here).");
        return v;
    }
}
