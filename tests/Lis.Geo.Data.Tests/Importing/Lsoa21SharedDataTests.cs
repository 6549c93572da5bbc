using System.Globalization;
using System.IO.Compression;
using Lis.Geo.Data.Importing;
using Lis.Geo.Data.Model;
using Lis.Geo.Testing;

namespace Lis.Geo.Data.Tests.Importing;

/// <summary>
/// The current geography from the real files: LSOA 2021 zones, IoD 2025 for all of England (joined
/// table, then its sub-domains), IMD 2019 beside it, Census 2021 usual residents, the approximate
/// LSOA 2021 points and the ONS LSOA 2011 → 2021 lookup (all of England and Wales).
/// </summary>
public sealed class Lsoa21RegionFixture : StoreFixture
{
    public Dictionary<string, ImportRecord> Records { get; } = [];

    protected override async Task InitializeDatabaseAsync(string connectionString)
    {
        await base.InitializeDatabaseAsync(connectionString);
        var importer = new Importer(LisGeoDb.CreateDataSource(connectionString));
        foreach (var (key, dataset, file, options) in new (string, string, string, ImportOptions)[]
        {
            ("zones", "zones", "lsoa/lsoa21_wm3lep_bgc.geojson", new() { ZoneSet = "lsoa21", ZoneSetName = "LSOA 2021" }),
            ("centroids", "centroids", "lookups/lsoa21_approx_pwc_wm3lep.csv", new() { ZoneSet = "lsoa21" }),
            ("population", "population", "census2021/census2021_usual_residents_lsoa21_wm3lep.csv", new() { ZoneSet = "lsoa21", Column = "usual_residents_2021" }),
            ("iod2025", "imd", "imd2025/imd2025_england_lsoa21.csv.gz", new()),
            ("iod2025-subdomains", "imd", "imd2025/imd2025_england_lsoa21_subdomains.csv.gz", new()),
            ("iod2025-study-area", "imd", "imd2025/imd2025_lsoa21_wm3lep.csv", new()),
            ("imd2019", "imd", "imd2019/imd2019_lsoa11_wm_leps.csv", new()),
            ("lookup", "lsoa-lookup", "lookups/lsoa11_lsoa21_ltla22_lookup_ew.csv.gz", new()),
        })
            Records[key] = await importer.ImportAsync(dataset, await SourceFile.ReadAsync(Path.Combine(RepoPaths.SharedData, file), default), options, default);
    }
}

[Trait("Category", "SharedData")]
public sealed class Lsoa21SharedDataTests(Lsoa21RegionFixture store) : IClassFixture<Lsoa21RegionFixture>
{
    private static string Shared(string path) => Path.Combine(RepoPaths.SharedData, path);

    /// <summary>A CSV (gzipped or not) as rows of fields by header name; the shared files quote every field or none and hold no commas inside fields.</summary>
    private static List<Dictionary<string, string>> Csv(string path)
    {
        using var stream = File.OpenRead(Shared(path));
        using var reader = new StreamReader(path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(stream, CompressionMode.Decompress) : stream);
        var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Trim().Split(',').Select(h => h.Trim('"')).ToArray();
        return lines.Skip(1).Select(l => l.Trim().Split(',').Select(f => f.Trim('"')).ToArray())
            .Select(f => header.Select((h, i) => (h, f[i])).ToDictionary(x => x.h, x => x.Item2)).ToList();
    }

    [Fact]
    public void Every_file_imports_whole_and_the_edition_is_read_from_the_header()
    {
        foreach (var (key, r) in store.Records)
        {
            Assert.True(r.Status == "succeeded", $"{key}: {string.Join("; ", r.Issues.Select(i => i.Message))}");
            Assert.Equal(0, r.RowsRejected);
        }
        Assert.Equal(2_503, store.Records["zones"].RowsWritten);
        Assert.Equal(33_755, store.Records["iod2025"].RowsWritten);
        Assert.Equal(33_755, store.Records["iod2025-subdomains"].RowsWritten);
        Assert.Equal(2_503, store.Records["iod2025-study-area"].RowsWritten);
        foreach (var key in new[] { "iod2025", "iod2025-subdomains", "iod2025-study-area" })
            Assert.Equal(("iod2025", "header"), (store.Records[key].Options["edition"], store.Records[key].Options["editionFrom"]));
        Assert.Equal("imd2019", store.Records["imd2019"].Options["edition"]);
    }

