using Lis.Geo.Data.Analyses;

namespace Lis.Geo.Data.Model;

/// <summary>Lifecycle of an analysis run.</summary>
public static class RunState
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Aggregating = "aggregating";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsFinished(string state) => state is Succeeded or Failed or Cancelled;
}

/// <summary>
/// One analysis run and its reproducibility record (ACCESSIBILITY.md): its <see cref="Spec"/> (every
/// rule, the feeds, service date and window), origin and destination set versions, the engine version,
/// timings. Its origins and destinations are snapshotted in <see cref="RunPoint"/> rows when it is created.
/// </summary>
public sealed class AnalysisRun
{
    public long Id { get; set; }

    /// <summary>
    /// The spec's type again (<see cref="RunSpec.Type"/>), written by the planner from the same request: a plain
    /// column so that SQL (psql, a query over many runs) sees a run's type without reading the jsonb. Nothing
    /// updates it, so it stays equal to the spec; the jobs and the store's result queries read <see cref="RunSpec.Type"/>
    /// (the Api's run views still show this column, which is the same value).
    /// </summary>
    public required string Type { get; set; }
    public string State { get; set; } = RunState.Queued;

    /// <summary>The run's complete specification, every default resolved (jsonb): the one record every reader uses.</summary>
    public required RunSpec Spec { get; set; }

    /// <summary>
    /// The spec's first feed again, only as a foreign key: the store refuses to delete a feed a run
    /// was computed on (a key cannot point into JSON). Everything else reads <see cref="RunSpec.Feeds"/>.
    /// </summary>
    public long FeedId { get; set; }
    public required string OriginSet { get; set; }
    public required string OriginVersion { get; set; }
    public int OriginCount { get; set; }
    public required string DestinationSet { get; set; }
    public required string DestinationVersion { get; set; }
    public int DestinationCount { get; set; }
    public required string EngineVersion { get; set; }

    /// <summary>Origins per chunk (every origin in a profile run: one chunk, or one per destination group).</summary>
    public int ChunkSize { get; set; }

    /// <summary>
    /// Destinations per chunk when the run is split by destination groups (profile runs: each chunk
    /// scans its group's destinations for every origin; the aggregation merges the origins' indicators
    /// across groups); null when it is split by origins, including a profile run in a single chunk.
    /// </summary>
    public int? DestinationGroupSize { get; set; }
    public int ChunkCount { get; set; }
    public int ChunksDone { get; set; }
    public int OriginsDone { get; set; }

    /// <summary>
    /// The share of the run done, 0–100, as every view reports it: a run split by destination groups
    /// finishes its origins only with its last group, so its share counts chunks; any other counts origins.
    /// </summary>
    public double PercentDone() => DestinationGroupSize is not null
        ? (ChunkCount == 0 ? 0 : 100.0 * ChunksDone / ChunkCount)
        : OriginCount == 0 ? 0 : 100.0 * OriginsDone / OriginCount;

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public string? Error { get; set; }
    public long? ScheduleId { get; set; }

    /// <summary>Run-level indicators (headline share and breakdowns), JSON, written by the aggregation.</summary>
    public string? Summary { get; set; }
}

/// <summary>What a run point stands for. Runs order their points by kind: zones before sites among origins, centres before sites among destinations.</summary>
public static class PointKind
{
    /// <summary>A zone's population-weighted centroid, weighted by its population.</summary>
    public const string Zone = "zone";

    /// <summary>A housing or employment site at its point on surface (weight 0 as an origin: sites have no residents).</summary>
    public const string Site = "site";

    public const string Centre = "centre";

    /// <summary>A point given in the request (an isochrone's origin).</summary>
    public const string Point = "point";
}

/// <summary>An origin or destination of a run, frozen at creation so chunks and re-reads agree.</summary>
public sealed class RunPoint
{
    public long RunId { get; set; }
    public bool IsOrigin { get; set; }
    public int Index { get; set; }

    /// <summary>One of <see cref="PointKind"/>.</summary>
    public required string Kind { get; set; }
    public required string Code { get; set; }
    public string? Name { get; set; }
    public double Lon { get; set; }
    public double Lat { get; set; }
    public double Weight { get; set; }
}

/// <summary>
/// A chunk of a run: a range of its origins to a range of its destinations (all of them when the run
/// is split by origins); <see cref="DoneAt"/> is set once, which makes the fan-in count exact under retries.
/// </summary>
public sealed class RunChunk
{
    public long RunId { get; set; }
    public int Index { get; set; }
    public int OriginFrom { get; set; }
    public int OriginTo { get; set; }
    public int DestinationFrom { get; set; }

    /// <summary>End of the destination range (exclusive); <see cref="int.MaxValue"/> for every destination.</summary>
    public int DestinationTo { get; set; } = int.MaxValue;
    public int Attempts { get; set; }
    public DateTimeOffset? DoneAt { get; set; }

    /// <summary>Wall-clock seconds of the chunk's last attempt, and the part spent routing (the rest read inputs and wrote rows).</summary>
    public double? Seconds { get; set; }
    public double? RoutingSeconds { get; set; }
    public string? Worker { get; set; }
}

