using System.Diagnostics;
using System.Text;

namespace Lis.Geo.Cli.Commands;

/// <summary><c>lisgeo matrix</c>: travel-time percentiles and per-cutoff departure counts for every origin–destination pair.</summary>
public sealed class MatrixCommand : ICliCommand
{
    public string Name => "matrix";

    public string Summary => "travel-time percentiles for origins × destinations over a departure window";

    public string Help =>
        $"""
        usage: lisgeo matrix --gtfs PATH --date YYYYMMDD --origins FILE --destinations FILE --out FILE.csv
                             [--window 07:00-10:00 | --arrive 08:30-09:30] [--search auto|forward|profile]
                             [--percentiles 5,25,50,75,95] [--cutoffs 15,30,45,60]

        Travel times over every minute of the window, on all cores, by range RAPTOR from every origin
        (forward) or by a profile search from every destination (profile); both give identical times,
        auto picks the cheaper for the counts (forward whenever --max-rides is set). Writes one CSV row per
        pair: origin_id, destination_id, the percentiles (seconds, empty when unreachable; nearest rank with
        unreachable as +infinity) and, per cutoff, how many minutes of the window reach the destination
        within it. The search that ran is printed on stderr.

          --arrive HH:MM-HH:MM     an arrival window instead of a departure window (end excluded): per arrival
                                   minute a, the time to set aside to be at the destination by a (a − latest
                                   departure; ACCESSIBILITY.md "Arrival windows"); profile search only
          --search MODE            auto (default), forward or profile

          --origins FILE           CSV (id,lat,lon[,weight]; id may be code or an ONS ...cd column) or GeoJSON
                                   Points (id, properties.id or properties.code) (required)
          --destinations FILE      same formats (required)
          --out FILE.csv           output (required)
          --cutoffs MIN,MIN,...    travel-time cutoffs in minutes for the departure counts (default 15,30,45,60)
        {RoutingOptions.TimetableHelp}
        {RoutingOptions.ParameterHelp}
        """;

    public IReadOnlySet<string> Flags { get; } = new HashSet<string>();

    public IReadOnlySet<string> Options { get; } = new HashSet<string>(
        ["origins", "destinations", "out", "cutoffs", "arrive", "search", .. RoutingOptions.TimetableNames, .. RoutingOptions.ParameterNames]);

