using NetTopologySuite.Geometries;

namespace Lis.Geo.Data.Model;

/// <summary>A stored GTFS feed: what it is, when it runs, what the reader found wrong with it.</summary>
public sealed class TransitFeed
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public required string FileName { get; set; }
    public required string Sha256 { get; set; }
    public long SizeBytes { get; set; }
    public DateOnly? ValidFrom { get; set; }
    public DateOnly? ValidTo { get; set; }

    /// <summary>Rows per table (stops.txt: usable stops).</summary>
    public Dictionary<string, long> RowCounts { get; set; } = [];

    /// <summary>The service date the feed was checked against on import (its issues come from compiling that day).</summary>
    public DateOnly? CheckedDate { get; set; }
    public int IssueCount { get; set; }

    /// <summary>The first issues of the reader's report (severity, code, file, line, message); <see cref="IssueCount"/> has the total.</summary>
    public List<FeedIssueRecord> Issues { get; set; } = [];
    public DateTimeOffset ImportedAt { get; set; }
}

public sealed record FeedIssueRecord(string Severity, string Code, string File, long Line, string Message);

/// <summary>The feed's bytes, in the database so every worker sharing it can compile the same timetable.</summary>
public sealed class TransitFeedFile
{
    public long FeedId { get; set; }
    public required byte[] Content { get; set; }
}

public sealed class TransitStop
{
    public long FeedId { get; set; }
    public required string StopId { get; set; }
    public string? Name { get; set; }
    public int LocationType { get; set; }
    public required Point Geom { get; set; }
}
