using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace Lis.Geo.Api.Tests.Features.Map;

/// <summary>
/// The /map page's details a first-time user sees, in Debian's Chromium against the real API and
/// PostGIS: one dot per polygon site (not one per vertex), the legend's singular, the attribution of
/// the deprivation edition the run uses, and a console with no error (the favicon is served).
/// </summary>
public sealed class MapDetailsTests(MapFixture api) : IClassFixture<MapFixture>
{
    private static string LonLat(double lon, double lat) => string.Create(CultureInfo.InvariantCulture, $"[{lon:R}, {lat:R}]");

    [Fact]
    public async Task Polygon_sites_get_one_dot_the_legend_and_attribution_read_right_and_the_console_is_clean()
    {
        var response = await api.Writer().PostAsync("/analyses", new StringContent("""{"type":"zone-access","serviceDate":"2026-11-25","minCentres":2}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var run = await api.WaitAsync(id);
        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        var deprivation = run.GetProperty("record").GetProperty("parameters").GetProperty("deprivation").GetString();
        var editionName = deprivation switch { "imd2019" => "IMD 2019", "iod2025" => "IoD 2025", var d => throw new InvalidOperationException($"unexpected edition {d}") };

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchForMapAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var consoleErrors = new List<string>();
        var failed = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") consoleErrors.Add(m.Text); };
        page.PageError += (_, e) => consoleErrors.Add(e);
        page.Response += (_, r) => { if (r.Status >= 400) failed.Add($"{r.Status} {r.Url}"); };
        await page.GotoAsync(new Uri(api.ServerAddress!, $"/map?run={id}").ToString());
        await page.WaitForSelectorAsync("body[data-state=idle]", new() { Timeout = 60_000 });

        // minCentres 2: the classes are 0, 1, 2, 3 and 4+; the one-centre class is singular.
        var legend = await page.Locator("#legend .legend-row").AllInnerTextsAsync();
        Assert.Equal(new[] { "0 centres reachable", "1 centre reachable", "2 centres reachable", "3 centres reachable", "4+ centres reachable" }, legend.Take(5));

        // The deprivation credit names the run's edition, and comes with the run's zones.
        Assert.Contains($"{editionName} \u00a9 MHCLG", await page.InnerTextAsync(".maplibregl-ctrl-attrib"));
        Assert.Equal($"{editionName} \u00a9 MHCLG (OGL v3)", await page.EvaluateAsync<string>("() => lisgeo.map.getSource('zones').attribution"));

        // An employment site below zoom 13: one dot inside the polygon, none at its corners.
        var site = (await api.GetJsonAsync("/collections/employment-sites/items/SAMPLE-EMP-004")).GetProperty("geometry");
        // Stored as a one-part MultiPolygon (a polygon in the tiles).
        var stored = SampleRegion.Geometry(site);
        Assert.Equal(1, stored.NumGeometries);
        var polygon = (NetTopologySuite.Geometries.Polygon)stored.GetGeometryN(0);
        var middle = polygon.InteriorPoint;
        await page.EvaluateAsync("() => ['housing-sites-fill', 'housing-sites-dot', 'housing-sites-point', 'centres', 'corridors', 'transit-routes'].forEach(l => lisgeo.map.setLayoutProperty(l, 'visibility', 'none'))");
        await page.EvaluateAsync($"() => new Promise(r => {{ lisgeo.map.once('idle', () => r(true)); lisgeo.map.jumpTo({{ center: {LonLat(middle.X, middle.Y)}, zoom: 12.9 }}); }})");
        var corners = polygon.Coordinates.Take(polygon.Coordinates.Length - 1).ToList();
        Assert.Equal(4, corners.Count);
        foreach (var c in corners)
        {
            var hits = await page.EvaluateAsync<int>($"() => {{ const p = lisgeo.map.project({LonLat(c.X, c.Y)}); return lisgeo.map.queryRenderedFeatures([[p.x - 1, p.y - 1], [p.x + 1, p.y + 1]], {{ layers: ['employment-sites-dot'] }}).length; }}");
            Assert.True(hits == 0, $"a dot is drawn at the corner {c.X}, {c.Y} of the site");
        }
        var dots = await page.EvaluateAsync<JsonElement>("""
            () => { const m = lisgeo.map; const s = m.getCanvas();
                    return m.queryRenderedFeatures([[0, 0], [s.clientWidth, s.clientHeight]], { layers: ['employment-sites-dot'] })
                      .filter(f => f.properties.reference === 'SAMPLE-EMP-004').length; }
            """);
        Assert.True(dots.GetInt32() >= 1, "the site has no dot");
        var inside = await page.EvaluateAsync<int>($"() => {{ const p = lisgeo.map.project({LonLat(middle.X, middle.Y)}); return lisgeo.map.queryRenderedFeatures([[p.x - 8, p.y - 8], [p.x + 8, p.y + 8]], {{ layers: ['employment-sites-dot'] }}).length; }}");
        Assert.Equal(1, inside);

        // Nothing failed to load and nothing was logged as an error (the favicon is served).
        Assert.Empty(failed);
        Assert.Empty(consoleErrors);
        var icon = await api.Client.GetAsync("/favicon.ico");
        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.Equal("image/svg+xml", icon.Content.Headers.ContentType!.MediaType);
    }
}
