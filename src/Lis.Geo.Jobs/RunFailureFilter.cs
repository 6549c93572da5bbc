using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;

namespace Lis.Geo.Jobs;

/// <summary>
/// Marks a run failed when one of its jobs fails for good (Hangfire moves a job to Failed only once
/// <c>AutomaticRetry</c> has no attempt left), whatever failed — the routing, or loading or claiming
/// before it — with the chunk and the error, so <c>GET /analyses/{id}</c> says why.
/// </summary>
/// <remarks>
/// A host's own filter (see <see cref="JobsSetup"/>), not a global one, so it writes to its host's
/// database. If it cannot write (the database is down), the <see cref="RunWatchdog"/> finds the failed job later.
/// </remarks>
public sealed class RunFailureFilter(NpgsqlDataSource db, ILogger<RunFailureFilter> log) : IApplyStateFilter
{
    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        if (context.NewState is not FailedState failed || context.BackgroundJob.Job is not { } job || job.Type != typeof(AnalysisJobs)) return;
        var runId = (long)job.Args[0];
        int? chunk = job.Method.Name == nameof(AnalysisJobs.RunChunkAsync) ? (int)job.Args[1] : null;
        var error = Message(chunk, failed.Exception.Message);
        try
        {
            RunStore.FailAsync(db, runId, error, CancellationToken.None).GetAwaiter().GetResult();
            log.LogError("Run {Run} failed: {Error}", runId, error);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            log.LogWarning("Run {Run}: could not record its failure ({Error}); the watchdog will", runId, e.Message);
        }
    }

    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }

    /// <summary>The run's error when the job of <paramref name="chunk"/> (null: the aggregation) failed for good.</summary>
    public static string Message(int? chunk, string error) => chunk is { } c
        ? $"Chunk {c} failed {AnalysisJobs.ChunkAttempts} times: {error}"
        : $"Aggregation failed {AnalysisJobs.AggregateAttempts} times: {error}";
}
