using Lis.Geo.Transit.Routing;
using NpgsqlTypes;

namespace Lis.Geo.Data.Analyses;

/// <summary>
/// The writers of a run's result rows: what a chunk stores (replacing its earlier rows, so a retried
/// chunk never duplicates them, and marking itself done in the same transaction) and the aggregation's
/// merge of a destination-group run's origin parts. Every bulk write goes through <see cref="BinaryCopy"/>.
/// </summary>
/// <remarks>
/// The rows come in as the chunk computed them: origin and destination indices within the chunk, which
/// the writers offset by the chunk's ranges. The jobs' hot path: rows are value tuples over the engine's
/// own arrays, written as they are enumerated, so nothing is allocated per row on their way here.
/// </remarks>
public static class RunResultWriters
{
    /// <summary>
    /// Replaces the chunk's rows and marks it done in one transaction: its pair rows (its origins to its
    /// destinations), then either its origins' rows (<paramref name="origins"/>, a chunk of origins) or its
    /// parts of every origin's indicators (<paramref name="parts"/>, a destination group; merged by
    /// <see cref="MergeOriginPartsAsync"/>). True when this chunk was the run's last (<see cref="RunStore.CompleteChunkAsync"/>).
    /// </summary>
    public static async Task<bool> SaveAccessChunkAsync(NpgsqlDataSource db, long runId, RunChunk chunk,
        IEnumerable<(int Origin, int CentresReachable, int DeparturesMeetingTarget, int Departures)>? origins,
        IReadOnlyList<(int Origin, int[][] Percentiles, int[] Within)> pairs,
        IEnumerable<(int Origin, int CentresReachable, int[] CentresWithin)>? parts,
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
            await CopyOriginResultsAsync(conn, runId, chunk.OriginFrom, origins, ct);
        if (parts is not null)
            await BinaryCopy.WriteAsync(conn, "analysis_origin_part", "run_id, chunk_index, origin_index, centres_reachable, centres_within", parts, (copy, p) =>
            {
                copy.Write(runId, NpgsqlDbType.Bigint);
                copy.Write(chunk.Index, NpgsqlDbType.Integer);
                copy.Write(chunk.OriginFrom + p.Origin, NpgsqlDbType.Integer);
                copy.Write(p.CentresReachable, NpgsqlDbType.Integer);
                copy.Write(p.CentresWithin, NpgsqlDbType.Array | NpgsqlDbType.Integer);
            }, ct);
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

    /// <summary>Replaces the chunk's isochrones and marks it done in one transaction, as <see cref="SaveAccessChunkAsync"/> does for travel times.</summary>
    public static async Task<bool> SaveIsochroneChunkAsync(NpgsqlDataSource db, long runId, RunChunk chunk,
        IEnumerable<(int Origin, int CutoffMinutes, Geometry Geometry, double AreaKm2)> isochrones,
        double seconds, double routingSeconds, CancellationToken ct)
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
        await BinaryCopy.WriteAsync(conn, "analysis_isochrone", "run_id, origin_index, cutoff_minutes, geom, area_km2", isochrones, (copy, row) =>
            {
                copy.Write(runId, NpgsqlDbType.Bigint);
                copy.Write(chunk.OriginFrom + row.Origin, NpgsqlDbType.Integer);
                copy.Write(row.CutoffMinutes, NpgsqlDbType.Integer);
                row.Geometry.SRID = 4326; // WGS84 like every column of the store
                copy.Write<Geometry>(row.Geometry);
                copy.Write(row.AreaKm2, NpgsqlDbType.Double);
            }, ct);
        var last = await RunStore.CompleteChunkAsync(conn, tx, runId, chunk, seconds, routingSeconds, ct);
        await tx.CommitAsync(ct);
        return last;
    }

    /// <summary>
    /// Merges a destination-group run's parts into its origin rows and deletes the parts, in one
    /// transaction: <paramref name="merge"/> turns an origin's parts (in chunk order) into its row, the
    /// rule a run split by origins applies itself. A retried aggregation finds no parts once a merge has
    /// committed and leaves the merged rows alone.
    /// </summary>
    public static async Task MergeOriginPartsAsync(NpgsqlDataSource db, long runId, int originCount,
        Func<int, IReadOnlyCollection<(int CentresReachable, int[] CentresWithin)>, (int CentresReachable, int DeparturesMeetingTarget, int Departures)> merge,
        CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var merged = new List<(int Origin, int CentresReachable, int DeparturesMeetingTarget, int Departures)>();
        await using (var read = new NpgsqlCommand(
            "SELECT origin_index, centres_reachable, centres_within FROM analysis_origin_part WHERE run_id = $1 ORDER BY origin_index, chunk_index FOR UPDATE", conn, tx))
        {
            read.Parameters.Add(new() { Value = runId });
            await using var r = await read.ExecuteReaderAsync(ct);
            var origin = -1;
            var parts = new List<(int CentresReachable, int[] CentresWithin)>();
            void MergeOrigin()
            {
                var (reachable, meeting, departures) = merge(origin, parts);
                merged.Add((origin, reachable, meeting, departures));
                parts.Clear();
            }
            while (await r.ReadAsync(ct))
            {
                var o = r.GetInt32(0);
                if (o != origin && parts.Count > 0) MergeOrigin();
                origin = o;
                parts.Add((r.GetInt32(1), r.GetFieldValue<int[]>(2)));
            }
            if (parts.Count > 0) MergeOrigin();
        }
        if (merged.Count == 0) return; // merged by an earlier attempt
        if (merged.Count != originCount)
            throw new InvalidOperationException($"Run {runId} has destination-group parts for {merged.Count} of its {originCount} origins.");
        await DeleteRunRowsAsync(conn, tx, "analysis_origin_result", runId, ct);
        await CopyOriginResultsAsync(conn, runId, 0, merged, ct);
        await DeleteRunRowsAsync(conn, tx, "analysis_origin_part", runId, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Origin rows by COPY, their origin indices offset by <paramref name="firstOrigin"/>: a chunk of
    /// origins writes its own, the merge (offset 0) those of a destination-group run.
    /// </summary>
    private static Task<ulong> CopyOriginResultsAsync(NpgsqlConnection conn, long runId, int firstOrigin,
        IEnumerable<(int Origin, int CentresReachable, int DeparturesMeetingTarget, int Departures)> rows, CancellationToken ct) =>
        BinaryCopy.WriteAsync(conn, "analysis_origin_result", "run_id, origin_index, centres_reachable, departures_meeting_target, departures", rows, (copy, r) =>
        {
            copy.Write(runId, NpgsqlDbType.Bigint);
            copy.Write(firstOrigin + r.Origin, NpgsqlDbType.Integer);
            copy.Write(r.CentresReachable, NpgsqlDbType.Integer);
            copy.Write(r.DeparturesMeetingTarget, NpgsqlDbType.Integer);
            copy.Write(r.Departures, NpgsqlDbType.Integer);
        }, ct);

    private static async Task DeleteRunRowsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string table, long runId, CancellationToken ct)
    {
        await using var del = new NpgsqlCommand($"DELETE FROM {table} WHERE run_id = $1", conn, tx);
        del.Parameters.Add(new() { Value = runId });
        await del.ExecuteNonQueryAsync(ct);
    }
}
