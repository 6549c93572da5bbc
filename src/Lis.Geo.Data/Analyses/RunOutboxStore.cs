namespace Lis.Geo.Data.Analyses;

/// <summary>
/// The outbox of the runs' work (<c>analysis_work</c>: a row per chunk and per due aggregation, written by
/// the transaction that calls for the work): the dispatcher takes its rows one at a time, and the
/// watchdog's pass repairs what went missing. Jobs decides what to enqueue and when; each step's
/// statements and its transaction are here.
/// </summary>
public static class RunOutboxStore
{
    /// <summary>
    /// Opens a transaction holding the next undispatched row after <paramref name="after"/> (of
    /// <paramref name="runId"/>, or of every run), locked <c>FOR UPDATE SKIP LOCKED</c> so two
    /// dispatchers never take it both; null when there is none. Disposing it without recording an
    /// outcome rolls back and leaves the row as it was.
    /// </summary>
    public static Task<UndispatchedWork?> NextUndispatchedAsync(NpgsqlDataSource db, long after, long? runId, CancellationToken ct) =>
        BeginAsync(db, async (conn, tx) =>
        {
            await using var next = new NpgsqlCommand("""
                SELECT id, run_id, chunk_index FROM analysis_work
                WHERE job_id IS NULL AND id > $1 AND ($2::bigint IS NULL OR run_id = $2)
                ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
                """, conn, tx);
            next.Parameters.Add(new() { Value = after });
            next.Parameters.Add(new() { Value = (object?)runId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
            await using var r = await next.ExecuteReaderAsync(ct);
            return await r.ReadAsync(ct) ? new UndispatchedWork(conn, tx, r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetInt32(2)) : null;
        }, ct);

    /// <summary>An outbox row taken by the dispatcher: a chunk's job (<see cref="ChunkIndex"/>) or the run's aggregation (null).</summary>
    public sealed class UndispatchedWork(NpgsqlConnection conn, NpgsqlTransaction tx, long id, long runId, int? chunkIndex) : IAsyncDisposable
    {
        public long Id { get; } = id;
        public long RunId { get; } = runId;
        public int? ChunkIndex { get; } = chunkIndex;

        /// <summary>Records the Hangfire job that now does the work, and commits.</summary>
        public Task DispatchedAsync(string jobId, CancellationToken ct) =>
            MarkAsync("UPDATE analysis_work SET job_id = $2, dispatched_at = now(), dispatches = dispatches + 1 WHERE id = $1", jobId, ct);

        /// <summary>Records why the work could not be scheduled (the sweep retries it), and commits.</summary>
        public Task NotDispatchedAsync(string error, CancellationToken ct) =>
            MarkAsync("UPDATE analysis_work SET last_error = $2 WHERE id = $1", error, ct);

        private async Task MarkAsync(string sql, string value, CancellationToken ct)
        {
            await using (var mark = new NpgsqlCommand(sql, conn, tx))
            {
                mark.Parameters.Add(new() { Value = Id });
                mark.Parameters.Add(new() { Value = value });
                await mark.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
        }

        public ValueTask DisposeAsync() => new(Close(conn, tx));
    }

    /// <summary>The advisory lock key of a watchdog pass ("LisGeoWD").</summary>
    private const long WatchdogLockKey = 0x4C697347656F5744;

    /// <summary>
    /// Opens a watchdog pass: a transaction holding the pass's advisory lock (transaction-scoped, so one
    /// pass runs at a time across processes and a dead one holds nothing); null when another pass has it.
    /// Disposing it without <see cref="WatchdogPass.CommitAsync"/> rolls back.
    /// </summary>
    public static Task<WatchdogPass?> BeginWatchdogPassAsync(NpgsqlDataSource db, CancellationToken ct) =>
        BeginAsync(db, async (conn, tx) =>
        {
            await using var lockCmd = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock($1)", conn, tx);
            lockCmd.Parameters.Add(new() { Value = WatchdogLockKey });
            return await lockCmd.ExecuteScalarAsync(ct) is true ? new WatchdogPass(conn, tx) : null;
        }, ct);

    /// <summary>Outbox work dispatched to a Hangfire job and not done yet, of an unfinished run.</summary>
    public readonly record struct DispatchedWork(long Id, long RunId, int? ChunkIndex, string JobId, int Dispatches, DateTimeOffset DispatchedAt);

    /// <summary>One watchdog pass's statements, all in its transaction.</summary>
    public sealed class WatchdogPass(NpgsqlConnection conn, NpgsqlTransaction tx) : IAsyncDisposable
    {
        /// <summary>
        /// Writes the work an unfinished run lacks: a chunk not done, or its aggregation once every chunk
        /// is (runs from before the outbox, or rows deleted by hand).
        /// </summary>
        public async Task AddMissingWorkAsync(CancellationToken ct)
        {
            await using var missing = new NpgsqlCommand($"""
                INSERT INTO analysis_work (run_id, chunk_index)
                SELECT c.run_id, c.index FROM analysis_chunk c JOIN analysis_run r ON r.id = c.run_id
                WHERE r.state IN {RunStateSql.Unfinished} AND c.done_at IS NULL
                UNION ALL
                SELECT r.id, NULL FROM analysis_run r
                WHERE r.state IN {RunStateSql.Unfinished} AND r.chunks_done = r.chunk_count
                ON CONFLICT DO NOTHING
                """, conn, tx);
            await missing.ExecuteNonQueryAsync(ct);
        }

        /// <summary>Fails the runs with work that could not be scheduled for <paramref name="giveUpSeconds"/>; returns each failed run with its error.</summary>
        public async Task<List<(long RunId, string Error)>> FailUnschedulableAsync(int giveUpSeconds, CancellationToken ct)
        {
            await using var cmd = new NpgsqlCommand($"""
                UPDATE analysis_run r SET state = '{RunState.Failed}', finished_at = now(),
                       error = format('Could not schedule the %s for %s s: %s', CASE WHEN w.chunk_index IS NULL THEN 'aggregation' ELSE 'job of chunk ' || w.chunk_index END,
                                      $1, coalesce(w.last_error, 'no dispatcher ran'))
                FROM analysis_work w
                WHERE w.run_id = r.id AND w.job_id IS NULL AND r.state IN {RunStateSql.Unfinished}
                  AND coalesce(w.dispatched_at, w.created_at) < now() - make_interval(secs => $1)
                RETURNING r.id, r.error
                """, conn, tx);
            cmd.Parameters.Add(new() { Value = giveUpSeconds });
            var failed = new List<(long, string)>();
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                failed.Add((r.GetInt64(0), r.GetString(1)));
            return failed;
        }

        /// <summary>The dispatched work of unfinished runs that is not done: what the pass checks against Hangfire.</summary>
        public async Task<List<DispatchedWork>> DispatchedUndoneAsync(CancellationToken ct)
        {
            var dispatched = new List<DispatchedWork>();
            await using var cmd = new NpgsqlCommand($"""
                SELECT w.id, w.run_id, w.chunk_index, w.job_id, w.dispatches, w.dispatched_at FROM analysis_work w
                JOIN analysis_run r ON r.id = w.run_id
                LEFT JOIN analysis_chunk c ON c.run_id = w.run_id AND c.index = w.chunk_index
                WHERE w.job_id IS NOT NULL AND r.state IN {RunStateSql.Unfinished} AND (w.chunk_index IS NULL OR c.done_at IS NULL)
                """, conn, tx);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                dispatched.Add(new(r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetInt32(2), r.GetString(3), r.GetInt32(4), r.GetFieldValue<DateTimeOffset>(5)));
            return dispatched;
        }

        /// <summary>Fails a run that has not finished, with <paramref name="error"/>.</summary>
        public Task FailRunAsync(long runId, string error, CancellationToken ct) => RunStateSql.FailRunAsync(conn, tx, runId, error, ct);

        /// <summary>
        /// Clears the lost job <paramref name="jobId"/> from its work, so the next dispatch enqueues it
        /// again, with <paramref name="lost"/> as its last error; only if nobody finished it meanwhile.
        /// </summary>
        public Task ReleaseLostJobAsync(long workId, string jobId, string lost, CancellationToken ct) =>
            ExecuteAsync("UPDATE analysis_work SET job_id = NULL, last_error = $3 WHERE id = $1 AND job_id = $2", ct, workId, jobId, lost);

        public Task CommitAsync(CancellationToken ct) => tx.CommitAsync(ct);

        public ValueTask DisposeAsync() => new(Close(conn, tx));

        private async Task ExecuteAsync(string sql, CancellationToken ct, params object[] parameters)
        {
            await using var cmd = new NpgsqlCommand(sql, conn, tx);
            foreach (var p in parameters) cmd.Parameters.Add(new() { Value = p });
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// Opens a connection and a transaction for one step and hands both to what <paramref name="begin"/>
    /// returns, which then owns them; closes them when it returns null or throws.
    /// </summary>
    private static async Task<T?> BeginAsync<T>(NpgsqlDataSource db, Func<NpgsqlConnection, NpgsqlTransaction, Task<T?>> begin, CancellationToken ct) where T : class
    {
        var conn = await db.OpenConnectionAsync(ct);
        NpgsqlTransaction? tx = null;
        try
        {
            tx = await conn.BeginTransactionAsync(ct);
            if (await begin(conn, tx) is { } started) return started;
        }
        catch
        {
            await Close(conn, tx);
            throw;
        }
        await Close(conn, tx);
        return null;
    }

    /// <summary>Ends a step's transaction (rolled back unless committed) and returns its connection to the pool.</summary>
    private static async Task Close(NpgsqlConnection conn, NpgsqlTransaction? tx)
    {
        if (tx is not null) await tx.DisposeAsync();
        await conn.DisposeAsync();
    }
}
