using System.Globalization;
using System.Net;
using System.Text.Json;
using Lis.Geo.Data.Analyses;
using Lis.Geo.Data.Importing;
using Lis.Geo.Jobs;
using Lis.Geo.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Lis.Geo.Api.Tests.Features.Overlays;

/// <summary>
/// The real LSOAs, LADs and IMD 2019 of ../shared/data with a synthetic finished zone-access run:
/// each zone's centres reachable is (its IMD decile + the last digit of its code) mod 6, so access and
/// deprivation vary together in a known way. Run 2 is the same run left unfinished.
/// </summary>
public sealed class OverlayFixture : ApiFixture
{
    public const long RunId = 1, UnfinishedRunId = 2, CorridorRunId = 3;

    /// <summary>Four neighbouring Birmingham LSOAs the test corridor is drawn across (their union).</summary>
    public static readonly string[] CorridorLsoas = ["E01009053", "E01009054", "E01009056", "E01009057"];
    protected override string? ManifestPath => null;

    /// <summary>The synthetic runs' spec: the documented defaults on the synthetic feed.</summary>
    private static readonly string SyntheticSpec = new RunSpec
    {
        Type = AnalysisTypes.ZoneAccess, Feeds = [new RunFeed(1, "synthetic")], ServiceDate = new DateOnly(2026, 11, 25),
        Routing = new(), Access = new AccessRules(2700, 3, 50), ZoneSet = "lsoa11", Deprivation = "imd2019",
    }.ToJson();

    protected override async Task LoadAsync(Importer importer)
    {
        var d = RepoPaths.SharedData;
        foreach (var (dataset, file) in new[] { ("lads", "lad/lad2019_wm3lep_from_lsoa11_bgc.geojson"), ("zones", "lsoa/lsoa11_wm3lep_bgc.geojson"),
                     ("centroids", "lsoa/lsoa11_pwc_wm3lep.csv"), ("imd", "imd2019/imd2019_lsoa11_wm_leps.csv") })
            Assert.Equal("succeeded", (await importer.ImportAsync(dataset, await SourceFile.ReadAsync(Path.Combine(d, file), default), new ImportOptions { ZoneSet = "lsoa11" }, default)).Status);
        await using var cmd = Db.CreateCommand($$$"""
            INSERT INTO transit_feed (id, name, file_name, sha256, size_bytes, row_counts, issue_count, issues, imported_at)
            VALUES (1, 'synthetic', 'none.zip', 'synthetic', 0, '{}', 0, '[]', now());
            INSERT INTO analysis_run (id, type, state, spec, feed_id, origin_set, origin_version, origin_count,
                                      destination_set, destination_version, destination_count, engine_version, chunk_size, chunk_count, chunks_done, origins_done, created_at)
            SELECT i, 'zone-access', CASE i WHEN 1 THEN 'succeeded' ELSE 'running' END,
                   '{{{SyntheticSpec}}}',
                   1, 'zones:lsoa11', 'synthetic', 2438, 'centres', 'synthetic', 6, 'synthetic', 2438, 1, 1, 2438, now()
            FROM generate_series(1, 2) i;
            INSERT INTO analysis_point (run_id, is_origin, kind, index, code, name, lon, lat, weight)
            SELECT 1, true, 'zone', (row_number() OVER (ORDER BY code) - 1)::int, code, name, ST_X(centroid), ST_Y(centroid), population FROM zone;
            INSERT INTO analysis_origin_result (run_id, origin_index, centres_reachable, departures_meeting_target, departures)
            SELECT 1, p.index, (d.imd_decile + right(p.code, 1)::int) % 6, ((d.imd_decile + right(p.code, 1)::int) % 6) * 30, 180
            FROM analysis_point p JOIN deprivation d ON d.lsoa_code = p.code WHERE p.run_id = 1;

            -- A corridor drawn across four known LSOAs, two housing sites inside it and one outside, and a
            -- corridor run with run 1's results waiting for its aggregation.
            INSERT INTO corridor (code, name, geom)
            SELECT 'test-corridor', 'Test corridor across four Birmingham LSOAs', ST_Multi(ST_Union(geom)) FROM zone WHERE code IN ({{{string.Join(", ", CorridorLsoas.Select(c => $"'{c}'"))}}});
            INSERT INTO housing_site (reference, name, min_dwellings, max_dwellings, geom)
            SELECT 'T-IN-1', 'inside one', 10, 20, centroid FROM zone WHERE code = 'E01009056'
            UNION ALL SELECT 'T-IN-2', 'inside two', 30, 40, centroid FROM zone WHERE code = 'E01009053'
            UNION ALL SELECT 'T-OUT', 'outside', 500, 999, centroid FROM zone WHERE code = 'E01008881';
            INSERT INTO analysis_run (id, type, state, spec, feed_id, origin_set, origin_version, origin_count,
                                      destination_set, destination_version, destination_count, engine_version, chunk_size, chunk_count, chunks_done, origins_done, created_at)
            SELECT 3, 'corridor', 'running', spec || '{"type":"corridor","corridor":"test-corridor","siteSet":"employment-sites","nearMeters":800}',
                   1, origin_set, origin_version, origin_count, destination_set, destination_version, destination_count,
                   engine_version, chunk_size, chunk_count, chunks_done, origins_done, now()
            FROM analysis_run WHERE id = 1;
            INSERT INTO analysis_point (run_id, is_origin, kind, index, code, name, lon, lat, weight)
            SELECT 3, is_origin, kind, index, code, name, lon, lat, weight FROM analysis_point WHERE run_id = 1;
            INSERT INTO analysis_origin_result (run_id, origin_index, centres_reachable, departures_meeting_target, departures)
            SELECT 3, origin_index, centres_reachable, departures_meeting_target, departures FROM analysis_origin_result WHERE run_id = 1;
            """);
        await cmd.ExecuteNonQueryAsync();
    }
}

