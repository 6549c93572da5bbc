using NpgsqlTypes;

namespace Lis.Geo.Data.Importing;

/// <summary>Every dataset <c>lisgeo import</c> and <c>POST /imports/{dataset}</c> accept.</summary>
public static class Datasets
{
    public static readonly IReadOnlyList<Dataset> All =
    [
        new LepsDataset(), new LocalAuthoritiesDataset(), new LepMembershipsDataset(), new ZonesDataset(),
        new CentroidsDataset(), new PopulationDataset(), new ImdDataset(), new LsoaLookupDataset(), new CentresDataset(), new CorridorsDataset(),
        new HousingSitesDataset(), new BrownfieldDataset(), new EmploymentSitesDataset(),
    ];

    public static Dataset? Find(string name) => All.FirstOrDefault(d => d.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    internal static readonly string[] LadCodeNames = ["lad_code", "ladcd", "lad19cd", "lad17cd", "lad20cd", "lad21cd", "lad22cd", "lad23cd", "lad_cd"];
}

internal sealed class LepsDataset : Dataset
{
    public override string Name => "leps";
    public override string Description => "Local Enterprise Partnership polygons (GeoJSON; code lep_cd/lep17cd, name lep_nm/lep17nm).";
    public override string Table => "lep";
    public override IReadOnlyList<string> Keys { get; } = ["code"];
    public override IReadOnlyList<Column> Columns { get; } = [new("code", NpgsqlDbType.Text), new("name", NpgsqlDbType.Text), new("geom", NpgsqlDbType.Geometry)];

    public override object?[]? Map(SourceRow row, ImportOptions o, List<ImportIssue> issues)
    {
        var code = RequireKey(Text(row, o.CodeField, "lep_cd", "lep17cd", "lep20cd", "lep21cd", "code"), row, "code", issues);
        var name = Text(row, o.NameField, "lep_nm", "lep17nm", "lep20nm", "lep21nm", "name") ?? code;
        var geom = GeometryRules.Check(row, GeometryKind.Polygonal, o.MakeValid, issues);
        return code is null || geom is null ? null : [code, name, geom];
    }
}

/// <summary>LAD polygons; <c>lep1_cd</c>/<c>lep2_cd</c> attributes, when present, set the LEP memberships too.</summary>
internal sealed class LocalAuthoritiesDataset : Dataset
{
    public override string Name => "lads";
    public override string Description => "Local authority district polygons (GeoJSON; code lad19cd…, name lad19nm…; optional lep1_cd/lep1_nm/lep2_cd/lep2_nm memberships).";
    public override string Table => "local_authority";
    public override IReadOnlyList<string> Keys { get; } = ["code"];
    public override IReadOnlyList<Column> Columns { get; } =
    [
        new("code", NpgsqlDbType.Text), new("name", NpgsqlDbType.Text), new("geom", NpgsqlDbType.Geometry),
        new("lep1_cd", NpgsqlDbType.Text, ColumnRole.StageOnly), new("lep1_nm", NpgsqlDbType.Text, ColumnRole.StageOnly),
        new("lep2_cd", NpgsqlDbType.Text, ColumnRole.StageOnly), new("lep2_nm", NpgsqlDbType.Text, ColumnRole.StageOnly),
    ];

    public override object?[]? Map(SourceRow row, ImportOptions o, List<ImportIssue> issues)
    {
        var code = RequireKey(Text(row, [o.CodeField, .. Datasets.LadCodeNames, "code"]), row, "code", issues);
        var name = Text(row, o.NameField, "lad_nm", "lad19nm", "lad17nm", "lad20nm", "lad21nm", "lad22nm", "lad23nm", "name") ?? code;
        var geom = GeometryRules.Check(row, GeometryKind.Polygonal, o.MakeValid, issues);
        return code is null || geom is null ? null : [code, name, geom, Text(row, "lep1_cd"), Text(row, "lep1_nm"), Text(row, "lep2_cd"), Text(row, "lep2_nm")];
    }

    public override string AfterUpsertSql => LepMembershipsDataset.ReplaceMembershipsSql;
}

/// <summary>The LAD → LEP membership table (CSV: lad19cd, lep1_cd, lep1_nm, lep2_cd, lep2_nm).</summary>
internal sealed class LepMembershipsDataset : Dataset
{
    public override string Name => "lep-memberships";
    public override string Description => "LAD to LEP memberships (CSV: lad19cd, lep1_cd, lep1_nm, lep2_cd, lep2_nm); the LADs must be imported first.";
    public override string Table => "local_authority";
    public override IReadOnlyList<string> Keys { get; } = ["code"];
    public override IReadOnlyList<Column> Columns { get; } =
    [
        new("code", NpgsqlDbType.Text), new("name", NpgsqlDbType.Text, ColumnRole.Merge),
        new("lep1_cd", NpgsqlDbType.Text, ColumnRole.StageOnly), new("lep1_nm", NpgsqlDbType.Text, ColumnRole.StageOnly),
        new("lep2_cd", NpgsqlDbType.Text, ColumnRole.StageOnly), new("lep2_nm", NpgsqlDbType.Text, ColumnRole.StageOnly),
    ];

