namespace Lis.Geo.Transit.Gtfs;

/// <summary>How much a data problem matters to routing.</summary>
public enum IssueSeverity
{
    /// <summary>Unusual but routable as published (e.g. a trip with a single stop time).</summary>
    Warning,

    /// <summary>The row or trip was left out; routing continues on the rest of the feed.</summary>
    Error,
}

/// <summary>
/// One problem found in a feed, reported as a value rather than an exception so one bad row never
/// aborts an import (the same choice as R5's <c>NewGTFSErrorType</c>).
/// </summary>
/// <param name="Code">A stable machine-readable code, one of <see cref="IssueCodes"/>.</param>
/// <param name="File">The GTFS table, e.g. <c>stop_times.txt</c>.</param>
/// <param name="Line">1-based physical line of the row in that file (1 is the header), or 0 when the issue concerns the whole file.</param>
public sealed record FeedIssue(IssueSeverity Severity, string Code, string File, long Line, string Message)
{
    public override string ToString() => $"{Severity} {Code} {File}:{Line} {Message}";
}

/// <summary>The codes a <see cref="FeedIssue"/> can carry.</summary>
public static class IssueCodes
{
    public const string MissingFile = "missing_file";
    public const string MissingColumn = "missing_column";
    public const string BadValue = "bad_value";
    public const string DuplicateId = "duplicate_id";
    public const string UnknownStop = "unknown_stop";
    public const string UnknownTrip = "unknown_trip";
    public const string UnknownService = "unknown_service";
    public const string DuplicateSequence = "duplicate_sequence";
    public const string DecreasingTime = "decreasing_time";
    public const string MissingTime = "missing_time";
    public const string TooFewStops = "too_few_stops";
    public const string UnknownRoute = "unknown_route";
    public const string UnknownShape = "unknown_shape";
    public const string TooFewPoints = "too_few_points";
    public const string NoService = "no_service";
}
