namespace Lis.Geo.Data;

/// <summary>
/// Rows into a table by binary COPY, on the caller's connection (so inside its transaction): the one
/// bulk-write path of the store — a run's points, chunks and aggregation, a feed's stops and routes,
/// an import's staging table.
/// </summary>
public static class BinaryCopy
{
    /// <summary>
    /// Copies <paramref name="rows"/> into <paramref name="columns"/> (comma-separated) of
    /// <paramref name="table"/>; <paramref name="write"/> writes one row's values in column order.
    /// Returns the rows copied.
    /// </summary>
    /// <remarks>
    /// Values are written with the importer's synchronous <c>Write</c>: each only fills Npgsql's write
    /// buffer, which is flushed to the server when full, so an await per value (five per pair row, tens
    /// of thousands of rows per chunk) buys nothing but its own cost. Opening and completing the COPY stay
    /// asynchronous.
    /// </remarks>
    public static async Task<ulong> WriteAsync<T>(NpgsqlConnection conn, string table, string columns, IEnumerable<T> rows,
        Action<NpgsqlBinaryImporter, T> write, CancellationToken ct)
    {
        await using var copy = await conn.BeginBinaryImportAsync($"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var row in rows)
        {
            ct.ThrowIfCancellationRequested();
            copy.StartRow();
            write(copy, row);
        }
        return await copy.CompleteAsync(ct);
    }
}