    /// <summary>A district's memberships are replaced whole by each import that names them.</summary>
    internal const string ReplaceMembershipsSql = """
        DELETE FROM lep_membership m USING stage s WHERE m.lad_code = s.code AND (s.lep1_cd IS NOT NULL OR s.lep2_cd IS NOT NULL);
        INSERT INTO lep_membership (lad_code, lep_code, lep_name, is_primary)
        SELECT code, lep1_cd, coalesce(lep1_nm, lep1_cd), true FROM stage WHERE lep1_cd IS NOT NULL
        UNION ALL
        SELECT code, lep2_cd, coalesce(lep2_nm, lep2_cd), false FROM stage WHERE lep2_cd IS NOT NULL AND lep2_cd <> coalesce(lep1_cd, '');
        """;

    public override object?[]? Map(SourceRow row, ImportOptions o, List<ImportIssue> issues)
    {
        var code = RequireKey(Text(row, [o.CodeField, .. Datasets.LadCodeNames, "code"]), row, "code", issues);
        var lep1 = Text(row, "lep1_cd", "lep_cd", "lep17cd");
        if (code is not null && lep1 is null)
            issues.Add(new ImportIssue(ImportIssue.Error, "missing_value", row.Row, "lep1_cd", "The row names no LEP (lep1_cd)."));
        return code is null || lep1 is null ? null
            : [code, Text(row, o.NameField, "lad19nm", "lad_nm", "name"), lep1, Text(row, "lep1_nm", "lep_nm", "lep17nm"), Text(row, "lep2_cd"), Text(row, "lep2_nm")];
    }

    public override string AfterUpsertSql => ReplaceMembershipsSql;

    public override string UpdatesExistingOf => "lads";
}

/// <summary>
/// A zone's row of one zone set with one of its geometries (<paramref name="geometryColumn"/>, checked as
/// <paramref name="geometryKind"/>): code, name, district and population, which a later file of the other
/// geometry keeps where it has none (<see cref="ColumnRole.Merge"/>).
/// </summary>
internal abstract class ZoneGeometryDataset(string geometryColumn, GeometryKind geometryKind) : Dataset
{
    internal static readonly string[] CodeNames = ["code", "zone_code", "lsoa11cd", "lsoa21cd", "msoa11cd", "msoa21cd", "oa11cd", "oa21cd", "lsoa21_code", "lsoa11_code", "lsoa code (2011)", "lsoa code (2021)", "id"];
    internal static readonly string[] NameNames = ["name", "zone_name", "lsoa11nm", "lsoa21nm", "msoa11nm", "msoa21nm", "lsoa name (2011)"];
    internal static readonly string[] PopulationNames = ["population", "pop", "pop_total_mid2015", "pop_total", "pop_mid2015", "all_ages"];

    public override string Table => "zone";
    public override IReadOnlyList<string> Keys { get; } = ["zone_set_id", "code"];
    public override IReadOnlyList<Column> Columns { get; } =
    [
        new("zone_set_id", NpgsqlDbType.Text), new("code", NpgsqlDbType.Text), new("name", NpgsqlDbType.Text, ColumnRole.Merge), new("lad_code", NpgsqlDbType.Text, ColumnRole.Merge),
        new("population", NpgsqlDbType.Integer, ColumnRole.Merge), new(geometryColumn, NpgsqlDbType.Geometry),
    ];

    public override (string Field, string Message)? ValidateOptions(ImportOptions o) => ZoneSetOption.Validate(o);
    public override IEnumerable<(string Sql, object?[] Parameters)> BeforeUpsert(ImportOptions o) => [ZoneSetOption.Ensure(o)];

