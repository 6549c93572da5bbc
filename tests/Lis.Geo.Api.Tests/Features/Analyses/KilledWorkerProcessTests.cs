using System.Diagnostics;
using Lis.Geo.Data.Feeds;
using Lis.Geo.Data.Importing;
using Lis.Geo.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Lis.Geo.Api.Tests.Features.Analyses;

/// <summary>The sample region and feed; no job server in the API host: real Lis.Geo.Worker processes do the work.</summary>
public sealed class WorkerProcessFixture : ApiFixture
{
    protected override IEnumerable<(string Key, string Value)> Settings => [("Jobs:RunServer", "false"), ("Jobs:ChunkSize", "5")];

    protected override async Task LoadAsync(Importer importer) =>
        await new FeedStore(Db).ImportAsync("sample", "sample-gtfs.zip", SampleFeed.Zip(), null, default);
}

/// <summary>
/// Two real Lis.Geo.Worker processes with the shipped defaults (30 s sliding invisibility); one is
/// SIGKILLed in the middle of a chunk (claimed, routed, its result transaction open). The other takes
/// the chunk over within the invisibility timeout, the run succeeds, and its rows equal a clean run's
/// pair for pair, each once. The handover time is printed.
/// </summary>
[Trait("Category", "Faults")]
public sealed class KilledWorkerProcessTests(WorkerProcessFixture api, ITestOutputHelper output) : IClassFixture<WorkerProcessFixture>
{
    [Fact]
    public async Task A_worker_process_killed_mid_chunk_hands_its_chunk_on_within_a_minute_and_the_run_equals_a_clean_one()
    {
        using var survivor = Worker("survivor");
        await ServersAsync(1);
        var clean = await RunFaults.StartAsync(api);
        Assert.Equal("succeeded", (await RunFaults.FinishedAsync(api, clean, TimeSpan.FromSeconds(120))).GetProperty("state").GetString());

        using var victim = Worker("victim");
        await ServersAsync(2);
        // Hold every chunk at its result write (a share lock on the pair table) so the victim is caught mid-chunk.
        await using var holder = new NpgsqlConnection(api.ConnectionString);
        await holder.OpenAsync();
        var hold = await holder.BeginTransactionAsync();
        await using (var lockCmd = new NpgsqlCommand("LOCK TABLE analysis_pair_result IN SHARE MODE", holder, hold))
            await lockCmd.ExecuteNonQueryAsync();
        var id = await RunFaults.StartAsync(api);
        var victimName = $"{Environment.MachineName}:{victim.Process.Id}";
        int chunk;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await using var cmd = api.Db.CreateCommand("SELECT index FROM analysis_chunk WHERE run_id = $1 AND worker = $2 AND done_at IS NULL");
            cmd.Parameters.Add(new NpgsqlParameter { Value = id });
            cmd.Parameters.Add(new NpgsqlParameter { Value = victimName });
            if (await cmd.ExecuteScalarAsync() is int claimed) { chunk = claimed; break; }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), "the victim never claimed a chunk:\n" + victim.Log());
            await Task.Delay(100);
        }
        // Let it route its origins and reach the write, then kill it without a word.
        await Task.Delay(TimeSpan.FromSeconds(2));
        victim.Process.Kill(entireProcessTree: true); // SIGKILL
        var killed = Stopwatch.StartNew();
        await hold.CommitAsync();

        TimeSpan handover;
        while (true)
        {
            var worker = await api.ScalarAsync<string>("SELECT worker FROM analysis_chunk WHERE run_id = $1 AND index = $2", id, chunk);
            if (worker != victimName) { handover = killed.Elapsed; break; }
            Assert.True(killed.Elapsed < TimeSpan.FromSeconds(120), "nobody took the killed worker's chunk over:\n" + survivor.Log());
            await Task.Delay(100);
        }
        output.WriteLine($"Killed worker's chunk {chunk} taken over {handover.TotalSeconds:F1} s after SIGKILL (Jobs:InvisibilityTimeoutSeconds = 30; load {File.ReadAllText("/proc/loadavg").Trim()})");
        Console.WriteLine($"[handover] killed worker's chunk taken over after {handover.TotalSeconds:F1} s");
        Assert.True(handover < TimeSpan.FromSeconds(60), $"handover took {handover.TotalSeconds:F1} s");

        var run = await RunFaults.FinishedAsync(api, id, TimeSpan.FromSeconds(60));
        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        await RunFaults.AssertSameAsCleanAsync(api, id, clean);
        Assert.Equal(2, await api.ScalarAsync<int>("SELECT attempts FROM analysis_chunk WHERE run_id = $1 AND index = $2", id, chunk));
    }

    /// <summary>Waits until <paramref name="count"/> Hangfire servers have a heartbeat in the database.</summary>
    private async Task ServersAsync(int count)
    {
        var clock = Stopwatch.StartNew();
        while (await LiveServersAsync() < count)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), $"fewer than {count} worker processes started");
            await Task.Delay(200);
        }
    }

    private async Task<long> LiveServersAsync()
    {
        try
        {
            return await api.ScalarAsync<long>("SELECT count(*) FROM hangfire.server WHERE lastheartbeat > now() - interval '30 seconds'");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0; // the first worker has not installed Hangfire's schema yet
        }
    }

    /// <summary>Starts the built Lis.Geo.Worker (same configuration as this test's build) on the fixture's database.</summary>
    private WorkerProcess Worker(string name)
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Path.Combine(RepoPaths.RepoRoot, "src", "Lis.Geo.Worker", "bin", tfm.Parent!.Name, tfm.Name, "Lis.Geo.Worker.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build tests/Lis.Geo.Api.Tests (it builds the worker)");
        var start = new ProcessStartInfo("dotnet", [dll]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["ConnectionStrings__LisGeo"] = api.ConnectionString;
        start.Environment["Jobs__CacheDirectory"] = Path.Combine(api.CacheDirectory, name);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        return new WorkerProcess(Process.Start(start)!);
    }

    private sealed class WorkerProcess : IDisposable
    {
        private readonly System.Text.StringBuilder _log = new();

        public WorkerProcess(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Log() { lock (_log) return _log.ToString(); }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.WaitForExit(10_000);
            Process.Dispose();
        }
    }
}
