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

    /// <summary>
    /// The feed runs and look-ups use when they name none. Exactly one feed is it once any routable feed
    /// is stored (a unique partial index keeps it to one): the first routable feed stored becomes it,
    /// after that only <c>PUT /feeds/{id}/default</c> changes it, so an upload never moves it silently.
    /// </summary>
    public bool IsDefault { get; set; }

    /// <summary>
    /// Why nothing can be routed on the feed (no trips, no stop times, no day of service), or null when
    /// it can. Such a feed is kept for its stops and issue report; runs and look-ups on it are refused.
    /// </summary>
    public string? NotRoutableReason { get; set; }
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

/// <summary>
/// A route of a stored feed, for maps: its routes.txt attributes and one line per distinct shape or
/// stop sequence of its trips. Only routes some trip runs on are stored.
/// </summary>
public sealed class TransitRoute
{
    public long FeedId { get; set; }
    public required string RouteId { get; set; }
    public string? AgencyId { get; set; }
    public string? AgencyName { get; set; }
    public string? ShortName { get; set; }
    public string? LongName { get; set; }

    /// <summary>GTFS route_type (0 tram, 1 metro, 2 rail, 3 bus, …); null when the feed gives none.</summary>
    public int? RouteType { get; set; }

    /// <summary>route_color / route_text_color as published: six hex digits, no '#'.</summary>
    public string? Color { get; set; }
    public string? TextColor { get; set; }

    /// <summary>Trips of the feed on this route, over all its service days.</summary>
    public int TripCount { get; set; }

    /// <summary>'shapes' (every line a shapes.txt shape), 'stops' (lines through the stops of each distinct stop sequence) or 'mixed'.</summary>
    public required string GeometrySource { get; set; }
    public required MultiLineString Geom { get; set; }
}

/// <summary>
/// A stored what-if scenario (Lis.Geo.Transit.Scenarios.Scenario) on one feed: its modifications as
/// the engine's canonical JSON and the SHA-256 of that JSON, so a run can store both and say exactly
/// which scenario it ran whatever happens to this row later.
/// </summary>
public sealed class ScenarioRecord
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public long FeedId { get; set; }

    /// <summary>The canonical JSON of the scenario: <c>{"modifications":[…]}</c>.</summary>
    public required string Content { get; set; }
    public required string Sha256 { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
