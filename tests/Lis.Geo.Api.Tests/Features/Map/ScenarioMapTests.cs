using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace Lis.Geo.Api.Tests.Features.Map;

/// <summary>
/// A policy officer's what-if on /map, in Debian's Chromium against the real API (Kestrel), Hangfire
/// and PostGIS with the sample region: the route is drawn by clicks on the map, saved as a scenario
/// through the page (with the key typed into it), its preview drawn, the baseline and scenario runs
/// started and followed by the page, and the comparison opened. The diverging choropleth's rendered
/// zones carry the comparison collection's changes; the legend lists the classes; every headline
/// figure shown is the API's <c>/compare</c> figure. A screenshot is kept (map-page/scenario-map.png; docs/scenario-map.png is a copy).
/// </summary>
public sealed class ScenarioMapTests(MapFixture api) : IClassFixture<MapFixture>
{
    /// <summary>
    /// From the probe run's stored medians: the zone and centre, nearest to each other, that the zone
    /// cannot reach within 45 minutes, and how many centres the zone does reach. The route drawn from the
    /// one to the other gives the zone that centre, so a target of one more centre is one it gains.
    /// </summary>
    private async Task<(string Zone, double ZoneLon, double ZoneLat, double CentreLon, double CentreLat, int Reached)> PairAsync(long run)
    {
        await using var cmd = api.Db.CreateCommand("""
            WITH p AS (
              SELECT o.code AS zone, o.lon AS zlon, o.lat AS zlat, d.lon AS clon, d.lat AS clat,
                     ST_Distance(ST_MakePoint(o.lon, o.lat)::geography, ST_MakePoint(d.lon, d.lat)::geography) AS metres
              FROM analysis_pair_result pr
              JOIN analysis_point o ON o.run_id = pr.run_id AND o.is_origin AND o.index = pr.origin_index AND o.kind = 'zone'
              JOIN analysis_point d ON d.run_id = pr.run_id AND NOT d.is_origin AND d.index = pr.destination_index AND d.kind = 'centre'
              WHERE pr.run_id = $1 AND (pr.percentiles[3] IS NULL OR pr.percentiles[3] > 2700))
            SELECT p.zone, p.zlon, p.zlat, p.clon, p.clat,
                   (SELECT count(*)::int FROM analysis_pair_result pr
                    JOIN analysis_point o ON o.run_id = pr.run_id AND o.is_origin AND o.index = pr.origin_index
                    JOIN analysis_point d ON d.run_id = pr.run_id AND NOT d.is_origin AND d.index = pr.destination_index AND d.kind = 'centre'
                    WHERE pr.run_id = $1 AND o.code = p.zone AND pr.percentiles[3] <= 2700)
            FROM p ORDER BY p.metres, p.zone LIMIT 1
            """);
        cmd.Parameters.Add(new() { Value = run });
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync(), "the sample should have a zone that cannot reach some centre in 45 minutes");
        return (r.GetString(0), r.GetDouble(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4), r.GetInt32(5));
    }

    private static string LonLat(double lon, double lat) => string.Create(CultureInfo.InvariantCulture, $"[{lon:R}, {lat:R}]");

    [Fact]
    public async Task A_route_drawn_on_the_map_is_saved_run_against_its_baseline_and_shown_as_the_change_with_the_apis_headline()
    {
        // A probe run (all defaults) to choose where to draw.
        var probeResponse = await api.Writer().PostAsync("/analyses", new StringContent("""{"type":"zone-access","serviceDate":"2026-11-25"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, probeResponse.StatusCode);
        var probe = (await probeResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal("succeeded", (await api.WaitAsync(probe)).GetProperty("state").GetString());
        var pair = await PairAsync(probe);
        var minCentres = pair.Reached + 1;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchForMapAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var errors = new List<string>();
        var offline = new List<string>();
        var origin = api.ServerAddress!.GetLeftPart(UriPartial.Authority);
        page.PageError += (_, e) => errors.Add(e);
        page.Request += (_, r) => { if (!r.Url.StartsWith(origin, StringComparison.Ordinal) && !r.Url.StartsWith("blob:", StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal)) offline.Add(r.Url); };
        await page.GotoAsync(new Uri(api.ServerAddress!, $"/map?run={probe}").ToString());
        await page.WaitForSelectorAsync("body[data-state=idle]", new() { Timeout = 60_000 });

        // The scenario panel: the route's service and the runs' target. Saving without the key is refused with a readable message.
        await page.ClickAsync("#scenario-panel summary");
        await page.FillAsync("#sc-name", "Test link");
        await page.FillAsync("#sc-spacing", "50000");  // longer than the line: a stop at each end only
        await page.FillAsync("#sc-headway", "5");
        await page.FillAsync("#sc-speed", "40");
        await page.FillAsync("#sc-dwell", "0");
        await page.FillAsync("#sc-from", "06:00");
        await page.FillAsync("#sc-to", "12:00");
        await page.FillAsync("#sc-min", minCentres.ToString(CultureInfo.InvariantCulture));
        await page.FillAsync("#sc-date", "2026-11-25"); // the probe's day

        // Draw: zoom to the two ends, click at the zone's centroid, double-click at the centre.
        await page.EvaluateAsync($"() => new Promise(r => {{ lisgeo.map.once('idle', () => r(true)); lisgeo.map.fitBounds([{LonLat(pair.ZoneLon, pair.ZoneLat)}, {LonLat(pair.CentreLon, pair.CentreLat)}], {{ padding: 150, duration: 0 }}); }})");
        await page.ClickAsync("#draw-start");
        var box = (await page.Locator("#map").BoundingBoxAsync())!;
        async Task<(float X, float Y)> ScreenAsync(double lon, double lat)
        {
            var xy = await page.EvaluateAsync<JsonElement>($"() => {{ const p = lisgeo.map.project({LonLat(lon, lat)}); return [p.x, p.y]; }}");
            return (box.X + xy[0].GetSingle(), box.Y + xy[1].GetSingle());
        }
        var start = await ScreenAsync(pair.ZoneLon, pair.ZoneLat);
        var end = await ScreenAsync(pair.CentreLon, pair.CentreLat);
        await page.Mouse.ClickAsync(start.X, start.Y);
        await page.Mouse.DblClickAsync(end.X, end.Y);
        var drawn = await page.EvaluateAsync<JsonElement>("() => ({ drawing: lisgeo.draft.drawing, points: lisgeo.draft.points })");
        Assert.False(drawn.GetProperty("drawing").GetBoolean());
        var points = drawn.GetProperty("points").EnumerateArray().Select(p => (Lon: p[0].GetDouble(), Lat: p[1].GetDouble())).ToList();
        Assert.Equal(2, points.Count); // the double-click's two clicks made one vertex
        static double Metres((double Lon, double Lat) a, double lon, double lat) =>
            Math.Sqrt(Math.Pow((a.Lat - lat) * 111_195, 2) + Math.Pow((a.Lon - lon) * 111_195 * Math.Cos(lat * Math.PI / 180), 2));
        Assert.True(Metres(points[0], pair.ZoneLon, pair.ZoneLat) < 30, $"first vertex {points[0]} is off the zone centroid");
        Assert.True(Metres(points[1], pair.CentreLon, pair.CentreLat) < 30, $"last vertex {points[1]} is off the centre");

        await page.ClickAsync("#sc-save");
        await page.WaitForSelectorAsync("#scenario-status .error");
        Assert.Contains("API key", await page.InnerTextAsync("#scenario-status"));
        await page.FillAsync("#api-key", ApiFixture.ApiKey);
        Assert.Equal(ApiFixture.ApiKey, await page.EvaluateAsync<string>("() => sessionStorage.getItem('lisgeo.apiKey')"));
        Assert.Equal(0, await page.EvaluateAsync<int>("() => localStorage.length"));
        // A value the API refuses: its ProblemDetails shown as the message naming the field; nothing stored, the drawing kept.
        await page.FillAsync("#sc-speed", "0");
        await page.ClickAsync("#sc-save");
        await page.WaitForSelectorAsync("#scenario-status .error:has-text('speedKmh')");
        Assert.Equal("POST /scenarios: modifications[0].speedKmh: must be > 0 (got 0).", await page.InnerTextAsync("#scenario-status .error"));
        Assert.Equal(0, (await api.GetJsonAsync("/scenarios")).GetProperty("numberReturned").GetInt32());
        Assert.Equal(2, await page.EvaluateAsync<int>("() => lisgeo.draft.points.length"));
        await page.FillAsync("#sc-speed", "40");
        await page.ClickAsync("#sc-save");
        await page.WaitForFunctionAsync("() => lisgeo.state.scenario?.preview != null", null, new() { Timeout = 30_000 });
        var scenarioId = await page.EvaluateAsync<long>("() => lisgeo.state.scenario.id");
        // Stored as drawn: one add-route with the clicked line and the panel's values.
        var stored = await api.GetJsonAsync($"/scenarios/{scenarioId}");
        Assert.Equal("Test link", stored.GetProperty("name").GetString());
        var mod = stored.GetProperty("modifications")[0];
        Assert.Equal("add-route", mod.GetProperty("type").GetString());
        Assert.Equal(points.Select(p => new[] { p.Lon, p.Lat }), mod.GetProperty("line").EnumerateArray().Select(p => new[] { p[0].GetDouble(), p[1].GetDouble() }));
        Assert.Equal((50000.0, 40.0, 300), (mod.GetProperty("stopSpacingMeters").GetDouble(), mod.GetProperty("speedKmh").GetDouble(), mod.GetProperty("frequencies")[0].GetProperty("headwaySeconds").GetInt32()));
        // The preview drawn is the API's.
        var preview = await api.GetJsonAsync($"/scenarios/{scenarioId}/preview");
        var newStops = preview.GetProperty("features").EnumerateArray().Count(f => f.GetProperty("properties").GetProperty("kind").GetString() == "new-stop");
        Assert.Equal(2, newStops);
        Assert.Equal(newStops, await page.EvaluateAsync<int>("() => lisgeo.state.scenario.preview.stops"));
        Assert.Contains($"Saved as scenario {scenarioId}", await page.InnerTextAsync("#scenario-status"));

        // Run both; the page follows them and opens the comparison.
        await page.ClickAsync("#sc-run");
        await page.WaitForFunctionAsync("() => lisgeo.state.compare != null || document.querySelector('#scenario-status .error')", null, new() { Timeout = 120_000 });
        Assert.Empty(await page.Locator("#scenario-status .error").AllInnerTextsAsync());
        await page.WaitForSelectorAsync("body[data-state=idle]", new() { Timeout = 60_000 });
        var runs = await page.EvaluateAsync<JsonElement>("() => lisgeo.state.scenarioRuns");
        var (baseline, scenarioRun) = (runs.GetProperty("baseline").GetInt64(), runs.GetProperty("scenario").GetInt64());
        var b = await api.GetJsonAsync($"/analyses/{baseline}");
        var s = await api.GetJsonAsync($"/analyses/{scenarioRun}");
        Assert.Equal(("succeeded", "succeeded"), (b.GetProperty("state").GetString(), s.GetProperty("state").GetString()));
        Assert.Equal(scenarioId, s.GetProperty("scenario").GetProperty("id").GetInt64());
        Assert.False(b.TryGetProperty("scenario", out var none) && none.ValueKind != JsonValueKind.Null, "the baseline has no scenario");
        Assert.Equal(minCentres, s.GetProperty("record").GetProperty("parameters").GetProperty("access").GetProperty("minCentres").GetInt32());
        Assert.Equal(("2026-11-25", "2026-11-25"), (b.GetProperty("record").GetProperty("serviceDate").GetString(), s.GetProperty("record").GetProperty("serviceDate").GetString()));
        Assert.EndsWith($"/map?compare={scenarioRun}&baseline={baseline}", page.Url);
        Assert.Equal(baseline.ToString(CultureInfo.InvariantCulture), await page.InputValueAsync("#baseline"));

        // The headline: every figure shown is the API's, as the page prints it.
        var overall = (await api.GetJsonAsync($"/analyses/{scenarioRun}/compare?baseline={baseline}")).GetProperty("summary").GetProperty("overall");
        static string Pct(double v) => (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
        // en-GB groups thousands with commas, as the invariant culture does (the test host has no ICU cultures).
        static string People(double v) => Math.Round(v, MidpointRounding.AwayFromZero).ToString("N0", CultureInfo.InvariantCulture);
        foreach (var (name, text) in new (string, Func<double, string>)[]
                 {
                     ("shareBefore", Pct), ("shareAfter", Pct), ("residentsGaining", People), ("residentsGainingMostDeprived20", People),
                     ("residentsLosing", People), ("residentsLosingMostDeprived20", People),
                 })
        {
            var cell = page.Locator($"#compare tr[data-figure={name}] td.num");
            Assert.Equal(overall.GetProperty(name).GetDouble(), double.Parse((await cell.GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture));
            Assert.Equal(text(overall.GetProperty(name).GetDouble()), await cell.InnerTextAsync());
        }
        var change = overall.GetProperty("shareChange").GetDouble();
        Assert.Equal(change, double.Parse((await page.GetAttributeAsync("#compare tr[data-figure=shareChange] td.num", "data-value"))!, CultureInfo.InvariantCulture));
        // Percentage points with a sign (the page prints the minus sign, U+2212).
        Assert.Equal((change > 0 ? "+" : change < 0 ? "\u2212" : "") + Math.Abs(change * 100).ToString("0.0", CultureInfo.InvariantCulture), await page.InnerTextAsync("#compare tr[data-figure=shareChange] td.num"));

        // The zones that gain, from the comparison collection: the drawn zone among them, and their residents are the headline's.
        var features = (await api.GetJsonAsync($"/collections/analysis-{scenarioRun}-vs-{baseline}/items?limit=1000")).GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(17, features.Count);
        var gains = features.Where(f => f.GetProperty("properties").GetProperty("target_change").GetString() == "gains").ToList();
        Assert.Contains(gains, f => f.GetProperty("id").GetString() == pair.Zone);
        Assert.Equal(gains.Sum(f => f.GetProperty("properties").GetProperty("population").GetDouble()), overall.GetProperty("residentsGaining").GetDouble(), 6);
        Assert.True(overall.GetProperty("residentsGaining").GetDouble() > 0);

        // The diverging choropleth: every zone drawn with the collection's change, and the legend's seven classes centred on no change.
        var expected = features.ToDictionary(f => f.GetProperty("id").GetString()!, f => f.GetProperty("properties").GetProperty("centres_reachable_change").GetInt32());
        var rendered = await page.EvaluateAsync<JsonElement>(
            "() => lisgeo.map.queryRenderedFeatures({ layers: ['zones-fill'] }).map(f => [f.properties.code, f.properties.centres_reachable_change])");
        Assert.Equal(expected.OrderBy(kv => kv.Key), rendered.EnumerateArray().GroupBy(a => a[0].GetString()!).ToDictionary(g => g.Key, g => g.First()[1].GetInt32()).OrderBy(kv => kv.Key));
        Assert.Contains("Change in centres reachable", await page.InnerTextAsync("#legend h2"));
        var legend = (await page.Locator("#legend .legend-row").AllInnerTextsAsync()).Take(7).ToList();
        Assert.Equal(new[] { "\u22123 or fewer", "\u22122", "\u22121", "No change", "+1", "+2", "+3 or more" }, legend);
        Assert.True(expected[pair.Zone] >= 1);

        // Gains / loses: the legend changes to the target's three classes.
        await page.CheckAsync("input[value=target_change]");
        var targetLegend = await page.InnerTextAsync("#legend");
        Assert.Contains($"Gains the target ({minCentres}+ centres within 45 min)", targetLegend);
        Assert.Contains("Loses the target", targetLegend);
        await page.CheckAsync("input[value=centres_reachable_change]");

        // A click on the drawn zone shows its before and after.
        var zone = features.Single(f => f.GetProperty("id").GetString() == pair.Zone);
        var inside = SampleRegion.Geometry(zone.GetProperty("geometry")).InteriorPoint;
        await page.EvaluateAsync("() => ['housing-sites-fill', 'housing-sites-dot', 'housing-sites-point', 'employment-sites-fill', 'employment-sites-dot', 'employment-sites-point', 'centres', 'preview-stops', 'preview-lines'].forEach(l => lisgeo.map.setLayoutProperty(l, 'visibility', 'none'))");
        await page.EvaluateAsync($"() => new Promise(r => {{ lisgeo.map.once('idle', () => r(true)); lisgeo.map.jumpTo({{ center: {LonLat(inside.X, inside.Y)}, zoom: 13 }}); }})");
        var at = await ScreenAsync(inside.X, inside.Y);
        await page.Mouse.ClickAsync(at.X, at.Y);
        await page.WaitForSelectorAsync("#info table.zone-change");
        var p = zone.GetProperty("properties");
        var row = await page.Locator("#info table.zone-change tr:nth-child(2) td").AllInnerTextsAsync();
        Assert.Equal(new[] { "Centres reachable", $"{p.GetProperty("centres_reachable_baseline").GetInt32()}", $"{p.GetProperty("centres_reachable_scenario").GetInt32()}", $"+{p.GetProperty("centres_reachable_change").GetInt32()}" }, row);
        Assert.Contains("gains", await page.InnerTextAsync("#info table.zone-change tr:nth-child(3)"));
        await page.ClickAsync("#info .close");

        Assert.Empty(errors);
        Assert.Empty(offline);

        // The screenshot for the README: the whole comparison, the route and its stops drawn.
        await page.EvaluateAsync("() => ['housing-sites-fill', 'housing-sites-dot', 'housing-sites-point', 'employment-sites-fill', 'employment-sites-dot', 'employment-sites-point', 'centres', 'preview-stops', 'preview-lines'].forEach(l => lisgeo.map.setLayoutProperty(l, 'visibility', 'visible'))");
        await page.SetViewportSizeAsync(1280, 1150); // the panel's headline and legend in one view
        await page.EvaluateAsync("() => { document.getElementById('panel').scrollTop = 0; return new Promise(r => { lisgeo.map.once('idle', () => r(true)); lisgeo.map.jumpTo({ center: [-1.98, 52.53], zoom: 10.3 }); }); }");
        Directory.CreateDirectory(MapPageTests.Output);
        await page.ScreenshotAsync(new() { Path = Path.Combine(MapPageTests.Output, "scenario-map.png") });
    }
}
