using Lis.Geo.Data.Analyses;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hangfire;
using Lis.Geo.Data.Feeds;
using Lis.Geo.Data.Importing;
using Lis.Geo.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Lis.Geo.Api.Tests.Features.Analyses;

/// <summary>The sample region with no job server in the host and a short (5 s) sliding invisibility timeout.</summary>
public sealed class KilledWorkerFixture : ApiFixture
{
    public const int InvisibilitySeconds = 5;

    protected override IEnumerable<(string Key, string Value)> Settings =>
        [("Jobs:RunServer", "false"), ("Jobs:ChunkSize", "5"), ("Jobs:InvisibilityTimeoutSeconds", InvisibilitySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    protected override async Task LoadAsync(Importer importer) =>
        await new FeedStore(Db).ImportAsync("sample", "sample-gtfs.zip", SampleFeed.Zip(), null, default);
}

/// <summary>
/// A worker that takes a chunk's job and dies without a word (as under SIGKILL: no heartbeat, no
/// requeue) must not stall the run: after the invisibility timeout another worker takes the job, and
/// the run completes with every result stored exactly once.
/// </summary>
public sealed class KilledWorkerTests(KilledWorkerFixture api) : IClassFixture<KilledWorkerFixture>
{
    [Fact]
    public async Task A_chunk_taken_by_a_worker_that_died_is_taken_over_and_the_run_completes_without_duplicates()
    {
        var response = await api.Writer().PostAsync("/analyses", new StringContent("""{"serviceDate":"2026-11-25","search":"forward"}""", Encoding.UTF8, "application/json")); // forward: several chunks
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        // The dying worker: its own storage (so no live server's heartbeat keeps its job alive) takes the
        // first queued job, starts it (the chunk counts an attempt) and is never heard from again.
        var dying = JobsSetup.CreateStorage(api.ConnectionString, TimeSpan.FromSeconds(KilledWorkerFixture.InvisibilitySeconds));
        var connection = dying.GetConnection();
        var taken = connection.FetchNextJob(["default"], CancellationToken.None);
        var job = connection.GetJobData(taken.JobId).Job;
        Assert.Equal(nameof(AnalysisJobs.RunChunkAsync), job.Method.Name);
        var takenChunk = (int)job.Args[1];
        await RunStore.ClaimChunkAsync(api.Db, id, takenChunk, "dying-worker", CancellationToken.None);

        // A healthy worker starts; it works the other chunks at once and the dead one's after the timeout.
        var started = DateTimeOffset.UtcNow;
        using (var server = new BackgroundJobServer(
                   new BackgroundJobServerOptions { WorkerCount = 1, ServerName = "healthy-worker", Activator = api.Services.GetRequiredService<JobActivator>() },
                   api.Services.GetRequiredService<JobStorage>()))
        {
            JsonElement run;
            do
            {
                await Task.Delay(250);
                run = await api.GetJsonAsync($"/analyses/{id}");
            } while (run.GetProperty("state").GetString() is "queued" or "running" or "aggregating" && DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(90));
            Assert.Equal("succeeded", run.GetProperty("state").GetString());
        }
        GC.KeepAlive(taken);

        // Every pair exactly once; the dead worker's chunk was done by the healthy one, on its second attempt.
        Assert.Equal(17L * 7, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_pair_result WHERE run_id = $1", id));
        Assert.Equal(17L * 7, await api.ScalarAsync<long>("SELECT count(DISTINCT (origin_index, destination_index)) FROM analysis_pair_result WHERE run_id = $1", id));
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_chunk WHERE run_id = $1 AND done_at IS NULL", id));
        Assert.NotEqual("dying-worker", await api.ScalarAsync<string>("SELECT worker FROM analysis_chunk WHERE run_id = $1 AND index = $2", id, takenChunk));
        Assert.Equal(2, await api.ScalarAsync<int>("SELECT attempts FROM analysis_chunk WHERE run_id = $1 AND index = $2", id, takenChunk));
    }
}
