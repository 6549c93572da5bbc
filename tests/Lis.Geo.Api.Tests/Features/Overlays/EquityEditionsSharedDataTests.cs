using System.Globalization;
using System.Net;
using System.Text.Json;
using Lis.Geo.Data.Analyses;
using Lis.Geo.Data.Importing;
using Lis.Geo.Testing;

namespace Lis.Geo.Api.Tests.Features.Overlays;

/// <summary>
/// The real LSOA 2021 zones of ../shared/data with Census 2021 residents, the approximate LSOA 2021 points,
/// IoD 2025 and IMD 2019 of the study area and the ONS 2011 → 2021 lookup, and a synthetic finished
/// zone-access run on them: each zone reaches (last digit of its code) mod 6 centres. Run 2 is a run
/// whose two origins have codes no edition knows.
/// </summary>
public sealed class EquityEditionsFixture : ApiFixture
{
    public const long RunId = 1, ForeignRunId = 2;
    protected override string? ManifestPath => null;

    private static readonly string Spec = new RunSpec
    {
        Type = AnalysisTypes.ZoneAccess, Feeds = [new RunFeed(1, "synthetic")], ServiceDate = new DateOnly(2026, 11, 25),
        Routing = new(), Access = new AccessRules(2700, 3, 50), ZoneSet = "lsoa21", Deprivation = "iod2025",
    }.ToJson();

    protected override async Task LoadAsync(Importer importer)
    {
        foreach (var (dataset, file, options) in new (string, string, ImportOptions)[]
                 {
                     ("zones", "lsoa/lsoa21_wm3lep_bgc.geojson", new() { ZoneSet = "lsoa21" }),
                     ("centroids", "lookups/lsoa21_approx_pwc_wm3lep.csv", new() { ZoneSet = "lsoa21" }),
                     ("population", "census2021/census2021_usual_residents_lsoa21_wm3lep.csv", new() { ZoneSet = "lsoa21", Column = "usual_residents_2021" }),
                     ("imd", "imd2025/imd2025_lsoa21_wm3lep.csv", new()),
                     ("imd", "imd2019/imd2019_lsoa11_wm_leps.csv", new()),
                     ("lsoa-lookup", "lookups/lsoa11_lsoa21_lookup_wm3lep.csv", new()),
                 })
            Assert.Equal("succeeded", (await importer.ImportAsync(dataset, await SourceFile.ReadAsync(Path.Combine(RepoPaths.SharedData, file), default), options, default)).Status);
        await using var cmd = Db.CreateCommand($$$"""
            INSERT INTO transit_feed (id, name, file_name, sha256, size_bytes, row_counts, issue_count, issues, imported_at)
            VALUES (1, 'synthetic', 'none.zip', 'synthetic', 0, '{}', 0, '[]', now());
            INSERT INTO analysis_run (id, type, state, spec, feed_id, origin_set, origin_version, origin_count,
                                      destination_set, destination_version, destination_count, engine_version, chunk_size, chunk_count, chunks_done, origins_done, created_at)
            SELECT i, 'zone-access', 'succeeded', '{{{Spec}}}', 1, 'zones:lsoa21', 'synthetic', 1, 'centres', 'synthetic', 6, 'synthetic', 5000, 1, 1, 1, now()
            FROM generate_series(1, 2) i;
            INSERT INTO analysis_point (run_id, is_origin, kind, index, code, name, lon, lat, weight)
            SELECT 1, true, 'zone', (row_number() OVER (ORDER BY code) - 1)::int, code, name, ST_X(centroid), ST_Y(centroid), population FROM zone;
            INSERT INTO analysis_point (run_id, is_origin, kind, index, code, name, lon, lat, weight)
            VALUES (2, true, 'zone', 0, 'NOT-AN-LSOA-1', NULL, -1.9, 52.5, 100), (2, true, 'zone', 1, 'NOT-AN-LSOA-2', NULL, -1.8, 52.4, 200);
            INSERT INTO analysis_origin_result (run_id, origin_index, centres_reachable, departures_meeting_target, departures)
            SELECT run_id, index, right(code, 1)::int % 6, 0, 180 FROM analysis_point WHERE run_id IN (1, 2);
            """);
        await cmd.ExecuteNonQueryAsync();
    }
}