    [Fact]
    public async Task Iod2025_has_33755_lsoas_ranked_once_each_beside_imd2019()
    {
        Assert.Equal(33_755L, await store.ScalarAsync<long>("SELECT count(*) FROM deprivation WHERE edition = 'iod2025'"));
        Assert.Equal(33_755L, await store.ScalarAsync<long>("SELECT count(DISTINCT imd_rank) FROM deprivation WHERE edition = 'iod2025' AND imd_rank BETWEEN 1 AND 33755"));
        Assert.Equal(2_438L, await store.ScalarAsync<long>("SELECT count(*) FROM deprivation WHERE edition = 'imd2019'"));
        // imd2025/PROVENANCE.md spot checks, and the same LSOA in IMD 2019 (imd2019 table): both editions side by side.
        Assert.Equal("43.521|3696|2", await store.ScalarAsync<string>(
            "SELECT imd_score || '|' || imd_rank || '|' || imd_decile FROM deprivation WHERE edition = 'iod2025' AND lsoa_code = 'E01008881'"));
        Assert.Equal("41.179|3924|2", await store.ScalarAsync<string>(
            "SELECT imd_score || '|' || imd_rank || '|' || imd_decile FROM deprivation WHERE edition = 'imd2019' AND lsoa_code = 'E01008881'"));
        Assert.Equal("28.579|8998|3", await store.ScalarAsync<string>(
            "SELECT imd_score || '|' || imd_rank || '|' || imd_decile FROM deprivation WHERE edition = 'iod2025' AND lsoa_code = 'E01033620'"));
    }

    [Fact]
    public async Task Every_domain_and_sub_domain_value_equals_the_source_files()
    {
        var main = Csv("imd2025/imd2025_england_lsoa21.csv.gz").ToDictionary(r => r["lsoa21_code"]);
        var sub = Csv("imd2025/imd2025_england_lsoa21_subdomains.csv.gz").ToDictionary(r => r["lsoa21_code"]);
        (string Column, string Source, bool Sub)[] map =
        [
            ("imd", "IMD", false), ("income", "Income", false), ("employment", "Employment", false), ("education", "Education", false),
            ("health", "Health", false), ("crime", "Crime", false), ("barriers", "Housing_and_Services", false), ("living_environment", "Environment", false),
            ("children_young_people", "children_and_young_people", true), ("adult_skills", "adult_skills", true),
            ("geographical_barriers", "geographical_barriers", true), ("wider_barriers", "wider_barriers", true),
            ("indoors", "indoors", true), ("outdoors", "outdoors", true),
        ];
        var select = string.Join(", ", map.SelectMany(m => new[] { $"{m.Column}_score", $"{m.Column}_rank", $"{m.Column}_decile" }));
        await using var cmd = store.DataSource.CreateCommand($"SELECT lsoa_code, {select} FROM deprivation WHERE edition = 'iod2025'");
        await using var r = await cmd.ExecuteReaderAsync();
        var seen = 0;
        while (await r.ReadAsync())
        {
            var code = r.GetString(0);
            for (var i = 0; i < map.Length; i++)
            {
                var row = map[i].Sub ? sub[code] : main[code];
                Assert.Equal(double.Parse(row[$"{map[i].Source}_score"], CultureInfo.InvariantCulture), r.GetDouble(1 + 3 * i));
                Assert.Equal(int.Parse(row[$"{map[i].Source}_rank"], CultureInfo.InvariantCulture), r.GetInt32(2 + 3 * i));
                Assert.Equal(int.Parse(row[$"{map[i].Source}_decile"], CultureInfo.InvariantCulture), r.GetInt32(3 + 3 * i));
            }
            seen++;
        }
        Assert.Equal(33_755, seen);
        // The joined IoD 2025 table has no population denominators (imd2025/PROVENANCE.md): they stay unknown, not zero.
        Assert.Equal(0L, await store.ScalarAsync<long>("SELECT count(pop_total) FROM deprivation WHERE edition = 'iod2025'"));
    }

