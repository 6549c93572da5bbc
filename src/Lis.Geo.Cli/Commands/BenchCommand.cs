using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;
using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Scenarios;
using Lis.Geo.Transit.Timetables;

namespace Lis.Geo.Cli.Commands;

/// <summary><c>lisgeo bench</c>: the engine's speed figures against the issue's aims, on one feed.</summary>
public sealed class BenchCommand : ICliCommand
{
    public string Name => "bench";

    public string Summary => "time load, reload, single and window searches and a matrix against the aims";

    public string Help =>
        $"""
        usage: lisgeo bench --gtfs PATH --date YYYYMMDD [options]

        Measures, with the default routing parameters unless overridden, and prints medians and the ratio
        to each aim (ratio < 1 meets it):
          load+compile (aim 10 s), reload compiled (aim 1 s), one departure one origin to all stops (aim 5 ms),
          one origin over the window to all stops (aim 150 ms), origins × destinations matrix (aim 180 s)
          with peak working set. Origins and destinations are random points within ~300 m of random stops.

          --gtfs PATH              GTFS feed, .zip or folder (required)
          --date YYYYMMDD          service date (required)
          --compile-runs N         load+compile repetitions (default 3)
          --reload-runs N          reload repetitions (default 10)
          --single-runs N          single-departure searches (default 200)
          --window-runs N          window searches (default 30)
          --matrix-origins N       matrix origins, 0 skips the matrices (default 2500)
          --matrix-destinations N  matrix destinations (default 30)
          --search MODE            profile (default): the matrix by the profile search, beside the forward search
                                   on --forward-origins of the same origins (scaled per origin, checked equal);
                                   forward: the forward search alone on all origins (the issue-3 figure)
          --forward-origins N      origins of the forward run beside the profile one (default 250; 0 skips)
          --large-origins N        origins of the second profile matrix, OA scale (default 12500; 0 skips)
          --many-destinations N    destinations of the third profile matrix, for peak memory (default 300; 0 skips)
          --seed N                 random seed for origins, destinations and departures (default 1)
          --timetable-cache DIR    where the compiled timetable is saved for the reload test (default a temporary folder)
          --scenario FILE          a scenario (JSON with "modifications", as POST /scenarios takes them): times applying it to
                                   the compiled day (3 runs), then runs every later figure on the modified timetable
        {RoutingOptions.ParameterHelp}
        """;

    public IReadOnlySet<string> Flags { get; } = new HashSet<string>();

    public IReadOnlySet<string> Options { get; } = new HashSet<string>(
        ["compile-runs", "reload-runs", "single-runs", "window-runs", "matrix-origins", "matrix-destinations", "seed",
         "search", "forward-origins", "large-origins", "many-destinations", "scenario",
         .. RoutingOptions.TimetableNames, .. RoutingOptions.ParameterNames]);