    public override object?[]? Map(SourceRow row, ImportOptions o, List<ImportIssue> issues)
    {
        var code = RequireKey(Text(row, [o.CodeField, .. CodeNames]), row, "code", issues);
        var pop = Int(Text(row, PopulationNames), row, "population", issues, 0);
        var geom = GeometryRules.Check(row, geometryKind, o.MakeValid, issues);
        return code is null || geom is null ? null
            : [o.ZoneSet, code, Text(row, [o.NameField, .. NameNames]), Text(row, Datasets.LadCodeNames), pop, geom];
    }
}

/// <summary>Zone polygons of one zone set (e.g. LSOA 2011 BGC).</summary>
internal sealed class ZonesDataset() : ZoneGeometryDataset("geom", GeometryKind.Polygonal)
{
    public override string Name => "zones";
    public override string Description => "Zone polygons of a zone set (GeoJSON; needs zoneSet, e.g. lsoa11; code lsoa11cd…, name, lad, population).";
}

/// <summary>
/// Population-weighted centroids (CSV lon/lat or GeoJSON points) of a zone set's zones. A file that
/// says how each point was derived (a <c>method</c> column, as the approximate LSOA 2021 points have),
/// or the <c>approximateCentroids</c> option, marks the zone set's points as approximate — not ONS
/// population-weighted centroids — and the runs that start from them say so in their record.
/// </summary>
internal sealed class CentroidsDataset() : ZoneGeometryDataset("centroid", GeometryKind.Point)
{
    public override string Name => "centroids";
    public override string Description => "Population-weighted centroids of a zone set (CSV with lon/lat or GeoJSON points; needs zoneSet; optional population). A 'method' column or approximateCentroids marks them as not ONS population-weighted.";

    /// <summary>Counts the derivation methods the file names; any at all (or the option) make the points approximate.</summary>
    public override ImportOptions Resolve(SourceFile file, IReadOnlyList<SourceRow> rows, ImportOptions o, List<ImportIssue> fileIssues)
    {
        var methods = rows.Select(r => r.Get("method", "centroid_method")).Where(m => m is not null)
            .GroupBy(m => m!).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Count():N0}").ToList();
        if (methods.Count == 0 && !o.ApproximateCentroids)
            return o with { Resolved = new Dictionary<string, string> { ["centroids"] = "population-weighted" } };
        var note = $"Approximate points, not ONS population-weighted centroids (from {file.Name}" +
                   (methods.Count > 0 ? $"; method: {string.Join(", ", methods)})." : ").");
        fileIssues.Add(new ImportIssue(ImportIssue.Warning, "approximate_centroids", null, "method",
            $"{note} Zone set '{o.ZoneSet}' is marked so, and every run from it carries the note."));
        return o with { Resolved = new Dictionary<string, string> { ["centroids"] = "approximate", ["centroidNote"] = note } };
    }

    public override IEnumerable<(string Sql, object?[] Parameters)> BeforeUpsert(ImportOptions o) =>
    [
        ZoneSetOption.Ensure(o),
        ("UPDATE zone_set SET centroids_approximate = $2, centroid_note = $3 WHERE id = $1",
            [o.ZoneSet, o.Resolved.GetValueOrDefault("centroids") == "approximate", o.Resolved.GetValueOrDefault("centroidNote")]),
    ];
}

/// <summary>
/// Any population column of a table by zone code (Census 2021 usual residents, households, a mid-year
/// estimate…) onto the stored zones of a zone set. Rows for zones the set does not have are skipped and
/// counted, so a national table imports onto a study area; the column and file are kept as the set's
/// population source.
/// </summary>
internal sealed class PopulationDataset : Dataset
{
    /// <summary>Tried in order when no column is named.</summary>
    private static readonly string[] ColumnNames = ["population", "usual_residents_2021", "usual_residents", "total_residents", .. ZoneGeometryDataset.PopulationNames];

    public override string Name => "population";
    public override string Description => "Population of a zone set's stored zones (CSV: a zone code and a population column, e.g. usual_residents_2021; needs zoneSet; column picks any column by name).";
    public override string Table => "zone";
    public override IReadOnlyList<string> Keys { get; } = ["zone_set_id", "code"];
    public override IReadOnlyList<Column> Columns { get; } = [new("zone_set_id", NpgsqlDbType.Text), new("code", NpgsqlDbType.Text), new("population", NpgsqlDbType.Integer)];
    public override string UpdatesExistingOf => "zones";
    public override bool SkipsRowsNotStored => true;

    public override (string Field, string Message)? ValidateOptions(ImportOptions o) => ZoneSetOption.Validate(o);

    public override ImportOptions Resolve(SourceFile file, IReadOnlyList<SourceRow> rows, ImportOptions o, List<ImportIssue> fileIssues)
    {
        var header = rows[0].Fields.Keys.ToList();
        var column = o.Column is not null
            ? header.FirstOrDefault(h => h.Equals(o.Column, StringComparison.OrdinalIgnoreCase))
            : ColumnNames.Select(n => header.FirstOrDefault(h => h.Equals(n, StringComparison.OrdinalIgnoreCase))).FirstOrDefault(h => h is not null);
        if (column is null)
        {
            fileIssues.Add(new ImportIssue(ImportIssue.Error, "unknown_column", null, "column",
                o.Column is not null ? $"The file has no column '{o.Column}'. Its columns: {string.Join(", ", header)}."
                    : $"None of the usual population columns ({string.Join(", ", ColumnNames.Distinct())}) is in the file; name one with column. Its columns: {string.Join(", ", header)}."));
            return o;
        }
        return o with { Resolved = new Dictionary<string, string> { ["populationColumn"] = column, ["populationSource"] = $"{column} ({file.Name})" } };
    }

