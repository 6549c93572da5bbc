namespace Lis.Geo.Api.Features.Ogc;

/// <summary>
/// The JSON Schemas of a collection, all from its <see cref="Layer.Properties"/> so they cannot drift from
/// what the items carry: queryables (Part 3), the Part 5 schema of the features' properties, and the
/// schema of one GeoJSON Feature (the <c>describedby</c> link), from which GDAL and QGIS type their
/// fields instead of guessing from the first page. Every property may also be null (not known).
/// </summary>
public static class Schemas
{
    private const string Draft = "https://json-schema.org/draft/2020-12/schema";

    public static string JsonType(PropertyType t) => t switch
    {
        PropertyType.Integer => "integer",
        PropertyType.Number => "number",
        PropertyType.Boolean => "boolean",
        _ => "string",
    };

    /// <summary>The Part 5 format of the layer's geometry, e.g. <c>geometry-multipolygon</c>.</summary>
    public static string GeometryFormat(Layer layer) => layer.GeometryType == "Geometry" ? "geometry-any" : "geometry-" + layer.GeometryType.ToLowerInvariant();

    private static Dictionary<string, object> Property(LayerProperty p) => new()
    {
        ["title"] = p.Description,
        ["type"] = JsonType(p.Type),
    };

    private static Dictionary<string, object> Geometry(Layer layer) => new()
    {
        ["title"] = $"Geometry ({layer.GeometryType})",
        ["format"] = GeometryFormat(layer),
        ["x-ogc-role"] = "primary-geometry",
    };

    /// <summary>What filter, sortby and property=value may use: every property, and the geometry for spatial functions.</summary>
    public static Dictionary<string, object> Queryables(Layer layer, string id)
    {
        var properties = layer.Properties.ToDictionary(p => p.Name, p => (object)Property(p));
        properties[Cql2.GeometryName] = Geometry(layer);
        return new()
        {
            ["$schema"] = Draft,
            ["$id"] = id,
            ["type"] = "object",
            ["title"] = layer.Title,
            ["description"] = "Properties usable in filter (CQL2), sortby and as property=value query parameters.",
            ["properties"] = properties,
            ["additionalProperties"] = false,
        };
    }

    /// <summary>OGC API – Features Part 5: the feature as a flat object of its id, geometry and properties, with their roles.</summary>
    public static Dictionary<string, object> Returnables(Layer layer, string id)
    {
        var properties = new Dictionary<string, object>
        {
            ["id"] = new Dictionary<string, object> { ["title"] = "Feature id", ["type"] = "string", ["x-ogc-role"] = "id" },
            [Cql2.GeometryName] = Geometry(layer),
        };
        foreach (var p in layer.Properties) properties[p.Name] = Property(p);
        return new()
        {
            ["$schema"] = Draft,
            ["$id"] = id,
            ["type"] = "object",
            ["title"] = layer.Title,
            ["description"] = layer.Description + " Any property may be null (not known).",
            ["properties"] = properties,
        };
    }

    /// <summary>One GeoJSON Feature of the collection (RFC 7946 with the OGC links member).</summary>
    public static Dictionary<string, object> Feature(Layer layer, string id) => new()
    {
        ["$schema"] = Draft,
        ["$id"] = id,
        ["title"] = layer.Title,
        ["description"] = layer.Description + " Any property may be null (not known).",
        ["type"] = "object",
        ["required"] = new[] { "type", "geometry", "properties" },
        ["properties"] = new Dictionary<string, object>
        {
            ["type"] = new Dictionary<string, object> { ["type"] = "string", ["enum"] = new[] { "Feature" } },
            ["id"] = new Dictionary<string, object> { ["type"] = "string" },
            ["geometry"] = new Dictionary<string, object> { ["type"] = "object", ["title"] = $"GeoJSON {layer.GeometryType} (CRS84 unless crs= asks otherwise)" },
            ["properties"] = new Dictionary<string, object>
            {
                ["type"] = "object",
                ["properties"] = layer.Properties.ToDictionary(p => p.Name, p => (object)Property(p)),
            },
            ["links"] = new Dictionary<string, object> { ["type"] = "array", ["items"] = new Dictionary<string, object> { ["type"] = "object" } },
        },
    };
}
