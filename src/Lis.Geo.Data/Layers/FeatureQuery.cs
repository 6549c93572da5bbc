using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Lis.Geo.Data.Layers;

/// <summary>What to read from a layer. Values are already validated by the caller (the API).</summary>
public sealed record FeatureRequest
{
    public int Limit { get; init; } = 100;
    public int Offset { get; init; }

    /// <summary>minx, miny, maxx, maxy in <see cref="BboxSrid"/>.</summary>
    public double[]? Bbox { get; init; }
    public int BboxSrid { get; init; } = 4326;
    public int OutputSrid { get; init; } = 4326;

    /// <summary>Properties to include; null for all.</summary>
    public IReadOnlyList<string>? Properties { get; init; }

    /// <summary>Equality filters by <see cref="LayerFilter.Name"/>; values are parsed to the filter's type.</summary>
    public IReadOnlyDictionary<string, object> Filters { get; init; } = new Dictionary<string, object>();

    /// <summary>One feature by id instead of a page.</summary>
    public string? FeatureId { get; init; }

    /// <summary>False writes <c>"geometry":null</c> without serialising it (CSV needs only the properties).</summary>
    public bool IncludeGeometry { get; init; } = true;

    /// <summary>
    /// Also read each feature's point in <see cref="OutputSrid"/> (<see cref="FeatureRow.X"/>, <see cref="FeatureRow.Y"/>):
    /// the point itself, or PostGIS's point on the surface of a line or polygon (the point a run routes to
    /// or from), for CSV's lon/lat columns.
    /// </summary>
    public bool WithPoint { get; init; }

    /// <summary>A CQL2 filter (OGC API – Features Part 3), already parsed; its geometry literals are in <see cref="FilterSrid"/>.</summary>
    public Cql2.Node? Filter { get; init; }
    public int FilterSrid { get; init; } = 4326;

    /// <summary>Properties to sort by before the layer's own order; null keeps the layer's order (and allows keyset paging).</summary>
    public IReadOnlyList<(string Property, bool Descending)>? SortBy { get; init; }

    /// <summary>
    /// Keyset paging: the values of <see cref="Layer.OrderTerms"/> of the last feature of the previous page;
    /// the page starts after it, at the cost of an index seek however deep it is (unlike <see cref="Offset"/>).
    /// </summary>
    public IReadOnlyList<object>? After { get; init; }

    /// <summary>The <c>datetime</c> interval (dates, inclusive, open ends null); applied to layers with a <see cref="Layer.TimeSql"/>.</summary>
    public (DateOnly? From, DateOnly? To)? Datetime { get; init; }
}

/// <summary>One feature's GeoJSON, its keyset (the JSON array of its order terms' values) and, when asked for, its point.</summary>
public readonly record struct FeatureRow(string Json, string? Key, double? X = null, double? Y = null);

/// <summary>
/// Reads GeoJSON features from a <see cref="Layer"/>. PostGIS writes each geometry's JSON
/// (<c>ST_AsGeoJSON</c>) and the properties' values are written straight to JSON, so rows stream to the
/// client without an object model in between — the approach pg_featureserv takes. The bbox is transformed to the storage
/// CRS, never the column, so the GiST index answers it.
/// </summary>
public static class FeatureQuery
{
    /// <summary>Coordinate decimals: 6 in degrees (~0.1 m, as RFC 7946 advises), 2 in metres.</summary>
    public static int Decimals(int srid) => srid == 4326 ? 6 : 2;

    /// <summary>Features the request selects, on every page (the keyset of a page does not narrow it).</summary>
    public static async Task<long> CountAsync(NpgsqlDataSource db, Layer layer, FeatureRequest req, CancellationToken ct)
    {
        var (where, parameters) = Where(layer, req with { After = null });
        await using var cmd = db.CreateCommand($"SELECT count(*) FROM {layer.From} {WhereClause(where)}");
        cmd.Parameters.AddRange(parameters.ToArray());
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Each feature as one GeoJSON Feature text, in the layer's order (the id unless it ranks its features; stable paging either way).</summary>
    public static async IAsyncEnumerable<string> ReadAsync(NpgsqlDataSource db, Layer layer, FeatureRequest req, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var row in ReadRowsAsync(db, layer, req, withKeys: false, ct))
            yield return row.Json;
    }

    /// <summary>The SQL condition and parameters a request selects by (everything but paging), e.g. to key a cached count.</summary>
    public static (string Sql, IReadOnlyList<object> Values) Selection(Layer layer, FeatureRequest req)
    {
        var (where, parameters) = Where(layer, req with { After = null });
        return (WhereClause(where), parameters.Select(p => p.Value!).ToList());
    }

