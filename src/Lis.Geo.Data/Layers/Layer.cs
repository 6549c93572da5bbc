namespace Lis.Geo.Data.Layers;

/// <summary>The JSON type of a layer property, as advertised in the OGC queryables/schema.</summary>
public enum PropertyType { String, Integer, Number, Boolean }

/// <summary>A property of a layer: its public name and the SQL expression that yields it.</summary>
public sealed record LayerProperty(string Name, string Sql, PropertyType Type, string Description);

/// <summary>
/// A simple equality filter a layer accepts as a query parameter (e.g. <c>lad=E08000025</c>).
/// <see cref="Sql"/> is a boolean expression over the layer's row with one placeholder <c>{0}</c> for the value.
/// </summary>
public sealed record LayerFilter(string Name, string Sql, PropertyType Type, string Description);

/// <summary>
/// A feature layer served as an OGC API – Features collection: which rows, which id, which geometry,
/// which properties and filters. Every layer is read through the same <see cref="FeatureQuery"/>,
/// in the manner of pg_featureserv, so paging, bbox, CRS and property selection work the same everywhere.
/// <see cref="From"/> is the FROM clause (tables and joins); <see cref="Where"/> the condition every
/// feature of the layer meets, if any.
/// </summary>
public sealed record Layer(
    string Id,
    string Title,
    string Description,
    string From,
    string IdSql,
    string GeometrySql,
    string GeometryType,
    IReadOnlyList<LayerProperty> Properties,
    IReadOnlyList<LayerFilter> Filters,
    string? EditableDataset = null,
    string? Where = null,
    string? OrderSql = null)
{
    /// <summary>The paging order: <see cref="OrderSql"/> (which must end in a unique key) or the id.</summary>
    public string Order => OrderSql ?? IdSql;

    /// <summary>The dataset whose rules validate writes, when the layer accepts them.</summary>
    public bool IsEditable => EditableDataset is not null;
}
