using System.Diagnostics;
using Hangfire.Server;
using Lis.Geo.Transit.Walking;
using NetTopologySuite.Geometries;

namespace Lis.Geo.Jobs;

/// <summary>
/// The Hangfire jobs of an analysis run. A chunk computes its origins' travel times with the
/// engine, then, in one transaction, replaces its rows (so a retried chunk never duplicates them)
/// and marks itself done exactly once; the run's counters are bumped only by that first marking,
/// and the chunk that brings the count to the total writes the aggregation's outbox row in the same
/// transaction (database-side fan-in, as R5's broker does with its task counts), dispatched right
/// after the commit (<see cref="RunOutbox"/>). A job that fails for good fails its run (<see cref="RunFailureFilter"/>).
/// </summary>
public sealed class AnalysisJobs(NpgsqlDataSource db, RouterCache routers, RunOutbox outbox, ILogger<AnalysisJobs> log)
{
    /// <summary>Retries of a failed chunk before the run is marked failed.</summary>
    public const int ChunkAttempts = 3;

    /// <summary>Attempts at the aggregation before the run is marked failed.</summary>
    public const int AggregateAttempts = 3;

    /// <summary>How often a running chunk checks whether its run was cancelled.</summary>
    private static readonly TimeSpan CancelPoll = TimeSpan.FromSeconds(1);

    [AutomaticRetry(Attempts = ChunkAttempts - 1, DelaysInSeconds = [5, 15])]
    [JobDisplayName("Analysis {0}: chunk {1}")]
    public async Task RunChunkAsync(long runId, int chunkIndex, CancellationToken cancellationToken)
    {
        var run = await RunStore.LoadAsync(db, runId, cancellationToken);
        if (run is null || RunState.IsFinished(run.State)) return;
        var chunk = await RunStore.ClaimChunkAsync(db, runId, chunkIndex, $"{Environment.MachineName}:{Environment.ProcessId}", cancellationToken);
        if (chunk is null) return; // already done by an earlier attempt
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var watch = WatchForCancellation(runId, cancel);
        try
        {
            var stopwatch = Stopwatch.StartNew();
            var spec = run.Spec;
            var (routing, access) = (spec.Routing, spec.Access.Parameters());
            var origins = await RunStore.PointsAsync(db, runId, true, chunk.OriginFrom, chunk.OriginTo, cancel.Token);
            var router = await routers.GetAsync(spec.Feeds, spec.ServiceDate, spec.Scenario, routing, cancel.Token);
            // A profile run's connections of the window are prepared once per router, like its walking
            // transfers, so they count as the router, not as this chunk's routing (as in `lisgeo bench`).
            if (SearchOf(spec) == MatrixSearch.Profile)
                await Task.Run(() => router.ProfileConnectionCount, cancel.Token);
            // Phase times go to the log line, so a slow run shows where the chunk spent its time.
            var ready = stopwatch.Elapsed.TotalSeconds;
            var readyCpu = ProcessCpuSeconds();
            double routed, routedCpu;
            bool last;
            if (run.Spec.Type == AnalysisTypes.Isochrones)
            {
                var cutoffs = spec.Isochrones!.Cutoffs;
                var isochrones = new IReadOnlyList<Isochrone>[origins.Count];
                await Task.Run(() => Parallel.For(0, origins.Count, new ParallelOptions { CancellationToken = cancel.Token },
                    o => isochrones[o] = Isochrones.Compute(router, origins[o], routing.Window, cutoffs, access.Percentile, cancel.Token)), cancel.Token);
                routed = stopwatch.Elapsed.TotalSeconds;
                routedCpu = ProcessCpuSeconds();
                last = await RunResultWriters.SaveIsochroneChunkAsync(db, runId, chunk,
                    isochrones.SelectMany((list, o) => list.Select(iso => (o, iso.CutoffMinutes, (Geometry)iso.Geometry, iso.AreaKm2))),
                    stopwatch.Elapsed.TotalSeconds, routed - ready, cancel.Token);
            }
            else
            {
                var destinations = await RunStore.PointsAsync(db, runId, false, chunk.DestinationFrom, chunk.DestinationTo, cancel.Token);
                var centres = await RunStore.CentreCountAsync(db, runId, cancel.Token);
                ready = stopwatch.Elapsed.TotalSeconds;
                readyCpu = ProcessCpuSeconds();
                if (run.DestinationGroupSize is null)
                {
                    var results = await Task.Run(() =>
                        ZoneAccess.Summarise(TravelTimeMatrix.Compute(router, origins, destinations, null, cancel.Token, SearchOf(spec)), access, centres), cancel.Token);
                    routed = stopwatch.Elapsed.TotalSeconds;
                    routedCpu = ProcessCpuSeconds();
                    last = await RunResultWriters.SaveAccessChunkAsync(db, runId, chunk, results.Select(r => (r.Origin, r.CentresReachable, r.DeparturesMeetingTarget, r.Departures)),
                        [.. results.Select(r => (r.Origin, r.Percentiles, r.DeparturesWithinThreshold))], null, stopwatch.Elapsed.TotalSeconds, routed - ready, cancel.Token);
                }
                else
                {
                    // A destination group: centres are a prefix of the run's destinations, so of the group's too.
                    var centresInGroup = Math.Clamp(centres - chunk.DestinationFrom, 0, destinations.Count);
                    var parts = await Task.Run(() =>
                        ZoneAccess.SummariseGroup(TravelTimeMatrix.Compute(router, origins, destinations, null, cancel.Token, SearchOf(spec)), access, centresInGroup), cancel.Token);
                    routed = stopwatch.Elapsed.TotalSeconds;
                    routedCpu = ProcessCpuSeconds();
                    last = await RunResultWriters.SaveAccessChunkAsync(db, runId, chunk, null, [.. parts.Select(p => (p.Origin, p.Percentiles, p.DeparturesWithinThreshold))],
                        parts.Select(p => (p.Origin, p.CentresReachable, p.CentresWithin)), stopwatch.Elapsed.TotalSeconds, routed - ready, cancel.Token);
                }
            }
            // Routing's CPU time (this process's, so the watchdog and HTTP of the moment are in it) beside its
            // wall time: on a shared machine it is the figure to set beside the engine's own (bench/jobs).
            log.LogInformation("Run {Run} chunk {Chunk}: {Origins} origins to destinations {From}–{To} in {Seconds:F1} s (inputs and router {Ready:F2} s, routing {Routing:F1} s with {RoutingCpu:F1} s of CPU, writing {Writing:F2} s)",
                runId, chunkIndex, origins.Count, chunk.DestinationFrom, chunk.DestinationTo == int.MaxValue ? run.DestinationCount : chunk.DestinationTo, stopwatch.Elapsed.TotalSeconds, ready, routed - ready, routedCpu - readyCpu, stopwatch.Elapsed.TotalSeconds - routed);
            if (last)
                await outbox.DispatchAfterCommitAsync(runId);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            log.LogInformation("Run {Run} chunk {Chunk} stopped: the run was cancelled", runId, chunkIndex);
        }
    }

