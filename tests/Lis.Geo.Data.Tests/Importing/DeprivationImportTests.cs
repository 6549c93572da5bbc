using System.Globalization;
using System.Text;
using Lis.Geo.Data.Importing;
using Lis.Geo.Data.Model;

namespace Lis.Geo.Data.Tests.Importing;

/// <summary>Deprivation editions, the population and lookup imports on small hand-written files.</summary>
public sealed class DeprivationImportTests(StoreFixture store) : IClassFixture<StoreFixture>
{
    private Task<ImportRecord> Import(string dataset, string fileName, string text, ImportOptions? options = null) =>
        new Importer(store.DataSource).ImportAsync(dataset, new SourceFile(fileName, Encoding.UTF8.GetBytes(text)), options ?? new(), default);

    private const string Rank = " Rank (where 1 is most deprived)";
    private const string Decile = " Decile (where 1 is most deprived 10% of LSOAs)";

    /// <summary>
    /// The IoD 2025 File 7 header as MHCLG publishes it ("LSOA code (2021)", scores, ranks, deciles of the
    /// index, its seven domains, IDACI, IDAOPI and the six sub-domains, then mid-2022 denominators), with the
    /// last sub-domain decile header cut short as some conversions leave it.
    /// </summary>
    private static readonly (string Header, string Column)[] File7 =
    [
        ("Index of Multiple Deprivation (IMD) Score", "imd_score"), ("Index of Multiple Deprivation (IMD)" + Rank, "imd_rank"), ("Index of Multiple Deprivation (IMD)" + Decile, "imd_decile"),
        ("Income Score (rate)", "income_score"), ("Income" + Rank, "income_rank"), ("Income" + Decile, "income_decile"),
        ("Employment Score (rate)", "employment_score"), ("Employment" + Rank, "employment_rank"), ("Employment" + Decile, "employment_decile"),
        ("Education, Skills and Training Score", "education_score"), ("Education, Skills and Training" + Rank, "education_rank"), ("Education, Skills and Training" + Decile, "education_decile"),
        ("Health Deprivation and Disability Score", "health_score"), ("Health Deprivation and Disability" + Rank, "health_rank"), ("Health Deprivation and Disability" + Decile, "health_decile"),
        ("Crime Score", "crime_score"), ("Crime" + Rank, "crime_rank"), ("Crime" + Decile, "crime_decile"),
        ("Barriers to Housing and Services Score", "barriers_score"), ("Barriers to Housing and Services" + Rank, "barriers_rank"), ("Barriers to Housing and Services" + Decile, "barriers_decile"),
        ("Living Environment Score", "living_environment_score"), ("Living Environment" + Rank, "living_environment_rank"), ("Living Environment" + Decile, "living_environment_decile"),
        ("Income Deprivation Affecting Children Index (IDACI) Score (rate)", "idaci_score"), ("Income Deprivation Affecting Children Index (IDACI)" + Rank, "idaci_rank"), ("Income Deprivation Affecting Children Index (IDACI)" + Decile, "idaci_decile"),
        ("Income Deprivation Affecting Older People (IDAOPI) Score (rate)", "idaopi_score"), ("Income Deprivation Affecting Older People (IDAOPI)" + Rank, "idaopi_rank"), ("Income Deprivation Affecting Older People (IDAOPI)" + Decile, "idaopi_decile"),
        ("Children and Young People Sub-domain Score", "children_young_people_score"), ("Children and Young People Sub-domain" + Rank, "children_young_people_rank"), ("Children and Young People Sub-domain" + Decile, "children_young_people_decile"),
        ("Adult Skills Sub-domain Score", "adult_skills_score"), ("Adult Skills Sub-domain" + Rank, "adult_skills_rank"), ("Adult Skills Sub-domain" + Decile, "adult_skills_decile"),
        ("Geographical Barriers Sub-domain Score", "geographical_barriers_score"), ("Geographical Barriers Sub-domain" + Rank, "geographical_barriers_rank"), ("Geographical Barriers Sub-domain" + Decile, "geographical_barriers_decile"),
        ("Wider Barriers Sub-domain Score", "wider_barriers_score"), ("Wider Barriers Sub-domain" + Rank, "wider_barriers_rank"), ("Wider Barriers Sub-domain" + Decile, "wider_barriers_decile"),
        ("Indoors Sub-domain Score", "indoors_score"), ("Indoors Sub-domain" + Rank, "indoors_rank"), ("Indoors Sub-domain" + Decile, "indoors_decile"),
        ("Outdoors Sub-domain Score", "outdoors_score"), ("Outdoors Sub-domain" + Rank, "outdoors_rank"), ("Outdoors Sub-domain Decile (where 1 is most deprived 10% of LSO", "outdoors_decile"),
        ("Total population: mid 2022", "pop_total"), ("Dependent Children aged 0-15: mid 2022", "pop0to15"), ("Population aged 16-59: mid 2022", "pop16to59"),
        ("Older population aged 60 and over: mid 2022", "pop60plus"), ("Working age population 18-66 (for use with Employment Deprivation Domain): mid 2022", "pop_working_age"),
    ];