/// <summary>
/// An equity summary of one LSOA 2021 run by IoD 2025 and by IMD 2019, each against sums computed here from
/// the source CSVs: IoD 2025 by the zone's own code; IMD 2019 by the zone's code where IMD 2019 has it (an
/// unchanged LSOA), else through the lookup where the zone has exactly one 2011 parent (a split part), and
/// none for a merged zone.
/// </summary>
[Trait("Category", "SharedData")]
public sealed class EquityEditionsSharedDataTests(EquityEditionsFixture api) : IClassFixture<EquityEditionsFixture>
{
    private static List<Dictionary<string, string>> Csv(string path)
    {
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.SharedData, path)).Where(l => l.Length > 0).ToList();
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(l => l.Split(',')).Select(f => header.Select((h, i) => (h, f[i])).ToDictionary(x => x.h, x => x.Item2)).ToList();
    }

    private static int I(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    /// <summary>Each zone's (rank, decile, how found) in <paramref name="edition"/>, or null, derived from the files alone.</summary>
    private static Dictionary<string, (int Rank, int Decile, string Match)?> Expected(string edition, IEnumerable<string> codes)
    {
        var iod = Csv("imd2025/imd2025_lsoa21_wm3lep.csv").ToDictionary(r => r["lsoa21cd"], r => (I(r["IMD_rank"]), I(r["IMD_decile"])));
        var imd = Csv("imd2019/imd2019_lsoa11_wm_leps.csv").ToDictionary(r => r["lsoa11cd"], r => (I(r["imd_rank"]), I(r["imd_decile"])));
        var parents = Csv("lookups/lsoa11_lsoa21_lookup_wm3lep.csv").GroupBy(r => r["lsoa21_code"]).ToDictionary(g => g.Key, g => g.ToList());
        var result = new Dictionary<string, (int, int, string)?>();
        foreach (var code in codes)
        {
            if (edition == "iod2025") result[code] = iod.TryGetValue(code, out var v) ? (v.Item1, v.Item2, "code") : null;
            else if (imd.TryGetValue(code, out var own)) result[code] = (own.Item1, own.Item2, "code");
            else if (parents.TryGetValue(code, out var ps) && ps.Count == 1 && imd.TryGetValue(ps[0]["lsoa11_code"], out var parent))
                result[code] = (parent.Item1, parent.Item2, "lookup-" + ps[0]["change_code"]);
            else result[code] = null;
        }
        return result;
    }

    [Theory]
    [InlineData("iod2025")]
    [InlineData("imd2019")]
    public async Task The_summary_in_each_edition_equals_sums_computed_from_the_files(string edition)
    {
        var zones = new List<(string Code, double Weight, int Centres)>();
        await using (var cmd = api.Db.CreateCommand("""
            SELECT p.code, p.weight, r.centres_reachable FROM analysis_point p JOIN analysis_origin_result r ON r.run_id = p.run_id AND r.origin_index = p.index
            WHERE p.run_id = 1
            """))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) zones.Add((r.GetString(0), r.GetDouble(1), r.GetInt32(2)));
        Assert.Equal(2_503, zones.Count);
        var expected = Expected(edition, zones.Select(z => z.Code));

        var equity = await api.GetJsonAsync($"/analyses/{EquityEditionsFixture.RunId}/equity?deprivation={edition}");
        Assert.Equal(edition, equity.GetProperty("deprivation").GetString());

        var known = zones.Where(z => expected[z.Code] is not null).Select(z => (z.Weight, z.Centres, expected[z.Code]!.Value.Decile)).ToList();
        var deciles = equity.GetProperty("byImdDecile").EnumerateArray().ToList();
        Assert.Equal(known.Select(k => k.Decile).Distinct().Order(), deciles.Select(d => d.GetProperty("imdDecile").GetInt32()));
        foreach (var d in deciles)
        {
            var group = known.Where(k => k.Decile == d.GetProperty("imdDecile").GetInt32()).ToList();
            var population = group.Sum(g => g.Weight);
            Assert.Equal(group.Count, d.GetProperty("zones").GetInt32());
            Assert.Equal(population, d.GetProperty("population").GetDouble(), 6);
            Assert.Equal(group.Where(g => g.Centres >= 3).Sum(g => g.Weight) / population, d.GetProperty("share").GetDouble(), 9);
            Assert.Equal(group.Sum(g => g.Weight * g.Centres) / population, d.GetProperty("meanCentresReachable").GetDouble(), 9);
        }
        double Share(IEnumerable<(double Weight, int Centres, int Decile)> g) => g.Where(x => x.Centres >= 3).Sum(x => x.Weight) / g.Sum(x => x.Weight);
        var gap = equity.GetProperty("gap");
        Assert.Equal(Share(known.Where(k => k.Decile <= 2)), gap.GetProperty("mostDeprived20Share").GetDouble(), 9);
        Assert.Equal(Share(known.Where(k => k.Decile > 2)), gap.GetProperty("restShare").GetDouble(), 9);

        // Which zones found figures, and how; the rest are counted and listed, never put in a decile.
        var matches = zones.Where(z => expected[z.Code] is not null).GroupBy(z => expected[z.Code]!.Value.Match).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(matches, equity.GetProperty("deprivationMatch").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32()));
        var missing = zones.Where(z => expected[z.Code] is null).ToList();
        Assert.Equal(missing.Count, equity.GetProperty("zonesWithoutImd").GetInt32());
        Assert.Equal(missing.Sum(z => z.Weight), equity.GetProperty("populationWithoutImd").GetDouble(), 6);
        Assert.Equal(missing.Select(z => z.Code).Order(StringComparer.Ordinal), equity.GetProperty("zonesWithoutImdCodes").EnumerateArray().Select(c => c.GetString()!).Order(StringComparer.Ordinal));
        if (edition == "iod2025") Assert.Equal(new Dictionary<string, int> { ["code"] = 2_503 }, matches);
        else
        {
            // Per the lookup's PROVENANCE: 2,375 unchanged zones keep their code, 127 split parts reach their parent, the merged zone has none.
            Assert.Equal(new Dictionary<string, int> { ["code"] = 2_375, ["lookup-S"] = 127 }, matches);
            Assert.Single(missing);
        }
    }

    [Fact]
    public async Task The_default_is_the_runs_own_edition_and_the_overlay_and_csv_name_the_one_used()
    {
        var equity = await api.GetJsonAsync($"/analyses/{EquityEditionsFixture.RunId}/equity");
        Assert.Equal("iod2025", equity.GetProperty("deprivation").GetString());

        var overlay = await api.GetJsonAsync($"/analyses/{EquityEditionsFixture.RunId}/overlay?deprivation=imd2019&limit=5000&properties=code,deprivation_edition,deprivation_match,imd_decile");
        var features = overlay.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("properties")).ToList();
        Assert.Equal(2_503, features.Count);
        Assert.All(features, p => Assert.Equal("imd2019", p.GetProperty("deprivation_edition").GetString()));
        var expected = Expected("imd2019", features.Select(p => p.GetProperty("code").GetString()!));
        foreach (var p in features)
        {
            var e = expected[p.GetProperty("code").GetString()!];
            if (e is null) Assert.Equal(JsonValueKind.Null, p.GetProperty("imd_decile").ValueKind);
            else Assert.Equal((e.Value.Decile, e.Value.Match), (p.GetProperty("imd_decile").GetInt32(), p.GetProperty("deprivation_match").GetString()));
        }

        var csv = await api.Client.GetStringAsync($"/analyses/{EquityEditionsFixture.RunId}/zones?f=csv&limit=5000&properties=code,deprivation_edition");
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r').Split(',')).ToList();
        var column = Array.IndexOf(lines[0], "deprivation_edition");
        Assert.True(column >= 0, string.Join(",", lines[0]));
        Assert.Equal(Enumerable.Repeat("iod2025", 2_503), lines.Skip(1).Select(l => l[column].Trim('"')));
    }

    [Fact]
    public async Task An_unknown_edition_is_a_400_and_one_no_zone_finds_is_a_422_with_the_counts()
    {
        await Problem.AssertAsync(api.Client.GetAsync($"/analyses/{EquityEditionsFixture.RunId}/equity?deprivation=imd2030"), HttpStatusCode.BadRequest, "deprivation");
        await Problem.AssertAsync(api.Client.GetAsync($"/analyses/{EquityEditionsFixture.RunId}/overlay?deprivation=imd2030"), HttpStatusCode.BadRequest, "deprivation");
        var response = await api.Client.GetAsync($"/analyses/{EquityEditionsFixture.ForeignRunId}/equity?deprivation=imd2019");
        var problem = await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "deprivation");
        Assert.Equal(2, problem.GetProperty("zones").GetInt32());
        Assert.Equal(0, problem.GetProperty("matched").GetInt32());
    }
}
