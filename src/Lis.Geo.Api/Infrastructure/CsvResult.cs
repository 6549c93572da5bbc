using System.Text;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>
/// A layer's features as RFC 4180 CSV (id and properties, no geometry) for spreadsheets: the same
/// query and filters as the GeoJSON, read row by row. Layers of points (and sites, points or polygons)
/// carry <c>lon</c>/<c>lat</c> columns (<c>x</c>/<c>y</c> in another CRS): the point, or the point on the
/// surface of a polygon that runs route to.
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
        var point = HasPoints(layer);
        string[] pointColumns = !point ? [] : request.OutputSrid == 4326 ? ["lon", "lat"] : ["x", "y"];
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false), 1 << 16);
        await writer.WriteLineAsync(string.Join(',', new[] { "id" }.Concat(pointColumns).Concat(columns).Select(Quote)));
        var decimals = FeatureQuery.Decimals(request.OutputSrid);
        string Coordinate(double? v) => v is { } d ? Math.Round(d, decimals).ToString(CultureInfo.InvariantCulture) : "";
        await foreach (var row in FeatureQuery.ReadRowsAsync(db, layer, request with { IncludeGeometry = false, WithPoint = point }, withKeys: false, http.RequestAborted))
        {
            using var doc = JsonDocument.Parse(row.Json);
            var root = doc.RootElement;
            var props = root.GetProperty("properties");
            var cells = new List<string> { Quote(Text(root.GetProperty("id"))) };
            if (point) cells.AddRange([Coordinate(row.X), Coordinate(row.Y)]);
            cells.AddRange(columns.Select(c => Quote(props.TryGetProperty(c, out var v) ? Text(v) : "")));
            await writer.WriteLineAsync(string.Join(',', cells));
        }
    }

    /// <summary>Layers whose features are places (stops, centres, centroids, sites): their CSV says where each is.</summary>
    public static bool HasPoints(Layer layer) => layer.GeometryType is "Point" or "MultiPoint" or "Geometry";

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
