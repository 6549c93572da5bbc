namespace Lis.Geo.Cli.Commands;

/// <summary>A named point with an optional weight (population, jobs…).</summary>
internal sealed record NamedPoint(string Id, GeoPoint Location, double Weight);

/// <summary>
/// Reads origin/destination points: CSV with columns id, lat, lon[, weight] (a header row naming them
/// is optional; the id column may be <c>id</c>, <c>code</c> or an ONS code column such as <c>lsoa11cd</c>,
/// as in geodata/lsoa11_pwc.csv), or a GeoJSON FeatureCollection of Points (id from the feature id,
/// properties.id or properties.code, as in geodata/centres.geojson; weight from properties.weight).
/// <paramref name="log"/> is told where the ids came from, so numbered rows are never a surprise.
/// </summary>
internal static class PointFile
{
    public static List<NamedPoint> Read(string path, TextWriter? log = null)
    {
        if (!File.Exists(path)) throw new CliUsageException($"no such file: {path}");
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".geojson" or ".json")) return ReadCsv(path, log);
        try { return ReadGeoJson(path, log); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or IndexOutOfRangeException or FormatException)
        {
            throw new CliUsageException($"{path}: not a GeoJSON FeatureCollection of Points ({e.Message}).");
        }
    }

    private static List<NamedPoint> ReadCsv(string path, TextWriter? log)
    {
        var points = new List<NamedPoint>();
        int id = 0, lat = 1, lon = 2, weight = 3;
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Trim().TrimStart('\uFEFF');
            if (line.Length == 0) continue;
            var fields = SplitCsv(line);
            if (lineNumber == 1 && !double.TryParse(fields.ElementAtOrDefault(1), NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                var names = fields.Select(f => f.ToLowerInvariant()).ToList();
                id = names.IndexOf("id") is >= 0 and var i ? i : names.IndexOf("code") is >= 0 and var c ? c : names.FindIndex(n => n.Length > 2 && n.EndsWith("cd", StringComparison.Ordinal));
                lat = names.FindIndex(n => n is "lat" or "latitude" or "y");
                lon = names.FindIndex(n => n is "lon" or "lng" or "longitude" or "x");
                weight = names.IndexOf("weight");
                if (id < 0 || lat < 0 || lon < 0) throw new CliUsageException($"{path}: the header needs an id (or code, or an ONS …cd code column), lat and lon columns.");
                log?.WriteLine($"{Path.GetFileName(path)}: ids from column '{fields[id]}', coordinates from '{fields[lat]}'/'{fields[lon]}'");
                continue;
            }
            if (fields.Length <= Math.Max(id, Math.Max(lat, lon)) ||
                !double.TryParse(fields[lat], NumberStyles.Float, CultureInfo.InvariantCulture, out var la) ||
                !double.TryParse(fields[lon], NumberStyles.Float, CultureInfo.InvariantCulture, out var lo))
                throw new CliUsageException($"{path}:{lineNumber}: expected id,lat,lon[,weight].");
            var w = weight >= 0 && weight < fields.Length && double.TryParse(fields[weight], NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : 1.0;
            points.Add(new NamedPoint(fields[id], new GeoPoint(la, lo), w));
        }
        return points;
    }

    /// <summary>One CSV line into fields: RFC 4180 quotes (commas and doubled quotes inside), values trimmed.</summary>
    private static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString().Trim()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString().Trim());
        return [.. fields];
    }

    private static List<NamedPoint> ReadGeoJson(string path, TextWriter? log)
    {
        using var stream = File.OpenRead(path);
        using var doc = JsonDocument.Parse(stream);
        if (!doc.RootElement.TryGetProperty("features", out var features))
            throw new CliUsageException($"{path}: not a GeoJSON FeatureCollection.");
        var points = new List<NamedPoint>();
        int index = 0, numbered = 0;
        foreach (var feature in features.EnumerateArray())
        {
            index++;
            if (!feature.TryGetProperty("geometry", out var geometry) || geometry.ValueKind != JsonValueKind.Object ||
                geometry.GetProperty("type").GetString() != "Point")
                throw new CliUsageException($"{path}: feature {index} is not a Point.");
            var coordinates = geometry.GetProperty("coordinates");
            // GeoJSON positions are [longitude, latitude] (RFC 7946).
            var location = new GeoPoint(coordinates[1].GetDouble(), coordinates[0].GetDouble());
            var properties = feature.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
            var id = feature.TryGetProperty("id", out var fid) ? fid.ToString()
                : properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty("id", out var pid) ? pid.ToString()
                : properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty("code", out var code) ? code.ToString()
                : null;
            if (id is null) numbered++;
            var weight = properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty("weight", out var w) && w.ValueKind == JsonValueKind.Number ? w.GetDouble() : 1.0;
            points.Add(new NamedPoint(id ?? index.ToString(CultureInfo.InvariantCulture), location, weight));
        }
        log?.WriteLine(numbered == 0 ? $"{Path.GetFileName(path)}: ids from each feature's id, properties.id or properties.code"
            : $"{Path.GetFileName(path)}: {numbered} of {points.Count} features have no id, properties.id or properties.code; they are numbered by position");
        return points;
    }
}
