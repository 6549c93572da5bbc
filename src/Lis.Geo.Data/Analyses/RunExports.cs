namespace Lis.Geo.Data.Analyses;

/// <summary>Exports of a run's stored results, written by PostgreSQL itself.</summary>
public static class RunExports
{
    /// <summary>
    /// Every origin–destination pair of run <paramref name="runId"/> with its travel time at each of
    /// <paramref name="percentiles"/> (the run's, in their stored order) as CSV, header and quoting included
    /// (<c>COPY … TO STDOUT</c>). Destination names a spreadsheet would run as a formula get a leading apostrophe.
    /// </summary>
    public static async Task CopyTravelTimesCsvAsync(NpgsqlDataSource db, long runId, IReadOnlyList<int> percentiles, TextWriter writer, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var columns = string.Join(", ", percentiles.Select((q, i) => $"pr.percentiles[{i + 1}] AS p{q}_seconds"));
        var sql = $"""
            COPY (SELECT o.kind AS origin_kind, o.code AS origin, d.kind AS destination_kind, d.code AS destination,
                         CASE WHEN d.name ~ '^[=+@\t\r-]' THEN '''' || d.name ELSE d.name END AS destination_name, {columns},
                         pr.departures_within AS departures_within_threshold
                  FROM analysis_pair_result pr
                  JOIN analysis_point o ON o.run_id = pr.run_id AND o.is_origin AND o.index = pr.origin_index
                  JOIN analysis_point d ON d.run_id = pr.run_id AND NOT d.is_origin AND d.index = pr.destination_index
                  WHERE pr.run_id = {runId} ORDER BY o.index, d.index) TO STDOUT (FORMAT csv, HEADER)
            """;
        using var reader = await conn.BeginTextExportAsync(sql, ct);
        var buffer = new char[1 << 16];
        int n;
        while ((n = await reader.ReadAsync(buffer, ct)) > 0)
            await writer.WriteAsync(buffer.AsMemory(0, n), ct);
    }
}
