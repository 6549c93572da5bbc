using System.Diagnostics;
using System.Net;
using Lis.Geo.Data.Feeds;
using Lis.Geo.Data.Importing;
using Npgsql;
using Xunit.Abstractions;

namespace Lis.Geo.Api.Tests.Features.Analyses;

/// <summary>
/// The sample region on a PostgreSQL cluster of this fixture's own (not the shared test server), with a
/// Hangfire server and the run watchdog in the host, so a test can really stop and restart the database.
/// </summary>
public sealed class DatabaseRestartFixture : ApiFixture
{
    protected override bool OwnCluster => true;

    protected override IEnumerable<(string Key, string Value)> Settings =>
        [("Jobs:RunServer", "true"), ("Jobs:ChunkSize", "5"), ("Jobs:WatchdogSeconds", "1"), ("Jobs:ScheduleGiveUpSeconds", "600")];

    protected override async Task LoadAsync(Importer importer) =>
        await new FeedStore(Db).ImportAsync("sample", "sample-gtfs.zip", SampleFeed.Zip(), null, default);
}

/// <summary>
/// Issue 10's "database restarted mid-run", for real: the cluster is shut down (pg_ctl fast: every
/// session ended) while a chunk is held mid-write, stays down for a few seconds while the API is asked
/// for pages, a run and a write, and is started again. While it is down every answer is 503 with
/// Retry-After (never 500); afterwards the run ends succeeded with the clean run's rows, each once.
/// </summary>
[Trait("Category", "Faults")]
public sealed class DatabaseRestartTests(DatabaseRestartFixture api, ITestOutputHelper output) : IClassFixture<DatabaseRestartFixture>
{
    [Fact]
    public async Task The_database_restarted_mid_run_answers_503_with_retry_after_while_down_and_the_run_completes_with_the_clean_rows()
    {
        output.WriteLine($"private cluster started in {api.PrivateServer.StartupTime.TotalSeconds:F1} s");
        var clock = Stopwatch.StartNew();
        var clean = await RunFaults.StartAsync(api);
        Assert.Equal("succeeded", (await RunFaults.FinishedAsync(api, clean, TimeSpan.FromSeconds(60))).GetProperty("state").GetString());
        output.WriteLine($"clean run {clean}: {clock.Elapsed.TotalSeconds:F1} s");

        // Hold the run mid-chunk: writing results needs a lock this share lock blocks (the restart ends the holder too).
        var holder = new NpgsqlConnection(api.ConnectionString);
        await holder.OpenAsync();
        var hold = await holder.BeginTransactionAsync();
        await using (var lockCmd = new NpgsqlCommand("LOCK TABLE analysis_pair_result IN SHARE MODE", holder, hold))
            await lockCmd.ExecuteNonQueryAsync();
        var id = await RunFaults.StartAsync(api);
        for (var waited = 0; await api.ScalarAsync<long>("SELECT count(*) FROM analysis_chunk WHERE run_id = $1 AND attempts > 0", id) == 0; waited++)
        {
            Assert.True(waited < 400, "no chunk was claimed");
            await Task.Delay(100);
        }

        var down = Stopwatch.StartNew();
        await api.PrivateServer.StopAsync();
        output.WriteLine($"cluster stopped in {down.Elapsed.TotalSeconds:F1} s");
        try
        {
            // Reads, the run being worked, and writes: each is 503 with Retry-After while the server is down.
            var requests = new (string Name, Func<Task<HttpResponseMessage>> Send)[]
            {
                ("GET /collections/centres/items", () => api.Client.GetAsync("/collections/centres/items")),
                ("GET /feeds", () => api.Client.GetAsync("/feeds")),
                ($"GET /analyses/{id}", () => api.Client.GetAsync($"/analyses/{id}")),
                ("GET /analyses", () => api.Client.GetAsync("/analyses")),
                ("POST /analyses", () => api.Writer().PostAsync("/analyses", RunFaults.Json(RunFaults.Request))),
                ("POST /collections/centres/items", () => api.Writer().PostAsync("/collections/centres/items", new StringContent(
                    """{"type":"Feature","properties":{"code":"while-down","name":"Down","kind":"town"},"geometry":{"type":"Point","coordinates":[-1.95,52.47]}}""",
                    System.Text.Encoding.UTF8, "application/geo+json"))),
            };
            foreach (var (name, send) in requests)
            {
                var r = await send();
                var body = await r.Content.ReadAsStringAsync();
                Assert.True(r.StatusCode == HttpStatusCode.ServiceUnavailable, $"{name} while the database is down: {(int)r.StatusCode} {body}");
                await Problem.AssertAsync(r, HttpStatusCode.ServiceUnavailable);
                Assert.Equal("5", r.Headers.GetValues("Retry-After").Single());
            }
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        finally
        {
            await api.PrivateServer.StartAgainAsync();
        }
        output.WriteLine($"database down for {down.Elapsed.TotalSeconds:F1} s");
        try { await holder.DisposeAsync(); }
        catch (NpgsqlException) { } // its session ended with the server: nothing to roll back
        api.Db.Clear(); // the test's own pool; the host finds out for itself

        var started = Stopwatch.StartNew();
        var run = await RunFaults.FinishedAsync(api, id, TimeSpan.FromSeconds(120));
        output.WriteLine($"run {id} {run.GetProperty("state")} {started.Elapsed.TotalSeconds:F1} s after the restart; test {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        await RunFaults.AssertSameAsCleanAsync(api, id, clean);
        // Nothing sent while the server was down was stored: one run besides the clean one, no centre.
        Assert.Equal(2L, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_run"));
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM centre WHERE code = 'while-down'"));
        Assert.Equal(HttpStatusCode.OK, (await api.Client.GetAsync("/collections/centres/items")).StatusCode);
    }
}