    [Fact]
    public async Task Study_area_decile_counts_match_the_provenance_record()
    {
        // imd2025/PROVENANCE.md: d1 496, d2 351, d3 253, d4 204, d5 191, d6 217, d7 185, d8 211, d9 180, d10 215 (2,503 LSOA21).
        int[] published = [496, 351, 253, 204, 191, 217, 185, 211, 180, 215];
        for (var d = 1; d <= 10; d++)
            Assert.Equal((long)published[d - 1], await store.ScalarAsync<long>(
                "SELECT count(*) FROM zone z JOIN deprivation x ON x.edition = 'iod2025' AND x.lsoa_code = z.code WHERE z.zone_set_id = 'lsoa21' AND x.imd_decile = $1", d));
    }

    [Fact]
    public async Task Each_districts_share_in_decile_1_equals_mhclg_file_10()
    {
        // File 10 (LAD 2024 summaries): "proportion of LSOAs in most deprived 10% nationally", to 4 dp.
        var file10 = Csv("imd2025/imd2025_england_ltla24.csv.gz")
            .ToDictionary(r => r["ltla24_code"], r => double.Parse(r["imd_proportion_of_lso_as_in_most_deprived_10_percent_nationally"], CultureInfo.InvariantCulture));
        await using var cmd = store.DataSource.CreateCommand("""
            SELECT z.lad_code, count(*) FILTER (WHERE x.imd_decile = 1), count(*)
            FROM zone z JOIN deprivation x ON x.edition = 'iod2025' AND x.lsoa_code = z.code
            WHERE z.zone_set_id = 'lsoa21' GROUP BY z.lad_code
            """);
        await using var r = await cmd.ExecuteReaderAsync();
        var districts = new Dictionary<string, (long InD1, long All)>();
        while (await r.ReadAsync()) districts[r.GetString(0)] = (r.GetInt64(1), r.GetInt64(2));
        Assert.Equal(19, districts.Count);
        foreach (var (lad, (inD1, all)) in districts)
            Assert.Equal(file10[lad], Math.Round((double)inD1 / all, 4));
        Assert.Equal((282L, 659L), districts["E08000025"]); // Birmingham, imd2025/PROVENANCE.md
        Assert.Equal(496L, districts.Values.Sum(v => v.InD1));
    }

    [Fact]
    public async Task Census_2021_residents_are_the_zone_sets_population_and_any_column_imports_by_name()
    {
        // census2021/PROVENANCE.md: study area 4,213,850 usual residents, 1,681,244 households.
        Assert.Equal(4_213_850L, await store.ScalarAsync<long>("SELECT sum(population) FROM zone WHERE zone_set_id = 'lsoa21'"));
        Assert.Equal("usual_residents_2021 (census2021_usual_residents_lsoa21_wm3lep.csv)",
            await store.ScalarAsync<string>("SELECT population_source FROM zone_set WHERE id = 'lsoa21'"));

        var importer = new Importer(store.DataSource);
        // The England and Wales table: rows for zones outside the set are skipped and counted, not rejected.
        var national = await importer.ImportAsync("population", await SourceFile.ReadAsync(Shared("census2021/census2021_usual_residents_households_lsoa21_ew.csv.gz"), default),
            new() { ZoneSet = "lsoa21", Column = "households_2021" }, default);
        Assert.Equal(("succeeded", 35_672, 2_503, 0), (national.Status, national.RowsRead, national.RowsWritten, national.RowsRejected));
        Assert.Contains(national.Issues, i => i.Code == "not_stored_skipped" && i.Message.StartsWith("33169 of 35672 rows", StringComparison.Ordinal));
        Assert.Equal(1_681_244L, await store.ScalarAsync<long>("SELECT sum(population) FROM zone WHERE zone_set_id = 'lsoa21'"));

        var unknown = await importer.ImportAsync("population", await SourceFile.ReadAsync(Shared("census2021/census2021_usual_residents_lsoa21_wm3lep.csv"), default),
            new() { ZoneSet = "lsoa21", Column = "residents" }, default);
        Assert.Equal("rejected", unknown.Status);
        Assert.Contains(unknown.Issues, i => i.Code == "unknown_column" && i.Field == "column" && i.Message.Contains("usual_residents_2021", StringComparison.Ordinal));

        // Without a column the usual names are tried: usual_residents_2021 again.
        var back = await importer.ImportAsync("population", await SourceFile.ReadAsync(Shared("census2021/census2021_usual_residents_lsoa21_wm3lep.csv"), default),
            new() { ZoneSet = "lsoa21" }, default);
        Assert.Equal(("succeeded", "usual_residents_2021"), (back.Status, back.Options["populationColumn"]));
        Assert.Equal(4_213_850L, await store.ScalarAsync<long>("SELECT sum(population) FROM zone WHERE zone_set_id = 'lsoa21'"));
    }

