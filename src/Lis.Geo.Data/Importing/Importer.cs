using System.Text;
using Lis.Geo.Transit;

namespace Lis.Geo.Data.Importing;

/// <summary>The answer to an import request that could not start (unknown dataset, bad options): a <see cref="RuleViolation"/>.</summary>
public sealed class ImportRequestException(string field, string kind, string message) : RuleViolation(field, kind, message);

/// <summary>
/// Imports one file into one dataset, as one transaction: every row is read and checked first;
/// if any row is rejected (and <see cref="ImportOptions.AcceptPartial"/> is off) nothing is
/// written. Accepted rows are bulk-copied into a temporary staging table and upserted by key, so
/// re-importing the same file leaves the store unchanged. Every import, rejected or not, leaves an
/// <see cref="ImportRecord"/> with its file hash, counts and issues.
/// </summary>
public sealed class Importer(NpgsqlDataSource dataSource)
{
    /// <summary>At most this many issues are stored per import; the counts stay exact.</summary>
    public const int MaxStoredIssues = 1000;

    public async Task<ImportRecord> ImportAsync(string datasetName, SourceFile file, ImportOptions options, CancellationToken ct)
    {
        var dataset = Datasets.Find(datasetName)
            ?? throw new ImportRequestException("dataset", RuleKind.Unknown, $"Unknown dataset '{datasetName}'. Known: {string.Join(", ", Datasets.All.Select(d => d.Name))}.");
        if (dataset.ValidateOptions(options) is var (field, message))
            throw new ImportRequestException(field, RuleKind.Invalid, message);

        var issues = new List<ImportIssue>();
        var rows = file.ReadRows(options.Srid ?? Crs.Wgs84, issues);
        if (!issues.Any(i => i.Severity == ImportIssue.Error) && rows.Count > 0)
            options = dataset.Resolve(file, rows, options, issues);
        var stored = dataset.UpdatesExistingOf is null ? null : await StoredKeysAsync(dataset, options, ct);
        var skipped = 0;
        string? firstSkipped = null;
        var accepted = new List<object?[]>(rows.Count);
        var firstRowOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var keyIndexes = dataset.Keys.Select(k => dataset.Columns.ToList().FindIndex(c => c.Name == k)).ToArray();
        var rejected = 0;
        var rowsRead = rows.Count;
        var fileRefused = issues.Any(i => i.Row is null && i.Severity == ImportIssue.Error);
        var fileErrorDropped = false;
        for (var r = 0; r < (fileRefused ? 0 : rows.Count); r++)
        {
            ct.ThrowIfCancellationRequested();
            var row = rows[r];
            // A mapped row is not needed again (its values are), so a large file is not held twice over.
            rows[r] = null!;
            // Only the first MaxStoredIssues are stored (the counts stay exact), so no more are kept in memory.
            if (issues.Count > MaxStoredIssues)
            {
                fileErrorDropped |= issues.Skip(MaxStoredIssues).Any(i => i.Row is null && i.Severity == ImportIssue.Error);
                issues.RemoveRange(MaxStoredIssues, issues.Count - MaxStoredIssues);
            }
            var before = issues.Count;
            var values = dataset.Map(row, options, issues);
            if (values is not null)
            {
                var key = string.Join('\u001f', keyIndexes.Select(i => values[i]));
                if (firstRowOfKey.TryGetValue(key, out var first))
                {
                    issues.Add(new ImportIssue(ImportIssue.Error, "duplicate_key", row.Row, dataset.Keys[^1],
                        $"Duplicate {string.Join("+", dataset.Keys)} '{key.Replace('\u001f', '/')}' (first at row {first})."));
                    values = null;
                }
                else firstRowOfKey[key] = row.Row;
                if (values is not null && stored is not null && !stored.Contains(key) && dataset.SkipsRowsNotStored)
                {
                    skipped++;
                    firstSkipped ??= key.Replace('\u001f', '/');
                    continue;
                }
                if (values is not null && stored is not null && !stored.Contains(key))
                {
                    issues.Add(new ImportIssue(ImportIssue.Error, "unknown_key", row.Row, dataset.Keys[^1],
                        $"'{key}' is not stored, and this file only adds to stored records; import {dataset.UpdatesExistingOf} first."));
                    values = null;
                }
            }
            if (values is null)
            {
                rejected++;
                if (issues.Count == before)
                    issues.Add(new ImportIssue(ImportIssue.Error, "rejected", row.Row, null, "The row was rejected."));
            }
            else accepted.Add(values);
        }

        if (skipped > 0)
            issues.Add(new ImportIssue(ImportIssue.Warning, "not_stored_skipped", null, dataset.Keys[^1],
                $"{skipped} of {rowsRead} rows name {dataset.UpdatesExistingOf} that are not stored (first: {firstSkipped}); they were skipped."));
        var fileErrors = fileErrorDropped || issues.Any(i => i.Row is null && i.Severity == ImportIssue.Error);
        if (!fileErrors && rowsRead == 0)
            issues.Add(new ImportIssue(ImportIssue.Error, "no_rows", null, null, "The file has no rows to import."));
        var refuse = fileErrors || rowsRead == 0 || (rejected > 0 && !options.AcceptPartial) || accepted.Count == 0;
        if (refuse && rejected > 0 && !options.AcceptPartial)
            issues.Insert(0, new ImportIssue(ImportIssue.Error, "import_rejected", null, null,
                $"{rejected} of {rowsRead} rows were rejected, so nothing was imported. Fix the rows listed, or import with acceptPartial to keep the valid rows."));

        var record = new ImportRecord
        {
            Dataset = dataset.Name,
            Source = file.Name,
            FileSha256 = file.Sha256,
            ImportedAt = DateTimeOffset.UtcNow,
            Status = refuse ? "rejected" : "succeeded",
            RowsRead = rowsRead,
            RowsWritten = refuse ? 0 : accepted.Count,
            RowsRejected = rejected,
            Options = options.ToRecord(),
            Issues = issues.Count > MaxStoredIssues ? issues.Take(MaxStoredIssues).ToList() : issues,
        };

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (!refuse)
        {
            await WriteAsync(conn, tx, dataset, options, accepted, ct);
            record.Issues.AddRange(await dataset.ReportAsync(conn, tx, options, record.Options, ct));
        }
        record.Id = await SaveRecordAsync(conn, tx, record, ct);
        await tx.CommitAsync(ct);
        return record;
    }

