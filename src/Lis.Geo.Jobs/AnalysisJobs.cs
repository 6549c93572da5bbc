using System.Diagnostics;
using System.Text.Json;
using Hangfire;
using Hangfire.Server;
using Lis.Geo.Analysis;
using Lis.Geo.Data;
using Lis.Geo.Data.Analyses;
using Lis.Geo.Data.Model;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Walking;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

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
            if (run.Type == AnalysisTypes.Isochrones)
            {
                var cutoffs = spec.Isochrones!.Cutoffs;
                var isochrones = new IReadOnlyList<Isochrone>[origins.Count];
                await Task.Run(() => Parallel.For(0, origins.Count, new ParallelOptions { CancellationToken = cancel.Token },
                    o => isochrones[o] = Isochrones.Compute(router, origins[o], routing.Window, cutoffs, access.Percentile, cancel.Token)), cancel.Token);
                routed = stopwatch.Elapsed.TotalSeconds;
                routedCpu = ProcessCpuSeconds();
                last = await SaveIsochronesAsync(runId, chunk, isochrones, stopwatch.Elapsed.TotalSeconds, routed - ready, cancel.Token);
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
                    last = await SaveAsync(runId, chunk, results, [.. results.Select(r => (r.Origin, r.Percentiles, r.DeparturesWithinThreshold))], null, stopwatch.Elapsed.TotalSeconds, routed - ready, cancel.Token);
                }
                else
                {
                    // A destination group: centres are a prefix of the run's destinations, so of the group's too.
                    var centresInGroup = Math.Clamp(centres - chunk.DestinationFrom, 0, destinations.Count);
                    var parts = await Task.Run(() =>
                        ZoneAccess.SummariseGroup(TravelTimeMatrix.Compute(router, origins, destinations, null, cancel.Token, SearchOf(spec)), access, centresInGroup), cancel.Token);
                    routed = stopwatch.Elapsed.TotalSeconds;
                    routedCpu = ProcessCpuSeconds();
                    last = await SaveAsync(runId, chunk, null, [.. parts.Select(p => (p.Origin, p.Percentiles, p.DeparturesWithinThreshold))], parts,
                        stopwatch.Elapsed.TotalSeconds, routed - ready, cancel.Token);
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
        object summary = run.Type == AnalysisTypes.Isochrones
            ? await IsochroneSummaryAsync(runId, cancellationToken)
            : await RunSummary.ComputeAsync(db, run, cancellationToken);
        if (AnalysisTypes.HasSites(run.Type))
            await SiteCatchments.WriteAsync(db, run, cancellationToken);
        IReadOnlyList<string> corridorFailures = [];
        if (run.Type == AnalysisTypes.Corridor)
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

    /// <summary>The direction the planner chose and recorded (runs planned before it existed ran forward).</summary>
    private static MatrixSearch SearchOf(RunSpec spec) => spec.Search == "profile" ? MatrixSearch.Profile : MatrixSearch.Forward;

    /// <summary>Per cutoff: how many isochrones and their mean area, the run-level figure of an isochrone run.</summary>
    private async Task<object> IsochroneSummaryAsync(long runId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT cutoff_minutes, count(*)::int, avg(area_km2), min(area_km2), max(area_km2) FROM analysis_isochrone WHERE run_id = $1 GROUP BY cutoff_minutes ORDER BY cutoff_minutes
            """);
        cmd.Parameters.Add(new() { Value = runId });
        var rows = new List<object>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new { cutoffMinutes = r.GetInt32(0), isochrones = r.GetInt32(1), meanAreaKm2 = Math.Round(r.GetDouble(2), 4), minAreaKm2 = Math.Round(r.GetDouble(3), 4), maxAreaKm2 = Math.Round(r.GetDouble(4), 4) });
        return new { byCutoff = rows };
    }

    /// <summary>Replaces the chunk's isochrones and marks it done in one transaction, as <see cref="SaveAsync"/> does for travel times.</summary>
    private async Task<bool> SaveIsochronesAsync(long runId, RunChunk chunk, IReadOnlyList<Isochrone>[] isochrones, double seconds, double routingSeconds, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var del = new NpgsqlCommand("DELETE FROM analysis_isochrone WHERE run_id = $1 AND origin_index >= $2 AND origin_index < $3", conn, tx))
        {
            del.Parameters.Add(new() { Value = runId });
            del.Parameters.Add(new() { Value = chunk.OriginFrom });
            del.Parameters.Add(new() { Value = chunk.OriginTo });
            await del.ExecuteNonQueryAsync(ct);
        }
        await BinaryCopy.WriteAsync(conn, "analysis_isochrone", "run_id, origin_index, cutoff_minutes, geom, area_km2",
            isochrones.SelectMany((list, o) => list.Select(iso => (Origin: chunk.OriginFrom + o, Isochrone: iso))), (copy, row) =>
            {
                copy.Write(runId, NpgsqlDbType.Bigint);
                copy.Write(row.Origin, NpgsqlDbType.Integer);
                copy.Write(row.Isochrone.CutoffMinutes, NpgsqlDbType.Integer);
                row.Isochrone.Geometry.SRID = 4326; // WGS84 like every column of the store
                copy.Write<NetTopologySuite.Geometries.Geometry>(row.Isochrone.Geometry);
                copy.Write(row.Isochrone.AreaKm2, NpgsqlDbType.Double);
            }, ct);
        var last = await RunStore.CompleteChunkAsync(conn, tx, runId, chunk, seconds, routingSeconds, ct);
        await tx.CommitAsync(ct);
        return last;
    }

    /// <summary>
    /// Replaces the chunk's rows and marks it done in one transaction: its pair rows (its origins to its
    /// destinations), then either its origins' rows (<paramref name="origins"/>, a chunk of origins) or its
    /// parts of every origin's indicators (<paramref name="parts"/>, a destination group; merged by the aggregation).
    /// </summary>
    private async Task<bool> SaveAsync(long runId, RunChunk chunk, OriginAccess[]? origins,
        IReadOnlyList<(int Origin, int[][] Percentiles, int[] Within)> pairs, OriginAccessPart[]? parts,
        double seconds, double routingSeconds, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var del = new NpgsqlCommand(
            "WITH o AS (DELETE FROM analysis_origin_result WHERE run_id = $1 AND origin_index >= $2 AND origin_index < $3 AND $6), " +
            "p AS (DELETE FROM analysis_origin_part WHERE run_id = $1 AND chunk_index = $7) " +
            "DELETE FROM analysis_pair_result WHERE run_id = $1 AND origin_index >= $2 AND origin_index < $3 AND destination_index >= $4 AND destination_index < $5", conn, tx))
        {
            del.Parameters.Add(new() { Value = runId });
            del.Parameters.Add(new() { Value = chunk.OriginFrom });
            del.Parameters.Add(new() { Value = chunk.OriginTo });
            del.Parameters.Add(new() { Value = chunk.DestinationFrom });
            del.Parameters.Add(new() { Value = chunk.DestinationTo });
            del.Parameters.Add(new() { Value = origins is not null });
            del.Parameters.Add(new() { Value = chunk.Index });
            await del.ExecuteNonQueryAsync(ct);
        }
        if (origins is not null)
            await BinaryCopy.WriteAsync(conn, "analysis_origin_result", "run_id, origin_index, centres_reachable, departures_meeting_target, departures", origins, (copy, r) =>
            {
                copy.Write(runId, NpgsqlDbType.Bigint);
                copy.Write(chunk.OriginFrom + r.Origin, NpgsqlDbType.Integer);
                copy.Write(r.CentresReachable, NpgsqlDbType.Integer);
                copy.Write(r.DeparturesMeetingTarget, NpgsqlDbType.Integer);
                copy.Write(r.Departures, NpgsqlDbType.Integer);
            }, ct);
        if (parts is not null)
            await OriginParts.CopyAsync(conn, runId, chunk, parts, ct);
        await BinaryCopy.WriteAsync(conn, "analysis_pair_result", "run_id, origin_index, destination_index, percentiles, departures_within",
            pairs.SelectMany(p => Enumerable.Range(0, p.Percentiles.Length).Select(d => (p.Origin, Destination: d, Percentiles: p.Percentiles[d], Within: p.Within[d]))), (copy, row) =>
            {
                copy.Write(runId, NpgsqlDbType.Bigint);
                copy.Write(chunk.OriginFrom + row.Origin, NpgsqlDbType.Integer);
                copy.Write(chunk.DestinationFrom + row.Destination, NpgsqlDbType.Integer);
                copy.Write(Array.ConvertAll(row.Percentiles, t => t == TravelTime.Unreachable ? (int?)null : t), NpgsqlDbType.Array | NpgsqlDbType.Integer);
                copy.Write(row.Within, NpgsqlDbType.Integer);
            }, ct);
        var last = await RunStore.CompleteChunkAsync(conn, tx, runId, chunk, seconds, routingSeconds, ct);
        await tx.CommitAsync(ct);
        return last;
    }

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