    [Fact]
    public async Task The_approximate_points_mark_the_zone_set_as_not_ons_population_weighted()
    {
        Assert.Equal(2_503L, await store.ScalarAsync<long>("SELECT count(*) FROM zone WHERE zone_set_id = 'lsoa21' AND centroid IS NOT NULL AND geom IS NOT NULL"));
        Assert.True(await store.ScalarAsync<bool>("SELECT centroids_approximate FROM zone_set WHERE id = 'lsoa21'"));
        var note = await store.ScalarAsync<string>("SELECT centroid_note FROM zone_set WHERE id = 'lsoa21'");
        // lookups/PROVENANCE.md: 2,375 U rows copy the 2011 PWC, 1 merged, 120 polygon centroids, 7 points on surface.
        Assert.Equal("Approximate points, not ONS population-weighted centroids (from lsoa21_approx_pwc_wm3lep.csv; method: U_lsoa11_pwc 2,375, " +
                     "S_polygon_centroid 120, S_polygon_point_on_surface 7, M_popweighted_mean_of_lsoa11_pwcs 1).", note);
        Assert.Contains(store.Records["centroids"].Issues, i => i.Code == "approximate_centroids" && i.Severity == ImportIssue.Warning);
        Assert.Equal("approximate", store.Records["centroids"].Options["centroids"]);
    }

    [Fact]
    public async Task The_lookup_counts_unchanged_split_and_merged_lsoas_of_the_study_area()
    {
        Assert.Equal(35_795L, await store.ScalarAsync<long>("SELECT count(*) FROM lsoa_lookup"));
        // Counted independently from the study-area extract (lookups/PROVENANCE.md: U 2,375, S 127, M 2).
        var extract = Csv("lookups/lsoa11_lsoa21_lookup_wm3lep.csv");
        var expected = extract.GroupBy(r => r["change_code"]).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.Equal(new Dictionary<string, long> { ["U"] = 2_375, ["S"] = 127, ["M"] = 2 }, expected);
        foreach (var (change, count) in expected)
            Assert.Equal(count, await store.ScalarAsync<long>("""
                SELECT count(*) FROM lsoa_lookup l JOIN zone z ON z.zone_set_id = 'lsoa21' AND z.code = l.lsoa21_code WHERE l.change_code = $1
                """, change));
        // Every study-area LSOA 2011 (2,438, the IMD 2019 rows) appears, and no pair crosses the study-area edge.
        Assert.Equal(2_438L, await store.ScalarAsync<long>("""
            SELECT count(DISTINCT l.lsoa11_code) FROM lsoa_lookup l JOIN zone z ON z.zone_set_id = 'lsoa21' AND z.code = l.lsoa21_code
            JOIN deprivation d ON d.edition = 'imd2019' AND d.lsoa_code = l.lsoa11_code
            """));
    }

    /// <summary>Every feature of a zone layer (properties only), keyed by zone code.</summary>
    private async Task<Dictionary<string, System.Text.Json.JsonElement>> FeaturesAsync(Lis.Geo.Data.Layers.Layer layer, Dictionary<string, object>? filters = null)
    {
        var features = new Dictionary<string, System.Text.Json.JsonElement>();
        var request = new Lis.Geo.Data.Layers.FeatureRequest { Limit = 10_000, IncludeGeometry = false, Filters = filters ?? [] };
        await foreach (var json in Lis.Geo.Data.Layers.FeatureQuery.ReadAsync(store.DataSource, layer, request, default))
        {
            var f = System.Text.Json.JsonDocument.Parse(json).RootElement;
            features[f.GetProperty("id").GetString()!] = f.GetProperty("properties").Clone();
        }
        return features;
    }