    /// <summary>Like <see cref="ReadAsync"/>, with each feature's keyset when <paramref name="withKeys"/> (for the next link).</summary>
    public static async IAsyncEnumerable<FeatureRow> ReadRowsAsync(NpgsqlDataSource db, Layer layer, FeatureRequest req, bool withKeys, [EnumeratorCancellation] CancellationToken ct)
    {
        var (where, parameters) = Where(layer, req);
        var props = req.Properties is null ? layer.Properties : layer.Properties.Where(p => req.Properties.Contains(p.Name)).ToList();
        var geometry = req.OutputSrid == 4326 ? layer.GeometrySql : $"ST_Transform({layer.GeometrySql}, {req.OutputSrid})";
        // The id and geometry come as JSON text (PostGIS writes the geometry); the properties as their typed
        // values, written to JSON here (PropertyWriter): json_build_object was 40 % of the query's time.
        var sql = new StringBuilder()
            .Append("SELECT to_json(").Append(layer.IdSql).Append(")::text, ")
            .Append(req.IncludeGeometry ? $"coalesce(ST_AsGeoJSON({geometry}, {Decimals(req.OutputSrid)}, 0), 'null')" : "'null'");
        var at = 2;
        if (withKeys)
        {
            sql.Append(", json_build_array(").Append(string.Join(", ", layer.OrderTerms.Select(t => t.Sql))).Append(")::text");
            at++;
        }
        if (req.WithPoint)
            sql.Append($", ST_X(ST_PointOnSurface({geometry})), ST_Y(ST_PointOnSurface({geometry}))");
        var first = req.WithPoint ? at + 2 : at;
        foreach (var p in props)
            sql.Append(", (").Append(p.Sql).Append(p.Type == PropertyType.String ? ")::text" : ")");
        sql.Append(" FROM ").Append(layer.From).Append(' ').Append(WhereClause(where))
            .Append(" ORDER BY ").Append(OrderBy(layer, req));
        if (req.FeatureId is null)
            sql.Append(CultureInfo.InvariantCulture, $" LIMIT {req.Limit}").Append(req.After is null ? $" OFFSET {req.Offset}" : "");
        await using var cmd = db.CreateCommand(sql.ToString());
        cmd.Parameters.AddRange(parameters.ToArray());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var writer = new PropertyWriter(props);
        while (await r.ReadAsync(ct))
            yield return new FeatureRow(writer.Feature(r, first), withKeys ? r.GetString(2) : null,
                req.WithPoint && !r.IsDBNull(at) ? r.GetDouble(at) : null, req.WithPoint && !r.IsDBNull(at + 1) ? r.GetDouble(at + 1) : null);
    }

    /// <summary>
    /// Writes a row as one GeoJSON Feature: the id (column 0) and geometry (column 1) as PostgreSQL gave their
    /// JSON, then the properties from column <c>first</c> on, each by its value's type as PostgreSQL's
    /// <c>to_json</c> would (numbers as numbers with their digits, NaN and infinities as strings, null as null;
    /// text escaped as JSON requires, other characters as they are).
    /// </summary>
    private sealed class PropertyWriter(IReadOnlyList<LayerProperty> props)
    {
        private readonly JsonEncodedText[] _names = props.Select(p => JsonEncodedText.Encode(p.Name, JavaScriptEncoder.UnsafeRelaxedJsonEscaping)).ToArray();
        private readonly ArrayBufferWriter<byte> _buffer = new(4096);
        private Utf8JsonWriter? _json;

        public string Feature(NpgsqlDataReader r, int first)
        {
            _buffer.ResetWrittenCount();
            var w = _json ??= new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
            w.Reset(_buffer);
            w.WriteStartObject();
            w.WriteString(TypeName, FeatureName);
            w.WritePropertyName(IdName);
            w.WriteRawValue(r.GetString(0), skipInputValidation: true);
            w.WritePropertyName(GeometryName);
            w.WriteRawValue(r.GetString(1), skipInputValidation: true);
            w.WriteStartObject(PropertiesName);
            for (var i = 0; i < _names.Length; i++)
            {
                w.WritePropertyName(_names[i]);
                switch (r.IsDBNull(first + i) ? null : r.GetValue(first + i))
                {
                    case null: w.WriteNullValue(); break;
                    case string v: w.WriteStringValue(v); break;
                    case bool v: w.WriteBooleanValue(v); break;
                    case short v: w.WriteNumberValue(v); break;
                    case int v: w.WriteNumberValue(v); break;
                    case long v: w.WriteNumberValue(v); break;
                    case decimal v: w.WriteNumberValue(v); break;
                    case double v: Number(w, v); break;
                    case float v: Number(w, v); break;
                    case var v: w.WriteStringValue(Convert.ToString(v, CultureInfo.InvariantCulture)); break;
                }
            }
            w.WriteEndObject();
            w.WriteEndObject();
            w.Flush();
            return Encoding.UTF8.GetString(_buffer.WrittenSpan);
        }

