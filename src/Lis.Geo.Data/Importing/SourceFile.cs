using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NetTopologySuite.IO;
using NetTopologySuite.IO.Converters;

namespace Lis.Geo.Data.Importing;

/// <summary>
/// An uploaded or local file to import: GeoJSON FeatureCollection or CSV (optionally gzipped),
/// read into <see cref="SourceRow"/>s. Problems that make the whole file unreadable are returned
/// as file-level issues; problems with one row stay with that row.
/// </summary>
public sealed class SourceFile
{
    public string Name { get; }
    public string Sha256 { get; }
    private readonly Func<Stream> _open;
    private readonly long _length;
    private readonly bool _isGzip;

    private SourceFile(string name, Func<Stream> open, long length, string sha256)
    {
        Name = Path.GetFileName(name);
        _open = open;
        _length = length;
        Sha256 = sha256;
        using var s = open();
        _isGzip = s.ReadByte() == 0x1f && s.ReadByte() == 0x8b && length > 2;
    }

    public SourceFile(string name, byte[] content)
        : this(name, () => new MemoryStream(content, writable: false), content.Length, Convert.ToHexStringLower(SHA256.HashData(content))) { }

    /// <summary>
    /// A file on disk, read from there as a stream each time (never loaded whole): an upload of the full
    /// upload limit costs a read buffer, not its size. <paramref name="sha256"/> when already known (an upload hashed as it arrived).
    /// </summary>
    public static SourceFile OnDisk(string path, string? name = null, string? sha256 = null)
    {
        Stream Open() => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (sha256 is null)
            using (var s = Open()) sha256 = Convert.ToHexStringLower(SHA256.HashData(s));
        return new SourceFile(name ?? path, Open, new FileInfo(path).Length, sha256);
    }

    public static Task<SourceFile> ReadAsync(string path, CancellationToken ct) => Task.FromResult(OnDisk(path));

    private bool IsGzip => _isGzip;

    private string BaseName => IsGzip && Name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? Name[..^3] : Name;

    /// <summary>GeoJSON by extension or by a leading '{'; everything else is read as CSV.</summary>
    public bool IsGeoJson
    {
        get
        {
            var ext = Path.GetExtension(BaseName).ToLowerInvariant();
            if (ext is ".geojson" or ".json") return true;
            if (ext is ".csv" or ".txt") return false;
            using var r = OpenText();
            int c;
            while ((c = r.Read()) >= 0 && char.IsWhiteSpace((char)c)) { }
            return c == '{';
        }
    }