    [Fact]
    public async Task The_lsoa21_zones_serve_iod2025_by_default_with_domains_and_sub_domains()
    {
        var layer = (await Lis.Geo.Data.Layers.LayerCatalog.FindAsync(store.DataSource, "zones-lsoa21", default))!;
        var zones = await FeaturesAsync(layer);
        Assert.Equal(2_503, zones.Count);
        Assert.All(zones.Values, p => Assert.Equal(("iod2025", "code"), (p.GetProperty("deprivation_edition").GetString(), p.GetProperty("deprivation_match").GetString())));
        var sub = Csv("imd2025/imd2025_england_lsoa21_subdomains.csv.gz").ToDictionary(r => r["lsoa21_code"]);
        var main = Csv("imd2025/imd2025_lsoa21_wm3lep.csv").ToDictionary(r => r["lsoa21cd"]);
        foreach (var (code, p) in zones)
        {
            Assert.Equal(int.Parse(main[code]["IMD_rank"], CultureInfo.InvariantCulture), p.GetProperty("imd_rank").GetInt32());
            Assert.Equal(int.Parse(main[code]["Housing_and_Services_decile"], CultureInfo.InvariantCulture), p.GetProperty("barriers_decile").GetInt32());
            Assert.Equal(double.Parse(sub[code]["geographical_barriers_score"], CultureInfo.InvariantCulture), p.GetProperty("geographical_barriers_score").GetDouble());
            Assert.Equal(int.Parse(sub[code]["geographical_barriers_decile"], CultureInfo.InvariantCulture), p.GetProperty("geographical_barriers_decile").GetInt32());
            Assert.Equal(int.Parse(sub[code]["outdoors_decile"], CultureInfo.InvariantCulture), p.GetProperty("outdoors_decile").GetInt32());
        }
        Assert.Equal(496, (await FeaturesAsync(layer, new() { ["imd_decile"] = 1 })).Count);
    }

    [Fact]
    public async Task Imd2019_reaches_lsoa21_zones_through_the_lookup_where_they_have_one_2011_counterpart()
    {
        var layer = (await Lis.Geo.Data.Layers.LayerCatalog.FindAsync(store.DataSource, "zones-lsoa21", default, "imd2019"))!;
        var zones = await FeaturesAsync(layer);
        // Independently: each LSOA 2021 with exactly one 2011 row in the study-area lookup takes that LSOA's IMD 2019 row.
        var parents = Csv("lookups/lsoa11_lsoa21_lookup_wm3lep.csv").GroupBy(r => r["lsoa21_code"]).ToDictionary(g => g.Key, g => g.ToList());
        var imd = Csv("imd2019/imd2019_lsoa11_wm_leps.csv").ToDictionary(r => r["lsoa11cd"]);
        var matches = new Dictionary<string, int>();
        foreach (var (code, p) in zones)
        {
            Assert.Equal("imd2019", p.GetProperty("deprivation_edition").GetString());
            var rows = parents[code];
            if (rows.Count != 1)
            {
                Assert.Equal(System.Text.Json.JsonValueKind.Null, p.GetProperty("imd_decile").ValueKind);
                Assert.Equal(System.Text.Json.JsonValueKind.Null, p.GetProperty("deprivation_match").ValueKind);
                continue;
            }
            var parent = imd[rows[0]["lsoa11_code"]];
            Assert.Equal(int.Parse(parent["imd_rank"], CultureInfo.InvariantCulture), p.GetProperty("imd_rank").GetInt32());
            Assert.Equal(int.Parse(parent["imd_decile"], CultureInfo.InvariantCulture), p.GetProperty("imd_decile").GetInt32());
            // An unchanged LSOA keeps its code, so it is found in IMD 2019 by that code; a split part only through the lookup.
            Assert.Equal(rows[0]["change_code"] == "U" ? "code" : "lookup-" + rows[0]["change_code"], p.GetProperty("deprivation_match").GetString());
            matches[rows[0]["change_code"]] = matches.GetValueOrDefault(rows[0]["change_code"]) + 1;
        }
        // Unchanged and split zones have one counterpart; the one merged 2021 zone has two, so it has no IMD 2019 figures.
        Assert.Equal(new Dictionary<string, int> { ["U"] = 2_375, ["S"] = 127 }, matches);
        var d1 = zones.Count(z => z.Value.GetProperty("imd_decile").ValueKind == System.Text.Json.JsonValueKind.Number && z.Value.GetProperty("imd_decile").GetInt32() == 1);
        Assert.Equal(d1, (await FeaturesAsync(layer, new() { ["imd_decile"] = 1 })).Count);
    }
}
