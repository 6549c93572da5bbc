using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lis.Geo.Data.Feeds;
using Lis.Geo.Data.Importing;
using Npgsql;
using Xunit.Abstractions;

namespace Lis.Geo.Api.Tests.Features.Analyses;

/// <summary>
/// The sample region with a Hangfire server and the run watchdog in the host (sweeping every second),
/// as one `lisgeo serve` runs, for faults injected while runs go.
/// </summary>
public sealed class FaultsFixture : ApiFixture
{
    protected override IEnumerable<(string Key, string Value)> Settings =>
        [("Jobs:RunServer", "true"), ("Jobs:ChunkSize", "5"), ("Jobs:WatchdogSeconds", "1"), ("Jobs:ScheduleGiveUpSeconds", "600")];

    protected override async Task LoadAsync(Importer importer) =>
        await new FeedStore(Db).ImportAsync("sample", "sample-gtfs.zip", SampleFeed.Zip(), null, default);

    private Task<long>? _clean;

    /// <summary>The sample run with no fault, whose rows every faulted run must reproduce.</summary>
    public Task<long> CleanRunAsync() => _clean ??= Clean();

    private async Task<long> Clean()
    {
        var id = await RunFaults.StartAsync(this);
        Assert.Equal("succeeded", (await RunFaults.FinishedAsync(this, id, TimeSpan.FromSeconds(60))).GetProperty("state").GetString());
        return id;
    }
}