    public override IEnumerable<(string Sql, object?[] Parameters)> BeforeUpsert(ImportOptions o) =>
        [("UPDATE zone_set SET population_source = $2 WHERE id = $1", [o.ZoneSet, o.Resolved.GetValueOrDefault("populationSource")])];

    public override object?[]? Map(SourceRow row, ImportOptions o, List<ImportIssue> issues)
    {
        var code = RequireKey(Text(row, [o.CodeField, .. ZoneGeometryDataset.CodeNames]), row, "code", issues);
        var column = o.Resolved["populationColumn"];
        var before = issues.Count;
        var pop = Int(Text(row, column), row, column, issues, 0);
        if (code is not null && pop is null && issues.Count == before)
            issues.Add(new ImportIssue(ImportIssue.Error, "missing_value", row.Row, column, $"The row has no {column}."));
        return code is null || pop is null ? null : [o.ZoneSet, code, pop];
    }
}

internal static class ZoneSetOption
{
    public static (string, string)? Validate(ImportOptions o) =>
        string.IsNullOrWhiteSpace(o.ZoneSet) ? ("zoneSet", "zoneSet is required (e.g. lsoa11 or lsoa21): the zone set these zones belong to.")
        : o.ZoneSet.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? null
        : ("zoneSet", "zoneSet may contain only letters, digits, '-' and '_'.");

    /// <summary>Creates the zone set on first use. Its code geography is its id for the ONS sets (lsoa11, lsoa21…).</summary>
    public static (string, object?[]) Ensure(ImportOptions o) => (
        "INSERT INTO zone_set (id, name, code_geography) VALUES ($1, $2, $1) ON CONFLICT (id) DO UPDATE SET name = coalesce($3, zone_set.name)",
        [o.ZoneSet, o.ZoneSetName ?? o.ZoneSet, o.ZoneSetName]);
}

/// <summary>
/// The English Indices of Deprivation, edition by edition (IMD 2019 on LSOA 2011, IoD 2025 on LSOA
/// 2021), in the published layouts: MHCLG File 1 (IMD rank and decile), File 2 (domain ranks and
/// deciles), File 5/7 (scores; File 7 also the supplementary indices, sub-domains and population
/// denominators), File 6 (denominators), or a joined table with short names (lsoa11cd, imd_score…;
/// lsoa21_code, IMD_decile, Housing_and_Services_rank…, geographical_barriers_score…). Each layout fills
/// the columns it has and keeps the rest, so the files can be imported one after another. The edition
/// is read from the header (the LSOA code column's year, the denominators' mid-year) unless given.
/// </summary>
internal sealed class ImdDataset : Dataset
{
    /// <summary>A measure stored as score, rank and decile: its column stem, short names in joined tables, and MHCLG's long header.</summary>
    private sealed record Measure(string Column, string[] Short, string Long);

    private static readonly Measure[] Measures =
    [
        new("imd", ["imd"], "Index of Multiple Deprivation (IMD)"),
        new("income", ["income"], "Income"),
        new("employment", ["employment"], "Employment"),
        new("education", ["education"], "Education, Skills and Training"),
        new("health", ["health"], "Health Deprivation and Disability"),
        new("crime", ["crime"], "Crime"),
        new("barriers", ["barriers_housing_services", "housing_and_services"], "Barriers to Housing and Services"),
        new("living_environment", ["living_environment", "environment"], "Living Environment"),
        new("idaci", ["idaci"], "Income Deprivation Affecting Children Index (IDACI)"),
        new("idaopi", ["idaopi"], "Income Deprivation Affecting Older People (IDAOPI)"),
        new("children_young_people", ["children_and_young_people", "children_young_people"], "Children and Young People Sub-domain"),
        new("adult_skills", ["adult_skills"], "Adult Skills Sub-domain"),
        new("geographical_barriers", ["geographical_barriers"], "Geographical Barriers Sub-domain"),
        new("wider_barriers", ["wider_barriers"], "Wider Barriers Sub-domain"),
        new("indoors", ["indoors"], "Indoors Sub-domain"),
        new("outdoors", ["outdoors"], "Outdoors Sub-domain"),
    ];

    /// <summary>Denominators: column, short names (any year), MHCLG's long header prefix (followed by ": mid 2015" / ": mid 2022").</summary>
    private static readonly (string Column, string[] Short, string Long)[] Populations =
    [
        ("pop_total", ["pop_total", "pop_total_mid2015", "pop_total_mid2022"], "Total population"),
        ("pop0to15", ["pop_0_15", "pop_0_15_mid2015", "pop_0_15_mid2022"], "Dependent Children aged 0-15"),
        ("pop16to59", ["pop_16_59", "pop_16_59_mid2015", "pop_16_59_mid2022"], "Population aged 16-59"),
        ("pop60plus", ["pop_60plus", "pop_60plus_mid2015", "pop_60plus_mid2022"], "Older population aged 60"),
        ("pop_working_age", ["pop_working_age", "pop_working_age_mid2015", "pop_working_age_mid2022"], "Working age population"),
    ];

