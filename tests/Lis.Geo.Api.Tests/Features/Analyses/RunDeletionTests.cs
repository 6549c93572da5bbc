using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Lis.Geo.Api.Tests.Features.Analyses;

/// <summary>The analysis fixture with /collections listing the results of the newest run only.</summary>
public sealed class ListedRunsFixture : AnalysisFixture
{
    protected override IEnumerable<(string Key, string Value)> Settings => [.. base.Settings, ("Api:ListedRuns", "1")];
}

/// <summary>
/// Runs as collections without clutter: /collections lists the newest runs' results only, every run's
/// collections stay reachable, and DELETE /analyses/{id} removes a finished run and everything it owns
/// (real Hangfire, real PostGIS).
/// </summary>
public sealed class RunDeletionTests(ListedRunsFixture api) : IClassFixture<ListedRunsFixture>
{
    /// <summary>Every table holding a run's rows, with the run's rows counted in each.</summary>
    private static readonly string[] RunTables =
        ["analysis_point", "analysis_chunk", "analysis_origin_result", "analysis_pair_result", "analysis_site_result", "analysis_isochrone"];

    private async Task<long> RunAsync(string body)
    {
        var response = await api.Writer().PostAsync("/analyses", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal("succeeded", (await api.WaitAsync(id)).GetProperty("state").GetString());
        return id;
    }

    private async Task<Dictionary<string, long>> RowsAsync(long run)
    {
        var rows = new Dictionary<string, long>();
        foreach (var table in RunTables)
            rows[table] = await api.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE run_id = $1", run);
        rows["analysis_run"] = await api.ScalarAsync<long>("SELECT count(*) FROM analysis_run WHERE id = $1", run);
        return rows;
    }

    private async Task<HashSet<string>> ListedAsync() =>
        (await api.GetJsonAsync("/collections")).GetProperty("collections").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToHashSet();

    [Fact]
    public async Task Collections_lists_the_newest_runs_and_deleting_a_run_removes_it_and_nothing_else()
    {
        var older = await RunAsync("""{"type":"site-access","serviceDate":"2026-11-25","minCentres":2}""");
        var newer = await RunAsync("""{"type":"zone-access","serviceDate":"2026-11-25","minCentres":2}""");

        // Only the newest run (Api:ListedRuns = 1) is listed; the older one is reachable by id and under its run.
        var listed = await ListedAsync();
        Assert.Contains($"analysis-{newer}-zones", listed);
        Assert.DoesNotContain(listed, id => id.StartsWith($"analysis-{older}-", StringComparison.Ordinal));
        Assert.Contains("zones-lsoa11", listed);
        var olderCollections = (await api.GetJsonAsync($"/analyses/{older}/collections")).GetProperty("collections").EnumerateArray()
            .Select(c => c.GetProperty("id").GetString()).ToList();
        Assert.Equal([$"analysis-{older}-zones", $"analysis-{older}-housing", $"analysis-{older}-sites"], olderCollections);
        var olderSites = await api.GetJsonAsync($"/collections/analysis-{older}-sites/items");
        Assert.True(olderSites.GetProperty("numberMatched").GetInt32() > 0);
        Assert.Equal(17, (await api.GetJsonAsync($"/collections/analysis-{older}-zones/items")).GetProperty("numberMatched").GetInt32());

        var olderRows = await RowsAsync(older);
        var newerRows = await RowsAsync(newer);
        Assert.True(olderRows["analysis_site_result"] > 0 && olderRows["analysis_pair_result"] > 0);
        Assert.True(newerRows["analysis_pair_result"] > 0);
        // Cached in the catalogue (count and extent) before the delete.
        var newerZones = await api.GetJsonAsync($"/collections/analysis-{newer}-zones/items");

        await Problem.AssertAsync(api.Client.DeleteAsync($"/analyses/{newer}"), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.NoContent, (await api.Writer().DeleteAsync($"/analyses/{newer}")).StatusCode);

        Assert.All(await RowsAsync(newer), t => Assert.True(t.Value == 0, $"{t.Key} still has {t.Value} rows of run {newer}"));
        Assert.Equal(olderRows, await RowsAsync(older));
        await Problem.AssertAsync(api.Client.GetAsync($"/analyses/{newer}"), HttpStatusCode.NotFound, "id");
        await Problem.AssertAsync(api.Client.GetAsync($"/analyses/{newer}/zones"), HttpStatusCode.NotFound, "id");
        await Problem.AssertAsync(api.Client.GetAsync($"/collections/analysis-{newer}-zones"), HttpStatusCode.NotFound, "collectionId");
        await Problem.AssertAsync(api.Client.GetAsync($"/collections/analysis-{newer}-zones/items"), HttpStatusCode.NotFound, "collectionId");
        await Problem.AssertAsync(api.Client.GetAsync($"/collections/analysis-{newer}-zones/tiles/WebMercatorQuad/8/84/126"), HttpStatusCode.NotFound, "collectionId");
        await Problem.AssertAsync(api.Writer().DeleteAsync($"/analyses/{newer}"), HttpStatusCode.NotFound, "id");

        // The older run is now the newest: listed, and its results as they were.
        listed = await ListedAsync();
        Assert.DoesNotContain(listed, id => id.StartsWith($"analysis-{newer}-", StringComparison.Ordinal));
        Assert.Contains($"analysis-{older}-sites", listed);
        Assert.Equal(olderSites.GetProperty("features").GetRawText(),
            (await api.GetJsonAsync($"/collections/analysis-{older}-sites/items")).GetProperty("features").GetRawText());
        Assert.Equal(17, newerZones.GetProperty("numberMatched").GetInt32());
    }
}
