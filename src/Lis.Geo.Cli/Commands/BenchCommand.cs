using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Timetables;
using Lis.Geo.Transit.Walking;

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
          --matrix-origins N       matrix origins, 0 skips the matrix (default 2500)
          --matrix-destinations N  matrix destinations (default 30)
          --seed N                 random seed for origins, destinations and departures (default 1)
          --timetable-cache DIR    where the compiled timetable is saved for the reload test (default a temporary folder)
        {RoutingOptions.ParameterHelp}
        """;

    public IReadOnlySet<string> Flags { get; } = new HashSet<string>();

    public IReadOnlySet<string> Options { get; } = new HashSet<string>(
        ["compile-runs", "reload-runs", "single-runs", "window-runs", "matrix-origins", "matrix-destinations", "seed",
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
        output.WriteLine($"timetable: {timetable!.StopCount} stops, {timetable.PatternCount} patterns, {timetable.TripCount} trips, {timetable.Issues.Count} issues");

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
        Row(output, $"generate {router.TransferCount} walking transfers (1 run)", prepare, null);
        Row(output, $"one departure, one origin → all stops ({singleRuns} runs)", single, 5);
        Row(output, $"one origin, {window.Count} departures → all stops ({windowRuns} runs)", windowTimes, 150);

        if (matrixOrigins > 0)
        {
            var origins = Enumerable.Range(0, matrixOrigins).Select(_ => RandomOrigin()).ToList();
            var destinations = Enumerable.Range(0, matrixDestinations).Select(_ => RandomOrigin()).ToList();
            progress.WriteLine($"matrix {matrixOrigins} × {matrixDestinations} × {window.Count} departures on {Environment.ProcessorCount} cores");
            GC.Collect();
            TravelTimeMatrix? matrix = null;
            var sample = Measure(1, () => matrix = TravelTimeMatrix.Compute(router, origins, destinations, null, cancellationToken), progress, "matrix");
            var wall = sample.WallMs[0];
            var reachable = 0L;
            for (var o = 0; o < matrixOrigins; o++)
                for (var d = 0; d < matrixDestinations; d++)
                    reachable += matrix!.DeparturesWithin(o, d, parameters.MaxTripDuration);
            Row(output, $"matrix {matrixOrigins} × {matrixDestinations} × {window.Count} (1 run)", sample, 180_000);
            output.WriteLine($"  matrix: {reachable} of {(long)matrixOrigins * matrixDestinations * window.Count} pair-departures reachable; {wall / matrixOrigins:0.0} ms wall per origin");
        }
        output.WriteLine($"  peak working set of the process: {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB");
        return Task.FromResult(0);
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
