using Hangfire;
using Hangfire.States;
using Lis.Geo.Data.Analyses;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lis.Geo.Jobs;

/// <summary>
/// Makes every run end: every <see cref="JobsOptions.WatchdogSeconds"/>, in each process that works
/// jobs, it dispatches outbox rows a failed dispatch left, gives every unfinished run the work it lacks
/// (a chunk not done or the due aggregation without a row), re-dispatches work whose Hangfire job is
/// gone without doing it (deleted, succeeded without finishing, or processing on a server that stopped
/// sending heartbeats), and fails runs that cannot go on: a job failed for good, work lost
/// <see cref="JobsOptions.MaxDispatches"/> times, or work that could not be scheduled for
/// <see cref="JobsOptions.ScheduleGiveUpSeconds"/>.
/// </summary>
/// <remarks>
/// A hosted loop rather than a Hangfire recurring job, so it keeps working when Hangfire cannot create
/// jobs (the very failure it repairs). Several processes may run it; a transaction-scoped advisory lock
/// lets one pass run at a time.
/// </remarks>
public sealed class RunWatchdog(NpgsqlDataSource db, RunOutbox outbox, JobStorage storage, IOptions<JobsOptions> options, ILogger<RunWatchdog> log) : BackgroundService
{
    /// <summary>The advisory lock key of a pass ("LisGeoWD").</summary>
    private const long LockKey = 0x4C697347656F5744;

    /// <summary>Hangfire states in which a job is still going to do its work.</summary>
    private static readonly HashSet<string> LiveStates = [EnqueuedState.StateName, ScheduledState.StateName, AwaitingState.StateName, ProcessingState.StateName];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromSeconds(options.Value.WatchdogSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PassAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // A database outage: the next pass tries again.
                log.LogWarning("Run watchdog pass failed: {Error}", e.Message);
            }
            try { await Task.Delay(period, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>One sweep over the unfinished runs; public so tests can run one at a chosen moment.</summary>
    public async Task PassAsync(CancellationToken ct)
    {
        await using (var conn = await db.OpenConnectionAsync(ct))
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            await using (var lockCmd = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock($1)", conn, tx))
            {
                lockCmd.Parameters.Add(new() { Value = LockKey });
                if (await lockCmd.ExecuteScalarAsync(ct) is not true) return;
            }
            // Work an unfinished run lacks: a chunk not done, or its aggregation once every chunk is (runs
            // from before the outbox, or rows deleted by hand).
            await using (var missing = new NpgsqlCommand("""
                INSERT INTO analysis_work (run_id, chunk_index)
                SELECT c.run_id, c.index FROM analysis_chunk c JOIN analysis_run r ON r.id = c.run_id
                WHERE r.state IN ('queued', 'running', 'aggregating') AND c.done_at IS NULL
                UNION ALL
                SELECT r.id, NULL FROM analysis_run r
                WHERE r.state IN ('queued', 'running', 'aggregating') AND r.chunks_done = r.chunk_count
                ON CONFLICT DO NOTHING
                """, conn, tx))
                await missing.ExecuteNonQueryAsync(ct);
            await FailUnschedulableAsync(conn, tx, ct);
            await RequeueLostAsync(conn, tx, ct);
            await tx.CommitAsync(ct);
        }
        await outbox.DispatchAsync(null, ct);
    }

    /// <summary>Fails runs with work that could not be scheduled for <see cref="JobsOptions.ScheduleGiveUpSeconds"/> (Hangfire's tables unwritable).</summary>
    private async Task FailUnschedulableAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            UPDATE analysis_run r SET state = 'failed', finished_at = now(),
                   error = format('Could not schedule the %s for %s s: %s', CASE WHEN w.chunk_index IS NULL THEN 'aggregation' ELSE 'job of chunk ' || w.chunk_index END,
                                  $1, coalesce(w.last_error, 'no dispatcher ran'))
            FROM analysis_work w
            WHERE w.run_id = r.id AND w.job_id IS NULL AND r.state IN ('queued', 'running', 'aggregating')
              AND coalesce(w.dispatched_at, w.created_at) < now() - make_interval(secs => $1)
            RETURNING r.id, r.error
            """, conn, tx);
        cmd.Parameters.Add(new() { Value = options.Value.ScheduleGiveUpSeconds });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            log.LogError("Run {Run} failed: {Error}", r.GetInt64(0), r.GetString(1));
    }

    /// <summary>Checks the Hangfire job of each dispatched, unfinished piece of work; re-dispatches lost ones, fails runs whose job failed.</summary>
    private async Task RequeueLostAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        var dispatched = new List<(long Id, long Run, int? Chunk, string JobId, int Dispatches, DateTimeOffset At)>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT w.id, w.run_id, w.chunk_index, w.job_id, w.dispatches, w.dispatched_at FROM analysis_work w
            JOIN analysis_run r ON r.id = w.run_id
            LEFT JOIN analysis_chunk c ON c.run_id = w.run_id AND c.index = w.chunk_index
            WHERE w.job_id IS NOT NULL AND r.state IN ('queued', 'running', 'aggregating') AND (w.chunk_index IS NULL OR c.done_at IS NULL)
            """, conn, tx))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                dispatched.Add((r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetInt32(2), r.GetString(3), r.GetInt32(4), r.GetFieldValue<DateTimeOffset>(5)));
        if (dispatched.Count == 0) return;

