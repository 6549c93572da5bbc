using Hangfire.States;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

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
        await using (var pass = await RunOutboxStore.BeginWatchdogPassAsync(db, ct))
        {
            if (pass is null) return;
            await pass.AddMissingWorkAsync(ct);
            await FailUnschedulableAsync(pass, ct);
            await RequeueLostAsync(pass, ct);
            await pass.CommitAsync(ct);
        }
        await outbox.DispatchAsync(null, ct);
    }

    /// <summary>Fails runs with work that could not be scheduled for <see cref="JobsOptions.ScheduleGiveUpSeconds"/> (Hangfire's tables unwritable).</summary>
    private async Task FailUnschedulableAsync(RunOutboxStore.WatchdogPass pass, CancellationToken ct)
    {
        foreach (var (run, error) in await pass.FailUnschedulableAsync(options.Value.ScheduleGiveUpSeconds, ct))
            log.LogError("Run {Run} failed: {Error}", run, error);
    }

    /// <summary>Checks the Hangfire job of each dispatched, unfinished piece of work; re-dispatches lost ones, fails runs whose job failed.</summary>
    private async Task RequeueLostAsync(RunOutboxStore.WatchdogPass pass, CancellationToken ct)
    {
        var dispatched = await pass.DispatchedUndoneAsync(ct);
        if (dispatched.Count == 0) return;

        var o = options.Value;
        using var hangfire = storage.GetConnection();
        var liveServers = storage.GetMonitoringApi().Servers()
            .Where(s => s.Heartbeat is { } beat && DateTime.UtcNow - beat < TimeSpan.FromSeconds(o.ServerTimeoutSeconds))
            .Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var w in dispatched)
        {
            var state = hangfire.GetStateData(w.JobId);
            var what = RunOutbox.Describe(w.ChunkIndex);
            string? lost = null;
            if (state is null)
                lost = $"job {w.JobId} of the {what} vanished from Hangfire";
            else if (state.Name == FailedState.StateName)
            {
                // The failure filter normally marks the run already; this catches a filter that could not.
                var message = state.Data.TryGetValue("ExceptionMessage", out var m) ? m : state.Reason;
                await pass.FailRunAsync(w.RunId, RunFailureFilter.Message(w.ChunkIndex, message), ct);
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
                await pass.FailRunAsync(w.RunId, $"{(w.ChunkIndex is { } c ? $"Chunk {c}" : "The aggregation")} was scheduled {w.Dispatches} times and never done; last: {lost}.", ct);
                log.LogError("Run {Run} failed: {What} lost {Times} times ({Lost})", w.RunId, what, w.Dispatches, lost);
                continue;
            }
            // Cleared only if nobody finished it meanwhile; the dispatch below enqueues it again.
            await pass.ReleaseLostJobAsync(w.Id, w.JobId, lost, ct);
            log.LogWarning("Run {Run}: {Lost}; scheduling it again", w.RunId, lost);
        }
    }
}
