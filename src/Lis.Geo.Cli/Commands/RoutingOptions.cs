using Lis.Geo.Transit.Timetables;

namespace Lis.Geo.Cli.Commands;

/// <summary>
/// The options every routing command shares: where the timetable comes from and each
/// <see cref="RoutingParameters"/> value, with help text generated from the record's defaults.
/// </summary>
internal static class RoutingOptions
{
    private static readonly RoutingParameters Defaults = new();

    public static readonly string[] TimetableNames = ["gtfs", "date", "timetable-cache"];

    public static readonly string[] ParameterNames =
    [
        "walk-speed", "circuity", "max-access-walk", "board-slack", "max-transfer-walk", "max-egress-walk",
        "max-direct-walk", "max-rides", "max-trip-duration", "window", "step", "percentiles",
    ];

    public static string TimetableHelp =>
        $"""
          --gtfs PATH              GTFS feed, .zip or folder (required)
          --date YYYYMMDD          service date (required)
          --timetable-cache DIR    where compiled timetables are kept and reused (default $XDG_CACHE_HOME/lisgeo or ~/.cache/lisgeo)
        """;

    public static string ParameterHelp =>
        $"""
          --walk-speed M_PER_S     walking speed (default {Defaults.WalkSpeed.ToString(CultureInfo.InvariantCulture)})
          --circuity X             walked / great-circle distance (default {Defaults.Circuity.ToString(CultureInfo.InvariantCulture)})
          --max-access-walk S      longest walk origin → first stop, seconds (default {Defaults.MaxAccessWalk})
          --board-slack S          minimum wait before every boarding, seconds (default {Defaults.BoardSlack})
          --max-transfer-walk S    longest walk between rides, seconds (default {Defaults.MaxTransferWalk})
          --max-egress-walk S      longest walk last stop → destination, seconds (default {Defaults.MaxEgressWalk})
          --max-direct-walk S      longest walk-only journey, seconds (default {Defaults.MaxDirectWalk})
          --max-rides N            most rides per journey (default unlimited)
          --max-trip-duration S    longer travel times count as unreachable, seconds (default {Defaults.MaxTripDuration})
          --window HH:MM-HH:MM     departure window, end excluded (default 07:00-10:00)
          --step S                 seconds between departures in the window (default {Defaults.Window.StepSeconds})
          --percentiles P,P,...    percentiles reported, nearest rank (default {string.Join(',', Defaults.Percentiles)})
        """;

    public static RoutingParameters Parse(CliArgs args)
    {
        var step = args.Get("step", Defaults.Window.StepSeconds, ParseInt);
        if (step <= 0) throw new CliUsageException($"--step must be > 0 (got {step}).");
        var window = args.Get("window", new DepartureWindow(Defaults.Window.StartSeconds, Defaults.Window.EndSeconds, step), w => DepartureWindow.Parse(w, step));
        var parameters = new RoutingParameters
        {
            WalkSpeed = args.Get("walk-speed", Defaults.WalkSpeed, ParseDouble),
            Circuity = args.Get("circuity", Defaults.Circuity, ParseDouble),
            MaxAccessWalk = args.Get("max-access-walk", Defaults.MaxAccessWalk, ParseInt),
            BoardSlack = args.Get("board-slack", Defaults.BoardSlack, ParseInt),
            MaxTransferWalk = args.Get("max-transfer-walk", Defaults.MaxTransferWalk, ParseInt),
            MaxEgressWalk = args.Get("max-egress-walk", Defaults.MaxEgressWalk, ParseInt),
            MaxDirectWalk = args.Get("max-direct-walk", Defaults.MaxDirectWalk, ParseInt),
            MaxRides = args.Get<int?>("max-rides", null, v => ParseInt(v)),
            MaxTripDuration = args.Get("max-trip-duration", Defaults.MaxTripDuration, ParseInt),
            Window = window,
            Percentiles = args.Get("percentiles", Defaults.Percentiles, v => ParseIntList(v)),
        };
        try { parameters.Validate(); }
        catch (ArgumentException e) { throw new CliUsageException(e.Message); }
        return parameters;
    }

    /// <summary>Loads the compiled timetable from the cache, compiling it on first use; reports feed issues on stderr.</summary>
    public static Timetable LoadTimetable(CliArgs args, TextWriter progress)
    {
        var gtfs = args.Require("gtfs");
        var date = args.Get("date", default(DateOnly), v => DateOnly.ParseExact(v, "yyyyMMdd", CultureInfo.InvariantCulture));
        if (date == default) throw new CliUsageException("--date is required.");
        var cache = new TimetableCache(args.Get("timetable-cache") ?? TimetableCache.DefaultDirectory);
        var started = System.Diagnostics.Stopwatch.StartNew();
        Timetable timetable;
        try { timetable = cache.LoadOrCompile(gtfs, date, new LineProgress(progress)); }
        catch (FileNotFoundException e) { throw new CliUsageException(e.Message); }
        progress.WriteLine($"timetable: {timetable.StopCount} stops, {timetable.PatternCount} patterns, {timetable.TripCount} trips on {date:yyyy-MM-dd} ({started.Elapsed.TotalSeconds:0.0} s)");
        if (timetable.IssueCount > 0)
        {
            progress.WriteLine($"feed issues: {timetable.IssueCount} (first 10 below)");
            foreach (var issue in timetable.Issues.Take(10)) progress.WriteLine("  " + issue);
        }
        return timetable;
    }

    public static GeoPoint ParsePoint(string text)
    {
        var parts = text.Split(',');
        if (parts.Length != 2) throw new FormatException($"'{text}' is not LAT,LON.");
        return new GeoPoint(ParseDouble(parts[0]), ParseDouble(parts[1]));
    }

    public static int ParseInt(string s) => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);

    public static double ParseDouble(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    public static int[] ParseIntList(string s) => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseInt).ToArray();

    /// <summary>Writes progress lines immediately (not via a SynchronizationContext).</summary>
    internal sealed class LineProgress(TextWriter writer) : IProgress<string>
    {
        public void Report(string value) => writer.WriteLine(value);
    }
}
