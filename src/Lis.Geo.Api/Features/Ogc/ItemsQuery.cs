using System.Globalization;
using Lis.Geo.Api.Infrastructure;
using Lis.Geo.Data.Layers;

namespace Lis.Geo.Api.Features.Ogc;

/// <summary>Turns the query string of <c>/items</c> into a <see cref="FeatureRequest"/>, naming the parameter at fault.</summary>
public static class ItemsQuery
{
    private static readonly HashSet<string> Standard = ["limit", "offset", "bbox", "bbox-crs", "crs", "properties", "f"];

    public static FeatureRequest Parse(IQueryCollection q, Layer layer, ApiOptions options)
    {
        foreach (var key in q.Keys)
            if (!Standard.Contains(key) && layer.Filters.All(f => f.Name != key))
                throw new Problems.BadParameterException(key,
                    $"Unknown parameter '{key}'. This collection accepts: {string.Join(", ", Standard.Concat(layer.Filters.Select(f => f.Name)))}.");

        if (q["f"].ToString() is { Length: > 0 } f && f is not ("json" or "geojson" or "csv"))
            throw new Problems.BadParameterException("f", "f may be json, geojson or csv.");

        var limit = Int(q, "limit", options.DefaultPageSize, 1, options.MaxPageSize);
        var offset = Int(q, "offset", 0, 0, int.MaxValue);
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
        foreach (var filter in layer.Filters)
        {
            var raw = q[filter.Name].ToString();
            if (raw.Length == 0) continue;
            filters[filter.Name] = filter.Type switch
            {
                PropertyType.Integer => int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
                    : throw new Problems.BadParameterException(filter.Name, $"'{raw}' is not a whole number."),
                PropertyType.Number => double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
                    : throw new Problems.BadParameterException(filter.Name, $"'{raw}' is not a number."),
                PropertyType.Boolean => raw switch
                {
                    "true" => true,
                    "false" => false,
                    _ => throw new Problems.BadParameterException(filter.Name, $"'{raw}' is not true or false."),
                },
                _ => raw,
            };
        }
        return new FeatureRequest
        {
            Limit = limit, Offset = offset, Bbox = bbox, BboxSrid = bboxSrid,
            OutputSrid = OgcCrs.Parse(q["crs"].ToString(), "crs"), Properties = properties, Filters = filters,
        };
    }

    /// <summary>A required or optional id (a run, a feed); null when absent.</summary>
    public static long? Id(IQueryCollection q, string name)
    {
        var raw = q[name].ToString();
        if (raw.Length == 0) return null;
        return long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
            ? v : throw new Problems.BadParameterException(name, $"'{raw}' is not an id (a positive whole number).");
    }

    public static int Int(IQueryCollection q, string name, int fallback, int min, int max)
    {
        var raw = q[name].ToString();
        if (raw.Length == 0) return fallback;
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw new Problems.BadParameterException(name, $"'{raw}' is not a whole number in {min}..{max}.");
        return v;
    }
}