/// <summary>
/// Fault injection at each seam of a run (issue 10): Hangfire's job table refusing an insert while
/// the run is scheduled or when its aggregation is due, the chunk claim failing, the outbox write
/// failing halfway through planning, the aggregation failing, the database cut off mid-run. Every
/// run ends in a final state, and those that succeed have the clean run's rows exactly once.
/// </summary>
[Trait("Category", "Faults")]
public sealed class RunFaultTests(FaultsFixture api, ITestOutputHelper output) : IClassFixture<FaultsFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Hangfire_refusing_a_chunk_job_while_the_run_is_scheduled_delays_it_and_the_run_still_succeeds()
    {
        var clean = await api.CleanRunAsync();
        // The third job created from now on fails: one chunk's enqueue, right after the run was committed.
        await RunFaults.AddFaultAsync(api, "hangfire_job_fault", "hangfire.job", "INSERT", "nextval('hangfire_job_fault_n') = 3");
        try
        {
            var id = await RunFaults.StartAsync(api);
            var run = await RunFaults.FinishedAsync(api, id, Patience);
            Assert.Equal("succeeded", run.GetProperty("state").GetString());
            Assert.True(await RunFaults.FaultCountAsync(api, "hangfire_job_fault") >= 6); // 4 chunks + the refused one + the aggregation
            await RunFaults.AssertSameAsCleanAsync(api, id, clean);
            // The refused chunk was dispatched again by the sweep; none twice.
            Assert.Equal(5L, await api.ScalarAsync<long>("SELECT sum(dispatches) FROM analysis_work WHERE run_id = $1", id));
        }
        finally
        {
            await RunFaults.DropFaultAsync(api, "hangfire_job_fault", "hangfire.job");
        }
    }

    [Fact]
    public async Task Hangfire_refusing_the_aggregation_job_after_the_last_chunk_does_not_leave_the_run_at_100_percent()
    {
        var clean = await api.CleanRunAsync();
        // The aggregation's first two enqueues fail (the last chunk's own, and the sweep's first retry).
        await RunFaults.AddFaultAsync(api, "aggregate_job_fault", "hangfire.job", "INSERT",
            "CASE WHEN NEW.invocationdata::text LIKE '%AggregateAsync%' THEN nextval('aggregate_job_fault_n') <= 2 ELSE false END");
        try
        {
            var id = await RunFaults.StartAsync(api);
            var run = await RunFaults.FinishedAsync(api, id, Patience);
            Assert.Equal("succeeded", run.GetProperty("state").GetString());
            Assert.Equal(3L, await RunFaults.FaultCountAsync(api, "aggregate_job_fault"));
            Assert.Equal(1, await api.ScalarAsync<int>("SELECT dispatches FROM analysis_work WHERE run_id = $1 AND chunk_index IS NULL", id));
            await RunFaults.AssertSameAsCleanAsync(api, id, clean);
        }
        finally
        {
            await RunFaults.DropFaultAsync(api, "aggregate_job_fault", "hangfire.job");
        }
    }

    [Fact]
    public async Task An_outbox_write_failing_halfway_through_planning_stores_nothing_and_the_retry_with_its_key_makes_one_run()
    {
        var clean = await api.CleanRunAsync();
        const string counts = """
            SELECT (SELECT count(*) FROM analysis_run) || '/' || (SELECT count(*) FROM analysis_chunk) || '/' || (SELECT count(*) FROM analysis_point) || '/' ||
                   (SELECT count(*) FROM analysis_work) || '/' || (SELECT count(*) FROM analysis_request_key) || '/' || (SELECT count(*) FROM hangfire.job)
            """;
        var before = await api.ScalarAsync<string>(counts);
        // The third chunk's outbox row fails: the run, its points and chunks are already written in the transaction.
        await RunFaults.AddFaultAsync(api, "work_fault", "analysis_work", "INSERT", "nextval('work_fault_n') = 3");
        var key = Guid.NewGuid().ToString();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/analyses") { Content = RunFaults.Json(RunFaults.Request) };
            request.Headers.Add("Idempotency-Key", key);
            var failed = await api.Writer().SendAsync(request);
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
            Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
            Assert.Contains("nothing was stored", (await failed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
            Assert.Equal(3L, await RunFaults.FaultCountAsync(api, "work_fault"));
            Assert.Equal(before, await api.ScalarAsync<string>(counts));
        }
        finally
        {
            await RunFaults.DropFaultAsync(api, "work_fault", "analysis_work");
        }
        // The client retries with the same key: nothing was stored under it, so this makes the run; a further retry returns it.
        var id = await RunFaults.StartAsync(api, key: key);
        Assert.Equal(id, await RunFaults.StartAsync(api, key: key));
        Assert.Equal("succeeded", (await RunFaults.FinishedAsync(api, id, Patience)).GetProperty("state").GetString());
        await RunFaults.AssertSameAsCleanAsync(api, id, clean);
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_request_key WHERE key = $1", key));
    }

    [Fact]
    public async Task A_chunk_whose_claim_fails_for_good_and_an_aggregation_that_fails_for_good_fail_their_runs_with_the_error()
    {
        await api.CleanRunAsync();
        // Run A (4 chunks): claiming its chunk 2 always fails, before the chunk's try. Run B (a profile run: 1 chunk): its aggregation always fails.
        await RunFaults.AddFaultAsync(api, "claim_fault", "analysis_chunk", "UPDATE",
            "CASE WHEN NEW.index = 2 AND NEW.attempts > OLD.attempts THEN nextval('claim_fault_n') > 0 ELSE false END");
        await RunFaults.AddFaultAsync(api, "aggregate_fault", "analysis_run", "UPDATE",
            "CASE WHEN NEW.state = 'aggregating' AND NEW.chunk_count = 1 THEN nextval('aggregate_fault_n') > 0 ELSE false END");
        try
        {
            var a = await RunFaults.StartAsync(api);
            var b = await RunFaults.StartAsync(api, """{"serviceDate":"2026-11-25","search":"profile"}""");
            var runA = await RunFaults.FinishedAsync(api, a, Patience);
            var runB = await RunFaults.FinishedAsync(api, b, Patience);
            output.WriteLine($"run A: {runA.GetProperty("error")}; run B: {runB.GetProperty("error")}");

            Assert.Equal("failed", runA.GetProperty("state").GetString());
            Assert.Equal("Chunk 2 failed 3 times: P0001: injected: claim_fault", runA.GetProperty("error").GetString());
            Assert.Equal(3L, await RunFaults.FaultCountAsync(api, "claim_fault"));
            Assert.Equal("failed", runB.GetProperty("state").GetString());
            Assert.Equal("Aggregation failed 3 times: P0001: injected: aggregate_fault", runB.GetProperty("error").GetString());
            Assert.Equal(3L, await RunFaults.FaultCountAsync(api, "aggregate_fault"));
            // The watchdog leaves failed runs failed.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal("failed", await api.ScalarAsync<string>("SELECT state FROM analysis_run WHERE id = $1", a));
            Assert.Equal("failed", await api.ScalarAsync<string>("SELECT state FROM analysis_run WHERE id = $1", b));
        }
        finally
        {
            await RunFaults.DropFaultAsync(api, "claim_fault", "analysis_chunk");
            await RunFaults.DropFaultAsync(api, "aggregate_fault", "analysis_run");
        }
    }

    [Fact]
    public async Task The_database_cut_off_mid_run_every_session_killed_and_logins_refused_for_5_s_the_run_still_succeeds()
    {
        var clean = await api.CleanRunAsync();
        var database = new NpgsqlConnectionStringBuilder(api.ConnectionString).Database!;
        // Hold the run mid-chunk: writing results needs a lock this share lock blocks.
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

        // The outage: no logins, every session of the database (the server's, the chunk's, the holder's) terminated.
        await using (var admin = new NpgsqlConnection(api.Server.AdminConnectionString))
        {
            await admin.OpenAsync();
            await using (var cut = new NpgsqlCommand($"""
                ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false;
                SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{database}';
                """, admin))
                output.WriteLine($"sessions terminated: {await cut.ExecuteScalarAsync()}");
            await Task.Delay(TimeSpan.FromSeconds(5));
            await using var restore = new NpgsqlCommand($"""ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true""", admin);
            await restore.ExecuteNonQueryAsync();
        }
        try { await holder.DisposeAsync(); }
        catch (NpgsqlException) { } // its session was terminated: nothing to roll back
        api.Db.Clear(); // the test's own pool (its sessions were terminated too); the host finds out for itself

        var started = DateTimeOffset.UtcNow;
        var run = await RunFaults.FinishedAsync(api, id, Patience);
        output.WriteLine($"run {id} {run.GetProperty("state")} {(DateTimeOffset.UtcNow - started).TotalSeconds:F1} s after the outage");
        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        await RunFaults.AssertSameAsCleanAsync(api, id, clean);
    }
}
