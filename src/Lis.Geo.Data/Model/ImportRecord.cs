namespace Lis.Geo.Data.Model;

/// <summary>One import of one file: what, from where, its hash, the row counts and every issue found.</summary>
public sealed class ImportRecord
{
    public long Id { get; set; }

    /// <summary>What was imported: <c>leps</c>, <c>lads</c>, <c>zones</c>, <c>imd</c>, <c>centres</c>, …</summary>
    public required string Dataset { get; set; }

    /// <summary>The file name (never a full path from the uploader's machine).</summary>
    public required string Source { get; set; }
    public required string FileSha256 { get; set; }
    public DateTimeOffset ImportedAt { get; set; }

    /// <summary><c>succeeded</c>, or <c>rejected</c> (nothing written; the issues say why).</summary>
    public required string Status { get; set; }
    public int RowsRead { get; set; }
    public int RowsWritten { get; set; }
    public int RowsRejected { get; set; }

    /// <summary>Options that shaped the import (zone set, make-valid, …), for reproducibility.</summary>
    public Dictionary<string, string> Options { get; set; } = [];
    public List<ImportIssue> Issues { get; set; } = [];
}

/// <summary>A problem with one row (or the whole file when <see cref="Row"/> is null).</summary>
public sealed record ImportIssue(string Severity, string Code, int? Row, string? Field, string Message)
{
    public const string Error = "error";
    public const string Warning = "warning";
}