    private static readonly string[] Lsoa11CodeNames = ["lsoa11cd", "lsoa code (2011)", "lsoa11_code"];
    private static readonly string[] Lsoa21CodeNames = ["lsoa21cd", "lsoa code (2021)", "lsoa21_code"];

    /// <summary>Edition → (the geography's code columns, areas ranked, the denominators' mid-year).</summary>
    private static readonly Dictionary<string, (string[] CodeNames, int Areas, string MidYear)> Editions = new()
    {
        [DeprivationEditions.Imd2019] = (Lsoa11CodeNames, 32_844, "mid 2015"),
        [DeprivationEditions.Iod2025] = (Lsoa21CodeNames, 33_755, "mid 2022"),
    };

    public override string Name => "imd";
    public override string Description => "English Indices of Deprivation per LSOA: IMD 2019 (LSOA 2011) or IoD 2025 (LSOA 2021), MHCLG File 1/2/5/6/7 layouts or a joined table; " +
                                          "the edition is detected from the header (edition imd2019|iod2025 forces it).";
    public override string Table => "deprivation";
    public override IReadOnlyList<string> Keys { get; } = ["edition", "lsoa_code"];
    public override IReadOnlyList<Column> Columns { get; } =
    [
        new("edition", NpgsqlDbType.Text),
        new("lsoa_code", NpgsqlDbType.Text),
        .. Measures.SelectMany(d => new Column[]
        {
            new($"{d.Column}_score", NpgsqlDbType.Double, ColumnRole.Merge), new($"{d.Column}_rank", NpgsqlDbType.Integer, ColumnRole.Merge), new($"{d.Column}_decile", NpgsqlDbType.Integer, ColumnRole.Merge),
        }),
        .. Populations.Select(p => new Column(p.Column, NpgsqlDbType.Integer, ColumnRole.Merge)),
    ];

    public override (string Field, string Message)? ValidateOptions(ImportOptions o) =>
        o.Edition is null || Editions.ContainsKey(o.Edition) ? null
        : ("edition", $"Unknown edition '{o.Edition}'. Use {string.Join(" or ", Editions.Keys)}.");

    /// <summary>
    /// The edition the header names: a 2011 or 2021 LSOA code column, or denominators of mid-2015 or
    /// mid-2022. A file naming neither (or both) is refused unless the edition is given; a given edition
    /// that contradicts the header is used as asked, with a warning.
    /// </summary>
    public override ImportOptions Resolve(SourceFile file, IReadOnlyList<SourceRow> rows, ImportOptions o, List<ImportIssue> fileIssues)
    {
        var header = rows[0].Fields.Keys.ToList();
        var found = Editions.Where(e => header.Any(h => e.Value.CodeNames.Contains(h, StringComparer.OrdinalIgnoreCase)
                                                        || h.Contains(e.Value.MidYear, StringComparison.OrdinalIgnoreCase)))
            .Select(e => e.Key).ToList();
        var detected = found.Count == 1 ? found[0] : null;
        if (o.Edition is null && detected is null)
        {
            fileIssues.Add(new ImportIssue(ImportIssue.Error, "unknown_edition", null, "edition", found.Count == 0
                ? "The header names no LSOA 2011 or 2021 code column (lsoa11cd, lsoa21cd, 'LSOA code (2021)'…) nor the denominators' year; give the edition (imd2019 or iod2025)."
                : $"The header names both editions' geographies ({string.Join(", ", found)}); give the edition (imd2019 or iod2025)."));
            return o;
        }
        var edition = o.Edition ?? detected!;
        if (o.Edition is not null && detected is not null && detected != o.Edition)
            fileIssues.Add(new ImportIssue(ImportIssue.Warning, "edition_forced", null, "edition",
                $"The header looks like {detected}, but the file was imported as {o.Edition} as asked."));
        return o with { Resolved = new Dictionary<string, string> { ["edition"] = edition, ["editionFrom"] = o.Edition is null ? "header" : "option" } };
    }