    public Task<int> RunAsync(CliArgs args, TextWriter output, TextWriter progress, CancellationToken cancellationToken)
    {
        var gtfs = args.Require("gtfs");
        var date = args.Get("date", default(DateOnly), v => DateOnly.ParseExact(v, "yyyyMMdd", CultureInfo.InvariantCulture));
        if (date == default) throw new CliUsageException("--date is required.");
        var compileRuns = args.Get("compile-runs", 3, RoutingOptions.ParseInt);
        var reloadRuns = args.Get("reload-runs", 10, RoutingOptions.ParseInt);
        var singleRuns = args.Get("single-runs", 200, RoutingOptions.ParseInt);
        var windowRuns = args.Get("window-runs", 30, RoutingOptions.ParseInt);
        var matrixOrigins = args.Get("matrix-origins", 2500, RoutingOptions.ParseInt);
        var matrixDestinations = args.Get("matrix-destinations", 30, RoutingOptions.ParseInt);
        var matrixSearch = args.Get("search", "profile", v => v is "profile" or "forward" ? v : throw new FormatException("profile or forward"));
        var forwardOrigins = args.Get("forward-origins", 250, RoutingOptions.ParseInt);
        var largeOrigins = args.Get("large-origins", 12_500, RoutingOptions.ParseInt);
        var manyDestinations = args.Get("many-destinations", 300, RoutingOptions.ParseInt);
        var random = new Random(args.Get("seed", 1, RoutingOptions.ParseInt));
        var parameters = RoutingOptions.Parse(args);

        output.WriteLine("machine");
        output.WriteLine($"  cpu        {CpuModel()} × {Environment.ProcessorCount} logical cores");
        output.WriteLine($"  memory     {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1 << 30)} GiB available to .NET");
        output.WriteLine($"  os         {RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}");
        output.WriteLine($"  runtime    {RuntimeInformation.FrameworkDescription}, server GC {GCSettings.IsServerGC}");
        output.WriteLine($"  load       {LoadAverage()} (1/5/15-min load average at start: other work on the machine inflates wall times; cpu/run does not count it)");
        output.WriteLine($"  feed       {gtfs} on {date:yyyy-MM-dd}");
        output.WriteLine();

        var source = GtfsSource.Open(gtfs);
        Timetable? timetable = null;
        var compile = Measure(compileRuns, () => timetable = TimetableCompiler.Compile(source, date), progress, "load+compile");
        output.WriteLine($"timetable: {timetable!.StopCount} stops, {timetable.PatternCount} patterns, {timetable.TripCount} trips, {timetable.IssueCount} issues");

        // A scenario replaces the compiled day before anything is routed: the figures below are then the scenario's.
        Sample? apply = null;
        var baselineCounts = (timetable.StopCount, timetable.PatternCount, timetable.TripCount);
        var scenarioFile = args.Get("scenario");
        if (scenarioFile is not null)
        {
            var scenario = Scenario.FromJson(File.ReadAllText(scenarioFile));
            AppliedScenario? applied = null;
            var baseline = timetable;
            apply = Measure(3, () => applied = ScenarioApplier.Apply(baseline, scenario), progress, "apply scenario");
            timetable = applied!.Timetable;
            output.WriteLine($"scenario {scenarioFile} ({scenario.Modifications.Count} modifications, hash {scenario.ComputeHash()[..16]}): " +
                             $"{timetable.StopCount} stops, {timetable.PatternCount} patterns, {timetable.TripCount} trips; notes: {applied.Notes.Count}");
            foreach (var note in applied.Notes) output.WriteLine($"  note {note.Field}: {note.Message}");
        }

        var cacheDir = args.Get("timetable-cache") ?? Path.Combine(Path.GetTempPath(), "lisgeo-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(cacheDir);
        var file = Path.Combine(cacheDir, "bench.lgtt");
        TimetableFile.Save(timetable, file);
        var fileSize = new FileInfo(file).Length;
        var reload = Measure(reloadRuns, () => TimetableFile.Load(file), progress, "reload compiled");
        if (args.Get("timetable-cache") is null) Directory.Delete(cacheDir, recursive: true);

        TransitRouter? router = null;
        var prepare = Measure(1, () => router = new TransitRouter(timetable, parameters), progress, "transfers");
        var worker = router!.CreateWorker();
        GeoPoint RandomOrigin()
        {
            var stop = timetable.StopLocation(random.Next(timetable.StopCount));
            return new GeoPoint(stop.Lat + (random.NextDouble() - 0.5) * 0.006, stop.Lon + (random.NextDouble() - 0.5) * 0.006);
        }

        var window = parameters.Window;
        var singleQueries = Enumerable.Range(0, singleRuns).Select(_ => (RandomOrigin(), random.Next(window.StartSeconds, window.EndSeconds))).ToArray();
        var next = 0;
        var single = Measure(singleRuns, () =>
        {
            var (origin, departure) = singleQueries[next++ % singleQueries.Length];
            worker.Route(origin, departure);
        }, progress, "single departure", warmup: 10);

        var windowOrigins = Enumerable.Range(0, windowRuns).Select(_ => RandomOrigin()).ToArray();
        next = 0;
        var windowTimes = Measure(windowRuns, () => StopTravelTimes.Compute(worker, windowOrigins[next++ % windowOrigins.Length], window), progress, "window", warmup: 3);

        output.WriteLine();
        output.WriteLine($"{"figure",-52} {"median",12} {"min",10} {"max",10} {"cpu/run",12} {"aim",8} {"ratio",6}");
        output.WriteLine("(wall-clock median/min/max; cpu/run = process CPU time per run, all threads incl. GC; ratio = median / aim)");
        Row(output, $"load+compile ({compileRuns} runs)", compile, 10_000);
        Row(output, $"reload compiled, {fileSize / 1e6:0.0} MB ({reloadRuns} runs)", reload, 1_000);
        if (apply is not null)
            Row(output, $"apply scenario (3 runs): +{timetable.StopCount - baselineCounts.StopCount} stops, {timetable.TripCount - baselineCounts.TripCount:+#;-#;0} trips", apply, null);
        Row(output, $"generate {router.TransferCount} walking transfers (1 run)", prepare, null);
        Row(output, $"one departure, one origin → all stops ({singleRuns} runs)", single, 5);
        Row(output, $"one origin, {window.Count} departures → all stops ({windowRuns} runs)", windowTimes, 150);

        if (matrixOrigins > 0 && matrixSearch == "forward")
        {
            var origins = Enumerable.Range(0, matrixOrigins).Select(_ => RandomOrigin()).ToList();
            var destinations = Enumerable.Range(0, matrixDestinations).Select(_ => RandomOrigin()).ToList();
            progress.WriteLine($"matrix {matrixOrigins} × {matrixDestinations} × {window.Count} departures on {Environment.ProcessorCount} cores");
            GC.Collect();
            TravelTimeMatrix? matrix = null;
            var sample = Measure(1, () => matrix = TravelTimeMatrix.Compute(router, origins, destinations, null, cancellationToken, MatrixSearch.Forward), progress, "matrix");
            var wall = sample.WallMs[0];
            var reachable = 0L;
            for (var o = 0; o < matrixOrigins; o++)
                for (var d = 0; d < matrixDestinations; d++)
                    reachable += matrix!.DeparturesWithin(o, d, parameters.MaxTripDuration);
            Row(output, $"matrix {matrixOrigins} × {matrixDestinations} × {window.Count} (1 run)", sample, 180_000);
            output.WriteLine($"  matrix: {reachable} of {(long)matrixOrigins * matrixDestinations * window.Count} pair-departures reachable; {wall / matrixOrigins:0.0} ms wall per origin");
        }
        else if (matrixOrigins > 0)
        {
            ProfileMatrices(output, progress, router, parameters, RandomOrigin, matrixOrigins, matrixDestinations, forwardOrigins, largeOrigins, manyDestinations, cancellationToken);
        }
        output.WriteLine($"  peak working set of the process: {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB");
        return Task.FromResult(0);
    }

    /// <summary>
    /// Issue 13's figures: the matrix by the profile search (scan time per destination and merge time
    /// as thread time, wall and CPU, load before and after), the forward search on a prefix of the same
    /// origins in the same run (scaled to the full count per origin, and checked pair-minute equal), the
    /// matrix with many origins, and the peak working set after the matrices with few and many destinations.
    /// </summary>
    private static void ProfileMatrices(TextWriter output, TextWriter progress, TransitRouter router, RoutingParameters parameters,
        Func<GeoPoint> randomPoint, int originCount, int destinationCount, int forwardCount, int largeCount, int manyCount, CancellationToken ct)
    {
        var minutes = parameters.Window.Count;
        var origins = Enumerable.Range(0, Math.Max(originCount, largeCount)).Select(_ => randomPoint()).ToList();
        var destinations = Enumerable.Range(0, Math.Max(destinationCount, manyCount)).Select(_ => randomPoint()).ToList();
        output.WriteLine();
        output.WriteLine($"matrices ({minutes} departures, {Environment.ProcessorCount} cores; thread times are summed over threads)");
        var build = Measure(1, () => _ = new TransitRouter(router.Timetable, parameters).ProfileConnectionCount, progress, "profile connections");
        output.WriteLine($"  profile connections of the window: {router.ProfileConnectionCount} (built once per router: {Format(build.WallMs[0])})");

        TravelTimeMatrix Profile(int n, int m, string name)
        {
            GC.Collect();
            var load = LoadAverage();
            TravelTimeMatrix? matrix = null;
            var sample = Measure(1, () => matrix = TravelTimeMatrix.Compute(router, origins.GetRange(0, n), destinations.GetRange(0, m), null, ct, MatrixSearch.Profile), progress, name);
            var t = matrix!.Timings!;
            Row(output, $"profile {n} × {m} × {minutes}", sample, n == originCount && m == destinationCount ? 10_000 : null);
            output.WriteLine($"  scan {Format(t.ScanPerDestination.TotalMilliseconds)} per destination ({Format(t.Scan.TotalMilliseconds)} in all), merge {Format(t.Merge.TotalMilliseconds)} ({Format(t.Merge.TotalMilliseconds * 1000 / ((double)n * m))} per 1,000 pairs); load {load} → {LoadAverage()}; peak working set so far {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB, matrix {4.0 * n * m * minutes / 1e6:0} MB");
            return matrix;
        }

        var profile = Profile(originCount, destinationCount, "profile matrix");
        if (forwardCount > 0)
        {
            var n = Math.Min(forwardCount, originCount);
            GC.Collect();
            var load = LoadAverage();
            TravelTimeMatrix? forward = null;
            var sample = Measure(1, () => forward = TravelTimeMatrix.Compute(router, origins.GetRange(0, n), destinations.GetRange(0, destinationCount), null, ct, MatrixSearch.Forward), progress, "forward matrix");
            Row(output, $"forward {n} × {destinationCount} × {minutes}", sample, null);
            var mismatches = 0L;
            for (var o = 0; o < n; o++)
                for (var d = 0; d < destinationCount; d++)
                {
                    ReadOnlySpan<int> a = forward!.TravelTimes(o, d), b = profile.TravelTimes(o, d);
                    for (var i = 0; i < a.Length; i++) if (a[i] != b[i]) mismatches++;
                }
            var scale = (double)originCount / n;
            output.WriteLine($"  forward scaled to {originCount} origins: {Format(sample.WallMs[0] * scale)} wall, {Format(sample.CpuMsPerRun * scale)} cpu; load {load} → {LoadAverage()}; " +
                             $"pair-minutes differing from the profile search: {mismatches} of {(long)n * destinationCount * minutes}");
        }
        if (largeCount > 0) Profile(largeCount, destinationCount, "profile matrix, many origins");
        if (manyCount > 0) Profile(originCount, manyCount, "profile matrix, many destinations");
    }

    /// <summary>Wall times of the runs, and process CPU time per run (the machine may be shared: CPU time does not count other work).</summary>
    private sealed record Sample(double[] WallMs, double CpuMsPerRun);

    private static Sample Measure(int runs, Action action, TextWriter progress, string name, int warmup = 0)
    {
        for (var i = 0; i < warmup; i++) action();
        var times = new double[Math.Max(1, runs)];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < times.Length; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        progress.WriteLine($"  {name}: {times.Length} runs done");
        return new Sample(times, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / times.Length);
    }

    private static void Row(TextWriter output, string name, Sample sample, double? aimMs)
    {
        var sorted = sample.WallMs.Order().ToArray();
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        var aim = aimMs is null ? "" : Format(aimMs.Value);
        var ratio = aimMs is null ? "" : (median / aimMs.Value).ToString("0.00", CultureInfo.InvariantCulture);
        output.WriteLine($"{name,-52} {Format(median),12} {Format(sorted[0]),10} {Format(sorted[^1]),10} {Format(sample.CpuMsPerRun),12} {aim,8} {ratio,6}");
    }

    private static string Format(double ms) =>
        ms >= 1000 ? (ms / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " s" : ms.ToString("0.00", CultureInfo.InvariantCulture) + " ms";

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }
}
