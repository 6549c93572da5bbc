using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Hangfire;
using Lis.Geo.Api.Tests.Features.Analyses;
using Lis.Geo.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Lis.Geo.Api.Tests.Features.Processes;

/// <summary>
/// OGC API – Processes dismiss (<c>DELETE /jobs/{id}</c>) of a job that is still queued. The host has no
/// Hangfire server (<see cref="ManualJobsFixture"/>), so the job is certainly queued when it is dismissed,
/// and afterwards the test performs exactly the Hangfire jobs that were enqueued for it, as a worker
/// picking them up late would: none may compute or store anything.
/// </summary>
public sealed class JobDismissalTests(ManualJobsFixture api) : IClassFixture<ManualJobsFixture>
{
    /// <summary>The Hangfire jobs waiting in the real storage for <paramref name="runId"/> (chunks and aggregation).</summary>
    private List<Hangfire.Common.Job> Enqueued(long runId) =>
        api.Services.GetRequiredService<JobStorage>().GetMonitoringApi().EnqueuedJobs("default", 0, 1000)
            .Select(j => j.Value.Job)
            .Where(j => j.Type == typeof(AnalysisJobs) && j.Args.Count > 0 && j.Args[0] is long run && run == runId)
            .ToList();

    /// <summary>Performs a stored job on a fresh <see cref="AnalysisJobs"/>, with the arguments Hangfire stored (a token for the token).</summary>
    private async Task PerformAsync(Hangfire.Common.Job job)
    {
        var parameters = job.Method.GetParameters();
        var args = job.Args.Select((a, i) => parameters[i].ParameterType == typeof(CancellationToken) ? CancellationToken.None : a).ToArray();
        try
        {
            await (Task)job.Method.Invoke(api.Jobs(), args)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private Task<long> Rows(string table, long runId) => api.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE run_id = $1", runId);

    [Fact]
    public async Task Dismissing_a_queued_job_cancels_it_and_the_late_worker_computes_and_stores_nothing()
    {
        using var writer = api.Writer();
        var created = await writer.PostAsync("/processes/zone-access/execution", new StringContent(
            """{"inputs":{"serviceDate":"2026-11-25","search":"forward"}}""", Encoding.UTF8, "application/json"));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var jobId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobID").GetString()!;
        var id = long.Parse(jobId, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("accepted", (await api.GetJsonAsync($"/jobs/{jobId}")).GetProperty("status").GetString());

        // Queued for real: one Hangfire job per chunk (17 origins in chunks of 5), none started.
        var chunks = await Rows("analysis_chunk", id);
        Assert.Equal(4L, chunks);
        var queued = Enqueued(id);
        Assert.Equal(chunks, queued.Count(j => j.Method.Name == nameof(AnalysisJobs.RunChunkAsync)));

        // Without the key nothing changes.
        await Problem.AssertAsync(api.Client.DeleteAsync($"/jobs/{jobId}"), HttpStatusCode.Unauthorized);
        Assert.Equal("accepted", (await api.GetJsonAsync($"/jobs/{jobId}")).GetProperty("status").GetString());

        var dismissed = await writer.DeleteAsync($"/jobs/{jobId}");
        Assert.Equal(HttpStatusCode.OK, dismissed.StatusCode);
        var body = await dismissed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((jobId, "dismissed"), (body.GetProperty("jobID").GetString(), body.GetProperty("status").GetString()));
        Assert.Equal("dismissed", (await api.GetJsonAsync($"/jobs/{jobId}")).GetProperty("status").GetString());
        Assert.Equal("cancelled", (await api.GetJsonAsync($"/analyses/{jobId}")).GetProperty("state").GetString());

        // The worker gets to the queued jobs only now: every one of them returns without routing or writing.
        foreach (var job in queued) await PerformAsync(job);
        await api.Jobs().AggregateAsync(id, null, CancellationToken.None); // even an aggregation nobody queued
        var run = await api.GetJsonAsync($"/analyses/{jobId}");
        Assert.Equal("cancelled", run.GetProperty("state").GetString());
        Assert.Equal((0, 0), (run.GetProperty("progress").GetProperty("originsDone").GetInt32(), run.GetProperty("progress").GetProperty("chunksDone").GetInt32()));
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_chunk WHERE run_id = $1 AND (attempts > 0 OR done_at IS NOT NULL)", id));
        foreach (var table in new[] { "analysis_pair_result", "analysis_origin_result", "analysis_origin_part", "analysis_site_result" })
            Assert.True(await Rows(table, id) == 0, $"{table} holds rows of the dismissed job {jobId}");
        Assert.Equal("dismissed", (await api.GetJsonAsync($"/jobs/{jobId}")).GetProperty("status").GetString());

        // No results are offered, and the run's collections do not exist.
        var notReady = await Problem.AssertAsync(api.Client.GetAsync($"/jobs/{jobId}/results"), HttpStatusCode.NotFound, "jobId");
        Assert.Equal("dismissed", notReady.GetProperty("jobStatus").GetString());
        await Problem.AssertAsync(api.Client.GetAsync($"/collections/analysis-{jobId}-zones/items"), HttpStatusCode.NotFound, "collectionId");

        // Dismissed again, now that it is finished, it is removed with every row it had.
        Assert.True(await Rows("analysis_point", id) > 0);
        Assert.Equal(HttpStatusCode.OK, (await writer.DeleteAsync($"/jobs/{jobId}")).StatusCode);
        foreach (var table in new[] { "analysis_point", "analysis_chunk", "analysis_work" })
            Assert.True(await Rows(table, id) == 0, $"{table} still holds rows of the removed job {jobId}");
        await Problem.AssertAsync(api.Client.GetAsync($"/jobs/{jobId}"), HttpStatusCode.NotFound, "jobId");
    }
}