    /// <summary>A distinct value per column: scores k + 0.25, ranks 33,000 + k (near the 2025 maximum, above 2019's 32,844), deciles 1–10, populations 1,000 + k.</summary>
    private static string Value(int k, string column) =>
        column.EndsWith("_score", StringComparison.Ordinal) ? (k + 0.25).ToString(CultureInfo.InvariantCulture)
        : column.EndsWith("_rank", StringComparison.Ordinal) ? (33_000 + k).ToString(CultureInfo.InvariantCulture)
        : column.EndsWith("_decile", StringComparison.Ordinal) ? (k % 10 + 1).ToString(CultureInfo.InvariantCulture)
        : (1_000 + k).ToString(CultureInfo.InvariantCulture);

    private static string Quote(string s) => s.Contains(',', StringComparison.Ordinal) ? $"\"{s}\"" : s;

    [Fact]
    public async Task File_7_of_2025_is_read_as_iod2025_with_every_domain_sub_domain_and_denominator()
    {
        var header = "LSOA code (2021),LSOA name (2021),Local Authority District code (2024),Local Authority District name (2024)," + string.Join(",", File7.Select(c => Quote(c.Header)));
        var row = "E01999801,Sample 001A,E08000025,Birmingham," + string.Join(",", File7.Select((c, k) => Value(k, c.Column)));
        var r = await Import("imd", "File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv", header + "\n" + row + "\n");
        Assert.True(r.Status == "succeeded", string.Join("; ", r.Issues.Select(i => i.Message)));
        Assert.Equal("iod2025", r.Options["edition"]);
        for (var k = 0; k < File7.Length; k++)
            Assert.Equal(Value(k, File7[k].Column), await store.ScalarAsync<string>(
                $"SELECT {File7[k].Column}::text FROM deprivation WHERE edition = 'iod2025' AND lsoa_code = 'E01999801'"));
        Assert.Equal(0L, await store.ScalarAsync<long>("SELECT count(*) FROM deprivation WHERE edition = 'imd2019' AND lsoa_code = 'E01999801'"));
    }

    [Fact]
    public async Task Ranks_are_checked_against_the_editions_own_number_of_areas()
    {
        // 33,000 is a valid IoD 2025 rank (of 33,755) but not an IMD 2019 one (of 32,844).
        var ok = await Import("imd", "j.csv", "lsoa21cd,IMD_rank,IMD_decile\nE01999802,33000,10\n");
        Assert.Equal(("succeeded", "iod2025"), (ok.Status, ok.Options["edition"]));
        var bad = await Import("imd", "k.csv", "lsoa11cd,imd_rank,imd_decile\nE01999802,33000,10\n");
        Assert.Equal("rejected", bad.Status);
        Assert.Contains(bad.Issues, i => i.Code == "invalid_number" && i.Field == "imd_rank" && i.Message.Contains("1..32844", StringComparison.Ordinal));
        var over = await Import("imd", "l.csv", "lsoa21cd,IMD_rank\nE01999802,33756\n");
        Assert.Equal("rejected", over.Status);
    }

    [Fact]
    public async Task A_header_that_names_no_geography_needs_the_edition_and_a_forced_one_is_noted()
    {
        var unknown = await Import("imd", "m.csv", "code,imd_decile\nE01999803,4\n");
        Assert.Equal("rejected", unknown.Status);
        var issue = Assert.Single(unknown.Issues, i => i.Code == "unknown_edition");
        Assert.Equal("edition", issue.Field);

        var given = await Import("imd", "m.csv", "code,imd_decile\nE01999803,4\n", new() { Edition = "iod2025" });
        Assert.Equal(("succeeded", "option"), (given.Status, given.Options["editionFrom"]));
        Assert.Equal(4, await store.ScalarAsync<int>("SELECT imd_decile FROM deprivation WHERE edition = 'iod2025' AND lsoa_code = 'E01999803'"));

        var forced = await Import("imd", "n.csv", "lsoa11cd,imd_decile\nE01999804,5\n", new() { Edition = "iod2025" });
        Assert.Equal("succeeded", forced.Status);
        Assert.Contains(forced.Issues, i => i.Code == "edition_forced" && i.Severity == ImportIssue.Warning);

        var e = await Assert.ThrowsAsync<ImportRequestException>(() => Import("imd", "o.csv", "lsoa11cd,imd_decile\nE01999805,5\n", new() { Edition = "imd2015" }));
        Assert.Equal("edition", e.Field);
    }

