using Lis.Geo.Data.Model;

namespace Lis.Geo.Data;

/// <summary>
/// The one way any query attaches deprivation to a zone. A zone gets an edition's figures only when its
/// zone set uses the geography that edition is published on (<c>deprivation_edition.code_geography</c>:
/// IMD 2019 on LSOA 2011, IoD 2025 on LSOA 2021), so a zone of another geography gets nulls, never
/// another area's figures. Choosing an edition is one argument; every caller reads the same columns.
/// </summary>
public static class DeprivationJoin
{
    /// <summary>
    /// <c>LEFT JOIN</c>s the <c>deprivation</c> row of <paramref name="edition"/> as <paramref name="alias"/> for the
    /// zone whose code is the SQL <paramref name="zoneCode"/> in the zone set <paramref name="zoneSetId"/> (SQL: a
    /// column, a parameter or a quoted id).
    /// </summary>
    public static string Sql(string zoneSetId, string zoneCode, string alias = "d", string edition = DeprivationEditions.Imd2019)
    {
        if (!DeprivationEditions.All.Contains(edition)) throw new ArgumentException($"Unknown deprivation edition '{edition}'.", nameof(edition));
        return $"LEFT JOIN zone_set {alias}_set ON {alias}_set.id = {zoneSetId}\n" +
               $"LEFT JOIN deprivation_edition {alias}_ed ON {alias}_ed.id = '{edition}' AND {alias}_ed.code_geography = {alias}_set.code_geography\n" +
               $"LEFT JOIN deprivation {alias} ON {alias}.edition = {alias}_ed.id AND {alias}.lsoa_code = {zoneCode}";
    }
}
