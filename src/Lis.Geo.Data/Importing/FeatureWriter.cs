namespace Lis.Geo.Data.Importing;

public enum WriteMode { Create, Replace }

/// <summary>What happened to a single-feature write.</summary>
public enum WriteOutcome { Written, Invalid, AlreadyExists, NotFound, IdMismatch }

/// <summary>
/// Creates, replaces and deletes single features of the editable datasets (centres, corridors,
/// sites) through the same validation and upsert path as file imports, so a feature written by
/// the API obeys exactly the rules of one imported from a file.
/// </summary>
public sealed class FeatureWriter(NpgsqlDataSource dataSource)
{
    public async Task<(WriteOutcome Outcome, string? Id, List<ImportIssue> Issues)> WriteAsync(
        string datasetName, SourceRow row, string? urlId, WriteMode mode, bool makeValid, CancellationToken ct)
    {
        var dataset = Datasets.Find(datasetName) ?? throw new ArgumentException($"Unknown dataset {datasetName}", nameof(datasetName));
        var issues = new List<ImportIssue>();
        // On replace, the id in the URL is the key unless the body names one (which must then agree).
        var keyName = dataset.Keys[0];
        if (urlId is not null && !row.Fields.ContainsKey(keyName))
            row = row with { Fields = new Dictionary<string, string?>(row.Fields, StringComparer.OrdinalIgnoreCase) { [keyName] = urlId } };
        var values = dataset.Map(row, new ImportOptions { MakeValid = makeValid }, issues);
        if (values is null || issues.Any(i => i.Severity == ImportIssue.Error))
            return (WriteOutcome.Invalid, null, issues);
        var id = (string)values[dataset.Columns.ToList().FindIndex(c => c.Name == keyName)]!;
        if (urlId is not null && id != urlId)
            return (WriteOutcome.IdMismatch, id, issues);

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (mode == WriteMode.Create)
        {
            // Decided by the unique key (INSERT … ON CONFLICT DO NOTHING), not by a check before the write:
            // of 50 parallel creates of one code exactly one inserts, the others see the conflict.
            if (await Importer.WriteAsync(conn, tx, dataset, new ImportOptions(), [values], ct, insertOnly: true) == 0)
                return (WriteOutcome.AlreadyExists, id, issues);
        }
        else
        {
            if (!await ExistsAsync(conn, tx, dataset, id, ct)) return (WriteOutcome.NotFound, id, issues);
            await Importer.WriteAsync(conn, tx, dataset, new ImportOptions(), [values], ct);
        }
        await tx.CommitAsync(ct);
        return (WriteOutcome.Written, id, issues);
    }

    public async Task<bool> DeleteAsync(string datasetName, string id, CancellationToken ct)
    {
        var dataset = Datasets.Find(datasetName) ?? throw new ArgumentException($"Unknown dataset {datasetName}", nameof(datasetName));
        await using var cmd = dataSource.CreateCommand($"DELETE FROM {dataset.Table} WHERE {dataset.Keys[0]} = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    /// <summary>Locks the row (if any) so a concurrent create/replace of the same id waits for this one.</summary>
    private static async Task<bool> ExistsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Dataset d, string id, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT 1 FROM {d.Table} WHERE {d.Keys[0]} = $1 FOR UPDATE", conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }
}
