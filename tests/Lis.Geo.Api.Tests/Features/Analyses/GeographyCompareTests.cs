using System.Net;
using System.Text.Json;
using Lis.Geo.Data.Analyses;
using Lis.Geo.Data.Importing;

namespace Lis.Geo.Api.Tests.Features.Analyses;

/// <summary>
/// A hand-made lookup and two finished runs, one on 2011 codes and one on 2021 codes (target 3 centres):
/// <code>
/// lookup   A → A (U)   B → B1, B2 (S)   C, D → CD (M)   E → E (U)          (F21: not in the lookup)
/// 2011 run A w100 c4   B w200 c2        C w50 c1, D w150 c5   E w10 c3
/// 2021 run A w110 c3   B1 w120 c4, B2 w80 c1   CD w210 c4     F21 w30 c0  (no E: outside its zones)
/// </code>
/// By hand: A 2011 share 1, mean 4 | 2021 share 1, mean 3. B 2011 pop 200 share 0 mean 2 | 2021 pop 200,
/// share 120/200 = 0.6, mean (480 + 80)/200 = 2.8. CD 2011 pop 200, share 150/200 = 0.75, mean (50 + 750)/200 = 4
/// | 2021 pop 210 share 1 mean 4. Unmatched: E (its 2021 counterpart is not in the other run), F21 (not in the lookup).
/// </summary>
public sealed class GeographyCompareFixture : ApiFixture
{
    protected override string? ManifestPath => null;

    private static string Spec(string zoneSet) => new RunSpec
    {
        Type = AnalysisTypes.ZoneAccess, Feeds = [new RunFeed(1, "synthetic")], ServiceDate = new DateOnly(2026, 11, 25),
        Routing = new(), Access = new AccessRules(2700, 3, 50), ZoneSet = zoneSet,
    }.ToJson();

    protected override async Task LoadAsync(Importer importer)
    {
        await using var cmd = Db.CreateCommand($$$"""
            INSERT INTO lsoa_lookup (lsoa11_code, lsoa21_code, change_code) VALUES
                ('A', 'A', 'U'), ('B', 'B1', 'S'), ('B', 'B2', 'S'), ('C', 'CD', 'M'), ('D', 'CD', 'M'), ('E', 'E', 'U');
            INSERT INTO transit_feed (id, name, file_name, sha256, size_bytes, row_counts, issue_count, issues, imported_at)
            VALUES (1, 'synthetic', 'none.zip', 'synthetic', 0, '{}', 0, '[]', now());
            INSERT INTO analysis_run (id, type, state, spec, feed_id, origin_set, origin_version, origin_count,
                                      destination_set, destination_version, destination_count, engine_version, chunk_size, chunk_count, chunks_done, origins_done, created_at)
            VALUES (1, 'zone-access', 'succeeded', '{{{Spec("z2011")}}}', 1, 'zones:z2011', 'x', 5, 'centres', 'x', 6, 'x', 10, 1, 1, 5, now()),
                   (2, 'zone-access', 'succeeded', '{{{Spec("z2021")}}}', 1, 'zones:z2021', 'x', 5, 'centres', 'x', 6, 'x', 10, 1, 1, 5, now()),
                   (3, 'zone-access', 'running', '{{{Spec("z2021")}}}', 1, 'zones:z2021', 'x', 5, 'centres', 'x', 6, 'x', 10, 1, 0, 0, now());
            INSERT INTO analysis_point (run_id, is_origin, kind, index, code, name, lon, lat, weight) VALUES
                (1, true, 'zone', 0, 'A', NULL, 0, 0, 100), (1, true, 'zone', 1, 'B', NULL, 0, 0, 200), (1, true, 'zone', 2, 'C', NULL, 0, 0, 50),
                (1, true, 'zone', 3, 'D', NULL, 0, 0, 150), (1, true, 'zone', 4, 'E', NULL, 0, 0, 10),
                (2, true, 'zone', 0, 'A', NULL, 0, 0, 110), (2, true, 'zone', 1, 'B1', NULL, 0, 0, 120), (2, true, 'zone', 2, 'B2', NULL, 0, 0, 80),
                (2, true, 'zone', 3, 'CD', NULL, 0, 0, 210), (2, true, 'zone', 4, 'F21', NULL, 0, 0, 30);
            INSERT INTO analysis_origin_result (run_id, origin_index, centres_reachable, departures_meeting_target, departures) VALUES
                (1, 0, 4, 0, 1), (1, 1, 2, 0, 1), (1, 2, 1, 0, 1), (1, 3, 5, 0, 1), (1, 4, 3, 0, 1),
                (2, 0, 3, 0, 1), (2, 1, 4, 0, 1), (2, 2, 1, 0, 1), (2, 3, 4, 0, 1), (2, 4, 0, 0, 1);
            """);
        await cmd.ExecuteNonQueryAsync();
    }
}

public sealed class GeographyCompareTests(GeographyCompareFixture api) : IClassFixture<GeographyCompareFixture>
{
    private static JsonElement Unit(JsonElement result, string change, string firstCode) =>
        result.GetProperty("units").EnumerateArray().Single(u => u.GetProperty("change").GetString() == change
            && u.GetProperty("run").GetProperty("codes")[0].GetString() == firstCode);

