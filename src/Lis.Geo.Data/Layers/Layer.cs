namespace Lis.Geo.Data.Layers;

/// <summary>The JSON type of a layer property, as advertised in the OGC queryables/schema.</summary>
public enum PropertyType { String, Integer, Number, Boolean }

/// <summary>A property of a layer: its public name and the SQL expression that yields it.</summary>
public sealed record LayerProperty(string Name, string Sql, PropertyType Type, string Description);

/// <summary>
/// A simple equality filter a layer accepts as a query parameter (e.g. <c>lad=E08000025</c>).
/// <see cref="Sql"/> is a boolean expression over the layer's row with one placeholder <c>{0}</c> for the value.
/// <see cref="ValuesSql"/>, when set, lists the values that exist (e.g. the stored centre kinds): any other
/// is a client's mistake, answered 400 with the list, rather than an empty page that looks like "none".
/// </summary>
public sealed record LayerFilter(string Name, string Sql, PropertyType Type, string Description, string? ValuesSql = null);

/// <summary>
/// A feature layer served as an OGC API – Features collection: which rows, which id, which geometry,
/// which properties and filters. Every layer is read through the same <see cref="FeatureQuery"/>,
/// in the manner of pg_featureserv, so paging, bbox, CRS and property selection work the same everywhere.
/// <see cref="From"/> is the FROM clause (tables and joins); <see cref="Where"/> the condition every
/// feature of the layer meets, if any. <see cref="TimeSql"/>, when set, is the date each feature is
/// about (a run's service date), which the OGC <c>datetime</c> parameter selects on.
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
    string? OrderSql = null,
    string? TimeSql = null)
{
    /// <summary>The paging order: <see cref="OrderSql"/> (which must end in a unique key) or the id.</summary>
    public string Order => OrderSql ?? IdSql;

    /// <summary>
    /// <see cref="Order"/> as its terms (split at top-level commas, a trailing <c>DESC</c> noted): the
    /// keyset of a <c>next</c> link is the last feature's value of each term.
    /// </summary>
    public IReadOnlyList<(string Sql, bool Descending)> OrderTerms
    {
        get
        {
            var terms = new List<(string, bool)>();
            var depth = 0;
            var start = 0;
            var order = Order;
            for (var i = 0; i <= order.Length; i++)
            {
                if (i < order.Length && order[i] == '(') depth++;
                else if (i < order.Length && order[i] == ')') depth--;
                else if (i == order.Length || (order[i] == ',' && depth == 0))
                {
                    var term = order[start..i].Trim();
                    var desc = term.EndsWith(" DESC", StringComparison.OrdinalIgnoreCase);
                    if (desc) term = term[..^5].TrimEnd();
                    else if (term.EndsWith(" ASC", StringComparison.OrdinalIgnoreCase)) term = term[..^4].TrimEnd();
                    terms.Add((term, desc));
                    start = i + 1;
                }
            }
            return terms;
        }
    }

    /// <summary>The dataset whose rules validate writes, when the layer accepts them.</summary>
    public bool IsEditable => EditableDataset is not null;
}
