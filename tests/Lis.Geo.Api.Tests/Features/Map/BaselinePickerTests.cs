using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace Lis.Geo.Api.Tests.Features.Map;

/// <summary>
/// The comparison link of GET /analyses/{id}/compare opened on /map, in Debian's Chromium against the
/// real API and PostGIS: a baseline posted with no feed (the default) and a scenario run whose feed
/// comes from the scenario are comparable for the API, so the page's baseline picker offers the
/// baseline (it asks GET /analyses/{id}/baselines) and the comparison is drawn.
/// </summary>
public sealed class BaselinePickerTests(MapFixture api) : IClassFixture<MapFixture>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<long> RunAsync(string body)
    {
        var response = await api.Writer().PostAsync("/analyses", Json(body));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal("succeeded", (await api.WaitAsync(id)).GetProperty("state").GetString());
        return id;
    }

    [Fact]
    public async Task The_compare_links_map_shows_the_comparison_of_a_default_feed_baseline_and_a_scenario_run()
    {
        var created = await api.Writer().PostAsync("/scenarios", Json("""
            {"name":"East link","modifications":[
              {"type":"add-route","routeId":"X1","bidirectional":false,
               "stops":[{"stopId":"B01"},{"stopId":"NEW1","lat":52.4798,"lon":-1.7238}],
               "speedKmh":30,"frequencies":[{"from":"07:00","to":"08:00","headwaySeconds":600}]}]}
            """));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var scenario = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var baseline = await RunAsync("""{"type":"zone-access","serviceDate":"2026-11-25"}""");
        var withScenario = await RunAsync($$"""{"type":"zone-access","serviceDate":"2026-11-25","scenario":{{scenario}}}""");
        var other = await RunAsync("""{"type":"zone-access","serviceDate":"2026-11-25","minCentres":1}""");

        // The records say how the feed was chosen: the default for the baseline, the scenario's for the other.
        var b = await api.GetJsonAsync($"/analyses/{baseline}");
        var s = await api.GetJsonAsync($"/analyses/{withScenario}");
        Assert.True(b.GetProperty("record").GetProperty("parameters").GetProperty("defaultFeed").GetBoolean());
        Assert.False(s.GetProperty("record").GetProperty("parameters").GetProperty("defaultFeed").GetBoolean());
        Assert.Equal(b.GetProperty("record").GetProperty("parameters").GetProperty("feeds").GetRawText(), s.GetProperty("record").GetProperty("parameters").GetProperty("feeds").GetRawText());

        // The API's list of baselines is exactly the runs /compare accepts: the baseline, not the run with another target.
        var listed = (await api.GetJsonAsync($"/analyses/{withScenario}/baselines")).GetProperty("comparable").EnumerateArray().Select(e => e.GetInt64()).ToList();
        Assert.Contains(baseline, listed);
        Assert.DoesNotContain(other, listed);
        Assert.DoesNotContain(withScenario, listed);
        var refused = await api.Client.GetAsync($"/analyses/{withScenario}/compare?baseline={other}");
        Assert.Equal((HttpStatusCode)422, refused.StatusCode);
        var compare = await api.GetJsonAsync($"/analyses/{withScenario}/compare?baseline={baseline}");
        var mapLink = compare.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "map").GetProperty("href").GetString()!;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchForMapAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(new Uri(api.ServerAddress!, new Uri(mapLink).PathAndQuery).ToString());
        await page.WaitForSelectorAsync("body[data-state=idle]", new() { Timeout = 60_000 });
        Assert.Empty(errors);
        Assert.Equal(baseline.ToString(CultureInfo.InvariantCulture), await page.InputValueAsync("#baseline"));
        Assert.Equal(baseline, await page.EvaluateAsync<long>("() => lisgeo.state.compare.baseline"));
        var options = await page.EvaluateAsync<long[]>("() => [...document.querySelectorAll('#baseline option')].map(o => Number(o.value)).filter(v => v)");
        Assert.Equal(listed.Order(), options.Order());
        Assert.Contains($"against run {baseline}", await page.InnerTextAsync("#compare h2"));
    }
}