    private StreamReader OpenText()
    {
        var s = _open();
        if (IsGzip)
            s = new Lis.Geo.Transit.Gtfs.InflateLimitStream(new GZipStream(s, CompressionMode.Decompress),
                Lis.Geo.Transit.Gtfs.InputLimits.Current.InflatedBudget(_length), Name);
        // Strict: a byte that is not UTF-8 refuses the file rather than becoming U+FFFD in a name or code unseen.
        return new StreamReader(s, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
    }

    /// <summary>Reads every row. <paramref name="defaultSrid"/> applies to CSV coordinates and GeoJSON without a <c>crs</c> member.</summary>
    public List<SourceRow> ReadRows(int defaultSrid, List<Model.ImportIssue> fileIssues)
    {
        try
        {
            return IsGeoJson ? ReadGeoJson(fileIssues) : ReadCsv(defaultSrid, fileIssues);
        }
        catch (Lis.Geo.Transit.Gtfs.InputLimitException e)
        {
            fileIssues.Add(FileError("too_large", e.Message));
        }
        catch (InvalidDataException e)
        {
            // A damaged gzip (bad header, truncated stream) or text that is not UTF-8.
            fileIssues.Add(FileError("unreadable_file", $"The file cannot be read: {e.Message}"));
        }
        catch (DecoderFallbackException e)
        {
            fileIssues.Add(FileError("unreadable_file", $"The file is not UTF-8 text: {e.Message}"));
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json reading a member of the wrong kind ("type": 7) or text with an unpaired surrogate.
            fileIssues.Add(FileError("invalid_json", $"The file is not GeoJSON this importer can read: {e.Message}"));
        }
        return [];
    }

    private List<SourceRow> ReadGeoJson(List<Model.ImportIssue> fileIssues)
    {
        var rows = new List<SourceRow>();
        JsonDocument doc;
        try
        {
            using var reader = OpenText();
            doc = JsonDocument.Parse(reader.ReadToEnd(), new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            fileIssues.Add(FileError("invalid_json", $"The file is not valid JSON: {e.Message}"));
            return rows;
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "FeatureCollection"
                || !root.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
            {
                fileIssues.Add(FileError("not_feature_collection", "Expected a GeoJSON FeatureCollection with a 'features' array."));
                return rows;
            }
            if (!TryReadCrs(root, out var srid, out var crsError))
            {
                fileIssues.Add(FileError("unknown_crs", crsError!));
                return rows;
            }
            if (features.GetArrayLength() > Lis.Geo.Transit.Gtfs.InputLimits.Current.MaxImportRows)
                throw TooManyRows();
            var options = GeoJsonOptions(srid);
            var n = 0;
            foreach (var f in features.EnumerateArray())
                rows.Add(ReadFeature(f, ++n, options));
        }
        return rows;
    }

    /// <summary>One GeoJSON Feature (e.g. an API request body) as a row; WGS84 unless <paramref name="srid"/> says otherwise.</summary>
    public static SourceRow ReadFeature(JsonElement feature, int srid = Crs.Wgs84) => ReadFeature(feature, 1, GeoJsonOptions(srid));

    private static SourceRow ReadFeature(JsonElement f, int n, JsonSerializerOptions options)
    {
        var fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (f.ValueKind != JsonValueKind.Object)
            return new SourceRow(n, fields, null, "The feature is not a JSON object.");
        if (f.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
            foreach (var p in props.EnumerateObject())
                fields[p.Name] = p.Value.ValueKind switch
                {
                    JsonValueKind.Null or JsonValueKind.Undefined => null,
                    JsonValueKind.String => p.Value.GetString(),
                    _ => p.Value.GetRawText(),
                };
        // The Feature's own id is a fallback key, after any key property.
        if (f.TryGetProperty("id", out var id) && id.ValueKind is JsonValueKind.String or JsonValueKind.Number)
            fields.TryAdd("id", id.ValueKind == JsonValueKind.String ? id.GetString() : id.GetRawText());
        if (!f.TryGetProperty("geometry", out var g) || g.ValueKind == JsonValueKind.Null)
            return new SourceRow(n, fields, null, "The feature has no geometry.");
        try
        {
            return new SourceRow(n, fields, g.Deserialize<Geometry>(options), null);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            return new SourceRow(n, fields, null, $"The geometry is not valid GeoJSON: {e.Message}");
        }
    }

    /// <summary>
    /// RFC 7946 GeoJSON is WGS84 and has no <c>crs</c> member; older files (GDAL's default for
    /// EPSG:27700 output) name one. We accept WGS84/CRS84 and British National Grid and refuse the rest
    /// rather than guess.
    /// </summary>
    private static bool TryReadCrs(JsonElement root, out int srid, out string? error)
    {
        srid = LisGeoDbContext.StorageSrid;
        error = null;
        if (!root.TryGetProperty("crs", out var crs) || crs.ValueKind == JsonValueKind.Null)
            return true;
        var name = crs.TryGetProperty("properties", out var p) && p.TryGetProperty("name", out var nm) ? nm.GetString() ?? "" : "";
        var parsed = Crs.ParseSrid(name);
        if (parsed is null)
        {
            error = $"Unknown CRS '{name}'. Supported: EPSG:4326 / OGC:CRS84 (WGS84) and EPSG:27700 (British National Grid). Reproject with ogr2ogr -t_srs EPSG:4326.";
            return false;
        }
        srid = parsed.Value;
        return true;
    }

    private static JsonSerializerOptions GeoJsonOptions(int srid)
    {
        var o = new JsonSerializerOptions();
        o.Converters.Add(new GeoJsonConverterFactory(new GeometryFactory(new PrecisionModel(), srid)));
        return o;
    }

    private static readonly string[] LonNames = ["lon", "long", "longitude", "lng", "x", "geox", "easting"];
    private static readonly string[] LatNames = ["lat", "latitude", "y", "geoy", "northing"];
    private static readonly string[] WktNames = ["wkt", "geometry", "geom", "point", "the_geom"];
    private static readonly string[] CrsNames = ["coordinatereferencesystem", "crs", "srid"];

    private List<SourceRow> ReadCsv(int defaultSrid, List<Model.ImportIssue> fileIssues)
    {
        var rows = new List<SourceRow>();
        var maxRows = Lis.Geo.Transit.Gtfs.InputLimits.Current.MaxImportRows;
        using var reader = OpenText();
        CsvHeader? header = null;
        var wktReader = new WKTReader();
        // The engine's streaming RFC 4180 reader (quotes, doubled quotes, line breaks in fields, blank lines skipped).
        using var csv = new Lis.Geo.Transit.Gtfs.CsvReader(reader);
        while (csv.ReadRow())
        {
            var line = (int)csv.Line;
            if (header is null)
            {
                var names = new string[csv.FieldCount];
                for (var i = 0; i < names.Length; i++) names[i] = csv[i].Trim().ToString();
                header = new CsvHeader(names);
                continue;
            }
            // Checked as rows arrive, so a file of millions of tiny rows is refused after the limit, not after holding them all.
            if (rows.Count >= maxRows) throw TooManyRows();
            var values = new string[csv.FieldCount];
            for (var i = 0; i < values.Length; i++) values[i] = csv[i].IsEmpty ? "" : csv[i].ToString();
            var row = new SourceRow(line, new CsvFields(header, values), null, null);
            if (values.Length != header.Width)
            {
                rows.Add(row with { GeometryError = $"The row has {values.Length} fields; the header has {header.Width}." });
                continue;
            }
            rows.Add(WithCsvGeometry(row, defaultSrid, wktReader));
        }
        if (header is null)
            fileIssues.Add(FileError("empty_file", "The CSV file has no header row."));
        return rows;
    }

    private Lis.Geo.Transit.Gtfs.InputLimitException TooManyRows() =>
        new($"{Name} has more than {Lis.Geo.Transit.Gtfs.InputLimits.Current.MaxImportRows:N0} rows (Limits:MaxImportRows); it was read no further.");

    /// <summary>
    /// A CSV file's column names, shared by all its rows: each name (case-insensitive) to the index of its
    /// last column of that name, in order of first appearance, as a dictionary filled column by column would hold them.
    /// </summary>
    private sealed class CsvHeader
    {
        public readonly Dictionary<string, int> Index = new(StringComparer.OrdinalIgnoreCase);
        public readonly List<string> Names = [];
        public readonly int Width;

        public CsvHeader(string[] names)
        {
            Width = names.Length;
            for (var i = 0; i < names.Length; i++)
            {
                if (!Index.ContainsKey(names[i])) Names.Add(names[i]);
                Index[names[i]] = i;
            }
        }
    }

    /// <summary>
    /// One CSV row's fields by column name: the shared header and the row's values, so a row costs its
    /// strings and one array rather than a dictionary of its own. A column the row is too short for is null.
    /// </summary>
    private sealed class CsvFields(CsvHeader header, string[] values) : IReadOnlyDictionary<string, string?>
    {
        public string? this[string key] => TryGetValue(key, out var v) ? v : throw new KeyNotFoundException(key);
        public IEnumerable<string> Keys => header.Names;
        public IEnumerable<string?> Values => header.Names.Select(n => this[n]);
        public int Count => header.Names.Count;
        public bool ContainsKey(string key) => header.Index.ContainsKey(key);

        public bool TryGetValue(string key, out string? value)
        {
            if (!header.Index.TryGetValue(key, out var i)) { value = null; return false; }
            value = i < values.Length ? values[i] : null;
            return true;
        }

        public IEnumerator<KeyValuePair<string, string?>> GetEnumerator()
        {
            foreach (var n in header.Names) yield return new(n, this[n]);
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private static SourceRow WithCsvGeometry(SourceRow row, int defaultSrid, WKTReader wktReader)
    {
        var srid = defaultSrid;
        var crsText = row.Get(CrsNames);
        if (crsText is not null)
        {
            var parsed = Crs.ParseSrid(crsText);
            if (parsed is null)
                return row with { GeometryError = $"Unknown CRS '{crsText}'. Supported: EPSG:4326 (WGS84/ETRS89) and EPSG:27700 (OSGB36 British National Grid)." };
            srid = parsed.Value;
        }
        var wkt = row.Get(WktNames);
        if (wkt is not null)
        {
            try
            {
                var g = wktReader.Read(wkt.StartsWith("SRID=", StringComparison.OrdinalIgnoreCase) ? wkt[(wkt.IndexOf(';') + 1)..] : wkt);
                g.SRID = srid;
                return row with { Geometry = g };
            }
            catch (Exception e) when (e is ParseException or ArgumentException or FormatException)
            {
                return row with { GeometryError = $"The WKT geometry could not be read: {e.Message}" };
            }
        }
        var lon = row.Get(LonNames);
        var lat = row.Get(LatNames);
        if (lon is null && lat is null)
            return row with { GeometryError = "No coordinates: expected lon/lat (or x/y, GeoX/GeoY) columns or a WKT column." };
        if (!double.TryParse(lon, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
            || !double.TryParse(lat, NumberStyles.Float, CultureInfo.InvariantCulture, out var y))
            return row with { GeometryError = $"Coordinates '{lon}', '{lat}' are not numbers." };
        return row with { Geometry = new Point(x, y) { SRID = srid } };
    }

    private static Model.ImportIssue FileError(string code, string message) =>
        new(Model.ImportIssue.Error, code, null, null, message);
}
