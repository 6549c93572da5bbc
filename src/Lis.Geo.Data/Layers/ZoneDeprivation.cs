using Lis.Geo.Data.Model;

namespace Lis.Geo.Data.Layers;

/// <summary>
/// A zone's deprivation in one edition, for the zone layers. An edition is published on one LSOA
/// geography; a zone of that geography takes the row of its own code (<c>match = 'code'</c>). A zone of
/// the other geography takes it through the ONS 2011 ↔ 2021 lookup only where the lookup gives it
/// exactly one counterpart: an unchanged LSOA (<c>lookup-U</c>), a 2021 part of a split 2011 LSOA
/// (<c>lookup-S</c>: the part carries its parent's figures) or a 2011 LSOA merged into one 2021 LSOA
/// (<c>lookup-M</c>). A zone with several counterparts (a merged 2021 LSOA read in IMD 2019, a split
/// 2011 LSOA read in IoD 2025) has none: ranks and deciles of different areas cannot be combined.
/// </summary>
public static class ZoneDeprivation
{
    /// <summary>
    /// <c>LEFT JOIN LATERAL</c> of the <c>deprivation</c> row (plus <c>match</c>) as <paramref name="alias"/> for the zone
    /// whose code is the SQL <paramref name="zoneCode"/> in the zone set aliased <paramref name="zoneSetAlias"/>.
    /// A null <paramref name="edition"/> joins nothing (a zone set no edition covers).
    /// </summary>
    public static string Join(string? edition, string zoneSetAlias, string zoneCode, string alias = "d")
    {
        var e = edition is null ? "" : DeprivationEditions.All.Contains(edition) ? edition
            : throw new ArgumentException($"Unknown deprivation edition '{edition}'.", nameof(edition));
        return $"""
            LEFT JOIN LATERAL (
                SELECT x.*, m.via AS match FROM (
                    SELECT {zoneCode} AS code, 'code' AS via FROM deprivation_edition e
                    WHERE e.id = '{e}' AND e.code_geography = {zoneSetAlias}.code_geography
                    UNION ALL
                    SELECT min(l.lsoa11_code), 'lookup-' || min(l.change_code) FROM lsoa_lookup l JOIN deprivation_edition e ON e.id = '{e}'
                    WHERE e.code_geography = 'lsoa11' AND {zoneSetAlias}.code_geography = 'lsoa21' AND l.lsoa21_code = {zoneCode} HAVING count(*) = 1
                    UNION ALL
                    SELECT min(l.lsoa21_code), 'lookup-' || min(l.change_code) FROM lsoa_lookup l JOIN deprivation_edition e ON e.id = '{e}'
                    WHERE e.code_geography = 'lsoa21' AND {zoneSetAlias}.code_geography = 'lsoa11' AND l.lsoa11_code = {zoneCode} HAVING count(*) = 1
                ) m JOIN deprivation x ON x.edition = '{e}' AND x.lsoa_code = m.code
                LIMIT 1) {alias} ON true
            """;
    }

    /// <summary>
    /// SQL giving the default edition of the zone set aliased <paramref name="zoneSetAlias"/>: the newest
    /// edition published on its geography that has rows stored; null when none covers it.
    /// </summary>
    public static string DefaultEditionSql(string zoneSetAlias) => $"""
        (SELECT e.id FROM deprivation_edition e WHERE e.code_geography = {zoneSetAlias}.code_geography
         AND EXISTS (SELECT 1 FROM deprivation x WHERE x.edition = e.id) ORDER BY e.published DESC LIMIT 1)
        """;
}