    public override object?[]? Map(SourceRow row, ImportOptions o, List<ImportIssue> issues)
    {
        var edition = o.Resolved["edition"];
        var (codeNames, areas, _) = Editions[edition];
        var before = issues.Count;
        // The edition's own code columns first; the other's too, for a file whose edition was forced.
        var code = RequireKey(Text(row, [o.CodeField, .. codeNames, .. Lsoa11CodeNames, .. Lsoa21CodeNames, "lsoa_code", "code"]), row, codeNames[0], issues);
        var values = new List<object?> { edition, code };
        var any = false;
        foreach (var d in Measures)
        {
            var score = Number(Short(row, d.Short, "score") ?? ByPrefix(row, $"{d.Long} Score"), row, $"{d.Short[0]}_score", issues);
            var rank = Int(Short(row, d.Short, "rank") ?? ByPrefix(row, $"{d.Long} Rank"), row, $"{d.Short[0]}_rank", issues, 1, areas);
            var decile = Int(Short(row, d.Short, "decile") ?? ByPrefix(row, $"{d.Long} Decile"), row, $"{d.Short[0]}_decile", issues, 1, 10);
            any |= score is not null || rank is not null || decile is not null;
            values.AddRange([score, rank, decile]);
        }
        foreach (var p in Populations)
        {
            var v = Int(Text(row, p.Short) ?? ByPrefix(row, p.Long), row, p.Short[0], issues, 0);
            any |= v is not null;
            values.Add(v);
        }
        if (code is not null && !any)
            issues.Add(new ImportIssue(ImportIssue.Error, "no_values", row.Row, null,
                "The row has no IMD score, rank, decile or population column this importer knows (e.g. imd_decile or 'Index of Multiple Deprivation (IMD) Decile')."));
        return code is null || !any || issues.Skip(before).Any(i => i.Severity == ImportIssue.Error) ? null : values.ToArray();
    }

    private static string? Short(SourceRow row, string[] stems, string what) => row.Get(stems.Select(s => $"{s}_{what}"));

    /// <summary>
    /// Deprivation attaches to any zone set whose codes it matches (<see cref="DeprivationJoin"/>), whatever the set
    /// is called, so the record says, per stored zone set, how many of its zones now find figures in this edition
    /// (<c>zonesMatched</c>), and warns for a zone set where none does.
    /// </summary>
    public override async Task<IReadOnlyList<ImportIssue>> ReportAsync(NpgsqlConnection conn, NpgsqlTransaction tx, ImportOptions o,
        Dictionary<string, string> recordOptions, CancellationToken ct)
    {
        var edition = o.Resolved["edition"];
        var counts = new List<(string Set, long Zones, long Matched)>();
        await using (var cmd = new NpgsqlCommand($"""
            SELECT s.id, count(z.code), count(d.match) FROM zone_set s LEFT JOIN zone z ON z.zone_set_id = s.id
            {DeprivationJoin.Sql(edition, "z.code")}
            GROUP BY s.id ORDER BY s.id
            """, conn, tx))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) counts.Add((r.GetString(0), r.GetInt64(1), r.GetInt64(2)));
        if (counts.Count == 0)
            return [new ImportIssue(ImportIssue.Warning, "no_zone_sets", null, null,
                "No zones are stored yet; the figures attach to any zone set whose codes they match once its zones are imported.")];
        recordOptions["zonesMatched"] = string.Join("; ", counts.Select(c => FormattableString.Invariant($"{c.Set}: {c.Matched} of {c.Zones}")));
        return counts.Where(c => c.Matched == 0 && c.Zones > 0).Select(c => new ImportIssue(ImportIssue.Warning, "no_zones_matched", null, "zoneSet",
            FormattableString.Invariant($"None of the {c.Zones} zones of zone set '{c.Set}' matches a code of {edition} (by its code or through the LSOA 2011 ↔ 2021 lookup): they have no deprivation figures in it."))).ToList();
    }
}

/// <summary>
/// The ONS LSOA (2011) → LSOA (2021) exact-fit lookup (CSV: LSOA11CD, LSOA21CD, CHGIND U/S/M/X, names,
/// LAD; or lsoa11_code, lsoa21_code, change_code…). Replaces the stored pairs it names.
/// </summary>
internal sealed class LsoaLookupDataset : Dataset
{
    public override string Name => "lsoa-lookup";
    public override string Description => "ONS LSOA 2011 → LSOA 2021 lookup (CSV: lsoa11cd/lsoa11_code, lsoa21cd/lsoa21_code, chgind/change_code U|S|M|X, optional names and LAD).";
    public override string Table => "lsoa_lookup";
    public override IReadOnlyList<string> Keys { get; } = ["lsoa11_code", "lsoa21_code"];
    public override IReadOnlyList<Column> Columns { get; } =
    [
        new("lsoa11_code", NpgsqlDbType.Text), new("lsoa11_name", NpgsqlDbType.Text), new("lsoa21_code", NpgsqlDbType.Text), new("lsoa21_name", NpgsqlDbType.Text),
        new("change_code", NpgsqlDbType.Text), new("lad_code", NpgsqlDbType.Text),
    ];