        var o = options.Value;
        using var hangfire = storage.GetConnection();
        var liveServers = storage.GetMonitoringApi().Servers()
            .Where(s => s.Heartbeat is { } beat && DateTime.UtcNow - beat < TimeSpan.FromSeconds(o.ServerTimeoutSeconds))
            .Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var w in dispatched)
        {
            var state = hangfire.GetStateData(w.JobId);
            var what = RunOutbox.Describe(w.Chunk);
            string? lost = null;
            if (state is null)
                lost = $"job {w.JobId} of the {what} vanished from Hangfire";
            else if (state.Name == FailedState.StateName)
            {
                // The failure filter normally marks the run already; this catches a filter that could not.
                var message = state.Data.TryGetValue("ExceptionMessage", out var m) ? m : state.Reason;
                await ExecuteAsync(conn, tx, "UPDATE analysis_run SET state = 'failed', error = $2, finished_at = now() WHERE id = $1 AND state IN ('queued', 'running', 'aggregating')", ct,
                    w.Run, RunFailureFilter.Message(w.Chunk, message));
                continue;
            }
            else if (!LiveStates.Contains(state.Name))
                lost = $"job {w.JobId} of the {what} ended {state.Name.ToLowerInvariant()} without doing it";
            else if (state.Name == ProcessingState.StateName && state.Data.TryGetValue("ServerId", out var server) && !liveServers.Contains(server)
                     && state.Data.TryGetValue("StartedAt", out var started) && Hangfire.Common.JobHelper.DeserializeNullableDateTime(started) is { } since
                     && DateTime.UtcNow - since > TimeSpan.FromSeconds(3 * o.InvisibilityTimeoutSeconds))
                lost = $"job {w.JobId} of the {what} was taken by server {server}, which stopped sending heartbeats, and no other server took it over";
            if (lost is null) continue;

            if (w.Dispatches >= o.MaxDispatches)
            {
                await ExecuteAsync(conn, tx, "UPDATE analysis_run SET state = 'failed', error = $2, finished_at = now() WHERE id = $1 AND state IN ('queued', 'running', 'aggregating')", ct,
                    w.Run, $"{(w.Chunk is { } c ? $"Chunk {c}" : "The aggregation")} was scheduled {w.Dispatches} times and never done; last: {lost}.");
                log.LogError("Run {Run} failed: {What} lost {Times} times ({Lost})", w.Run, what, w.Dispatches, lost);
                continue;
            }
            // Cleared only if nobody finished it meanwhile; the dispatch below enqueues it again.
            await ExecuteAsync(conn, tx, "UPDATE analysis_work SET job_id = NULL, last_error = $3 WHERE id = $1 AND job_id = $2", ct, w.Id, w.JobId, lost);
            log.LogWarning("Run {Run}: {Lost}; scheduling it again", w.Run, lost);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct, params object[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        foreach (var p in parameters) cmd.Parameters.Add(new() { Value = p });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
