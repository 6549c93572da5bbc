using Lis.Geo.Transit;

namespace Lis.Geo.Data;

/// <summary>
/// The one way any query attaches deprivation to a zone, whatever its zone set is called. A zone whose
/// code is in the edition takes that row (<c>match = 'code'</c>; LSOAs unchanged between 2011 and 2021
/// keep their code, so a code in both geographies is the same area). Otherwise it takes the row of its
/// counterpart in the ONS 2011 ↔ 2021 lookup where the lookup gives it exactly one: a 2021 part of a split
/// 2011 LSOA carries its parent's figures (<c>lookup-S</c>), a 2011 LSOA merged into one 2021 LSOA the merged
/// one's (<c>lookup-M</c>). A zone with several counterparts (a merged 2021 LSOA read in IMD 2019, a split
/// 2011 LSOA read in IoD 2025) gets nulls: ranks and deciles of different areas cannot be combined.
/// </summary>
public static class DeprivationJoin
{
    /// <summary>
    /// <c>LEFT JOIN LATERAL</c> of the <c>deprivation</c> row of <paramref name="edition"/> (plus <c>match</c>) as
    /// <paramref name="alias"/> for the zone whose code is the SQL <paramref name="zoneCode"/>. A null edition
    /// joins nothing (no edition matches the zones), so every column is null.
    /// </summary>
    public static string Sql(string? edition, string zoneCode, string alias = "d") =>
        SqlFor(edition is null ? "NULL::text" : $"'{Known(edition)}'", zoneCode, alias);

    /// <summary>
    /// As <see cref="Sql"/> with the edition given as SQL (<paramref name="editionSql"/>), for queries over several zone
    /// sets that each read their own default edition (<see cref="ZoneSetDefaultsCte"/>).
    /// </summary>
    public static string SqlFor(string editionSql, string zoneCode, string alias = "d") => $"""
            LEFT JOIN LATERAL (
                SELECT x.*, m.via AS match FROM (
                    SELECT {zoneCode} AS code, 'code' AS via, 0 AS preference
                    UNION ALL
                    SELECT min(l.lsoa11_code), 'lookup-' || min(l.change_code), 1 FROM lsoa_lookup l WHERE l.lsoa21_code = {zoneCode} HAVING count(*) = 1
                    UNION ALL
                    SELECT min(l.lsoa21_code), 'lookup-' || min(l.change_code), 1 FROM lsoa_lookup l WHERE l.lsoa11_code = {zoneCode} HAVING count(*) = 1
                ) m JOIN deprivation x ON x.edition = {editionSql} AND x.lsoa_code = m.code
                ORDER BY m.preference LIMIT 1) {alias} ON true
            """;

    /// <summary>
    /// A CTE body (<c>zone_set_id</c>, <c>edition</c>): every zone set with its default edition
    /// (<see cref="DefaultEditionSql"/>), computed once per query rather than once per zone.
    /// </summary>
    public static string ZoneSetDefaultsCte => $"SELECT s.id AS zone_set_id, {DefaultEditionSql(ZoneSetCodes("s.id"))} AS edition FROM zone_set s";

    /// <summary>
    /// SQL giving the default edition for the zones whose codes the SQL <paramref name="codes"/> selects (one
    /// column, <c>code</c>): the edition in which most of those codes are found as they are — the edition of
    /// their own geography — and the newest of those on a tie; null when no code is in any edition.
    /// </summary>
    public static string DefaultEditionSql(string codes) => $"""
        (SELECT x.edition FROM ({codes}) c JOIN deprivation x ON x.lsoa_code = c.code JOIN deprivation_edition e ON e.id = x.edition
         GROUP BY x.edition, e.published ORDER BY count(*) DESC, e.published DESC LIMIT 1)
        """;

    /// <summary>The codes of a zone set, for <see cref="DefaultEditionSql"/> and <see cref="CoverageAsync"/> (<paramref name="zoneSetId"/> is SQL).</summary>
    public static string ZoneSetCodes(string zoneSetId) => $"SELECT code FROM zone WHERE zone_set_id = {zoneSetId}";

