using Lis.Geo.Data.Layers;
using Lis.Geo.Transit.Walking;
using Microsoft.EntityFrameworkCore;

namespace Lis.Geo.Data.Analyses;

/// <summary>
/// The run bookkeeping: storing a planned run, loading runs, state changes, chunk claims, the fan-in
/// counter. The jobs, the API and the layer catalogue all read and move runs through here; the outbox
/// of their work is <see cref="RunOutboxStore"/>.
/// </summary>
public static class RunStore
{
    /// <summary>
    /// Stores a planned run with everything it starts with, in one transaction: the run, its
    /// <paramref name="idempotencyKey"/> with the hash of its request (when given), its points
    /// (origins, then destinations, each indexed from 0), its chunks and one outbox row per chunk, so a
    /// run is stored with all its work due, or not at all. Sets <paramref name="run"/>'s id. False, with
    /// nothing stored, when the key is already taken: the key is unique and inserted ON CONFLICT DO
    /// NOTHING, so of two concurrent requests with one key the second waits for the first and finds it.
    /// </summary>
    public static async Task<bool> AddAsync(NpgsqlDataSource db, AnalysisRun run, (string Key, string RequestSha256)? idempotencyKey,
        IReadOnlyList<PlanningPoints.Point> origins, IReadOnlyList<PlanningPoints.Point> destinations,
        IEnumerable<(int OriginFrom, int OriginTo, int DestinationFrom, int DestinationTo)> chunks, CancellationToken ct)
    {
        await using var ctx = LisGeoDb.CreateContext(db);
        await using var tx = await ctx.Database.BeginTransactionAsync(ct);
        ctx.Runs.Add(run);
        await ctx.SaveChangesAsync(ct);
        if (idempotencyKey is { } k)
        {
            var keyStored = await ctx.Database.ExecuteSqlInterpolatedAsync(
                $"INSERT INTO analysis_request_key (key, request_sha256, run_id) VALUES ({k.Key}, {k.RequestSha256}, {run.Id}) ON CONFLICT (key) DO NOTHING", ct);
            if (keyStored == 0)
            {
                await tx.RollbackAsync(ct);
                return false;
            }
        }
        // The points by COPY on the context's connection, inside its transaction: thousands of rows
        // (12,000+ at Output Area scale) that EF would insert as tracked entities.
        await BinaryCopy.WriteAsync((NpgsqlConnection)ctx.Database.GetDbConnection(), "analysis_point", "run_id, is_origin, index, kind, code, name, lon, lat, weight",
            origins.Select((p, i) => (Origin: true, Index: i, Point: p)).Concat(destinations.Select((p, i) => (Origin: false, Index: i, Point: p))), (copy, row) =>
            {
                copy.Write(run.Id, NpgsqlTypes.NpgsqlDbType.Bigint);
                copy.Write(row.Origin, NpgsqlTypes.NpgsqlDbType.Boolean);
                copy.Write(row.Index, NpgsqlTypes.NpgsqlDbType.Integer);
                copy.Write(row.Point.Kind, NpgsqlTypes.NpgsqlDbType.Text);
                copy.Write(row.Point.Code, NpgsqlTypes.NpgsqlDbType.Text);
                if (row.Point.Name is null) copy.WriteNull();
                else copy.Write(row.Point.Name, NpgsqlTypes.NpgsqlDbType.Text);
                copy.Write(row.Point.Lon, NpgsqlTypes.NpgsqlDbType.Double);
                copy.Write(row.Point.Lat, NpgsqlTypes.NpgsqlDbType.Double);
                copy.Write(row.Point.Weight, NpgsqlTypes.NpgsqlDbType.Double);
            }, ct);
        ctx.RunChunks.AddRange(chunks.Select((c, i) => new RunChunk
        {
            RunId = run.Id, Index = i, OriginFrom = c.OriginFrom, OriginTo = c.OriginTo, DestinationFrom = c.DestinationFrom, DestinationTo = c.DestinationTo,
        }));
        ctx.RunWork.AddRange(Enumerable.Range(0, run.ChunkCount).Select(c => new RunWork { RunId = run.Id, ChunkIndex = c }));
        await ctx.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>The run an <c>Idempotency-Key</c> created, with the hash of the request that first used the key; null for a key not used yet.</summary>
    public static async Task<(string RequestSha256, AnalysisRun Run)?> ByIdempotencyKeyAsync(NpgsqlDataSource db, string key, CancellationToken ct)
    {
        await using var ctx = LisGeoDb.CreateContext(db);
        var earlier = await ctx.RunRequestKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Key == key, ct);
        if (earlier is null) return null;
        return (earlier.RequestSha256, await ctx.Runs.AsNoTracking().FirstAsync(r => r.Id == earlier.RunId, ct));
    }

