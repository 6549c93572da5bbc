using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lis.Geo.Api.Tests.Features.Analyses;
using Microsoft.Playwright;

namespace Lis.Geo.Api.Tests.Features.Map;

/// <summary>The sample region's API on a real loopback port, with the sample feed, for a browser.</summary>
public sealed class MapFixture : AnalysisFixture
{
    protected override bool RealServer => true;
}

/// <summary>
/// The /map page in Debian's Chromium driven by Playwright, against the real API (Kestrel) and PostGIS
/// with a finished run: the page loads with nothing from the internet, the map reaches idle, the
/// choropleth's rendered features are the run's zones with the run's figures, the legend and the equity
/// chart show, and clicking a housing site lists its travel time to each centre as the API computes it.
/// A screenshot is kept in the test output (map-page/map.png).
/// </summary>
public sealed class MapPageTests(MapFixture api) : IClassFixture<MapFixture>
{
    public static string Output { get; } = Path.Combine(AppContext.BaseDirectory, "map-page");

    [Fact]
    public async Task The_map_shows_a_runs_zones_legend_and_equity_and_a_clicked_sites_travel_times()
    {
        var response = await api.Writer().PostAsync("/analyses", new StringContent("""{"type":"zone-access","serviceDate":"2026-11-25","minCentres":2}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var run = await api.WaitAsync(id);
        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        // The run's JSON links to its map.
        var mapLink = run.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "map").GetProperty("href").GetString()!;
        Assert.EndsWith($"/map?run={id}", mapLink);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchForMapAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var offline = new List<string>();
        var errors = new List<string>();
        page.Request += (_, r) => { if (!r.Url.StartsWith(api.ServerAddress!.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal) && !r.Url.StartsWith("blob:", StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal)) offline.Add(r.Url); };
        page.PageError += (_, e) => errors.Add(e);
        var started = DateTime.UtcNow;
        await page.GotoAsync(new Uri(api.ServerAddress!, $"/map?run={id}").ToString());
        await page.WaitForSelectorAsync("body[data-state=idle]", new() { Timeout = 60_000 });
        Assert.Empty(errors);
        Assert.Empty(offline);

        // The choropleth: every zone of the run is drawn, with the run's own figures.
        var expected = (await api.GetJsonAsync($"/analyses/{id}/zones?limit=1000")).GetProperty("features").EnumerateArray()
            .ToDictionary(f => f.GetProperty("id").GetString()!, f => f.GetProperty("properties").GetProperty("centres_reachable").GetInt32());
        var rendered = await page.EvaluateAsync<JsonElement>(
            "() => lisgeo.map.queryRenderedFeatures({ layers: ['zones-fill'] }).map(f => [f.properties.code, f.properties.centres_reachable])");
        var drawn = rendered.EnumerateArray().GroupBy(a => a[0].GetString()!).ToDictionary(g => g.Key, g => g.First()[1].GetInt32());
        Assert.Equal(expected.OrderBy(kv => kv.Key), drawn.OrderBy(kv => kv.Key));

        // The legend names the indicator; the equity chart has one bar per decile with the API's shares.
        Assert.Contains("Centres reachable", await page.InnerTextAsync("#legend"));
        Assert.True(await page.Locator("#legend .legend-row").CountAsync() >= 3);
        var equity = (await api.GetJsonAsync($"/analyses/{id}/equity")).GetProperty("byImdDecile").EnumerateArray().ToList();
        await page.WaitForSelectorAsync("#equity rect.bar");
        var bars = page.Locator("#equity rect.bar");
        Assert.Equal(equity.Count, await bars.CountAsync());
        for (var i = 0; i < equity.Count; i++)
            Assert.Equal(equity[i].GetProperty("share").GetDouble(), double.Parse((await bars.Nth(i).GetAttributeAsync("data-share"))!, CultureInfo.InvariantCulture), 9);
        // No label of the chart is cut off: every text box lies inside the SVG's view box (the "100%" label was clipped at the top).
        var clipped = await page.EvaluateAsync<string[]>("""
            () => { const svg = document.querySelector('#equity svg'); const v = svg.viewBox.baseVal;
                    return [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBBox()])
                      .filter(([_, b]) => b.x < v.x || b.y < v.y || b.x + b.width > v.x + v.width || b.y + b.height > v.y + v.height).map(([s]) => s); }
            """);
        Assert.Empty(clipped);
        Assert.Equal(13, await page.Locator("#equity svg text").CountAsync()); // 3 axis labels and 10 decile numbers: the check saw them

        // Switching to the overlay recolours by the bivariate classes and shows their legend.
        await page.CheckAsync("input[value=bivariate_class]");
        Assert.Contains("Most deprived 20%", await page.InnerTextAsync("#legend"));
        await page.CheckAsync("input[value=centres_reachable]");

        // Click a housing site where the map draws it: its travel times to each centre, as the API routes them.
        var site = (await api.GetJsonAsync("/collections/housing-sites/items?limit=1")).GetProperty("features")[0];
        var reference = site.GetProperty("properties").GetProperty("reference").GetString()!;
        var point = SampleRegion.Geometry(site.GetProperty("geometry")).InteriorPoint;
        var lonLat = $"[{point.X.ToString(CultureInfo.InvariantCulture)}, {point.Y.ToString(CultureInfo.InvariantCulture)}]";
        // Close enough that no other site shares the pixel.
        await page.EvaluateAsync($"() => new Promise(r => {{ lisgeo.map.once('idle', () => r(true)); lisgeo.map.jumpTo({{ center: {lonLat}, zoom: 15 }}); }})");
        var xy = await page.EvaluateAsync<JsonElement>($"() => {{ const p = lisgeo.map.project({lonLat}); return [p.x, p.y]; }}");
        var box = (await page.Locator("#map").BoundingBoxAsync())!;
        await page.Mouse.ClickAsync(box.X + xy[0].GetSingle(), box.Y + xy[1].GetSingle());
        await page.WaitForSelectorAsync("#info table.site-access", new() { Timeout = 30_000 });
        Assert.Equal(reference, await page.GetAttributeAsync("#info", "data-site"));
        var access = await api.GetJsonAsync($"/sites/housing-sites/{Uri.EscapeDataString(reference)}/accessibility");
        var centres = access.GetProperty("centres").EnumerateArray().ToList();
        Assert.Equal(centres.Count, await page.Locator("#info table.site-access tr[data-centre]").CountAsync());
        var key = $"p{access.GetProperty("percentile").GetInt32()}";
        foreach (var c in centres)
        {
            var cell = await page.InnerTextAsync($"#info tr[data-centre='{c.GetProperty("code").GetString()}'] td:nth-child(2)");
            var minutes = c.GetProperty("minutes").GetProperty(key);
            Assert.Equal(minutes.ValueKind == JsonValueKind.Null ? "unreachable" : minutes.GetDouble().ToString(CultureInfo.InvariantCulture), cell);
        }
        Assert.Contains(access.GetProperty("centresReachable").GetInt32().ToString(CultureInfo.InvariantCulture), await page.InnerTextAsync("#info"));
        // Its isochrones are drawn from the live endpoint.
        await page.WaitForFunctionAsync("() => lisgeo.state.siteIsochrones != null", null, new() { Timeout = 30_000 });
        var iso = await page.EvaluateAsync<JsonElement>("() => lisgeo.state.siteIsochrones");
        Assert.False(iso.TryGetProperty("error", out var isoError), isoError.ToString());
        var expectedIso = (await api.GetJsonAsync($"/sites/housing-sites/{Uri.EscapeDataString(reference)}/isochrones")).GetProperty("features").GetArrayLength();
        Assert.Equal((reference, expectedIso), (iso.GetProperty("site").GetString(), iso.GetProperty("count").GetInt32()));
        Assert.True(expectedIso > 0);
        // Back to the whole run for the screenshot, the site's figures still open.
        await page.EvaluateAsync("() => new Promise(r => { lisgeo.map.once('idle', () => r(true)); lisgeo.map.jumpTo({ center: [-1.98, 52.53], zoom: 10.3 }); })");

        Directory.CreateDirectory(Output);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Output, "map.png") });
        File.WriteAllText(Path.Combine(Output, "timing.txt"), $"page to idle with the run drawn: {(DateTime.UtcNow - started).TotalMilliseconds:0} ms (includes the site click)\n");
    }
}
