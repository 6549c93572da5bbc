namespace Lis.Geo.Data.Analyses;

/// <summary>
/// The groups every run-level figure is reported by (ACCESSIBILITY.md): overall, each local authority,
/// each LEP (a district in two LEPs counts in both LEPs' rows) and each IMD decile. One definition, so
/// a run's summary and its comparison with a baseline always group the same zones the same way.
/// </summary>
public static class ReportingGroups
{
    /// <summary>
    /// The CTE <c>g</c> over a CTE <c>o</c> of origins with <c>lad_code</c> and <c>imd_decile</c>: each origin once per
    /// group it is in, with the group's <c>kind</c> ('overall', 'lad', 'lep', 'imd') and <c>key</c>.
    /// </summary>
    public const string Cte = """
        g AS (
            SELECT 'overall' AS kind, NULL::text AS key, * FROM o
            UNION ALL SELECT 'lad', lad_code, * FROM o
            UNION ALL SELECT 'lep', m.lep_code, o.* FROM o JOIN lep_membership m ON m.lad_code = o.lad_code
            UNION ALL SELECT 'imd', imd_decile::text, * FROM o)
        """;

    /// <summary>The first three columns of a row per group: kind, key and the group's name (districts and LEPs have one).</summary>
    public const string KindKeyName = """
        g.kind, g.key,
               CASE g.kind WHEN 'lad' THEN (SELECT name FROM local_authority WHERE code = g.key)
                           WHEN 'lep' THEN (SELECT min(lep_name) FROM lep_membership WHERE lep_code = g.key) END
        """;

    /// <summary>One row per group, in a fixed order: by kind, then keys as numbers (deciles 1…10) or codes.</summary>
    public const string GroupAndOrder = "FROM g GROUP BY g.kind, g.key ORDER BY g.kind, lpad(g.key, 12, '0') NULLS LAST";

    /// <summary>The rows of one kind, in the query's order.</summary>
    public static IReadOnlyList<T> Of<T>(IEnumerable<(string Kind, T Group)> groups, string kind) =>
        groups.Where(g => g.Kind == kind).Select(g => g.Group).ToList();
}