[Trait("Category", "SharedData")]
public sealed class OverlaySharedDataTests(OverlayFixture api) : IClassFixture<OverlayFixture>
{
    [Fact]
    public async Task Every_zone_gets_the_bivariate_class_an_independent_query_gives_and_the_legend_comes_with_them()
    {
        var expected = new Dictionary<string, string>();
        await using (var cmd = api.Db.CreateCommand("""
            SELECT z.code,
                   CASE WHEN d.imd_decile IN (1, 2) THEN 'most-deprived-20' WHEN d.imd_decile IN (9, 10) THEN 'least-deprived-20' ELSE 'middle-60' END
                   || CASE WHEN (d.imd_decile + right(z.code, 1)::int) % 6 >= 3 THEN '/meets-target' ELSE '/below-target' END
            FROM zone z JOIN deprivation d ON d.lsoa_code = z.code
            """))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) expected[r.GetString(0)] = r.GetString(1);
        Assert.Equal(2438, expected.Count);

        var page = await api.GetJsonAsync($"/analyses/{OverlayFixture.RunId}/overlay?limit=5000&properties=code,bivariate_class,imd_decile,centres_reachable");
        var features = page.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(2438, features.Count);
        foreach (var f in features)
            Assert.Equal(expected[f.GetProperty("id").GetString()!], f.GetProperty("properties").GetProperty("bivariate_class").GetString());
        var legend = page.GetProperty("legend").EnumerateArray().ToList();
        Assert.Equal(8, legend.Count);
        Assert.Superset(features.Select(f => f.GetProperty("properties").GetProperty("bivariate_class").GetString()).ToHashSet(),
            legend.Select(l => l.GetProperty("class").GetString()).ToHashSet());
        Assert.All(legend, l => Assert.Matches("^#[0-9a-f]{6}$", l.GetProperty("colour").GetString()));
    }

    [Theory]
    [InlineData("population", "p.weight")]
    [InlineData("pop_0_15", "d.pop0to15")]
    public async Task Decile_shares_gap_and_concentration_index_match_independent_computations(string population, string weightSql)
    {
        var equity = await api.GetJsonAsync($"/analyses/{OverlayFixture.RunId}/equity?population={population}");
        var rows = new List<(double W, int H, int Rank, int Decile)>();
        await using (var cmd = api.Db.CreateCommand($"""
            SELECT {weightSql}::float8, r.centres_reachable, d.imd_rank, d.imd_decile FROM analysis_point p
            JOIN analysis_origin_result r ON r.run_id = p.run_id AND r.origin_index = p.index JOIN deprivation d ON d.lsoa_code = p.code WHERE p.run_id = 1
            """))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) rows.Add((r.GetDouble(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3)));

        foreach (var d in equity.GetProperty("byImdDecile").EnumerateArray())
        {
            var g = rows.Where(x => x.Decile == d.GetProperty("imdDecile").GetInt32()).ToList();
            Assert.Equal(g.Sum(x => x.W), d.GetProperty("population").GetDouble(), 6);
            Assert.Equal(g.Where(x => x.H >= 3).Sum(x => x.W) / g.Sum(x => x.W), d.GetProperty("share").GetDouble(), 9);
        }
        var deprived = rows.Where(x => x.Decile <= 2).ToList();
        var rest = rows.Where(x => x.Decile > 2).ToList();
        var gap = deprived.Where(x => x.H >= 3).Sum(x => x.W) / deprived.Sum(x => x.W) - rest.Where(x => x.H >= 3).Sum(x => x.W) / rest.Sum(x => x.W);
        Assert.Equal(gap, equity.GetProperty("gap").GetProperty("difference").GetDouble(), 9);

        // The concentration index by the concentration-curve form, 1 − 2 ∫ L(p) dp (trapezoids over zones
        // from most to least deprived) — a different computation from the API's covariance form.
        var ordered = rows.OrderBy(x => x.Rank).ToList();
        double totalW = ordered.Sum(x => x.W), totalH = ordered.Sum(x => x.W * x.H), l = 0, area = 0;
        foreach (var x in ordered)
        {
            var next = l + x.W * x.H / totalH;
            area += x.W / totalW * (l + next) / 2;
            l = next;
        }
        Assert.Equal(1 - 2 * area, equity.GetProperty("concentrationIndex").GetProperty("centresReachable").GetDouble(), 9);
        Assert.Equal(0, equity.GetProperty("zonesWithoutImd").GetInt32());
    }

    [Fact]
    public async Task A_corridor_drawn_across_four_known_lsoas_sums_their_population_and_the_dwellings_inside_it()
    {
        using (var scope = api.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<AnalysisJobs>().AggregateAsync(OverlayFixture.CorridorRunId, null, CancellationToken.None);
        Assert.Equal("succeeded", (await api.GetJsonAsync($"/analyses/{OverlayFixture.CorridorRunId}")).GetProperty("state").GetString());
        var f = (await api.GetJsonAsync($"/corridors/test-corridor/analyses/{OverlayFixture.CorridorRunId}")).GetProperty("figures");

        // From the source files: populations (pwc CSV) and IMD deciles; access by the fixture's synthetic rule.
        var pop = File.ReadLines(Path.Combine(RepoPaths.SharedData, "lsoa/lsoa11_pwc_wm3lep.csv")).Skip(1).Select(l => l.Split(','))
            .ToDictionary(x => x[0], x => double.Parse(x[6], CultureInfo.InvariantCulture));
        var imd = File.ReadLines(Path.Combine(RepoPaths.SharedData, "imd2019/imd2019_lsoa11_wm_leps.csv")).Skip(1).Select(l => l.Split(','))
            .ToDictionary(x => x[0], x => int.Parse(x[10], CultureInfo.InvariantCulture));
        var codes = OverlayFixture.CorridorLsoas;
        var residents = f.GetProperty("residents");
        Assert.Equal(4, residents.GetProperty("zones").GetInt32());
        Assert.Equal(codes.Sum(c => pop[c]), residents.GetProperty("population").GetDouble());
        foreach (var d in residents.GetProperty("byImdDecile").EnumerateArray())
            Assert.Equal(codes.Where(c => imd[c] == d.GetProperty("imdDecile").GetInt32()).Sum(c => pop[c]), d.GetProperty("population").GetDouble());

        var housing = f.GetProperty("housing");
        Assert.Equal((2, 40L, 60L), (housing.GetProperty("sites").GetInt32(), housing.GetProperty("minDwellings").GetInt64(), housing.GetProperty("maxDwellings").GetInt64()));

        static bool Meets(string code, int decile) => (decile + (code[^1] - '0')) % 6 >= 3;
        var share = codes.Where(c => Meets(c, imd[c])).Sum(c => pop[c]) / codes.Sum(c => pop[c]);
        var rest = pop.Keys.Except(codes).ToList();
        var restShare = rest.Where(c => Meets(c, imd[c])).Sum(c => pop[c]) / rest.Sum(c => pop[c]);
        Assert.Equal(share, f.GetProperty("access").GetProperty("corridor").GetProperty("share").GetDouble(), 12);
        Assert.Equal(restShare, f.GetProperty("access").GetProperty("restOfRegion").GetProperty("share").GetDouble(), 12);
    }

    [Fact]
    public async Task An_unfinished_run_has_no_overlay_yet()
    {
        var p = await Problem.AssertAsync(api.Client.GetAsync($"/analyses/{OverlayFixture.UnfinishedRunId}/overlay"), HttpStatusCode.Conflict, "id");
        Assert.Equal("running", p.GetProperty("state").GetString());
        await Problem.AssertAsync(api.Client.GetAsync($"/analyses/{OverlayFixture.UnfinishedRunId}/equity"), HttpStatusCode.Conflict, "id");
        await Problem.AssertAsync(api.Client.GetAsync($"/analyses/{OverlayFixture.RunId}/equity?population=pets"), HttpStatusCode.BadRequest, "population");
    }
}
