using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lis.Geo.Api.Tests.Features.Analyses;

namespace Lis.Geo.Api.Tests.Features.Scenarios;

/// <summary>
/// <c>GET /analyses/{id}/compare</c> while a run is unfinished, with no Hangfire server in the host
/// (<see cref="ManualJobsFixture"/>): the runs stay queued until the test executes their jobs one by
/// one, so every state is reached deterministically, with no sleep racing a worker.
/// </summary>
public sealed class CompareUnfinishedTests(ManualJobsFixture api) : IClassFixture<ManualJobsFixture>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    // forward: 17 origins in chunks of 5, so a run can be left part-done (running) after its first chunk.
    private const string Parameters = "\"serviceDate\":\"2026-11-25\",\"minCentres\":2,\"search\":\"forward\"";

    private async Task<long> StartAsync(string body)
    {
        var response = await api.Writer().PostAsync("/analyses", Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt64();
    }

    private async Task<string> StateAsync(long run) => (await api.GetJsonAsync($"/analyses/{run}")).GetProperty("state").GetString()!;

    private async Task FinishAsync(long run)
    {
        var chunks = await api.ScalarAsync<long>("SELECT count(*) FROM analysis_chunk WHERE run_id = $1", run);
        for (var i = 0; i < chunks; i++) await api.Jobs().RunChunkAsync(run, i, CancellationToken.None);
        await api.Jobs().AggregateAsync(run, null, CancellationToken.None);
        Assert.Equal("succeeded", await StateAsync(run));
    }

    /// <summary>Asserts the 409 of comparing <paramref name="run"/> with <paramref name="baseline"/>, naming <paramref name="field"/> in <paramref name="state"/>.</summary>
    private async Task RefusedAsync(long run, long baseline, string field, long unfinished, string state)
    {
        var p = await Problem.AssertAsync(api.Client.GetAsync($"/analyses/{run}/compare?baseline={baseline}"), HttpStatusCode.Conflict, field);
        Assert.Equal(state, p.GetProperty("state").GetString());
        Assert.Contains($"Run {unfinished} is {state}", p.GetProperty("detail").GetString());
        // Nor is the zone-by-zone collection served (404 until both have succeeded).
        Assert.Equal(HttpStatusCode.NotFound, (await api.Client.GetAsync($"/collections/analysis-{run}-vs-{baseline}/items")).StatusCode);
    }

    [Fact]
    public async Task Compare_is_409_naming_the_unfinished_run_while_either_is_queued_running_or_cancelled()
    {
        var created = await api.Writer().PostAsync("/scenarios", Json("""{"name":"unchanged","modifications":[]}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var scenario = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var baseline = await StartAsync($"{{{Parameters}}}");
        var run = await StartAsync($"{{{Parameters},\"scenario\":{scenario}}}");
        Assert.Equal(("queued", "queued"), (await StateAsync(baseline), await StateAsync(run)));

        // Both queued: the run is named first (field id).
        await RefusedAsync(run, baseline, "id", run, "queued");

        // The baseline done, the scenario run still queued: refused either way round, naming the unfinished one.
        await FinishAsync(baseline);
        await RefusedAsync(run, baseline, "id", run, "queued");
        await RefusedAsync(baseline, run, "baseline", run, "queued");

        // Part-done: one chunk of four.
        await api.Jobs().RunChunkAsync(run, 0, CancellationToken.None);
        Assert.Equal("running", await StateAsync(run));
        await RefusedAsync(run, baseline, "id", run, "running");
        await RefusedAsync(baseline, run, "baseline", run, "running");

        // A cancelled run never becomes comparable.
        var cancelled = await StartAsync($"{{{Parameters},\"scenario\":{scenario}}}");
        Assert.Equal(HttpStatusCode.OK, (await api.Writer().PostAsync($"/analyses/{cancelled}/cancel", null)).StatusCode);
        await RefusedAsync(cancelled, baseline, "id", cancelled, "cancelled");

        // Once both have succeeded the comparison answers, and the empty scenario changes nothing. (Neither
        // request named a feed: the baseline took the default feed, the scenario run its scenario's, the same
        // feed and hash, so they compare, as the README's curl walk-through does.)
        await FinishAsync(run);
        var response = await api.Client.GetAsync($"/analyses/{run}/compare?baseline={baseline}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var overall = JsonDocument.Parse(text).RootElement.GetProperty("summary").GetProperty("overall");
        Assert.Equal(17, overall.GetProperty("zones").GetInt32());
        Assert.Equal((0.0, 0.0, 0.0), (overall.GetProperty("shareChange").GetDouble(), overall.GetProperty("residentsGaining").GetDouble(), overall.GetProperty("residentsLosing").GetDouble()));
        Assert.Equal(HttpStatusCode.OK, (await api.Client.GetAsync($"/collections/analysis-{run}-vs-{baseline}/items")).StatusCode);
    }
}
