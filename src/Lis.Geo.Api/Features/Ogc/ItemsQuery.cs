using System.Buffers.Text;

namespace Lis.Geo.Api.Features.Ogc;

/// <summary>Turns the query string of <c>/items</c> into a <see cref="FeatureRequest"/>, naming the parameter at fault.</summary>
public static class ItemsQuery
{
    /// <summary>The parameters every collection's items accept; each collection adds its filters and its queryables (property = value).</summary>
    public static readonly string[] Standard =
        ["limit", "offset", "after", "bbox", "bbox-crs", "crs", "properties", "f", "datetime", "filter", "filter-lang", "filter-crs", "sortby"];

    /// <summary>
    /// The languages of <c>filter</c>: cql2-text (default) and cql2-json, and <c>cql-text</c>, the draft name
    /// GDAL 3.6 sends (its output — comparisons, LIKE, IS NULL, AND/OR/NOT — is valid cql2-text).
    /// </summary>
    public static readonly string[] FilterLanguages = ["cql2-text", "cql2-json", "cql-text"];

    /// <summary>The request, and notes on parameters that were adjusted or had no effect (shown in the response).</summary>
    public static (FeatureRequest Request, List<string> Notes) Parse(IQueryCollection q, Layer layer, ApiOptions options)
    {
        var notes = new List<string>();
        foreach (var key in q.Keys)
            if (!Standard.Contains(key) && layer.Filters.All(f => f.Name != key) && layer.Properties.All(p => p.Name != key))
                throw new Problems.BadParameterException(key,
                    $"Unknown parameter '{key}'. This collection accepts: {string.Join(", ", Standard.Concat(layer.Filters.Select(f => f.Name)))}, and any of its queryables as property=value.");

        if (q["f"].ToString() is { Length: > 0 } f && f is not ("json" or "geojson" or "csv"))
            throw new Problems.BadParameterException("f", "f may be json, geojson or csv.");

        // A limit above the maximum is served at the maximum (Part 1 lets the server cap it); the links say so.
        var limit = QueryParameters.Int(q, "limit", options.DefaultPageSize, 1, int.MaxValue);
        if (limit > options.MaxPageSize)
        {
            notes.Add($"limit {limit} is above this server's maximum; pages hold {options.MaxPageSize} features.");
            limit = options.MaxPageSize;
        }
        var offset = QueryParameters.Int(q, "offset", 0, 0, int.MaxValue);
        var bboxSrid = OgcCrs.Parse(q["bbox-crs"].ToString(), "bbox-crs");
        double[]? bbox = null;
        if (q["bbox"].ToString() is { Length: > 0 } text)
        {
            var parts = text.Split(',');
            bbox = new double[parts.Length];
            for (var i = 0; i < parts.Length; i++)
                if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out bbox[i]) || !double.IsFinite(bbox[i]))
                    throw new Problems.BadParameterException("bbox", $"'{parts[i]}' is not a number.");
            if (bbox.Length != 4)
                throw new Problems.BadParameterException("bbox", "Give four numbers: minx,miny,maxx,maxy (2D only).");
            if (bbox[0] > bbox[2] || bbox[1] > bbox[3])
                throw new Problems.BadParameterException("bbox", "minx must not exceed maxx, nor miny maxy (boxes across the antimeridian are not supported).");
            var range = Data.Importing.Crs.ValidRange(bboxSrid);
            if (!range.Contains(bbox[0], bbox[1]) || !range.Contains(bbox[2], bbox[3]))
                throw new Problems.BadParameterException("bbox", $"The box is outside the valid range of {OgcCrs.Uri(bboxSrid)}; is bbox-crs right?");
        }
        IReadOnlyList<string>? properties = null;
        if (q.ContainsKey("properties"))
        {
            properties = q["properties"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var unknown = properties.Where(p => layer.Properties.All(lp => lp.Name != p)).ToList();
            if (unknown.Count > 0)
                throw new Problems.BadParameterException("properties",
                    $"Unknown properties: {string.Join(", ", unknown)}. Known: {string.Join(", ", layer.Properties.Select(p => p.Name))}.");
        }
        var filters = new Dictionary<string, object>();
        foreach (var key in q.Keys)
        {
            if (Standard.Contains(key)) continue;
            var raw = q[key].ToString();
            if (raw.Length == 0) continue;
            var type = layer.Filters.FirstOrDefault(x => x.Name == key)?.Type ?? layer.Properties.First(p => p.Name == key).Type;
            filters[key] = Typed(key, raw, type);
            // Deciles are 1–10 in every edition: 11 is a typo, not a filter that matches nothing.
            if (key.EndsWith("decile", StringComparison.Ordinal) && filters[key] is long d && d is < 1 or > 10)
                throw new Problems.BadParameterException(key, $"{key} is a decile, 1 (most deprived 10%) to 10; got {d}.");
        }

        var filterSrid = OgcCrs.Parse(q["filter-crs"].ToString(), "filter-crs");
        Cql2.Node? filter = null;
        var lang = q["filter-lang"].ToString() is { Length: > 0 } l ? l : "cql2-text";
        if (!FilterLanguages.Contains(lang))
            throw new Problems.BadParameterException("filter-lang", $"filter-lang may be {string.Join(", ", FilterLanguages)}.");
        if (q["filter"].ToString() is { Length: > 0 } expression)
        {
            try
            {
                filter = lang == "cql2-json" ? Cql2.ParseJson(expression) : Cql2.ParseText(expression);
                // Translated once here so that unknown properties and type mismatches are refused before any query runs.
                Cql2.ToSql(filter, layer, filterSrid, _ => "$0");
            }
            catch (Cql2.Cql2Exception e)
            {
                throw new Problems.BadParameterException("filter", e.Message);
            }
        }

        List<(string, bool)>? sortBy = null;
        if (q["sortby"].ToString() is { Length: > 0 } sort)
        {
            sortBy = [];
            foreach (var term in sort.Split(',', StringSplitOptions.TrimEntries))
            {
                var desc = term.StartsWith('-');
                var name = term.TrimStart('+', '-');
                if (layer.Properties.All(p => p.Name != name))
                    throw new Problems.BadParameterException("sortby",
                        $"'{name}' is not a property of this collection; sort by any of: {string.Join(", ", layer.Properties.Select(p => p.Name))} (prefix - for descending).");
                sortBy.Add((name, desc));
            }
        }

        IReadOnlyList<object>? after = null;
        if (q["after"].ToString() is { Length: > 0 } cursor)
        {
            if (sortBy is not null)
                throw new Problems.BadParameterException("after", "after (from a next link) cannot be combined with sortby; sorted pages follow offset links.");
            after = Keyset.Decode(cursor, layer.OrderTerms.Count)
                ?? throw new Problems.BadParameterException("after", "after is not a position this collection gave out; follow the next link as it is.");
        }

        var datetime = Datetime(q["datetime"].ToString());
        if (datetime is not null && layer.TimeSql is null)
            notes.Add("datetime was ignored: the features of this collection have no time.");

        return (new FeatureRequest
        {
            Limit = limit, Offset = offset, Bbox = bbox, BboxSrid = bboxSrid,
            OutputSrid = OgcCrs.Parse(q["crs"].ToString(), "crs"), Properties = properties, Filters = filters,
            Filter = filter, FilterSrid = filterSrid, SortBy = sortBy, After = after, Datetime = datetime,
        }, notes);
    }

    private static object Typed(string name, string raw, PropertyType type) => type switch
    {
        PropertyType.Integer => long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
            : throw new Problems.BadParameterException(name, $"'{raw}' is not a whole number."),
        PropertyType.Number => double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d
            : throw new Problems.BadParameterException(name, $"'{raw}' is not a number."),
        PropertyType.Boolean => raw switch
        {
            "true" => true,
            "false" => false,
            _ => throw new Problems.BadParameterException(name, $"'{raw}' is not true or false."),
        },
        _ => raw,
    };

    /// <summary>
    /// The OGC <c>datetime</c>: an instant or an interval <c>start/end</c> with <c>..</c> (or nothing) for an
    /// open end, as RFC 3339 dates or date-times. Features are dated by day, so instants select their UTC day.
    /// </summary>
    public static (DateOnly? From, DateOnly? To)? Datetime(string raw)
    {
        if (raw.Length == 0) return null;
        static DateOnly? End(string part, string raw)
        {
            if (part is "" or "..") return null;
            if (DateOnly.TryParseExact(part, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
            if (DateTimeOffset.TryParse(part, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) && part.Contains('T', StringComparison.OrdinalIgnoreCase))
                return DateOnly.FromDateTime(t.UtcDateTime);
            throw new Problems.BadParameterException("datetime",
                $"'{raw}' is not an RFC 3339 date, date-time or interval (e.g. 2025-11-10, 2025-11-10T08:00:00Z, 2025-11-01/2025-11-30, 2025-11-01/..).");
        }
        var parts = raw.Split('/');
        if (parts.Length == 1)
        {
            var instant = End(parts[0], raw) ?? throw new Problems.BadParameterException("datetime", "An instant cannot be '..'; use an interval such as 2025-11-01/.. .");
            return (instant, instant);
        }
        if (parts.Length != 2) throw new Problems.BadParameterException("datetime", $"'{raw}' has more than one '/'.");
        var (from, to) = (End(parts[0], raw), End(parts[1], raw));
        if (from > to) throw new Problems.BadParameterException("datetime", "The interval ends before it starts.");
        return (from, to);
    }

}

/// <summary>
/// The <c>after</c> of a keyset next link: the last feature's order values as a JSON array, base64url
/// so it survives any URL handling. Decoded values are only ever used as query parameters.
/// </summary>
public static class Keyset
{
    public static string Encode(string jsonArray) => Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(jsonArray));

    /// <summary>The values, or null if the text is not an array of <paramref name="count"/> strings and numbers.</summary>
    public static IReadOnlyList<object>? Decode(string text, int count)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(Base64Url.DecodeFromChars(text));
            if (doc.RootElement.ValueKind != System.Text.Json.JsonValueKind.Array || doc.RootElement.GetArrayLength() != count) return null;
            var values = new List<object>();
            foreach (var e in doc.RootElement.EnumerateArray())
                switch (e.ValueKind)
                {
                    case System.Text.Json.JsonValueKind.String: values.Add(e.GetString()!); break;
                    case System.Text.Json.JsonValueKind.Number when e.TryGetInt64(out var l): values.Add(l); break;
                    case System.Text.Json.JsonValueKind.Number: values.Add(e.GetDecimal()); break;
                    default: return null;
                }
            return values;
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>Whether a row's keyset can start the next page (a null in an order value cannot be compared).</summary>
    public static bool Usable(string jsonArray) => !jsonArray.Contains("null", StringComparison.Ordinal) || !HasNull(jsonArray);

    private static bool HasNull(string jsonArray)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(jsonArray);
        return doc.RootElement.EnumerateArray().Any(e => e.ValueKind == System.Text.Json.JsonValueKind.Null);
    }
}