    public Task<int> RunAsync(CliArgs args, TextWriter output, TextWriter progress, CancellationToken cancellationToken)
    {
        var origins = PointFile.Read(args.Require("origins"), progress);
        var destinations = PointFile.Read(args.Require("destinations"), progress);
        var outPath = args.Require("out");
        var cutoffs = args.Get("cutoffs", [15, 30, 45, 60], RoutingOptions.ParseIntList);
        var parameters = RoutingOptions.Parse(args);
        if (args.Get("arrive") is { } arrive)
        {
            if (args.Get("window") is not null) throw new CliUsageException("give --window (departures) or --arrive (arrivals), not both.");
            DepartureWindow arrivals;
            try { arrivals = DepartureWindow.Parse(arrive, parameters.Window.StepSeconds); }
            catch (Exception e) when (e is FormatException or ArgumentException) { throw new CliUsageException($"--arrive: {e.Message}"); }
            parameters = parameters with { Window = arrivals, WindowKind = WindowKind.Arrival };
        }
        var search = args.Get("search", MatrixSearch.Auto, ParseSearch);
        if (parameters.WindowKind == WindowKind.Arrival && search == MatrixSearch.Forward)
            throw new CliUsageException("--arrive is computed by the profile search only: use --search auto or profile.");
        if (search == MatrixSearch.Profile && TravelTimeMatrix.WhyNotProfile(parameters) is { } why)
            throw new CliUsageException(why);
        if (parameters.WindowKind == WindowKind.Arrival && TravelTimeMatrix.WhyNotProfile(parameters) is { } whyArrive)
            throw new CliUsageException("--arrive: " + whyArrive);
        var timetable = RoutingOptions.LoadTimetable(args, progress);

        var kind = parameters.WindowKind == WindowKind.Arrival ? "arrival" : "departure";
        var chosen = search == MatrixSearch.Auto ? TravelTimeMatrix.Choose(parameters, origins.Count, destinations.Count) : search;
        progress.WriteLine($"routing {origins.Count} origins × {destinations.Count} destinations, {parameters.Window.Count} {kind} minutes ({parameters.Window}) on {Environment.ProcessorCount} cores, {chosen.ToString().ToLowerInvariant()} search{(search == MatrixSearch.Auto ? " (auto)" : "")}");
        // Phases on stderr, so this command's time can be set beside `lisgeo bench`'s matrix row (which
        // excludes process start, the timetable load, the router and the CSV): bench/jobs/README.md.
        var clock = Stopwatch.StartNew();
        var router = new TransitRouter(timetable, parameters);
        var walking = clock.Elapsed.TotalSeconds;
        if (chosen == MatrixSearch.Profile) _ = router.ProfileConnectionCount;
        var prepared = clock.Elapsed.TotalSeconds;
        progress.WriteLine($"router: {router.TransferCount} walking transfers in {walking:0.00} s{(chosen == MatrixSearch.Profile ? $", {router.ProfileConnectionCount} profile connections in {prepared - walking:0.00} s" : "")}");
        var lastReport = 0L;
        var reporter = new Progress(p =>
        {
            var now = clock.ElapsedMilliseconds;
            if (p.OriginsDone != p.OriginCount && now - Interlocked.Read(ref lastReport) < 2000) return;
            Interlocked.Exchange(ref lastReport, now);
            progress.WriteLine($"  {p.OriginsDone}/{p.OriginCount} origins, {clock.Elapsed.TotalSeconds:0.0} s");
        });
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var matrix = TravelTimeMatrix.Compute(router, origins.Select(o => o.Location).ToList(), destinations.Select(d => d.Location).ToList(),
            reporter, cancellationToken, chosen);
        var routed = clock.Elapsed.TotalSeconds;
        var matrixCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;

        using var writer = new StreamWriter(outPath, false, new UTF8Encoding(false));
        var header = new StringBuilder("origin_id,destination_id");
        foreach (var p in parameters.Percentiles) header.Append(CultureInfo.InvariantCulture, $",p{p}_s");
        var counted = parameters.WindowKind == WindowKind.Arrival ? "arrivals" : "departures";
        foreach (var c in cutoffs) header.Append(CultureInfo.InvariantCulture, $",{counted}_within_{c}min");
        writer.WriteLine(header);
        var line = new StringBuilder();
        for (var o = 0; o < origins.Count; o++)
        {
            for (var d = 0; d < destinations.Count; d++)
            {
                line.Clear().Append(Csv(origins[o].Id)).Append(',').Append(Csv(destinations[d].Id));
                foreach (var v in matrix.PercentilesOf(o, d))
                {
                    line.Append(',');
                    if (v != TravelTime.Unreachable) line.Append(v.ToString(CultureInfo.InvariantCulture));
                }
                foreach (var c in cutoffs) line.Append(',').Append(matrix.DeparturesWithin(o, d, c * 60).ToString(CultureInfo.InvariantCulture));
                writer.WriteLine(line);
            }
        }
        progress.WriteLine($"wrote {origins.Count * destinations.Count} pairs to {outPath} in {clock.Elapsed.TotalSeconds:0.0} s ({matrix.Search.ToString().ToLowerInvariant()} search; router {prepared:0.00} s, matrix {routed - prepared:0.00} s with {matrixCpu:0.00} s of CPU, CSV {clock.Elapsed.TotalSeconds - routed:0.00} s)");
        return Task.FromResult(0);
    }

    private static MatrixSearch ParseSearch(string value) => value switch
    {
        "auto" => MatrixSearch.Auto,
        "forward" => MatrixSearch.Forward,
        "profile" => MatrixSearch.Profile,
        _ => throw new CliUsageException($"--search must be auto, forward or profile (got '{value}')."),
    };

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    /// <summary>Reports synchronously on the worker thread (Progress&lt;T&gt; would post to a context).</summary>
    private sealed class Progress(Action<MatrixProgress> report) : IProgress<MatrixProgress>
    {
        public void Report(MatrixProgress value) => report(value);
    }
}
