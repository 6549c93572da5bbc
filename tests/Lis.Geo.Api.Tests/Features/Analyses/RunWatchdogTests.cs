using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Hangfire.States;
using Lis.Geo.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Lis.Geo.Api.Tests.Features.Analyses;

/// <summary>
/// The watchdog and the Idempotency-Key, driven step by step: no Hangfire server runs in the host, so
/// jobs wait in the real Hangfire storage while a test loses them, and the watchdog's pass runs when
/// the test calls it.
/// </summary>
[Trait("Category", "Faults")]
public sealed class RunWatchdogTests(ManualJobsFixture api) : IClassFixture<ManualJobsFixture>
{
    private RunWatchdog Watchdog() => ActivatorUtilities.CreateInstance<RunWatchdog>(api.Services);

    private Task<string> JobOf(long run, int? chunk) => chunk is { } c
        ? api.ScalarAsync<string>("SELECT job_id FROM analysis_work WHERE run_id = $1 AND chunk_index = $2", run, c)
        : api.ScalarAsync<string>("SELECT job_id FROM analysis_work WHERE run_id = $1 AND chunk_index IS NULL", run);

    private Task<string> StateOf(long run) => api.ScalarAsync<string>("SELECT state FROM analysis_run WHERE id = $1", run);

    [Fact]
    public async Task A_run_is_stored_with_one_dispatched_job_per_chunk()
    {
        var id = await RunFaults.StartAsync(api);
        Assert.Equal(4L, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_work WHERE run_id = $1 AND job_id IS NOT NULL AND dispatches = 1", id));
        using var hangfire = api.Services.GetRequiredService<JobStorage>().GetConnection();
        for (var c = 0; c < 4; c++)
        {
            var job = hangfire.GetJobData(await JobOf(id, c));
            Assert.Equal(EnqueuedState.StateName, job.State);
            Assert.Equal(nameof(AnalysisJobs.RunChunkAsync), job.Job.Method.Name);
            Assert.Equal((id, c), ((long)job.Job.Args[0], (int)job.Job.Args[1]));
        }
    }

    [Fact]
    public async Task Lost_jobs_are_scheduled_again_and_work_lost_too_often_fails_the_run()
    {
        var id = await RunFaults.StartAsync(api);
        var client = api.Services.GetRequiredService<IBackgroundJobClient>();
        // Chunk 1's job deleted (the dashboard's Delete), chunk 2's job gone from Hangfire's tables altogether.
        var deleted = await JobOf(id, 1);
        Assert.True(client.Delete(deleted));
        var vanished = await JobOf(id, 2);
        await RunFaults.SqlAsync(api, $"DELETE FROM hangfire.job WHERE id = {long.Parse(vanished, System.Globalization.CultureInfo.InvariantCulture)}");
        var untouched = await JobOf(id, 0);

        await Watchdog().PassAsync(CancellationToken.None);
        Assert.NotEqual(deleted, await JobOf(id, 1));
        Assert.NotEqual(vanished, await JobOf(id, 2));
        Assert.Equal(untouched, await JobOf(id, 0));
        Assert.Equal(2, await api.ScalarAsync<int>("SELECT dispatches FROM analysis_work WHERE run_id = $1 AND chunk_index = 1", id));
        Assert.Contains("ended deleted", await api.ScalarAsync<string>("SELECT last_error FROM analysis_work WHERE run_id = $1 AND chunk_index = 1", id));
        Assert.Equal("queued", await StateOf(id));

        // Lost again and again: the third loss (MaxDispatches = 3) fails the run, naming the chunk.
        client.Delete(await JobOf(id, 1));
        await Watchdog().PassAsync(CancellationToken.None);
        Assert.Equal(3, await api.ScalarAsync<int>("SELECT dispatches FROM analysis_work WHERE run_id = $1 AND chunk_index = 1", id));
        client.Delete(await JobOf(id, 1));
        await Watchdog().PassAsync(CancellationToken.None);
        var run = await api.GetJsonAsync($"/analyses/{id}");
        Assert.Equal("failed", run.GetProperty("state").GetString());
        Assert.StartsWith("Chunk 1 was scheduled 3 times and never done; last: job ", run.GetProperty("error").GetString());
        Assert.True(run.GetProperty("timings").GetProperty("finishedAt").ValueKind == JsonValueKind.String);
    }

    [Fact]
    public async Task A_run_with_all_chunks_done_and_no_aggregation_is_given_one_and_succeeds()
    {
        var id = await RunFaults.StartAsync(api);
        for (var c = 0; c < 4; c++) await api.Jobs().RunChunkAsync(id, c, CancellationToken.None);
        // As if the run had been stored before the outbox existed, or its rows were lost: no work at all.
        await RunFaults.SqlAsync(api, $"DELETE FROM analysis_work WHERE run_id = {id}");
        Assert.Equal("running", await StateOf(id));

        await Watchdog().PassAsync(CancellationToken.None);
        var job = await JobOf(id, null);
        Assert.NotNull(job);
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_work WHERE run_id = $1 AND chunk_index IS NOT NULL", id)); // done chunks get none
        using (var hangfire = api.Services.GetRequiredService<JobStorage>().GetConnection())
            Assert.Equal(nameof(AnalysisJobs.AggregateAsync), hangfire.GetJobData(job).Job.Method.Name);
        await api.Jobs().AggregateAsync(id, null, CancellationToken.None);
        Assert.Equal("succeeded", await StateOf(id));
    }

    [Fact]
    public async Task A_job_failed_for_good_fails_its_run_even_when_the_filter_could_not_record_it()
    {
        var id = await RunFaults.StartAsync(api);
        var client = api.Services.GetRequiredService<IBackgroundJobClient>();
        // Hangfire's Failed state (what AutomaticRetry leaves after the last attempt) goes through the host's filter.
        var job = await JobOf(id, 3);
        using (var hangfire = api.Services.GetRequiredService<JobStorage>().GetConnection())
            hangfire.SetJobParameter(job, "RetryCount", (AnalysisJobs.ChunkAttempts - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)); // its retries used up
        Assert.True(client.ChangeState(job, new FailedState(new InvalidOperationException("out of memory"))));
        Assert.Equal("Chunk 3 failed 3 times: out of memory", await api.ScalarAsync<string>("SELECT error FROM analysis_run WHERE id = $1", id));

        // If the filter could not write (the database was down then), the watchdog finds the failed job.
        await RunFaults.SqlAsync(api, $"UPDATE analysis_run SET state = 'running', error = NULL, finished_at = NULL WHERE id = {id}");
        await Watchdog().PassAsync(CancellationToken.None);
        Assert.Equal("failed", await StateOf(id));
        Assert.Equal("Chunk 3 failed 3 times: out of memory", await api.ScalarAsync<string>("SELECT error FROM analysis_run WHERE id = $1", id));
    }

    [Fact]
    public async Task An_idempotency_key_returns_the_first_run_and_refuses_another_body()
    {
        var key = Guid.NewGuid().ToString();
        var runs = await api.ScalarAsync<long>("SELECT count(*) FROM analysis_run");
        // Ten concurrent attempts of one request with one key: one run.
        var ids = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => RunFaults.StartAsync(api, key: key)));
        Assert.Single(ids.Distinct());
        Assert.Equal(runs + 1, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_run"));
        Assert.Equal(4L, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_work WHERE run_id = $1", ids[0]));

        using var again = new HttpRequestMessage(HttpMethod.Post, "/analyses") { Content = RunFaults.Json("""{ "search": "forward", "serviceDate": "2026-11-25" }""") };
        again.Headers.Add("Idempotency-Key", key);
        var replay = await api.Writer().SendAsync(again);
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.EndsWith($"/analyses/{ids[0]}", replay.Headers.Location!.ToString());
        Assert.Equal(ids[0], (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());

        using var other = new HttpRequestMessage(HttpMethod.Post, "/analyses") { Content = RunFaults.Json("""{"serviceDate":"2026-11-25","search":"forward","minCentres":2}""") };
        other.Headers.Add("Idempotency-Key", key);
        var p = await Problem.AssertAsync(api.Writer().SendAsync(other), HttpStatusCode.UnprocessableEntity, "Idempotency-Key");
        Assert.Equal(ids[0], p.GetProperty("runId").GetInt64());

        using var bad = new HttpRequestMessage(HttpMethod.Post, "/analyses") { Content = RunFaults.Json(RunFaults.Request) };
        bad.Headers.TryAddWithoutValidation("Idempotency-Key", new string('k', 201));
        await Problem.AssertAsync(api.Writer().SendAsync(bad), HttpStatusCode.BadRequest, "Idempotency-Key");
        Assert.Equal(runs + 1, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_run"));
    }
}
