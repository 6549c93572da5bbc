namespace Lis.Geo.Jobs;

/// <summary>
/// Turns a run's outbox rows (<c>analysis_work</c>) into Hangfire jobs.
/// </summary>
/// <remarks>
/// Why an outbox and not Hangfire.PostgreSql enlisting in the caller's transaction: Hangfire writes
/// through connections of its own, so one atomic step across the run's rows and Hangfire's tables
/// would need an ambient <c>TransactionScope</c> spanning two connections, which .NET on Linux cannot
/// promote to a distributed transaction — it works only while Npgsql happens to hand back the same
/// physical connection. An outbox row is written by the same transaction as the state that calls for
/// the work (the run and its chunks; the last chunk's rows), so no committed run lacks its work and
/// no rolled-back one has any. Dispatching happens right after that commit, and again from the
/// <see cref="RunWatchdog"/> sweep for whatever a failed dispatch left; a row is locked while it is
/// dispatched (<c>FOR UPDATE SKIP LOCKED</c>), so two dispatchers never enqueue it twice. A crash between
/// the enqueue and the commit of its job id can leave one duplicate job, which is harmless: a chunk
/// done once is never done again (<see cref="RunStore.ClaimChunkAsync"/>) and a finished
/// run is not aggregated again. The outbox's statements are <see cref="RunOutboxStore"/>'s.
/// </remarks>
public sealed class RunOutbox(NpgsqlDataSource db, IBackgroundJobClient jobs, ILogger<RunOutbox> log)
{
    /// <summary>
    /// Enqueues every undispatched row (of <paramref name="runId"/>, or of every run), each once per
    /// call; returns how many jobs were created. A failing enqueue is recorded on its row (the sweep
    /// retries it) and never thrown: the work is already durable, so the caller's answer stands.
    /// Database failures are thrown.
    /// </summary>
    public async Task<int> DispatchAsync(long? runId, CancellationToken ct)
    {
        var dispatched = 0;
        var after = 0L;
        while (true)
        {
            await using var work = await RunOutboxStore.NextUndispatchedAsync(db, after, runId, ct);
            if (work is null) return dispatched;
            after = work.Id;
            var (run, chunk) = (work.RunId, work.ChunkIndex);
            string? jobId = null, error = null;
            try
            {
                jobId = chunk is { } c
                    ? jobs.Enqueue<AnalysisJobs>(j => j.RunChunkAsync(run, c, CancellationToken.None))
                    : jobs.Enqueue<AnalysisJobs>(j => j.AggregateAsync(run, null, CancellationToken.None));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = (e.InnerException ?? e).Message;
                log.LogWarning("Run {Run} {Work}: could not schedule the job ({Error}); the sweep retries it", run, Describe(chunk), error);
            }
            if (jobId is null)
                await work.NotDispatchedAsync(error!, ct);
            else
            {
                await work.DispatchedAsync(jobId, ct);
                dispatched++;
            }
        }
    }

    /// <summary>
    /// <see cref="DispatchAsync"/> right after a commit: failures are logged, not thrown (the rows are
    /// committed, and the sweep dispatches what this missed within <see cref="JobsOptions.WatchdogSeconds"/>).
    /// </summary>
    public async Task DispatchAfterCommitAsync(long runId)
    {
        try
        {
            await DispatchAsync(runId, CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            log.LogWarning("Run {Run}: dispatching its work failed ({Error}); the sweep retries it", runId, e.Message);
        }
    }

    public static string Describe(int? chunk) => chunk is { } c ? $"chunk {c}" : "aggregation";
}