    /// <summary>The origin zones of a run, for <see cref="DefaultEditionSql"/> and <see cref="CoverageAsync"/> (<paramref name="runId"/> is SQL).</summary>
    public static string RunZoneCodes(string runId) => $"SELECT code FROM analysis_point WHERE run_id = {runId} AND is_origin AND kind = 'zone'";

    /// <summary>How the zones of <paramref name="codes"/> get figures in one edition: counts by match, and the codes that get none.</summary>
    public sealed record Coverage(string Edition, int Zones, int Matched, IReadOnlyDictionary<string, int> ByMatch, IReadOnlyList<string> Unmatched);

    /// <summary>The coverage of <paramref name="edition"/> over the codes <paramref name="codes"/> selects, with <paramref name="parameter"/> bound as $1.</summary>
    public static async Task<Coverage> CoverageAsync(NpgsqlDataSource db, string edition, string codes, object parameter, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"SELECT c.code, d.match FROM ({codes}) c {Sql(edition, "c.code")} ORDER BY c.code");
        cmd.Parameters.Add(new() { Value = parameter });
        var byMatch = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var unmatched = new List<string>();
        var zones = 0;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            zones++;
            if (r.IsDBNull(1)) unmatched.Add(r.GetString(0));
            else byMatch[r.GetString(1)] = byMatch.GetValueOrDefault(r.GetString(1)) + 1;
        }
        return new Coverage(edition, zones, zones - unmatched.Count, byMatch, unmatched);
    }

    /// <summary>
    /// The edition a request asked for, or the default over <paramref name="codes"/> when it asked for none.
    /// An unknown name is a <see cref="RuleViolation"/> on <c>deprivation</c>; an edition in which no zone
    /// finds figures is a <see cref="NotCoveringException"/> (422, with the counts).
    /// </summary>
    public static async Task<string?> ChooseAsync(NpgsqlDataSource db, string? requested, string codes, object parameter, CancellationToken ct)
    {
        if (requested is null)
        {
            await using var cmd = db.CreateCommand($"SELECT {DefaultEditionSql(codes)}");
            cmd.Parameters.Add(new() { Value = parameter });
            return await cmd.ExecuteScalarAsync(ct) as string;
        }
        var edition = Check(requested);
        var coverage = await CoverageAsync(db, edition, codes, parameter, ct);
        if (coverage.Matched == 0) throw new NotCoveringException(coverage);
        return edition;
    }

    /// <summary>A known edition name as given; a <see cref="RuleViolation"/> naming <c>deprivation</c> otherwise.</summary>
    public static string Check(string edition) => DeprivationEditions.All.Contains(edition) ? edition
        : throw new RuleViolation("deprivation", RuleKind.Unknown, $"Unknown deprivation edition '{edition}'. Use {string.Join(" or ", DeprivationEditions.All)}.");

    /// <summary>The edition's name as reports print it ("IMD 2019", "IoD 2025"); "no deprivation edition" for null.</summary>
    public static string Label(string? edition) => edition switch
    {
        DeprivationEditions.Imd2019 => "IMD 2019",
        DeprivationEditions.Iod2025 => "IoD 2025",
        null => "no deprivation edition",
        _ => edition,
    };

    private static string Known(string edition) => DeprivationEditions.All.Contains(edition) ? edition
        : throw new ArgumentException($"Unknown deprivation edition '{edition}'.", nameof(edition));

    /// <summary>An edition was asked for in which none of the zones finds figures (by code or through the lookup).</summary>
    public sealed class NotCoveringException(Coverage coverage) : RuleViolation("deprivation", RuleKind.Unavailable,
        $"No zone of the {coverage.Zones} finds figures in {coverage.Edition} (by code or through the LSOA 2011 ↔ 2021 lookup); choose another edition or import it.")
    {
        public Coverage Coverage { get; } = coverage;
    }
}