        private static void Number(Utf8JsonWriter w, double v)
        {
            if (double.IsFinite(v)) w.WriteNumberValue(v);
            else w.WriteStringValue(double.IsNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
        }

        private static readonly JsonEncodedText TypeName = JsonEncodedText.Encode("type");
        private static readonly JsonEncodedText FeatureName = JsonEncodedText.Encode("Feature");
        private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
        private static readonly JsonEncodedText GeometryName = JsonEncodedText.Encode("geometry");
        private static readonly JsonEncodedText PropertiesName = JsonEncodedText.Encode("properties");
    }

    /// <summary>The requested sort properties first (NULLs last either way), then the layer's own order, which is unique.</summary>
    private static string OrderBy(Layer layer, FeatureRequest req)
    {
        if (req.SortBy is not { Count: > 0 } sort) return layer.Order;
        var terms = sort.Select(s => $"({layer.Properties.First(p => p.Name == s.Property).Sql}) {(s.Descending ? "DESC" : "ASC")} NULLS LAST");
        return string.Join(", ", terms) + ", " + layer.Order;
    }

    private static string WhereClause(List<string> where) => where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where);

    private static (List<string> Where, List<NpgsqlParameter> Parameters) Where(Layer layer, FeatureRequest req)
    {
        var where = new List<string>();
        if (layer.Where is not null) where.Add($"({layer.Where})");
        var parameters = new List<NpgsqlParameter>();
        string Param(object value)
        {
            parameters.Add(new NpgsqlParameter { Value = value });
            return "$" + parameters.Count.ToString(CultureInfo.InvariantCulture);
        }
        if (req.FeatureId is not null)
            where.Add($"{layer.IdSql} = {Param(req.FeatureId)}");
        if (req.Bbox is { } b)
        {
            var envelope = $"ST_MakeEnvelope({Param(b[0])}, {Param(b[1])}, {Param(b[2])}, {Param(b[3])}, {req.BboxSrid})";
            if (req.BboxSrid != 4326) envelope = $"ST_Transform({envelope}, 4326)";
            where.Add($"ST_Intersects({layer.GeometrySql}, {envelope})");
        }
        foreach (var (name, value) in req.Filters)
        {
            // A layer's own filter by that name, else equality on the property (Part 1 "queryables as query parameters").
            where.Add(layer.Filters.FirstOrDefault(f => f.Name == name) is { } filter
                ? string.Format(CultureInfo.InvariantCulture, filter.Sql, Param(value))
                : $"({layer.Properties.First(p => p.Name == name).Sql}) = {Param(value)}");
        }
        if (req.Filter is not null)
            where.Add(Cql2.ToSql(req.Filter, layer, req.FilterSrid, Param));
        if (req.Datetime is { } dt && layer.TimeSql is not null)
        {
            if (dt.From is { } from) where.Add($"({layer.TimeSql}) >= {Param(from)}");
            if (dt.To is { } to) where.Add($"({layer.TimeSql}) <= {Param(to)}");
        }
        if (req.After is { } after)
        {
            var terms = layer.OrderTerms;
            if (after.Count != terms.Count) throw new ArgumentException("The keyset does not match the layer's order.", nameof(req));
            var values = after.Select(Param).ToList();
            if (terms.All(t => t.Descending == terms[0].Descending))
            {
                // One row comparison, which an index on the order columns answers with a seek.
                var op = terms[0].Descending ? "<" : ">";
                where.Add(terms.Count == 1 ? $"({terms[0].Sql}) {op} {values[0]}"
                    : $"({string.Join(", ", terms.Select(t => t.Sql))}) {op} ({string.Join(", ", values)})");
            }
            else
            {
                // Mixed directions: a = x AND b < y OR a > x …, term by term.
                var or = new List<string>();
                for (var i = 0; i < terms.Count; i++)
                {
                    var and = Enumerable.Range(0, i).Select(j => $"({terms[j].Sql}) = {values[j]}").ToList();
                    and.Add($"({terms[i].Sql}) {(terms[i].Descending ? "<" : ">")} {values[i]}");
                    or.Add("(" + string.Join(" AND ", and) + ")");
                }
                where.Add("(" + string.Join(" OR ", or) + ")");
            }
        }
        return (where, parameters);
    }
}