    [Fact]
    public async Task Unchanged_split_and_merged_zones_pair_by_population_weighting_and_the_rest_are_counted()
    {
        var result = await api.GetJsonAsync("/analyses/1/compare-geography?other=2");
        Assert.Equal(("lsoa11", "lsoa21"), (result.GetProperty("runGeography").GetString(), result.GetProperty("otherGeography").GetString()));
        var counts = result.GetProperty("counts");
        Assert.Equal((1, 1, 1, 1, 1), (counts.GetProperty("unchanged").GetInt32(), counts.GetProperty("split").GetInt32(), counts.GetProperty("merged").GetInt32(),
            counts.GetProperty("unmatchedRunZones").GetInt32(), counts.GetProperty("unmatchedOtherZones").GetInt32()));
        Assert.Equal(["E"], result.GetProperty("unmatchedRunZones").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(["F21"], result.GetProperty("unmatchedOtherZones").EnumerateArray().Select(c => c.GetString()));

        var a = Unit(result, "U", "A");
        Assert.Equal((1.0, 4.0, 1.0, 3.0), (a.GetProperty("run").GetProperty("share").GetDouble(), a.GetProperty("run").GetProperty("meanCentresReachable").GetDouble(),
            a.GetProperty("other").GetProperty("share").GetDouble(), a.GetProperty("other").GetProperty("meanCentresReachable").GetDouble()));
        Assert.Equal(-1.0, a.GetProperty("meanCentresDifference").GetDouble(), 12);

        var b = Unit(result, "S", "B");
        Assert.Equal(["B1", "B2"], b.GetProperty("other").GetProperty("codes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(200, b.GetProperty("other").GetProperty("population").GetDouble());
        Assert.Equal(0.6, b.GetProperty("other").GetProperty("share").GetDouble(), 12);
        Assert.Equal(2.8, b.GetProperty("other").GetProperty("meanCentresReachable").GetDouble(), 12);
        Assert.Equal(0.6, b.GetProperty("shareDifference").GetDouble(), 12);
        Assert.Equal(0.8, b.GetProperty("meanCentresDifference").GetDouble(), 12);

        var cd = Unit(result, "M", "C");
        Assert.Equal(["C", "D"], cd.GetProperty("run").GetProperty("codes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(0.75, cd.GetProperty("run").GetProperty("share").GetDouble(), 12);
        Assert.Equal(4.0, cd.GetProperty("run").GetProperty("meanCentresReachable").GetDouble(), 12);
        Assert.Equal(0.25, cd.GetProperty("shareDifference").GetDouble(), 12);
        Assert.Equal(0.0, cd.GetProperty("meanCentresDifference").GetDouble(), 12);

        // Over the matched zones: 2011 pop 500, (100 + 150)/500 meet, (400 + 400 + 800)/500 centres; 2021 pop 520, 440/520, 1730/520.
        Assert.Equal(0.5, result.GetProperty("runMatched").GetProperty("share").GetDouble(), 12);
        Assert.Equal(3.2, result.GetProperty("runMatched").GetProperty("meanCentresReachable").GetDouble(), 12);
        Assert.Equal(440.0 / 520, result.GetProperty("otherMatched").GetProperty("share").GetDouble(), 12);
        Assert.Equal(1730.0 / 520, result.GetProperty("otherMatched").GetProperty("meanCentresReachable").GetDouble(), 12);
    }

    [Fact]
    public async Task The_other_way_round_the_sides_swap_and_the_differences_change_sign()
    {
        var result = await api.GetJsonAsync("/analyses/2/compare-geography?other=1");
        Assert.Equal(("lsoa21", "lsoa11"), (result.GetProperty("runGeography").GetString(), result.GetProperty("otherGeography").GetString()));
        var b = result.GetProperty("units").EnumerateArray().Single(u => u.GetProperty("change").GetString() == "S");
        Assert.Equal(-0.8, b.GetProperty("meanCentresDifference").GetDouble(), 12);
        Assert.Equal(["F21"], result.GetProperty("unmatchedRunZones").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task Same_geography_unfinished_and_missing_runs_are_refused_by_field()
    {
        await Problem.AssertAsync(api.Client.GetAsync("/analyses/1/compare-geography?other=1"), HttpStatusCode.BadRequest, "other");
        await Problem.AssertAsync(api.Client.GetAsync("/analyses/1/compare-geography"), HttpStatusCode.BadRequest, "other");
        await Problem.AssertAsync(api.Client.GetAsync("/analyses/1/compare-geography?other=3"), HttpStatusCode.Conflict, "other");
        await Problem.AssertAsync(api.Client.GetAsync("/analyses/1/compare-geography?other=99"), HttpStatusCode.BadRequest, "other");
        await Problem.AssertAsync(api.Client.GetAsync("/analyses/99/compare-geography?other=1"), HttpStatusCode.NotFound, "id");
    }
}
