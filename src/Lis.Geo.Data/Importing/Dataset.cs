using System.Globalization;
using NpgsqlTypes;

namespace Lis.Geo.Data.Importing;

/// <summary>How an import writes one staged column into its table.</summary>
public enum ColumnRole
{
    /// <summary>Overwrites the stored value on re-import.</summary>
    Overwrite,
    /// <summary>Keeps the stored value when the file has none (layouts that carry a subset, e.g. IMD File 1 vs File 2).</summary>
    Merge,
    /// <summary>Staged only, for <see cref="Dataset.AfterUpsertSql"/> (e.g. LEP memberships of a LAD).</summary>
    StageOnly,
}

public sealed record Column(string Name, NpgsqlDbType Type, ColumnRole Role = ColumnRole.Overwrite)
{
    public bool IsGeometry => Type == NpgsqlDbType.Geometry;
}

/// <summary>Options of one import, recorded with it.</summary>
public sealed record ImportOptions
{
    /// <summary>Target zone set for <c>zones</c> and <c>centroids</c> (e.g. <c>lsoa11</c>).</summary>
    public string? ZoneSet { get; init; }
    /// <summary>Display name for a zone set created by this import.</summary>
    public string? ZoneSetName { get; init; }
    /// <summary>CRS of CSV coordinates (4326 default; 27700 for eastings/northings).</summary>
    public int? Srid { get; init; }
    /// <summary>Repair invalid geometries (reported as warnings) instead of rejecting them.</summary>
    public bool MakeValid { get; init; }
    /// <summary>Write the valid rows even when some are rejected. Off by default: an import lands whole or not at all.</summary>
    public bool AcceptPartial { get; init; }
    /// <summary>Attribute holding the key, when not one of the usual names.</summary>
    public string? CodeField { get; init; }
    /// <summary>Attribute holding the name, when not one of the usual names.</summary>
    public string? NameField { get; init; }
    /// <summary>Deprivation edition of an <c>imd</c> file (<c>imd2019</c>, <c>iod2025</c>); detected from the file when not given.</summary>
    public string? Edition { get; init; }
    /// <summary>The value column of a <c>population</c> file (any column, by name); the usual names when not given.</summary>
    public string? Column { get; init; }
    /// <summary>Marks imported centroids as approximate points, not ONS population-weighted centroids.</summary>
    public bool ApproximateCentroids { get; init; }

    /// <summary>What the dataset found in the file (the edition detected, the column used, …), set by <see cref="Dataset.Resolve"/> and recorded.</summary>
    public IReadOnlyDictionary<string, string> Resolved { get; init; } = new Dictionary<string, string>();

    public Dictionary<string, string> ToRecord()
    {
        var d = new Dictionary<string, string>();
        if (ZoneSet is not null) d["zoneSet"] = ZoneSet;
        if (ZoneSetName is not null) d["zoneSetName"] = ZoneSetName;
        if (Srid is not null) d["srid"] = Srid.Value.ToString(CultureInfo.InvariantCulture);
        if (MakeValid) d["makeValid"] = "true";
        if (AcceptPartial) d["acceptPartial"] = "true";
        if (CodeField is not null) d["codeField"] = CodeField;
        if (NameField is not null) d["nameField"] = NameField;
        if (Edition is not null) d["edition"] = Edition;
        if (Column is not null) d["column"] = Column;
        if (ApproximateCentroids) d["approximateCentroids"] = "true";
        foreach (var (k, v) in Resolved) d[k] = v;
        return d;
    }
}

/// <summary>
/// One kind of importable data: which table it fills, its staged columns and key, and how a
/// source row maps to them. The <see cref="Importer"/> does the rest (staging, upsert, record).
/// </summary>
public abstract class Dataset
{
    public abstract string Name { get; }
    public abstract string Description { get; }
    public abstract string Table { get; }
    public abstract IReadOnlyList<Column> Columns { get; }
    public abstract IReadOnlyList<string> Keys { get; }

    /// <summary>The staged values in <see cref="Columns"/> order, or null when the row is rejected (its issues say why).</summary>
    public abstract object?[]? Map(SourceRow row, ImportOptions options, List<ImportIssue> issues);

    /// <summary>Checks the options before any row is read; returns the option at fault and the problem, or null.</summary>
    public virtual (string Field, string Message)? ValidateOptions(ImportOptions options) => null;

