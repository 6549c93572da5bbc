using System.ComponentModel.DataAnnotations;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>
/// Section "Limits": what one request may ask of the server, checked before any work is done so a
/// hostile or mistaken request costs almost nothing. Uploads keep <see cref="ApiOptions.MaxUploadBytes"/>
/// and single features <see cref="ApiOptions.MaxFeatureBytes"/>; every other body is JSON and capped here.
/// </summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    /// <summary>Largest JSON body of every endpoint that is neither an upload nor a feature write (run requests, schedules).</summary>
    [Range(1_024, 64 * 1024 * 1024)] public long MaxJsonBytes { get; set; } = 1024 * 1024;

    /// <summary>Deepest nesting of a JSON body (objects and arrays).</summary>
    [Range(4, 256)] public int MaxJsonDepth { get; set; } = 32;

    /// <summary>Most percentiles one run may compute (each is a travel time kept per zone–destination pair).</summary>
    [Range(1, 100)] public int MaxPercentiles { get; set; } = 10;

    /// <summary>Longest departure window of a run, in hours.</summary>
    [Range(1, 48)] public int MaxRunWindowHours { get; set; } = 24;

    /// <summary>Longest departure window of a synchronous (public, anonymous) routing request, in hours.</summary>
    [Range(1, 24)] public int MaxInteractiveWindowHours { get; set; } = 3;

    /// <summary>Largest threshold or isochrone cutoff of a run, in minutes (the rules refuse more than 4 h whatever this says).</summary>
    [Range(1, 24 * 60)] public int MaxThresholdMinutes { get; set; } = 240;

    /// <summary>
    /// Largest threshold of the synchronous endpoints, fixed at the rules' own ceiling
    /// (<see cref="Analysis.AccessParameters.MaxThresholdSeconds"/>): a look-up routes one origin, so its
    /// cost is bounded by <see cref="MaxInteractiveWindowHours"/>, not by an option of its own.
    /// </summary>
    public const int MaxInteractiveThresholdMinutes = Analysis.AccessParameters.MaxThresholdSeconds / 60;

    /// <summary>Most isochrone cutoffs in one run (each is a polygon stored per site).</summary>
    [Range(1, 100)] public int MaxCutoffs { get; set; } = 10;

    /// <summary>
    /// Most cutoffs of one synchronous isochrone look-up (GET /isochrones, /sites/…/isochrones): fixed, and
    /// above <see cref="MaxCutoffs"/>'s default because one origin's polygons are cheap and are not stored.
    /// Lowering it to the run's bound would refuse look-ups that are accepted today.
    /// </summary>
    public const int MaxInteractiveCutoffs = 12;

    /// <summary>Most destinations (centres and sites) a run may route to, and so the largest minCentres.</summary>
    [Range(1, 1_000_000)] public int MaxDestinations { get; set; } = 10_000;

    /// <summary>Longest free-text name (run, schedule, feed names).</summary>
    [Range(1, 10_000)] public int MaxNameLength { get; set; } = 200;

    /// <summary>Longest code or reference (zone set, corridor, site, centre kind).</summary>
    [Range(1, 1_000)] public int MaxCodeLength { get; set; } = 64;

    /// <summary>Most bytes one compressed input (a GTFS zip's table, a .geojson.gz / .csv.gz import) may inflate to.</summary>
    [Range(1024 * 1024, long.MaxValue)] public long MaxInflatedBytes { get; set; } = new Transit.Gtfs.InputLimits().MaxInflatedBytes;

    /// <summary>Most inflated bytes per compressed byte (real feeds and boundary files: 3–20×; bombs: 1000× and more).</summary>
    [Range(2, 100_000)] public int MaxInflateRatio { get; set; } = new Transit.Gtfs.InputLimits().MaxInflateRatio;

    /// <summary>Longest CSV row in characters (GTFS tables and CSV imports).</summary>
    [Range(1024, int.MaxValue)] public int MaxCsvRowChars { get; set; } = new Transit.Gtfs.InputLimits().MaxCsvRowChars;

    /// <summary>Most fields in one CSV row.</summary>
    [Range(16, 1_000_000)] public int MaxCsvFields { get; set; } = new Transit.Gtfs.InputLimits().MaxCsvFields;

    /// <summary>Most rows (CSV records, GeoJSON features) in one file sent to an import.</summary>
    [Range(1, 100_000_000)] public int MaxImportRows { get; set; } = new Transit.Gtfs.InputLimits().MaxImportRows;

    /// <summary>The readers' limits (<see cref="Transit.Gtfs.InputLimits"/>) from these options.</summary>
    public Transit.Gtfs.InputLimits Input() => new()
    {
        MaxInflatedBytes = MaxInflatedBytes, MaxInflateRatio = MaxInflateRatio, MaxCsvRowChars = MaxCsvRowChars, MaxCsvFields = MaxCsvFields,
        MaxImportRows = MaxImportRows,
    };

    /// <summary>Synchronous routing requests (accessibility, isochrones) one client may make per minute.</summary>
    [Range(1, 100_000)] public int InteractivePerMinute { get; set; } = 60;

    /// <summary>Synchronous routing requests of one client worked at once; more wait in a short queue, then 429.</summary>
    [Range(1, 64)] public int InteractiveConcurrent { get; set; } = 2;
}
