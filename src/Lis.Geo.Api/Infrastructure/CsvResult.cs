using System.Globalization;
using System.Text;
using System.Text.Json;
using Lis.Geo.Data.Layers;
using Npgsql;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>
/// A layer's features as RFC 4180 CSV (id and properties, no geometry) for spreadsheets: the same
/// query, paging and filters as the GeoJSON, read row by row.
/// </summary>
public sealed class CsvResult(Layer layer, FeatureRequest request, NpgsqlDataSource db, string fileName) : IResult
{
    public Task ExecuteAsync(HttpContext http) => Streamed(http, WriteAsync);

    /// <summary>
    /// Runs a streamed body; a failure once bytes are sent aborts the connection, so the client sees a
    /// broken download rather than a 200 whose body is silently cut short. Before that, the exception
    /// handler still answers with ProblemDetails.
    /// </summary>
    public static async Task Streamed(HttpContext http, Func<HttpContext, Task> write)
    {
        try
        {
            await write(http);
        }
        catch (Exception) when (http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
        {
            http.Abort();
            throw;
        }
    }

    private async Task WriteAsync(HttpContext http)
    {
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        var columns = request.Properties ?? layer.Properties.Select(p => p.Name).ToList();
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false), 1 << 16);
        await writer.WriteLineAsync(string.Join(',', new[] { "id" }.Concat(columns).Select(Quote)));
        await foreach (var feature in FeatureQuery.ReadAsync(db, layer, request with { IncludeGeometry = false }, http.RequestAborted))
        {
            using var doc = JsonDocument.Parse(feature);
            var root = doc.RootElement;
            var props = root.GetProperty("properties");
            var cells = new List<string> { Quote(Text(root.GetProperty("id"))) };
            cells.AddRange(columns.Select(c => Quote(props.TryGetProperty(c, out var v) ? Text(v) : "")));
            await writer.WriteLineAsync(string.Join(',', cells));
        }
    }

    private static string Text(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        JsonValueKind.String => Neutralised(v.GetString()!),
        JsonValueKind.Number => v.GetDouble().ToString(CultureInfo.InvariantCulture),
        _ => v.GetRawText(),
    };

    /// <summary>
    /// Text that a spreadsheet would run as a formula (=, +, -, @, tab or CR first: OWASP's CSV
    /// injection list) gets a leading apostrophe, so it shows as the text it is. Numbers are never text
    /// here, so -1.5 stays a number.
    /// </summary>
    public static string Neutralised(string s) =>
        s.Length > 0 && s[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + s : s;

    private static string Quote(string s) =>
        s.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
}
