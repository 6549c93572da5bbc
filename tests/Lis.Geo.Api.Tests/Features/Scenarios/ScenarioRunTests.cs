using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lis.Geo.Api.Tests.Features.Analyses;
using Lis.Geo.Data.Feeds;

namespace Lis.Geo.Api.Tests.Features.Scenarios;

/// <summary>
/// Runs with a scenario through HTTP, Hangfire and PostGIS. The scenario is built from the baseline's
/// own stored rows: a zone and a centre it cannot reach (p5 unreachable or over 15 minutes) get a new
/// route with a stop exactly at the zone's centroid and one exactly at the centre, 300 s apart, every
/// 10 minutes from 07:00 to 11:00. By hand: leaving at 07:00 + k min (k = 0…179) the rider is at the
/// stop at once, boards at or after +60 s (boardSlack), so waits 60 s plus 0–9 whole minutes (18
/// departure minutes each) and rides 300 s: travel times 360, 420, …, 900 s, 18 of each; the median
/// (0-based index ceil(0.5 × 180) − 1 = 89) is the 5th value, 600 s. The baseline's own journeys can
/// only lower at most 8 of the 180 values (its p5, index 8, is over 900 s), which moves neither
/// the 72 values below 600 past index 89 nor the 90 at or below it: the median stays 600 s.
/// </summary>
public sealed class ScenarioRunTests(AnalysisFixture api) : IClassFixture<AnalysisFixture>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
    private const string Day = "2026-11-25";

    private async Task<long> StartAsync(string body)
    {
        var response = await api.Writer().PostAsync("/analyses", Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt64();
    }

    private async Task<JsonElement> RunAsync(string body)
    {
        var run = await api.WaitAsync(await StartAsync(body));
        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        return run;
    }

    private async Task<JsonElement> CreateScenarioAsync(string body)
    {
        var response = await api.Writer().PostAsync("/scenarios", Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>A baseline zone–centre pair the new route will join: first by zone code, then centre code, whose p5 is unreachable or over 900 s.</summary>
    internal static async Task<(string Zone, double ZoneLon, double ZoneLat, string Centre, double CentreLon, double CentreLat)> PairAsync(ApiFixture api, long baseline)
    {
        await using var cmd = api.Db.CreateCommand("""
            SELECT o.code, o.lon, o.lat, d.code, d.lon, d.lat
            FROM analysis_pair_result pr
            JOIN analysis_point o ON o.run_id = pr.run_id AND o.is_origin AND o.index = pr.origin_index
            JOIN analysis_point d ON d.run_id = pr.run_id AND NOT d.is_origin AND d.index = pr.destination_index AND d.kind = 'centre'
            WHERE pr.run_id = $1 AND o.kind = 'zone' AND (pr.percentiles[1] IS NULL OR pr.percentiles[1] > 900)
            ORDER BY o.code, d.code LIMIT 1
            """);
        cmd.Parameters.Add(new() { Value = baseline });
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync(), "the sample should have a zone that cannot reach some centre");
        return (r.GetString(0), r.GetDouble(1), r.GetDouble(2), r.GetString(3), r.GetDouble(4), r.GetDouble(5));
    }

    internal static string NewRoute(string name, long feedId, double zoneLon, double zoneLat, double centreLon, double centreLat) =>
        string.Create(CultureInfo.InvariantCulture, $$"""
            {"name":"{{name}}","feedId":{{feedId}},"modifications":[
              {"type":"add-route","routeId":"NEW-LINK","name":"New link","stops":[
                 {"stopId":"NEW-Z","lon":{{zoneLon:R}},"lat":{{zoneLat:R}}},{"stopId":"NEW-C","lon":{{centreLon:R}},"lat":{{centreLat:R}}}],
               "hopSeconds":[300],"frequencies":[{"from":"07:00","to":"11:00","headwaySeconds":600}]}]}
            """);

    /// <summary>Per (origin code, destination code): the stored percentiles of a run, as text.</summary>
    internal static async Task<Dictionary<(string, string), string>> PairsAsync(ApiFixture api, long run)
    {
        await using var cmd = api.Db.CreateCommand("""
            SELECT o.code, d.code, array_to_string(pr.percentiles, ',', 'null') || '|' || pr.departures_within
            FROM analysis_pair_result pr
            JOIN analysis_point o ON o.run_id = pr.run_id AND o.is_origin AND o.index = pr.origin_index
            JOIN analysis_point d ON d.run_id = pr.run_id AND NOT d.is_origin AND d.index = pr.destination_index
            WHERE pr.run_id = $1
            """);
        cmd.Parameters.Add(new() { Value = run });
        var result = new Dictionary<(string, string), string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) result[(r.GetString(0), r.GetString(1))] = r.GetString(2);
        return result;
    }

    [Fact]
    public async Task A_new_route_joins_a_zone_to_a_centre_in_the_hand_derived_time_and_the_run_keeps_what_it_ran()
    {
        var baseline = await RunAsync($$"""{"feedId":{{api.FeedId}},"serviceDate":"{{Day}}"}""");
        var baselineId = baseline.GetProperty("id").GetInt64();
        var pair = await PairAsync(api, baselineId);
        var created = await CreateScenarioAsync(NewRoute("New link", api.FeedId, pair.ZoneLon, pair.ZoneLat, pair.CentreLon, pair.CentreLat));
        var scenarioId = created.GetProperty("id").GetInt64();

        // No feedId: the run is on the scenario's feed.
        var run = await RunAsync($$"""{"scenario":{{scenarioId}},"serviceDate":"{{Day}}"}""");
        var runId = run.GetProperty("id").GetInt64();
        Assert.Equal(api.FeedId, run.GetProperty("record").GetProperty("feedId").GetInt64());
        var p50 = await api.ScalarAsync<int>("""
            SELECT pr.percentiles[3] FROM analysis_pair_result pr
            JOIN analysis_point o ON o.run_id = pr.run_id AND o.is_origin AND o.index = pr.origin_index
            JOIN analysis_point d ON d.run_id = pr.run_id AND NOT d.is_origin AND d.index = pr.destination_index
            WHERE pr.run_id = $1 AND o.code = $2 AND d.code = $3
            """, runId, pair.Zone, pair.Centre);
        Assert.Equal(600, p50);
        // Adding a route never lengthens a journey: every pair's median is at most the baseline's (null = unreachable).
        var longer = await api.ScalarAsync<long>("""
            SELECT count(*) FROM analysis_pair_result s JOIN analysis_pair_result b
              ON b.run_id = $2 AND b.origin_index = s.origin_index AND b.destination_index = s.destination_index
            WHERE s.run_id = $1 AND (s.percentiles[3] IS NULL AND b.percentiles[3] IS NOT NULL OR s.percentiles[3] > b.percentiles[3])
            """, runId, baselineId);
        Assert.Equal(0, longer);

        // The run shows the scenario and its record holds the content and hash as run.
        Assert.Equal(scenarioId, run.GetProperty("scenario").GetProperty("id").GetInt64());
        Assert.Equal("New link", run.GetProperty("scenario").GetProperty("name").GetString());
        Assert.Equal(created.GetProperty("sha256").GetString(), run.GetProperty("scenario").GetProperty("sha256").GetString());
        Assert.Equal(scenarioId, run.GetProperty("request").GetProperty("scenario").GetInt64());
        var recorded = run.GetProperty("record").GetProperty("parameters").GetProperty("scenario");
        Assert.Equal(created.GetProperty("sha256").GetString(), recorded.GetProperty("sha256").GetString());
        // The content recorded is the scenario itself: the engine's canonical hash of it is the stored hash.
        Assert.Equal(created.GetProperty("sha256").GetString(), Lis.Geo.Transit.Scenarios.Scenario.FromJson(recorded.GetProperty("content").GetRawText()).ComputeHash());
        Assert.Equal("NEW-LINK", recorded.GetProperty("content").GetProperty("modifications")[0].GetProperty("routeId").GetString());
        Assert.Contains(run.GetProperty("links").EnumerateArray(), l => l.GetProperty("rel").GetString() == "scenario"
            && l.GetProperty("href").GetString()!.EndsWith($"/scenarios/{scenarioId}", StringComparison.Ordinal));

        // The interactive endpoint routes with the scenario too: 10.0 minutes from the zone's centroid.
        var point = string.Create(CultureInfo.InvariantCulture, $"lon={pair.ZoneLon:R}&lat={pair.ZoneLat:R}&serviceDate={Day}");
        var access = await api.GetJsonAsync($"/accessibility?{point}&scenario={scenarioId}");
        Assert.Equal(scenarioId, access.GetProperty("scenario").GetProperty("id").GetInt64());
        var centre = access.GetProperty("centres").EnumerateArray().Single(c => c.GetProperty("code").GetString() == pair.Centre);
        Assert.Equal(10.0, centre.GetProperty("minutes").GetProperty("p50").GetDouble());
        var plain = await api.GetJsonAsync($"/accessibility?{point}");
        Assert.False(plain.TryGetProperty("scenario", out var none) && none.ValueKind != JsonValueKind.Null);

        // Editing, then deleting, the stored scenario changes nothing the run says.
        var before = (await api.GetJsonAsync($"/analyses/{runId}")).GetProperty("record").GetRawText();
        var put = await api.Writer().PutAsync($"/scenarios/{scenarioId}", Json("""{"name":"edited","modifications":[{"type":"remove","routes":["S1"]}]}"""));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var afterEdit = await api.GetJsonAsync($"/analyses/{runId}");
        Assert.Equal(before, afterEdit.GetProperty("record").GetRawText());
        Assert.Equal("New link", afterEdit.GetProperty("scenario").GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await api.Writer().DeleteAsync($"/scenarios/{scenarioId}")).StatusCode);
        Assert.Equal(before, (await api.GetJsonAsync($"/analyses/{runId}")).GetProperty("record").GetRawText());
    }

    /// <summary>Per zone code: centres reachable, departures meeting the target and departures, from the stored rows of a run.</summary>
    private async Task<Dictionary<string, (int Centres, int Meeting, int Departures)>> ZoneRowsAsync(long run)
    {
        await using var cmd = api.Db.CreateCommand("""
            SELECT p.code, r.centres_reachable, r.departures_meeting_target, r.departures FROM analysis_point p
            JOIN analysis_origin_result r ON r.run_id = p.run_id AND r.origin_index = p.index
            WHERE p.run_id = $1 AND p.is_origin AND p.kind = 'zone'
            """);
        cmd.Parameters.Add(new() { Value = run });
        var rows = new Dictionary<string, (int, int, int)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) rows[r.GetString(0)] = (r.GetInt32(1), r.GetInt32(2), r.GetInt32(3));
        return rows;
    }

    [Fact]
    public async Task The_comparison_equals_sums_over_the_stored_zone_rows_and_the_sample_files()
    {
        // A first baseline at 44 minutes picks the pair; from its medians, how many centres the pair's zone reaches in 45.
        var probe = (await RunAsync($$"""{"feedId":{{api.FeedId}},"serviceDate":"{{Day}}","thresholdMinutes":44}""")).GetProperty("id").GetInt64();
        var pair = await PairAsync(api, probe);
        var reached = await api.ScalarAsync<long>("""
            SELECT count(*) FROM analysis_pair_result pr
            JOIN analysis_point o ON o.run_id = pr.run_id AND o.is_origin AND o.index = pr.origin_index
            JOIN analysis_point d ON d.run_id = pr.run_id AND NOT d.is_origin AND d.index = pr.destination_index AND d.kind = 'centre'
            WHERE pr.run_id = $1 AND o.code = $2 AND pr.percentiles[3] <= 2700
            """, probe, pair.Zone);
        var min = (int)reached + 1; // the new link's centre takes the zone to the target
        var scenario = (await CreateScenarioAsync(NewRoute("Link for compare", api.FeedId, pair.ZoneLon, pair.ZoneLat, pair.CentreLon, pair.CentreLat))).GetProperty("id").GetInt64();
        var baseline = (await RunAsync($$"""{"feedId":{{api.FeedId}},"serviceDate":"{{Day}}","minCentres":{{min}}}""")).GetProperty("id").GetInt64();
        var run = (await RunAsync($$"""{"scenario":{{scenario}},"serviceDate":"{{Day}}","minCentres":{{min}},"name":"with the link"}""")).GetProperty("id").GetInt64();

        var view = await api.GetJsonAsync($"/analyses/{run}/compare?baseline={baseline}");
        var summary = view.GetProperty("summary");
        Assert.Equal(scenario, summary.GetProperty("scenario").GetProperty("id").GetInt64());

        // Independently: the stored per-zone rows of each run, weighted by the sample's population, grouped by the sample's IMD file.
        var before = await ZoneRowsAsync(baseline);
        var after = await ZoneRowsAsync(run);
        Assert.True(before[pair.Zone].Centres < min && after[pair.Zone].Centres >= min, "the pair's zone gains the target");
        var population = SampleRegion.Csv("lsoa11_pwc.csv").ToDictionary(r => r["lsoa11cd"], r => SampleRegion.Num(r["pop_total_mid2015"]));
        var imd = SampleRegion.Csv("imd2019.csv").ToDictionary(r => r["lsoa11cd"], r => (Decile: int.Parse(r["imd_decile"], CultureInfo.InvariantCulture), Lad: r["lad19cd"]));
        void Check(JsonElement group, IReadOnlyList<string> zones)
        {
            var total = zones.Sum(z => population[z]);
            double Share(Dictionary<string, (int Centres, int Meeting, int Departures)> rows) => zones.Where(z => rows[z].Centres >= min).Sum(z => population[z]) / total;
            double TimeShare(Dictionary<string, (int Centres, int Meeting, int Departures)> rows) => zones.Sum(z => population[z] * rows[z].Meeting / rows[z].Departures) / total;
            var gaining = zones.Where(z => before[z].Centres < min && after[z].Centres >= min).ToList();
            var losing = zones.Where(z => before[z].Centres >= min && after[z].Centres < min).ToList();
            Assert.Equal(zones.Count, group.GetProperty("zones").GetInt32());
            Assert.Equal(total, group.GetProperty("population").GetDouble(), 6);
            Assert.Equal(Share(before), group.GetProperty("shareBefore").GetDouble(), 9);
            Assert.Equal(Share(after), group.GetProperty("shareAfter").GetDouble(), 9);
            Assert.Equal(Share(after) - Share(before), group.GetProperty("shareChange").GetDouble(), 9);
            Assert.Equal(TimeShare(before), group.GetProperty("timeShareBefore").GetDouble(), 9);
            Assert.Equal(TimeShare(after), group.GetProperty("timeShareAfter").GetDouble(), 9);
            Assert.Equal(gaining.Sum(z => population[z]), group.GetProperty("residentsGaining").GetDouble(), 6);
            Assert.Equal(losing.Sum(z => population[z]), group.GetProperty("residentsLosing").GetDouble(), 6);
            Assert.Equal(gaining.Where(z => imd[z].Decile <= 2).Sum(z => population[z]), group.GetProperty("residentsGainingMostDeprived20").GetDouble(), 6);
            Assert.Equal(losing.Where(z => imd[z].Decile <= 2).Sum(z => population[z]), group.GetProperty("residentsLosingMostDeprived20").GetDouble(), 6);
            Assert.Equal(gaining.Count, group.GetProperty("zonesGaining").GetInt32());
        }
        var all = before.Keys.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(17, all.Count);
        Check(summary.GetProperty("overall"), all);
        Assert.True(summary.GetProperty("overall").GetProperty("residentsGaining").GetDouble() >= population[pair.Zone]);
        foreach (var decile in all.Select(z => imd[z].Decile).Distinct())
            Check(summary.GetProperty("byImdDecile").EnumerateArray().Single(g => g.GetProperty("key").GetString() == decile.ToString(CultureInfo.InvariantCulture)),
                all.Where(z => imd[z].Decile == decile).ToList());
        foreach (var lad in all.Select(z => imd[z].Lad).Distinct())
            Check(summary.GetProperty("byLocalAuthority").EnumerateArray().Single(g => g.GetProperty("key").GetString() == lad), all.Where(z => imd[z].Lad == lad).ToList());
        Assert.NotEmpty(summary.GetProperty("byLep").EnumerateArray());

        // Zone by zone, as the linked OGC collection (GeoJSON) and its complete CSV.
        var zonesLink = view.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "zones").GetProperty("href").GetString()!;
        Assert.EndsWith($"/collections/analysis-{run}-vs-{baseline}/items", zonesLink);
        var features = (await api.GetJsonAsync(new Uri(zonesLink).PathAndQuery + "?limit=100")).GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(17, features.Count);
        foreach (var f in features)
        {
            var z = f.GetProperty("id").GetString()!;
            var p = f.GetProperty("properties");
            Assert.Equal(before[z].Centres, p.GetProperty("centres_reachable_baseline").GetInt32());
            Assert.Equal(after[z].Centres, p.GetProperty("centres_reachable_scenario").GetInt32());
            Assert.Equal(after[z].Centres - before[z].Centres, p.GetProperty("centres_reachable_change").GetInt32());
            Assert.Equal(before[z].Centres < min && after[z].Centres >= min ? "gains" : before[z].Centres >= min && after[z].Centres < min ? "loses" : "same",
                p.GetProperty("target_change").GetString());
            Assert.Equal(imd[z].Decile <= 2, p.GetProperty("most_deprived_20").GetBoolean());
            Assert.Equal(JsonValueKind.Object, f.GetProperty("geometry").ValueKind);
        }
        var mine = features.Single(f => f.GetProperty("id").GetString() == pair.Zone).GetProperty("properties");
        Assert.Equal(10.0, mine.GetProperty("nearest_centre_minutes_scenario").GetDouble());
        var csv = (await api.Client.GetStringAsync($"/collections/analysis-{run}-vs-{baseline}/items?f=csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(18, csv.Length);
        Assert.Contains("target_change", csv[0]);
        Assert.Equal(features.Count(f => f.GetProperty("properties").GetProperty("target_change").GetString() == "gains"),
            csv.Skip(1).Count(l => l.Contains(",gains", StringComparison.Ordinal)));
        var gains = await api.GetJsonAsync($"/collections/analysis-{run}-vs-{baseline}/items?target_change=gains");
        Assert.Contains(gains.GetProperty("features").EnumerateArray(), f => f.GetProperty("id").GetString() == pair.Zone);

        // Refused: another threshold (422 with the reasons), an unknown or missing baseline.
        var refused = await Problem.AssertAsync(await api.Client.GetAsync($"/analyses/{run}/compare?baseline={probe}"), HttpStatusCode.UnprocessableEntity, "baseline");
        Assert.Contains(refused.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.StartsWith("access:", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await api.Client.GetAsync($"/collections/analysis-{run}-vs-{probe}")).StatusCode);
        await Problem.AssertAsync(await api.Client.GetAsync($"/analyses/{run}/compare?baseline=987654"), HttpStatusCode.NotFound, "baseline");
        await Problem.AssertAsync(await api.Client.GetAsync($"/analyses/{run}/compare"), HttpStatusCode.BadRequest, "baseline");
        await Problem.AssertAsync(await api.Client.GetAsync($"/analyses/{run}/compare?baseline=x"), HttpStatusCode.BadRequest, "baseline");
        // A run against itself would show a flawless "no change": refused, naming baseline.
        await Problem.AssertAsync(await api.Client.GetAsync($"/analyses/{run}/compare?baseline={run}"), HttpStatusCode.BadRequest, "baseline");
    }

    [Fact]
    public async Task A_corridor_report_gains_a_with_scenario_column_from_the_compared_corridor_run()
    {
        const string code = "wolverhampton-birmingham-metro";
        async Task<long> CorridorAsync(string body)
        {
            var response = await api.Writer().PostAsync($"/corridors/{code}/analyses", Json(body));
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
            var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
            Assert.Equal("succeeded", (await api.WaitAsync(id)).GetProperty("state").GetString());
            return id;
        }
        var baseline = await CorridorAsync($$"""{"feedId":{{api.FeedId}},"serviceDate":"{{Day}}","minCentres":2}""");
        var pair = await PairAsync(api, baseline);
        var scenario = (await CreateScenarioAsync(NewRoute("Corridor link", api.FeedId, pair.ZoneLon, pair.ZoneLat, pair.CentreLon, pair.CentreLat))).GetProperty("id").GetInt64();
        var run = await CorridorAsync($$"""{"scenario":{{scenario}},"serviceDate":"{{Day}}","minCentres":2}""");

        var response = await api.Client.GetAsync($"/corridors/{code}/analyses/{baseline}/report?scenario={run}");
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, html);
        Assert.Contains($"With scenario: scenario {scenario} &#39;Corridor link&#39; (run {run})", html);
        // The column's figures are each run's stored corridor figures.
        static string P(JsonElement share) => (share.GetDouble() * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
        var before = (await api.GetJsonAsync($"/corridors/{code}/analyses/{baseline}")).GetProperty("figures").GetProperty("access");
        var after = (await api.GetJsonAsync($"/corridors/{code}/analyses/{run}")).GetProperty("figures").GetProperty("access");
        Assert.Contains($"<tr><td>Corridor share meeting the target</td><td>{P(before.GetProperty("corridor").GetProperty("share"))}</td><td>{P(after.GetProperty("corridor").GetProperty("share"))}</td>", html);
        Assert.Contains($"<tr><td>Rest of region share</td><td>{P(before.GetProperty("restOfRegion").GetProperty("share"))}</td><td>{P(after.GetProperty("restOfRegion").GetProperty("share"))}</td>", html);
        // The corridor runs compare zone by zone as well.
        Assert.Equal(HttpStatusCode.OK, (await api.Client.GetAsync($"/analyses/{run}/compare?baseline={baseline}")).StatusCode);
        await Problem.AssertAsync(api.Client.GetAsync($"/corridors/{code}/analyses/{baseline}/report?scenario=x"), HttpStatusCode.BadRequest, "scenario");
        await Problem.AssertAsync(api.Client.GetAsync($"/corridors/{code}/analyses/{baseline}/report?scenario=987654"), HttpStatusCode.NotFound, "scenario");
    }

    [Fact]
    public async Task The_empty_scenario_run_equals_the_baseline_row_for_row()
    {
        var empty = await CreateScenarioAsync($$"""{"name":"nothing","feedId":{{api.FeedId}},"modifications":[]}""");
        var baseline = await RunAsync($$"""{"feedId":{{api.FeedId}},"serviceDate":"{{Day}}","minCentres":2}""");
        var run = await RunAsync($$"""{"feedId":{{api.FeedId}},"scenario":{{empty.GetProperty("id").GetInt64()}},"serviceDate":"{{Day}}","minCentres":2}""");
        var (b, s) = (baseline.GetProperty("id").GetInt64(), run.GetProperty("id").GetInt64());
        var basePairs = await PairsAsync(api, b);
        Assert.NotEmpty(basePairs);
        Assert.Equal(basePairs, await PairsAsync(api, s));
        Assert.Equal(await api.Client.GetStringAsync($"/analyses/{b}/travel-times.csv"), await api.Client.GetStringAsync($"/analyses/{s}/travel-times.csv"));
        Assert.Equal(baseline.GetProperty("summary").GetRawText(), run.GetProperty("summary").GetRawText());
        // Compared, nothing changes.
        var overall = (await api.GetJsonAsync($"/analyses/{s}/compare?baseline={b}")).GetProperty("summary").GetProperty("overall");
        Assert.Equal(0, overall.GetProperty("shareChange").GetDouble());
        Assert.Equal((0.0, 0.0), (overall.GetProperty("residentsGaining").GetDouble(), overall.GetProperty("residentsLosing").GetDouble()));
        Assert.Equal(overall.GetProperty("shareBefore").GetDouble(), baseline.GetProperty("summary").GetProperty("overall").GetProperty("share").GetDouble(), 12);
    }

    [Fact]
    public async Task Bad_scenario_values_are_refused_naming_scenario()
    {
        var (other, _) = await new FeedStore(api.Db).ImportAsync("sample buses", "bus.zip", MultiFeedRunTests.Part(tram: false), null, default);
        var scenario = (await CreateScenarioAsync($$"""{"name":"on sample","feedId":{{api.FeedId}},"modifications":[]}""")).GetProperty("id").GetInt64();
        var before = await api.ScalarAsync<long>("SELECT count(*) FROM analysis_run");

        await Problem.AssertAsync(api.Writer().PostAsync("/analyses", Json("""{"scenario":987654}""")), HttpStatusCode.BadRequest, "scenario");
        await Problem.AssertAsync(api.Writer().PostAsync("/analyses", Json($$"""{"scenario":{{scenario}},"feedId":{{other.Id}},"serviceDate":"{{Day}}"}""")), HttpStatusCode.BadRequest, "scenario");
        await Problem.AssertAsync(api.Writer().PostAsync("/analyses", Json($$"""{"scenario":{{scenario}},"feeds":[{{api.FeedId}},{{other.Id}}],"serviceDate":"{{Day}}"}""")), HttpStatusCode.BadRequest, "scenario");
        await Problem.AssertAsync(api.Writer().PostAsync("/analyses", Json("""{"scenario":"x"}""")), HttpStatusCode.BadRequest, "scenario");
        await Problem.AssertAsync(api.Writer().PostAsync("/analyses", Json($$"""{"type":"isochrones","lon":-1.9,"lat":52.48,"scenario":987654}""")), HttpStatusCode.BadRequest, "scenario");
        Assert.Equal(before, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_run"));

        await Problem.AssertAsync(api.Client.GetAsync($"/accessibility?lon=-1.9&lat=52.48&serviceDate={Day}&scenario=x"), HttpStatusCode.BadRequest, "scenario");
        await Problem.AssertAsync(api.Client.GetAsync($"/accessibility?lon=-1.9&lat=52.48&serviceDate={Day}&scenario=987654"), HttpStatusCode.NotFound, "scenario");
        await Problem.AssertAsync(api.Client.GetAsync($"/isochrones?lon=-1.9&lat=52.48&serviceDate={Day}&scenario={scenario}&feedId={other.Id}"), HttpStatusCode.BadRequest, "scenario");
    }
}
