using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Lis.Geo.Api.Tests.Features.Analyses;
using NetTopologySuite.Geometries;

namespace Lis.Geo.Api.Tests.Features.Corridors;

/// <summary>
/// Corridor runs end to end on the sample region: figures against sums taken independently from the
/// sample files with NetTopologySuite, history and change between runs, the stored report and map.
/// </summary>
public sealed class CorridorAnalysesTests(AnalysisFixture api) : IClassFixture<AnalysisFixture>
{
    private const string Code = "wolverhampton-birmingham-metro";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<long> AnalyseAsync(string body)
    {
        var response = await api.Writer().PostAsync($"/corridors/{Code}/analyses", Json(body));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal("succeeded", (await api.WaitAsync(id)).GetProperty("state").GetString());
        return id;
    }

    private static Geometry Corridor() =>
        SampleRegion.Read("corridors.geojson").Single(f => (string)f.Attributes["code"] == Code).Geometry;

    [Theory]
    [InlineData("{\"corridor\":\"east-birmingham-north-solihull\"}", "corridor")]
    [InlineData("{\"type\":\"site-access\"}", "type")]
    public async Task A_body_asking_for_another_corridor_or_type_is_refused_not_overridden(string body, string field)
    {
        var response = await api.Writer().PostAsync($"/corridors/{Code}/analyses", Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Equal("conflict", problem.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task The_second_sample_corridor_holds_residents_so_its_report_shows_their_access()
    {
        const string east = "east-birmingham-north-solihull";
        var response = await api.Writer().PostAsync($"/corridors/{east}/analyses", Json("""{"serviceDate":"2026-11-25"}"""));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal("succeeded", (await api.WaitAsync(id)).GetProperty("state").GetString());
        var view = await api.GetJsonAsync($"/corridors/{east}/analyses/{id}");
        var corridor = SampleRegion.Read("corridors.geojson").Single(f => (string)f.Attributes["code"] == east).Geometry;
        var inside = SampleRegion.Csv("lsoa11_pwc.csv").Where(r => corridor.Intersects(new Point(SampleRegion.Num(r["lon"]), SampleRegion.Num(r["lat"])))).ToList();
        Assert.NotEmpty(inside);
        var residents = view.GetProperty("figures").GetProperty("residents");
        Assert.Equal(inside.Count, residents.GetProperty("zones").GetInt32());
        Assert.Equal(inside.Sum(r => SampleRegion.Num(r["pop_total_mid2015"])), residents.GetProperty("population").GetDouble());
        // A corridor with residents has an access share, so the report prints a percentage where it printed "n/a".
        Assert.Equal(JsonValueKind.Number, view.GetProperty("figures").GetProperty("access").GetProperty("corridor").GetProperty("share").ValueKind);
    }

    [Fact]
    public async Task A_corridor_analysis_sums_the_residents_homes_and_jobs_inside_it_and_compares_its_access_with_the_rest()
    {
        var runId = await AnalyseAsync("""{"serviceDate":"2026-11-25","minCentres":2}""");
        var view = await api.GetJsonAsync($"/corridors/{Code}/analyses/{runId}");
        var f = view.GetProperty("figures");
        var corridor = Corridor();

        // Residents: zones whose population-weighted centroid lies in the corridor, from the sample CSVs.
        var imd = SampleRegion.Csv("imd2019.csv").ToDictionary(r => r["lsoa11cd"], r => int.Parse(r["imd_decile"], CultureInfo.InvariantCulture));
        var zones = SampleRegion.Csv("lsoa11_pwc.csv").Select(r => (Code: r["lsoa11cd"], Population: SampleRegion.Num(r["pop_total_mid2015"]),
            Inside: corridor.Intersects(new Point(SampleRegion.Num(r["lon"]), SampleRegion.Num(r["lat"]))))).ToList();
        var inside = zones.Where(z => z.Inside).ToList();
        Assert.NotEmpty(inside);
        var residents = f.GetProperty("residents");
        Assert.Equal(inside.Count, residents.GetProperty("zones").GetInt32());
        Assert.Equal(inside.Sum(z => z.Population), residents.GetProperty("population").GetDouble());
        var deprived = inside.Where(z => imd[z.Code] <= 2).Sum(z => z.Population);
        Assert.Equal(deprived, residents.GetProperty("mostDeprived20Population").GetDouble());
        foreach (var d in residents.GetProperty("byImdDecile").EnumerateArray())
            Assert.Equal(inside.Where(z => imd[z.Code] == d.GetProperty("imdDecile").GetInt32()).Sum(z => z.Population), d.GetProperty("population").GetDouble());

        // Access: the run's per-zone centres reachable (checked against the engine elsewhere), weighted by hand.
        var reachable = (await api.GetJsonAsync($"/analyses/{runId}/zones?limit=100")).GetProperty("features").EnumerateArray()
            .ToDictionary(z => z.GetProperty("id").GetString()!, z => z.GetProperty("properties").GetProperty("centres_reachable").GetInt32());
        double Share(IEnumerable<(string Code, double Population, bool Inside)> group) =>
            group.Sum(z => reachable[z.Code] >= 2 ? z.Population : 0) / group.Sum(z => z.Population);
        var access = f.GetProperty("access");
        Assert.Equal(Share(inside), access.GetProperty("corridor").GetProperty("share").GetDouble(), 12);
        Assert.Equal(Share(zones.Where(z => !z.Inside)), access.GetProperty("restOfRegion").GetProperty("share").GetDouble(), 12);
        Assert.Equal(Share(inside) - Share(zones.Where(z => !z.Inside)), access.GetProperty("shareDifference").GetDouble(), 12);

        // Housing: stored sites (WGS84 as served) intersecting the corridor; poorly connected = their zone misses the target.
        var lsoas = SampleRegion.Read("lsoa11.geojson").ToDictionary(z => (string)z.Attributes["lsoa11cd"], z => z.Geometry);
        var housing = (await api.GetJsonAsync("/collections/housing-sites/items?limit=100")).GetProperty("features").EnumerateArray()
            .Select(h => (Geometry: SampleRegion.Geometry(h.GetProperty("geometry")), Props: h.GetProperty("properties")))
            .Where(h => corridor.Intersects(h.Geometry)).ToList();
        Assert.NotEmpty(housing);
        var h = f.GetProperty("housing");
        Assert.Equal(housing.Count, h.GetProperty("sites").GetInt32());
        Assert.Equal(housing.Sum(x => x.Props.GetProperty("max_dwellings").GetInt64()), h.GetProperty("maxDwellings").GetInt64());
        Assert.Equal(housing.Sum(x => x.Props.GetProperty("min_dwellings").GetInt64()), h.GetProperty("minDwellings").GetInt64());
        var poorly = housing.Where(x => lsoas.FirstOrDefault(z => z.Value.Contains(x.Geometry.InteriorPoint)).Key is { } zone && reachable[zone] < 2).ToList();
        Assert.Equal(poorly.Count, h.GetProperty("sitesPoorlyConnected").GetInt32());
        Assert.Equal(poorly.Sum(x => x.Props.GetProperty("max_dwellings").GetInt64()), h.GetProperty("maxDwellingsPoorlyConnected").GetInt64());

        // Employment land: sample employment sites intersecting the corridor.
        var employment = SampleRegion.Read("employment_sites.geojson").Where(e => corridor.Intersects(e.Geometry)).ToList();
        Assert.NotEmpty(employment);
        var land = f.GetProperty("employmentLand");
        Assert.Equal(employment.Count, land.GetProperty("sites").GetInt32());
        Assert.Equal(employment.Sum(e => Convert.ToDouble(e.Attributes["hectares"], CultureInfo.InvariantCulture)), land.GetProperty("hectares").GetDouble(), 9);
        Assert.Equal(employment.Sum(e => Convert.ToInt64(e.Attributes["jobs_estimate"], CultureInfo.InvariantCulture)), land.GetProperty("jobs").GetInt64());

        // Employment sites in or near: every site inside is listed, flagged inside, with the catchment the run's sites layer reports.
        var ranked = (await api.GetJsonAsync($"/analyses/{runId}/sites?limit=100")).GetProperty("features").EnumerateArray()
            .ToDictionary(s => s.GetProperty("id").GetString()!, s => s.GetProperty("properties"));
        var listed = f.GetProperty("employmentSites").EnumerateArray().ToList();
        Assert.Subset(employment.Select(e => (string)e.Attributes["reference"]).ToHashSet(), listed.Select(s => s.GetProperty("reference").GetString()!).ToHashSet());
        foreach (var s in listed)
        {
            var reference = s.GetProperty("reference").GetString()!;
            Assert.Equal(employment.Any(e => (string)e.Attributes["reference"] == reference), s.GetProperty("inside").GetBoolean());
            Assert.InRange(s.GetProperty("distanceMeters").GetDouble(), 0, 800);
            Assert.Equal(ranked[reference].GetProperty("deprived_catchment_population").GetDouble(), s.GetProperty("deprivedCatchmentPopulation").GetDouble());
            Assert.Equal(ranked[reference].GetProperty("deprived_catchment_rank").GetInt32(), s.GetProperty("deprivedRank").GetInt32());
        }

        // The report is stored HTML with the figures and the map inline; the map is well-formed SVG with every corridor zone in it.
        var report = await api.Client.GetAsync(view.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "report").GetProperty("href").GetString());
        Assert.Equal("text/html", report.Content.Headers.ContentType?.MediaType);
        var html = await report.Content.ReadAsStringAsync();
        Assert.Contains(WebUtility.HtmlEncode(f.GetProperty("name").GetString()!), html);
        Assert.Contains(inside.Sum(z => z.Population).ToString("N0", CultureInfo.InvariantCulture), html);
        Assert.Contains("<svg", html);
        var map = await api.Client.GetAsync($"/corridors/{Code}/analyses/{runId}/map.svg");
        Assert.Equal("image/svg+xml", map.Content.Headers.ContentType?.MediaType);
        var svg = XDocument.Parse(await map.Content.ReadAsStringAsync());
        XNamespace ns = "http://www.w3.org/2000/svg";
        var titles = svg.Descendants(ns + "title").Select(t => t.Value).ToList();
        foreach (var z in inside) Assert.Contains(titles, t => t.StartsWith(z.Code + ":", StringComparison.Ordinal));
        Assert.Contains(titles, t => t == f.GetProperty("name").GetString());

        // The run lists its corridor.
        var ofRun = (await api.GetJsonAsync($"/analyses/{runId}/corridors")).EnumerateArray().Select(c => c.GetProperty("corridor").GetString()).ToList();
        Assert.Equal([Code], ofRun);
    }

    [Fact]
    public async Task The_history_gives_each_analysis_the_change_since_the_one_before_and_warns_when_the_rules_differ()
    {
        var first = await AnalyseAsync("""{"serviceDate":"2026-11-25"}""");
        var second = await AnalyseAsync("""{"serviceDate":"2026-11-25","thresholdMinutes":30}""");
        var history = (await api.GetJsonAsync($"/corridors/{Code}/analyses")).EnumerateArray().ToList();
        var mine = history.Where(e => e.GetProperty("runId").GetInt64() is var id && (id == first || id == second)).ToList();
        Assert.Equal([second, first], mine.Select(e => e.GetProperty("runId").GetInt64()));

        var a = (await api.GetJsonAsync($"/corridors/{Code}/analyses/{first}")).GetProperty("figures");
        var b = (await api.GetJsonAsync($"/corridors/{Code}/analyses/{second}")).GetProperty("figures");
        var change = await api.GetJsonAsync($"/corridors/{Code}/analyses/compare?from={first}&to={second}");
        Assert.False(change.GetProperty("comparableRules").GetBoolean());
        Assert.Equal(["thresholdMinutes: 45 → 30"], change.GetProperty("ruleDifferences").EnumerateArray().Select(x => x.GetString()));
        double Share(JsonElement fig) => fig.GetProperty("access").GetProperty("corridor").GetProperty("share").GetDouble();
        Assert.Equal(Share(b) - Share(a), change.GetProperty("corridorShare").GetDouble(), 12);
        Assert.Equal(0, change.GetProperty("population").GetDouble());
        // A shorter threshold can only lose centres.
        Assert.True(Share(b) <= Share(a));

        // The newer entry's change since the previous is the same comparison.
        var newest = mine[0].GetProperty("changeSincePrevious");
        Assert.Equal(first, newest.GetProperty("fromRunId").GetInt64());
        Assert.Equal(change.GetProperty("corridorShare").GetDouble(), newest.GetProperty("corridorShare").GetDouble());
    }

    [Fact]
    public async Task Corridor_analyses_can_be_scheduled_and_bad_ones_are_refused()
    {
        var schedule = await api.Writer().PostAsync("/schedules", Json($$$"""
            {"name":"Metro corridor weekly","cron":"0 6 * * 1","request":{"type":"corridor","corridor":"{{{Code}}}"}}
            """));
        Assert.Equal(HttpStatusCode.Created, schedule.StatusCode);
        Assert.Equal("corridor", (await schedule.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request").GetProperty("type").GetString());

        await Problem.AssertAsync(api.Writer().PostAsync("/schedules", Json("""
            {"name":"x","cron":"0 6 * * 1","request":{"type":"corridor","nearMeters":-5}}
            """)), HttpStatusCode.BadRequest, "request.nearMeters");
        await Problem.AssertAsync(api.Writer().PostAsync("/corridors/no-such-corridor/analyses", Json("{}")), HttpStatusCode.NotFound, "corridor");
        await Problem.AssertAsync(api.Client.GetAsync("/corridors/no-such-corridor/analyses"), HttpStatusCode.NotFound, "code");
        await Problem.AssertAsync(api.Client.GetAsync($"/corridors/{Code}/analyses/999999"), HttpStatusCode.NotFound, "runId");
        await Problem.AssertAsync(api.Client.PostAsync($"/corridors/{Code}/analyses", Json("{}")), HttpStatusCode.Unauthorized);
        await Problem.AssertAsync(api.Client.GetAsync($"/corridors/{Code}/analyses?limit=abc"), HttpStatusCode.BadRequest, "limit");
        await Problem.AssertAsync(api.Client.GetAsync($"/corridors/{Code}/analyses/compare?from=abc&to=1"), HttpStatusCode.BadRequest, "from");
        await Problem.AssertAsync(api.Writer().PostAsync($"/corridors/{Code}/analyses", Json("""{"minCentres":"three"}""")), HttpStatusCode.BadRequest, "minCentres");
        await Problem.AssertAsync(api.Writer().PostAsync("/schedules", Json("""
            {"name":"x","cron":"0 6 * * 1","request":{"type":"corridor","corridor":"no-such-corridor"}}
            """)), HttpStatusCode.BadRequest, "request.corridor");
    }
}