    public static async Task<AnalysisRun?> LoadAsync(NpgsqlDataSource db, long runId, CancellationToken ct)
    {
        await using var ctx = LisGeoDb.CreateContext(db);
        return await ctx.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, ct);
    }

    /// <summary>Runs, newest first.</summary>
    public static async Task<List<AnalysisRun>> ListAsync(NpgsqlDataSource db, int limit, CancellationToken ct)
    {
        await using var ctx = LisGeoDb.CreateContext(db);
        return await ctx.Runs.AsNoTracking().OrderByDescending(r => r.Id).Take(limit).ToListAsync(ct);
    }

    /// <summary>What <paramref name="run"/>'s result layers are built from.</summary>
    public static async Task<LayerCatalog.RunFacts> FactsAsync(NpgsqlDataSource db, AnalysisRun run, CancellationToken ct) =>
        new(run.Id, run.Spec, await CentreCountAsync(db, run.Id, ct));

    /// <summary>The succeeded runs (or the one run <paramref name="only"/>, if succeeded) with their centre counts, oldest first.</summary>
    public static async Task<List<LayerCatalog.RunFacts>> SucceededAsync(NpgsqlDataSource db, long? only, CancellationToken ct)
    {
        await using var ctx = LisGeoDb.CreateContext(db);
        var runs = await ctx.Runs.AsNoTracking().Where(r => r.State == RunState.Succeeded && (only == null || r.Id == only))
            .OrderBy(r => r.Id).Select(r => new { r.Id, r.Spec }).ToListAsync(ct);
        var ids = runs.Select(r => r.Id).ToList();
        var centres = await ctx.RunPoints.Where(p => ids.Contains(p.RunId) && !p.IsOrigin && p.Kind == PointKind.Centre)
            .GroupBy(p => p.RunId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        return runs.Select(r => new LayerCatalog.RunFacts(r.Id, r.Spec, centres.GetValueOrDefault(r.Id))).ToList();
    }

    public static async Task<string?> StateAsync(NpgsqlDataSource db, long runId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT state FROM analysis_run WHERE id = $1");
        cmd.Parameters.Add(new() { Value = runId });
        return (string?)await cmd.ExecuteScalarAsync(ct);
    }

    /// <summary>
    /// Counts an attempt at a chunk and marks the run running; null when the chunk is already done
    /// (a duplicate delivery or a retry after the commit).
    /// </summary>
    public static async Task<RunChunk?> ClaimChunkAsync(NpgsqlDataSource db, long runId, int index, string worker, CancellationToken ct)
    {
        await Execute(db, $"UPDATE analysis_run SET state = '{RunState.Running}', started_at = coalesce(started_at, now()) WHERE id = $1 AND state = '{RunState.Queued}'", ct, runId);
        await using var cmd = db.CreateCommand("""
            UPDATE analysis_chunk SET attempts = attempts + 1, worker = $3 WHERE run_id = $1 AND index = $2 AND done_at IS NULL
            RETURNING origin_from, origin_to, destination_from, destination_to, attempts
            """);
        cmd.Parameters.Add(new() { Value = runId });
        cmd.Parameters.Add(new() { Value = index });
        cmd.Parameters.Add(new() { Value = worker });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct)
            ? new RunChunk
            {
                RunId = runId, Index = index, OriginFrom = r.GetInt32(0), OriginTo = r.GetInt32(1),
                DestinationFrom = r.GetInt32(2), DestinationTo = r.GetInt32(3), Attempts = r.GetInt32(4),
            }
            : null;
    }

    /// <summary>
    /// Marks the chunk done (only the first time) and adds it to the run's counters in the caller's
    /// transaction; true when this chunk was the last one, which then writes the aggregation's outbox
    /// row in the same transaction, so "all chunks done" never commits without the aggregation due. A run split
    /// by destination groups has its origins done only when its last group is (each group covers every
    /// origin, and an origin's indicators need every group). <c>done_at</c> is the clock at this statement,
    /// after the chunk's rows are written (<c>now()</c> would be its transaction's start, before them).
    /// </summary>
    public static async Task<bool> CompleteChunkAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long runId, RunChunk chunk, double seconds, double routingSeconds, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            WITH done AS (
                UPDATE analysis_chunk SET done_at = clock_timestamp(), seconds = $3, routing_seconds = $4 WHERE run_id = $1 AND index = $2 AND done_at IS NULL RETURNING origin_to - origin_from AS n)
            UPDATE analysis_run r SET chunks_done = r.chunks_done + 1,
                origins_done = CASE WHEN r.destination_group_size IS NULL THEN r.origins_done + done.n
                                    WHEN r.chunks_done + 1 = r.chunk_count THEN r.origin_count ELSE 0 END
            FROM done WHERE r.id = $1
            RETURNING r.chunks_done = r.chunk_count
            """, conn, tx);
        cmd.Parameters.Add(new() { Value = runId });
        cmd.Parameters.Add(new() { Value = chunk.Index });
        cmd.Parameters.Add(new() { Value = seconds });
        cmd.Parameters.Add(new() { Value = routingSeconds });
        if (await cmd.ExecuteScalarAsync(ct) is not true) return false;
        await using var work = new NpgsqlCommand("INSERT INTO analysis_work (run_id, chunk_index) VALUES ($1, NULL) ON CONFLICT DO NOTHING", conn, tx);
        work.Parameters.Add(new() { Value = runId });
        await work.ExecuteNonQueryAsync(ct);
        return true;
    }

    /// <summary>How many of the run's destinations are centres: they come first, so they are indices 0 … n−1.</summary>
    public static async Task<int> CentreCountAsync(NpgsqlDataSource db, long runId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT count(*)::int FROM analysis_point WHERE run_id = $1 AND NOT is_origin AND kind = 'centre'");
        cmd.Parameters.Add(new() { Value = runId });
        return (int)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public static async Task<List<GeoPoint>> PointsAsync(NpgsqlDataSource db, long runId, bool origins, int from, int to, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT lat, lon FROM analysis_point WHERE run_id = $1 AND is_origin = $2 AND index >= $3 AND index < $4 ORDER BY index");
        cmd.Parameters.Add(new() { Value = runId });
        cmd.Parameters.Add(new() { Value = origins });
        cmd.Parameters.Add(new() { Value = from });
        cmd.Parameters.Add(new() { Value = to });
        var points = new List<GeoPoint>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) points.Add(new GeoPoint(r.GetDouble(0), r.GetDouble(1)));
        return points;
    }

    /// <summary>The advisory lock class of aggregations ("LGag"); the run id is the object.</summary>
    private const int AggregationLockClass = 0x4C476167;

    /// <summary>
    /// Waits for, and holds until disposed, the run's aggregation lock: a session advisory lock on a
    /// connection of its own, so it is released if the process dies or the connection is lost.
    /// </summary>
    public static async Task<IAsyncDisposable> LockAggregationAsync(NpgsqlDataSource db, long runId, CancellationToken ct)
    {
        var conn = await db.OpenConnectionAsync(ct);
        try
        {
            await using var cmd = new NpgsqlCommand("SELECT pg_advisory_lock($1, $2)", conn);
            cmd.Parameters.Add(new() { Value = AggregationLockClass });
            cmd.Parameters.Add(new() { Value = unchecked((int)runId) });
            await cmd.ExecuteNonQueryAsync(ct);
            return new AdvisoryLock(conn, runId);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    private sealed class AdvisoryLock(NpgsqlConnection conn, long runId) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                // Returned to the pool, the session would keep the lock: release it first.
                await using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock($1, $2)", conn);
                cmd.Parameters.Add(new() { Value = AggregationLockClass });
                cmd.Parameters.Add(new() { Value = unchecked((int)runId) });
                await cmd.ExecuteNonQueryAsync(CancellationToken.None);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                // The connection is gone, and the lock with it.
            }
            finally
            {
                await conn.DisposeAsync();
            }
        }
    }

    public static Task SetStateAsync(NpgsqlDataSource db, long runId, string state, CancellationToken ct) =>
        Execute(db, $"UPDATE analysis_run SET state = $2 WHERE id = $1 AND state IN {RunStateSql.Unfinished}", ct, runId, state);

    /// <summary>Fails a run that has not finished, with <paramref name="error"/> (<see cref="RunStateSql.FailRunAsync"/>).</summary>
    public static async Task FailAsync(NpgsqlDataSource db, long runId, string error, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await RunStateSql.FailRunAsync(conn, null, runId, error, ct);
    }

    /// <summary>Marks the run succeeded with its summary; <paramref name="note"/> (parts that could not be produced) goes in its error field.</summary>
    public static async Task CompleteAsync(NpgsqlDataSource db, long runId, string summary, CancellationToken ct, string? note = null)
    {
        await using var cmd = db.CreateCommand(
            $"UPDATE analysis_run SET state = '{RunState.Succeeded}', summary = $2::jsonb, error = $3, finished_at = now() WHERE id = $1 AND state IN {RunStateSql.Unfinished}");
        cmd.Parameters.Add(new() { Value = runId });
        cmd.Parameters.Add(new() { Value = summary });
        cmd.Parameters.Add(new() { Value = (object?)note ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Cancels a run that has not finished; running chunks notice within a second and stop.</summary>
    public static async Task<bool> CancelAsync(NpgsqlDataSource db, long runId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"UPDATE analysis_run SET state = '{RunState.Cancelled}', finished_at = now() WHERE id = $1 AND state IN {RunStateSql.Unfinished}");
        cmd.Parameters.Add(new() { Value = runId });
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    /// <summary>
    /// Deletes a finished run with everything it owns (points, chunks, results, corridor figures: the
    /// foreign keys cascade). False when there is no such run or it has not finished: a running run is
    /// cancelled first, so no chunk is writing rows for it.
    /// </summary>
    public static async Task<bool> DeleteAsync(NpgsqlDataSource db, long runId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"DELETE FROM analysis_run WHERE id = $1 AND state NOT IN {RunStateSql.Unfinished}");
        cmd.Parameters.Add(new() { Value = runId });
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    private static async Task Execute(NpgsqlDataSource db, string sql, CancellationToken ct, params object[] parameters)
    {
        await using var cmd = db.CreateCommand(sql);
        foreach (var p in parameters) cmd.Parameters.Add(new() { Value = p });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