    /// <summary>
    /// Stages <paramref name="rows"/> and upserts them; with <paramref name="insertOnly"/> an existing
    /// key is left alone (<c>ON CONFLICT DO NOTHING</c>, which waits for a concurrent insert of the
    /// same key to commit), so a create is decided by the unique key itself, whatever the timing.
    /// Returns the rows inserted or updated.
    /// </summary>
    internal static async Task<int> WriteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Dataset d, ImportOptions options, List<object?[]> rows, CancellationToken ct,
        bool insertOnly = false)
    {
        foreach (var (sql, parameters) in d.BeforeUpsert(options))
        {
            await using var cmd = new NpgsqlCommand(sql, conn, tx);
            foreach (var p in parameters) cmd.Parameters.Add(new NpgsqlParameter { Value = p ?? DBNull.Value });
            await cmd.ExecuteNonQueryAsync(ct);
        }

        // Staging geometries are untyped so British National Grid input can be transformed on the way in.
        var stageColumns = string.Join(", ", d.Columns.Select(c => $"{c.Name} {(c.IsGeometry ? "geometry" : PgType(c.Type))}"));
        await Execute($"CREATE TEMP TABLE stage ({stageColumns}) ON COMMIT DROP");

        await BinaryCopy.WriteAsync(conn, "stage", string.Join(", ", d.Columns.Select(c => c.Name)), rows, (copy, row) =>
        {
            for (var i = 0; i < row.Length; i++)
                if (row[i] is null) copy.WriteNull();
                else copy.Write(row[i], d.Columns[i].Type);
        }, ct);

        var target = d.Columns.Where(c => c.Role != ColumnRole.StageOnly).ToList();
        var written = rows.Count;
        var select = string.Join(", ", target.Select(c => c.IsGeometry ? $"ST_Transform({c.Name}, {LisGeoDbContext.StorageSrid})" : c.Name));
        var updates = target.Where(c => !d.Keys.Contains(c.Name)).Select(c => c.Role == ColumnRole.Merge
            ? $"{c.Name} = coalesce(EXCLUDED.{c.Name}, {d.Table}.{c.Name})"
            : $"{c.Name} = EXCLUDED.{c.Name}").ToList();
        if (d.UpdatesExistingOf is not null)
        {
            // Only stored rows are touched (their keys were checked): an INSERT would need columns this file lacks.
            var set = target.Where(c => !d.Keys.Contains(c.Name)).Select(c => c.Role == ColumnRole.Merge
                ? $"{c.Name} = coalesce(s.{c.Name}, t.{c.Name})" : $"{c.Name} = s.{c.Name}").ToList();
            if (set.Count > 0)
                written = await Execute($"UPDATE {d.Table} t SET {string.Join(", ", set)} FROM stage s WHERE {string.Join(" AND ", d.Keys.Select(k => $"t.{k} = s.{k}"))}");
        }
        else
        {
            var upsert = new StringBuilder()
                .Append($"INSERT INTO {d.Table} ({string.Join(", ", target.Select(c => c.Name))}) SELECT {select} FROM stage ")
                .Append($"ON CONFLICT ({string.Join(", ", d.Keys)}) ")
                .Append(updates.Count == 0 || insertOnly ? "DO NOTHING" : $"DO UPDATE SET {string.Join(", ", updates)}");
            written = await Execute(upsert.ToString());
            if (insertOnly && written == 0) return 0;
        }
        if (d.AfterUpsertSql is { } after)
            await Execute(after);
        return written;

        async Task<int> Execute(string text)
        {
            await using var cmd = new NpgsqlCommand(text, conn, tx);
            return await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// The keys already stored in the dataset's table, joined as the row keys are. With a zone set
    /// option, only that set's rows (the first key is then the zone set id).
    /// </summary>
    private async Task<HashSet<string>> StoredKeysAsync(Dataset d, ImportOptions options, CancellationToken ct)
    {
        var key = string.Join(" || chr(31) || ", d.Keys.Select(k => $"{k}::text"));
        var bySet = d.Keys[0] == "zone_set_id";
        await using var cmd = dataSource.CreateCommand($"SELECT {key} FROM {d.Table}{(bySet ? " WHERE zone_set_id = $1" : "")}");
        if (bySet) cmd.Parameters.Add(new NpgsqlParameter { Value = options.ZoneSet! });
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) keys.Add(r.GetString(0));
        return keys;
    }

    private static string PgType(NpgsqlTypes.NpgsqlDbType t) => t switch
    {
        NpgsqlTypes.NpgsqlDbType.Integer => "integer",
        NpgsqlTypes.NpgsqlDbType.Double => "double precision",
        _ => "text",
    };

    private static async Task<long> SaveRecordAsync(NpgsqlConnection conn, NpgsqlTransaction tx, ImportRecord r, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO import_record (dataset, source, file_sha256, imported_at, status, rows_read, rows_written, rows_rejected, options, issues)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb) RETURNING id
            """;
        await using var cmd = new NpgsqlCommand(sql, conn, tx)
        {
            Parameters =
            {
                new() { Value = r.Dataset }, new() { Value = r.Source }, new() { Value = r.FileSha256 }, new() { Value = r.ImportedAt },
                new() { Value = r.Status }, new() { Value = r.RowsRead }, new() { Value = r.RowsWritten }, new() { Value = r.RowsRejected },
                new() { Value = ImportRecordJson.Serialize(r.Options) }, new() { Value = ImportRecordJson.Serialize(r.Issues) },
            },
        };
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