    public override object?[]? Map(SourceRow row, ImportOptions o, List<ImportIssue> issues)
    {
        var from = RequireKey(Text(row, "lsoa11cd", "lsoa11_code", "lsoa code (2011)"), row, "lsoa11cd", issues);
        var to = RequireKey(Text(row, "lsoa21cd", "lsoa21_code", "lsoa code (2021)"), row, "lsoa21cd", issues);
        var change = Text(row, "chgind", "change_code", "change")?.ToUpperInvariant();
        if (change is not ("U" or "S" or "M" or "X"))
        {
            issues.Add(new ImportIssue(ImportIssue.Error, "invalid_value", row.Row, "change_code",
                change is null ? "The row has no change code (chgind)." : $"Change code '{change}' is not U, S, M or X."));
            return null;
        }
        return from is null || to is null ? null
            : [from, Text(row, "lsoa11nm", "lsoa11_name"), to, Text(row, "lsoa21nm", "lsoa21_name"), change,
               Text(row, ["ltla22_code", "lad22cd", .. Datasets.LadCodeNames])];
    }
}

internal sealed class CentresDataset : Dataset
{
    public override string Name => "centres";
    public override string Description => "Centres (GeoJSON or CSV points; code/id/stop_id, name/stop_name, kind).";
    public override string Table => "centre";
    public override IReadOnlyList<string> Keys { get; } = ["code"];
    public override IReadOnlyList<Column> Columns { get; } = [new("code", NpgsqlDbType.Text), new("name", NpgsqlDbType.Text), new("kind", NpgsqlDbType.Text), new("geom", NpgsqlDbType.Geometry)];

    public override object?[]? Map(SourceRow row, ImportOptions o, List<ImportIssue> issues)
    {
        var code = RequireKey(Text(row, o.CodeField, "code", "centre_code", "id", "stop_id", "ref"), row, "code", issues);
        var geom = GeometryRules.Check(row, GeometryKind.Point, o.MakeValid, issues);
        return code is null || geom is null ? null
            : [code, Text(row, o.NameField, "name", "centre_name", "stop_name") ?? code, Text(row, "kind", "type", "category"), geom];
    }
}

internal sealed class CorridorsDataset : Dataset
{
    public override string Name => "corridors";
    public override string Description => "Inclusive growth corridors (GeoJSON polygons; code, name, description, optional centre_line as WKT).";
    public override string Table => "corridor";
    public override IReadOnlyList<string> Keys { get; } = ["code"];
    public override IReadOnlyList<Column> Columns { get; } =
        [new("code", NpgsqlDbType.Text), new("name", NpgsqlDbType.Text), new("description", NpgsqlDbType.Text), new("geom", NpgsqlDbType.Geometry), new("centre_line", NpgsqlDbType.Geometry)];

    public override object?[]? Map(SourceRow row, ImportOptions o, List<ImportIssue> issues)
    {
        var code = RequireKey(Text(row, o.CodeField, "code", "id", "ref"), row, "code", issues);
        var geom = GeometryRules.Check(row, GeometryKind.Polygonal, o.MakeValid, issues);
        NetTopologySuite.Geometries.Geometry? line = null;
        if (Text(row, "centre_line", "centre_line_wkt") is { } wkt)
        {
            NetTopologySuite.Geometries.Geometry? parsed = null;
            string? error = null;
            try { parsed = new NetTopologySuite.IO.WKTReader().Read(wkt); parsed.SRID = geom?.SRID ?? Crs.Wgs84; }
            catch (Exception e) when (e is NetTopologySuite.IO.ParseException or ArgumentException) { error = $"centre_line is not valid WKT: {e.Message}"; }
            line = GeometryRules.Check(parsed, error, row.Row, GeometryKind.Lineal, o.MakeValid, issues);
            if (line is null) return null;
        }
        return code is null || geom is null ? null
            : [code, Text(row, o.NameField, "name") ?? code, Text(row, "description", "desc"), geom, line];
    }
}

internal class HousingSitesDataset : Dataset
{
    public override string Name => "housing-sites";
    public override string Description => "Housing sites (GeoJSON or CSV; reference, name, lad_code, min_dwellings, max_dwellings, hectares, status, planning_permission).";
    public override string Table => "housing_site";
    public override IReadOnlyList<string> Keys { get; } = ["reference"];
    public override IReadOnlyList<Column> Columns { get; } =
    [
        new("reference", NpgsqlDbType.Text), new("name", NpgsqlDbType.Text), new("lad_code", NpgsqlDbType.Text), new("min_dwellings", NpgsqlDbType.Integer), new("max_dwellings", NpgsqlDbType.Integer),
        new("hectares", NpgsqlDbType.Double), new("status", NpgsqlDbType.Text), new("planning_permission", NpgsqlDbType.Text), new("geom", NpgsqlDbType.Geometry),
    ];

    protected virtual string? Reference(SourceRow row, ImportOptions o) =>
        Text(row, o.CodeField, "reference", "site_reference", "sitereference", "ref", "id");

