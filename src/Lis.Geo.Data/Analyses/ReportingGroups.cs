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

    /// <summary>
    /// <c>WITH o AS (…), g AS (…)</c> (<see cref="Cte"/>) over a run's zone origins: <c>o</c> is each zone origin
    /// <c>p</c> of run <c>$1</c> with its results <c>r</c>, its district in zone set <c>$2</c> and its IMD decile in
    /// <paramref name="deprivation"/>, selecting <c>index</c>, <c>weight</c>, <c>lad_code</c>, <c>imd_decile</c>
    /// and <paramref name="columns"/>; <paramref name="joins"/> (inner joins) bring in more of each origin, such
    /// as a baseline run's results.
    /// </summary>
    public static string ZoneOrigins(string? deprivation, string columns, string joins = "") => $"""
        WITH o AS (
            SELECT p.index, p.weight, z.lad_code, d.imd_decile,
                   {columns}
            FROM {RunOrigins.PointsWithResults}
            {joins}
            LEFT JOIN zone z ON z.zone_set_id = $2 AND z.code = p.code
            {DeprivationJoin.Sql(deprivation, "p.code")}
            WHERE {RunOrigins.AreZoneOrigins("$1")}),
        {Cte}
        """;

    /// <summary>A figure of every group: overall, and by LEP, local authority and IMD decile, each in the query's order.</summary>
    public sealed record Grouped<T>(T Overall, IReadOnlyList<T> ByLep, IReadOnlyList<T> ByLocalAuthority, IReadOnlyList<T> ByImdDecile);

    /// <summary>
    /// Runs <paramref name="cmd"/>, a query whose rows start with <see cref="KindKeyName"/> and that ends in
    /// <see cref="GroupAndOrder"/>; <paramref name="read"/> makes a group's figure from its row, key and name.
    /// </summary>
    public static async Task<Grouped<T>> ReadAsync<T>(NpgsqlCommand cmd, Func<NpgsqlDataReader, string?, string?, T> read, CancellationToken ct)
    {
        var groups = new List<(string Kind, T Group)>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                groups.Add((r.GetString(0), read(r, r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2))));
        IReadOnlyList<T> Of(string kind) => groups.Where(g => g.Kind == kind).Select(g => g.Group).ToList();
        return new(groups.Single(g => g.Kind == "overall").Group, Of("lep"), Of("lad"), Of("imd"));
    }
}
