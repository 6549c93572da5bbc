using Lis.Geo.Analysis;
using Lis.Geo.Data;
using Lis.Geo.Data.Model;
using Npgsql;
using NpgsqlTypes;

namespace Lis.Geo.Jobs;

/// <summary>
/// The origin side of a run split by destination groups: each group's chunk writes its part of every
/// origin's indicators (<see cref="OriginPart"/>); the aggregation merges the parts into the origin
/// rows a run split by origins writes directly, with <see cref="ZoneAccess.Combine"/>, the rule
/// <see cref="ZoneAccess.Summarise"/> uses itself, so both splits store the same rows.
/// </summary>
public static class OriginParts
{
    /// <summary>Writes a chunk's parts with COPY, in the chunk's transaction (its earlier parts are already deleted).</summary>
    public static async Task CopyAsync(NpgsqlConnection conn, long runId, RunChunk chunk, IReadOnlyList<OriginAccessPart> parts, CancellationToken ct)
    {
        await BinaryCopy.WriteAsync(conn, "analysis_origin_part", "run_id, chunk_index, origin_index, centres_reachable, centres_within", parts, (copy, p) =>
        {
            copy.Write(runId, NpgsqlDbType.Bigint);
            copy.Write(chunk.Index, NpgsqlDbType.Integer);
            copy.Write(chunk.OriginFrom + p.Origin, NpgsqlDbType.Integer);
            copy.Write(p.CentresReachable, NpgsqlDbType.Integer);
            copy.Write(p.CentresWithin, NpgsqlDbType.Array | NpgsqlDbType.Integer);
        }, ct);
    }

    /// <summary>
    /// Merges the run's parts into its origin rows and deletes the parts, in one transaction. A retried
    /// aggregation finds no parts once a merge has committed and leaves the merged rows alone.
    /// </summary>
    public static async Task MergeAsync(NpgsqlDataSource db, AnalysisRun run, CancellationToken ct)
    {
        var minCentres = run.Spec.Access.Parameters().MinCentres;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var merged = new List<(int Origin, int Reachable, int Meeting, int Departures)>();
        await using (var read = new NpgsqlCommand(
            "SELECT origin_index, centres_reachable, centres_within FROM analysis_origin_part WHERE run_id = $1 ORDER BY origin_index, chunk_index FOR UPDATE", conn, tx))
        {
            read.Parameters.Add(new() { Value = run.Id });
            await using var r = await read.ExecuteReaderAsync(ct);
            var origin = -1;
            var parts = new List<(int, int[])>();
            while (await r.ReadAsync(ct))
            {
                var o = r.GetInt32(0);
                if (o != origin && parts.Count > 0) { merged.Add(Merge(origin, parts, run.ChunkCount, minCentres)); parts.Clear(); }
                origin = o;
                parts.Add((r.GetInt32(1), r.GetFieldValue<int[]>(2)));
            }
            if (parts.Count > 0) merged.Add(Merge(origin, parts, run.ChunkCount, minCentres));
        }
        if (merged.Count == 0) return; // merged by an earlier attempt
        if (merged.Count != run.OriginCount)
            throw new InvalidOperationException($"Run {run.Id} has destination-group parts for {merged.Count} of its {run.OriginCount} origins.");
        await using (var del = new NpgsqlCommand("DELETE FROM analysis_origin_result WHERE run_id = $1", conn, tx))
        {
            del.Parameters.Add(new() { Value = run.Id });
            await del.ExecuteNonQueryAsync(ct);
        }
        await BinaryCopy.WriteAsync(conn, "analysis_origin_result", "run_id, origin_index, centres_reachable, departures_meeting_target, departures", merged, (copy, m) =>
        {
            copy.Write(run.Id, NpgsqlDbType.Bigint);
            copy.Write(m.Origin, NpgsqlDbType.Integer);
            copy.Write(m.Reachable, NpgsqlDbType.Integer);
            copy.Write(m.Meeting, NpgsqlDbType.Integer);
            copy.Write(m.Departures, NpgsqlDbType.Integer);
        }, ct);
        await using (var del = new NpgsqlCommand("DELETE FROM analysis_origin_part WHERE run_id = $1", conn, tx))
        {
            del.Parameters.Add(new() { Value = run.Id });
            await del.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    private static (int, int, int, int) Merge(int origin, List<(int, int[])> parts, int groups, int minCentres)
    {
        if (parts.Count != groups)
            throw new InvalidOperationException($"Origin {origin} has parts from {parts.Count} of its {groups} destination groups.");
        var (reachable, meeting, departures) = ZoneAccess.Combine(parts, minCentres);
        return (origin, reachable, meeting, departures);
    }
}