    /// <summary>
    /// Population-weighted indicators of the whole run and their breakdowns, computed in PostGIS; then
    /// the sites' catchments and, for corridor runs, each corridor's figures and report.
    /// </summary>
    [AutomaticRetry(Attempts = AggregateAttempts - 1, DelaysInSeconds = [5, 15])]
    [JobDisplayName("Analysis {0}: aggregate")]
    public async Task AggregateAsync(long runId, PerformContext? context, CancellationToken cancellationToken)
    {
        // One aggregation of a run at a time, in any process: a duplicate job (a crash between an enqueue
        // and recording its job id can leave one) waits here for the first, then finds the run finished and does nothing.
        await using (await RunStore.LockAggregationAsync(db, runId, cancellationToken))
            await AggregateLockedAsync(runId, cancellationToken);
    }

    private async Task AggregateLockedAsync(long runId, CancellationToken cancellationToken)
    {
        var run = await RunStore.LoadAsync(db, runId, cancellationToken);
        if (run is null || RunState.IsFinished(run.State)) return;
        await RunStore.SetStateAsync(db, runId, RunState.Aggregating, cancellationToken);
        // Failing for good (the last attempt) fails the run: RunFailureFilter.
        var clock = Stopwatch.StartNew();
        if (run.DestinationGroupSize is not null)
            await OriginParts.MergeAsync(db, run, cancellationToken);
        var merged = clock.Elapsed.TotalSeconds;
        object summary = run.Spec.Type == AnalysisTypes.Isochrones
            ? await IsochroneSummary.ComputeAsync(db, runId, cancellationToken)
            : await RunSummary.ComputeAsync(db, run, cancellationToken);
        if (AnalysisTypes.HasSites(run.Spec.Type))
            await SiteCatchments.WriteAsync(db, run, cancellationToken);
        IReadOnlyList<string> corridorFailures = [];
        if (run.Spec.Type == AnalysisTypes.Corridor)
            corridorFailures = await CorridorAnalyses.WriteAsync(db, run, cancellationToken);
        await RunStore.CompleteAsync(db, runId, JsonSerializer.Serialize(summary, AnalysisPlanner.Json), cancellationToken,
            corridorFailures.Count == 0 ? null : "Succeeded without " + string.Join("; ", corridorFailures));
        log.LogInformation("Run {Run} aggregated in {Seconds:F2} s (origin parts merged {Merge:F2} s)", runId, clock.Elapsed.TotalSeconds, merged);
    }

    private static double ProcessCpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>The direction the planner chose and recorded.</summary>
    private static MatrixSearch SearchOf(RunSpec spec) => spec.SearchRan == "profile" ? MatrixSearch.Profile : MatrixSearch.Forward;

    /// <summary>Cancels <paramref name="cancel"/> when the run's state becomes cancelled (DELETE /analyses/{id}).</summary>
    private IDisposable WatchForCancellation(long runId, CancellationTokenSource cancel) =>
        new Timer(async _ =>
        {
            try
            {
                if (await RunStore.StateAsync(db, runId, CancellationToken.None) is RunState.Cancelled or RunState.Failed)
                    await cancel.CancelAsync();
            }
            catch (Exception e) when (e is NpgsqlException or ObjectDisposedException)
            {
                // A missed poll only delays cancellation to the next one.
            }
        }, null, CancelPoll, CancelPoll);
}