/// <summary>
/// A run's outbox: one row per unit of work (a chunk, or the aggregation when <see cref="ChunkIndex"/> is
/// null), written in the same transaction as the state that calls for it, so no committed run lacks its
/// work. A dispatcher turns rows with no <see cref="JobId"/> into Hangfire jobs; the watchdog clears the
/// id of a job that died without finishing its work, so it is dispatched again (<see cref="Dispatches"/> bounds that).
/// </summary>
public sealed class RunWork
{
    public long Id { get; set; }
    public long RunId { get; set; }
    public int? ChunkIndex { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? JobId { get; set; }
    public DateTimeOffset? DispatchedAt { get; set; }
    public int Dispatches { get; set; }
    /// <summary>The last problem with this work: why its last dispatch failed, or how its last job was lost.</summary>
    public string? LastError { get; set; }
}

/// <summary>An <c>Idempotency-Key</c> of a <c>POST /analyses</c>: the run it created and a hash of the request it came with.</summary>
public sealed class RunRequestKey
{
    public required string Key { get; set; }
    public required string RequestSha256 { get; set; }
    public long RunId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Per origin: centres reachable at the run's percentile and the time-share form.</summary>
public sealed class OriginResult
{
    public long RunId { get; set; }
    public int OriginIndex { get; set; }
    public int CentresReachable { get; set; }
    public int DeparturesMeetingTarget { get; set; }
    public int Departures { get; set; }
}

/// <summary>
/// One destination group's share of an origin's indicators, written by a chunk of a run split by
/// destination groups and merged into <see cref="OriginResult"/> by the aggregation (then deleted):
/// centres reachable add up, and "at least minCentres centres" is decided per minute from the sum of
/// <see cref="CentresWithin"/> over the groups.
/// </summary>
public sealed class OriginPart
{
    public long RunId { get; set; }
    public int ChunkIndex { get; set; }
    public int OriginIndex { get; set; }
    public int CentresReachable { get; set; }

    /// <summary>At each minute of the window, in order: the group's centres reached within the threshold.</summary>
    public int[] CentresWithin { get; set; } = [];
}

/// <summary>Per origin–destination pair: travel-time percentiles (null = unreachable) and departures within the threshold.</summary>
public sealed class PairResult
{
    public long RunId { get; set; }
    public int OriginIndex { get; set; }
    public int DestinationIndex { get; set; }

    /// <summary>Seconds at each of the run's percentiles, in their order; null where unreachable.</summary>
    public int?[] Percentiles { get; set; } = [];
    public int DeparturesWithin { get; set; }
}

/// <summary>
/// A site's catchment in a run with sites as destinations, written once by the aggregation: the zones
/// (and their population) whose travel time to the site at the run's percentile is within the
/// threshold, the part in the 20% most deprived LSOAs, and the site's rank by that deprived population.
/// </summary>
public sealed class SiteResult
{
    public long RunId { get; set; }

    /// <summary>The site's destination index in the run.</summary>
    public int SiteIndex { get; set; }
    public int CatchmentZones { get; set; }
    public double CatchmentPopulation { get; set; }
    public double DeprivedCatchmentPopulation { get; set; }

    /// <summary>1 = the site reached by the most people from the 20% most deprived LSOAs (ties share a rank).</summary>
    public int DeprivedRank { get; set; }
}

/// <summary>The area reachable from an origin of an isochrone run within one cutoff, at the run's percentile over its window.</summary>
public sealed class IsochroneResult
{
    public long RunId { get; set; }
    public int OriginIndex { get; set; }
    public int CutoffMinutes { get; set; }
    public required NetTopologySuite.Geometries.MultiPolygon Geom { get; set; }
    public double AreaKm2 { get; set; }
}

/// <summary>
/// One corridor's figures from one corridor run, with its rendered report: the unit of a corridor's
/// history (<c>GET /corridors/{code}/analyses</c>).
/// </summary>
public sealed class CorridorAnalysis
{
    public long RunId { get; set; }
    public required string CorridorCode { get; set; }
    public required string CorridorName { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The figures (JSON): residents and IMD profile, housing, employment land, access against the rest of the region, employment sites' deprived catchments.</summary>
    public required string Figures { get; set; }

    /// <summary>The one-page report, self-contained HTML with the map inline and print styles.</summary>
    public required string ReportHtml { get; set; }

    /// <summary>The report's static map (SVG).</summary>
    public required string MapSvg { get; set; }
}

/// <summary>A recurring analysis: a request re-issued on a cron in Europe/London time.</summary>
public sealed class AnalysisSchedule
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public required string Cron { get; set; }
    public string TimeZone { get; set; } = DefaultTimeZone;

    /// <summary>The time zone of a schedule that names none: the West Midlands', so "Mondays 06:00" follows BST.</summary>
    public const string DefaultTimeZone = "Europe/London";
    public required string Request { get; set; }
    public bool Paused { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