    /// <summary>
    /// Looks at the whole file once before its rows are mapped (e.g. which deprivation edition its
    /// header names) and returns the options the rows are mapped with; file-level problems go to
    /// <paramref name="fileIssues"/> (an error refuses the file).
    /// </summary>
    public virtual ImportOptions Resolve(SourceFile file, IReadOnlyList<SourceRow> rows, ImportOptions options, List<ImportIssue> fileIssues) => options;

    /// <summary>SQL run in the import's transaction before the upsert (e.g. create the zone set).</summary>
    public virtual IEnumerable<(string Sql, object?[] Parameters)> BeforeUpsert(ImportOptions options) => [];

    /// <summary>SQL run after the upsert, with the staging table still readable as <c>stage</c>.</summary>
    public virtual string? AfterUpsertSql => null;

    /// <summary>
    /// What the written rows mean for the rest of the store, reported in the import record: run in the import's
    /// transaction after the write; may add to <paramref name="recordOptions"/> and returns issues (warnings).
    /// </summary>
    public virtual Task<IReadOnlyList<ImportIssue>> ReportAsync(Npgsql.NpgsqlConnection conn, Npgsql.NpgsqlTransaction tx, ImportOptions options,
        Dictionary<string, string> recordOptions, CancellationToken ct) => Task.FromResult<IReadOnlyList<ImportIssue>>([]);

    /// <summary>
    /// The rows add to records already stored and never create one (e.g. LEP memberships of LADs whose
    /// boundaries came from another file): a row whose key is not stored is rejected, naming the
    /// dataset to import first, and the rest are written with UPDATE rather than INSERT.
    /// </summary>
    public virtual string? UpdatesExistingOf => null;

    /// <summary>
    /// With <see cref="UpdatesExistingOf"/>: rows whose key is not stored are skipped and counted in one
    /// warning instead of rejected (a national population table imported onto a study area's zones).
    /// </summary>
    public virtual bool SkipsRowsNotStored => false;

    // ----- helpers for Map implementations -----

    protected static string? Text(SourceRow row, params string?[] names) =>
        row.Get(names.Where(n => n is not null)!);

    /// <summary>The first column whose header starts with one of <paramref name="prefixes"/> (MHCLG's long headers).</summary>
    protected static string? ByPrefix(SourceRow row, params string[] prefixes)
    {
        foreach (var p in prefixes)
            foreach (var (k, v) in row.Fields)
                if (k.StartsWith(p, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(v))
                    return v.Trim();
        return null;
    }

    /// <summary>Parses an integer written with or without thousands separators ("29,199").</summary>
    protected static int? Int(string? text, SourceRow row, string field, List<ImportIssue> issues, int min = int.MinValue, int max = int.MaxValue)
    {
        if (text is null) return null;
        if (!double.TryParse(text.Replace(",", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            || d != Math.Floor(d) || d < min || d > max)
        {
            issues.Add(new ImportIssue(ImportIssue.Error, "invalid_number", row.Row, field, $"'{text}' is not a whole number in {min}..{max}."));
            return null;
        }
        return (int)d;
    }

    protected static double? Number(string? text, SourceRow row, string field, List<ImportIssue> issues, double min = double.MinValue)
    {
        if (text is null) return null;
        if (!double.TryParse(text.Replace(",", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            || !double.IsFinite(d) || d < min)
        {
            issues.Add(new ImportIssue(ImportIssue.Error, "invalid_number", row.Row, field, $"'{text}' is not a number ≥ {min}."));
            return null;
        }
        return d;
    }

    /// <summary>Longest key (code, reference) accepted: real ONS codes have 9 characters, site references a few dozen.</summary>
    public const int MaxKeyLength = 100;

    protected static string? RequireKey(string? value, SourceRow row, string field, List<ImportIssue> issues)
    {
        if (value is null)
            issues.Add(new ImportIssue(ImportIssue.Error, "missing_key", row.Row, field, $"The row has no {field}; every row needs one."));
        else if (value.Length > MaxKeyLength)
        {
            issues.Add(new ImportIssue(ImportIssue.Error, "key_too_long", row.Row, field, $"The {field} has {value.Length:N0} characters; keys have at most {MaxKeyLength}."));
            return null;
        }
        return value;
    }
}