    protected virtual string? DefaultStatus => null;

    public override object?[]? Map(SourceRow row, ImportOptions o, List<ImportIssue> issues)
    {
        var reference = RequireKey(Reference(row, o), row, "reference", issues);
        var min = Int(Text(row, "min_dwellings", "minimum-net-dwellings", "minnetdwellings", "netdwellingsrangefrom"), row, "min_dwellings", issues, 0);
        var max = Int(Text(row, "max_dwellings", "maximum-net-dwellings", "netdwellingsrangeto", "dwellings"), row, "max_dwellings", issues, 0);
        if (min > max)
            issues.Add(new ImportIssue(ImportIssue.Error, "invalid_range", row.Row, "min_dwellings", $"Minimum dwellings {min} exceeds maximum {max}."));
        var hectares = Number(Text(row, "hectares", "site_hectares", "area_ha"), row, "hectares", issues, 0);
        var geom = GeometryRules.Check(row, GeometryKind.PointOrPolygonal, o.MakeValid, issues);
        if (reference is null || geom is null || issues.Any(i => i.Row == row.Row && i.Severity == ImportIssue.Error))
            return null;
        return
        [
            reference, Text(row, o.NameField, "name", "site_name", "sitenameaddress", "site-address", "site_address"), Text(row, Datasets.LadCodeNames),
            min, max, hectares, Text(row, "status", "deliverable") ?? DefaultStatus,
            Text(row, "planning_permission", "planning-permission-status", "planningstatus", "planning_status"), geom,
        ];
    }
}

/// <summary>
/// Brownfield Land Register CSVs (the national schema of 2017 — SiteReference, GeoX/GeoY with
/// CoordinateReferenceSystem, MinNetDwellings, NetDwellingsRangeFrom/To, PlanningStatus — and
/// Digital Land's — reference, point, minimum-/maximum-net-dwellings, planning-permission-status)
/// as housing sites. Site references are unique only within a planning authority, so the
/// organisation is prefixed when the file names it.
/// </summary>
internal sealed class BrownfieldDataset : HousingSitesDataset
{
    public override string Name => "brownfield";
    public override string Description => "Brownfield Land Register CSV (national schema: SiteReference, GeoX/GeoY, CoordinateReferenceSystem, Hectares, MinNetDwellings, PlanningStatus… or Digital Land's reference, point, …) as housing sites.";

    protected override string? Reference(SourceRow row, ImportOptions o)
    {
        var reference = base.Reference(row, o);
        var org = Text(row, "organisationlabel", "organisation", "organisation-entity", "organisationuri");
        // ":" rather than "/" so the reference stays one URL path segment (/items/{reference}).
        return reference is null || org is null ? reference : $"{org}:{reference}";
    }

    protected override string DefaultStatus => "brownfield register";
}

internal sealed class EmploymentSitesDataset : Dataset
{
    public override string Name => "employment-sites";
    public override string Description => "Employment sites (GeoJSON or CSV; reference, name, lad_code, hectares, floorspace_m2, use_class, jobs_estimate, status).";
    public override string Table => "employment_site";
    public override IReadOnlyList<string> Keys { get; } = ["reference"];
    public override IReadOnlyList<Column> Columns { get; } =
    [
        new("reference", NpgsqlDbType.Text), new("name", NpgsqlDbType.Text), new("lad_code", NpgsqlDbType.Text), new("hectares", NpgsqlDbType.Double), new("floorspace_m2", NpgsqlDbType.Double),
        new("use_class", NpgsqlDbType.Text), new("jobs_estimate", NpgsqlDbType.Integer), new("status", NpgsqlDbType.Text), new("geom", NpgsqlDbType.Geometry),
    ];

    public override object?[]? Map(SourceRow row, ImportOptions o, List<ImportIssue> issues)
    {
        var reference = RequireKey(Text(row, o.CodeField, "reference", "site_reference", "ref", "id"), row, "reference", issues);
        var hectares = Number(Text(row, "hectares", "site_hectares", "area_ha"), row, "hectares", issues, 0);
        var floorspace = Number(Text(row, "floorspace_m2", "floorspace", "floorspace_sqm"), row, "floorspace_m2", issues, 0);
        var jobs = Int(Text(row, "jobs_estimate", "jobs"), row, "jobs_estimate", issues, 0);
        var geom = GeometryRules.Check(row, GeometryKind.PointOrPolygonal, o.MakeValid, issues);
        if (reference is null || geom is null || issues.Any(i => i.Row == row.Row && i.Severity == ImportIssue.Error))
            return null;
        return
        [
            reference, Text(row, o.NameField, "name", "site_name"), Text(row, Datasets.LadCodeNames), hectares, floorspace,
            Text(row, "use_class", "useclass"), jobs, Text(row, "status"), geom,
        ];
    }
}