    [Fact]
    public async Task Population_updates_only_stored_zones_of_the_set_from_the_named_column()
    {
        var zones = """{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"lsoa21cd":"E01999811"},"geometry":{"type":"Polygon","coordinates":[[[-1.9,52.4],[-1.89,52.4],[-1.89,52.41],[-1.9,52.41],[-1.9,52.4]]]}}]}""";
        Assert.Equal("succeeded", (await Import("zones", "z.geojson", zones, new() { ZoneSet = "pop-test" })).Status);
        var r = await Import("population", "census.csv", "lsoa21cd,usual_residents_2021,households_2021\nE01999811,1742,584\nE01999812,2055,671\n",
            new() { ZoneSet = "pop-test", Column = "households_2021" });
        Assert.Equal(("succeeded", 2, 1, 0), (r.Status, r.RowsRead, r.RowsWritten, r.RowsRejected));
        Assert.Equal("households_2021 (census.csv)", r.Options["populationSource"]);
        Assert.Equal(584, await store.ScalarAsync<int>("SELECT population FROM zone WHERE zone_set_id = 'pop-test' AND code = 'E01999811'"));
        // The skipped row created nothing.
        Assert.Equal(0L, await store.ScalarAsync<long>("SELECT count(*) FROM zone WHERE code = 'E01999812'"));

        var blank = await Import("population", "census.csv", "lsoa21cd,usual_residents_2021\nE01999811,\n", new() { ZoneSet = "pop-test" });
        Assert.Equal("rejected", blank.Status);
        Assert.Contains(blank.Issues, i => i.Code == "missing_value" && i.Field == "usual_residents_2021");
        Assert.Equal(584, await store.ScalarAsync<int>("SELECT population FROM zone WHERE zone_set_id = 'pop-test' AND code = 'E01999811'"));

        var e = await Assert.ThrowsAsync<ImportRequestException>(() => Import("population", "census.csv", "lsoa21cd,usual_residents_2021\nE01999811,1\n"));
        Assert.Equal("zoneSet", e.Field);
    }

    [Fact]
    public async Task Centroids_are_approximate_when_the_file_or_the_option_says_so_and_population_weighted_otherwise()
    {
        var csv = "code,lon,lat\nE01999821,-1.9,52.4\n";
        Assert.Equal("succeeded", (await Import("centroids", "pwc.csv", csv, new() { ZoneSet = "pwc-test", ApproximateCentroids = true })).Status);
        Assert.Equal("True|Approximate points, not ONS population-weighted centroids (from pwc.csv).",
            await store.ScalarAsync<string>("SELECT centroids_approximate || '|' || centroid_note FROM zone_set WHERE id = 'pwc-test'"), ignoreCase: true);
        // An ONS file afterwards (no method column, no option) makes them population-weighted again.
        Assert.Equal("succeeded", (await Import("centroids", "pwc.csv", csv, new() { ZoneSet = "pwc-test" })).Status);
        Assert.False(await store.ScalarAsync<bool>("SELECT centroids_approximate FROM zone_set WHERE id = 'pwc-test'"));
        Assert.Equal(0L, await store.ScalarAsync<long>("SELECT count(centroid_note) FROM zone_set WHERE id = 'pwc-test'"));
    }

    [Fact]
    public async Task The_lookup_takes_the_ons_names_and_refuses_unknown_change_codes()
    {
        var ok = await Import("lsoa-lookup", "LSOA11_LSOA21_LAD22_EW_LU.csv",
            "LSOA11CD,LSOA11NM,LSOA21CD,LSOA21NM,CHGIND,LAD22CD\nE01999831,A 001A,E01999841,A 001E,S,E08000025\nE01999831,A 001A,E01999842,A 001F,S,E08000025\n");
        Assert.Equal(("succeeded", 2), (ok.Status, ok.RowsWritten));
        Assert.Equal("S|E08000025", await store.ScalarAsync<string>("SELECT change_code || '|' || lad_code FROM lsoa_lookup WHERE lsoa21_code = 'E01999842'"));
        var bad = await Import("lsoa-lookup", "l.csv", "lsoa11_code,lsoa21_code,change_code\nE01999832,E01999843,Q\n");
        Assert.Equal("rejected", bad.Status);
        Assert.Contains(bad.Issues, i => i.Code == "invalid_value" && i.Field == "change_code");
    }
}
