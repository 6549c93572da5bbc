using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Lis.Geo.Data;
using Lis.Geo.Data.Analyses;
using Lis.Geo.Jobs;

// usage: Lis.Geo.Overlay.Bench CONNECTION RUN_ID RUNS
//
// Calls RunSummary.ComputeAsync — the aggregation job's whole query and arithmetic — on a stored run
// RUNS times after one warm-up call, and prints each timed call's wall time in seconds, one per line, so
// run.sh reports it with the same median/p95 as the HTTP requests. It then stores the summary with
// RunStore.CompleteAsync, the job's own last step, so GET /analyses/{id} serves a full-size summary.
// Calling the library rather than replaying its SQL in psql keeps the benchmark on the code that ships.
if (args is not [var connection, var runText, var runsText]
    || !long.TryParse(runText, CultureInfo.InvariantCulture, out var runId)
    || !int.TryParse(runsText, CultureInfo.InvariantCulture, out var runs) || runs < 1)
{
    Console.Error.WriteLine("usage: Lis.Geo.Overlay.Bench CONNECTION RUN_ID RUNS");
    return 2;
}

await using var db = LisGeoDb.CreateDataSource(connection);
var run = await RunStore.LoadAsync(db, runId, default);
if (run is null)
{
    Console.Error.WriteLine($"no run {runId}");
    return 1;
}
// The first call pays for JIT and the pool's first connection, as the job does once per process;
// it is printed apart ("first …") and not counted in the timed calls.
var first = Stopwatch.StartNew();
var summary = await RunSummary.ComputeAsync(db, run, default);
Console.WriteLine("first " + first.Elapsed.TotalSeconds.ToString("F6", CultureInfo.InvariantCulture));
for (var i = 0; i < runs; i++)
{
    var watch = Stopwatch.StartNew();
    summary = await RunSummary.ComputeAsync(db, run, default);
    Console.WriteLine(watch.Elapsed.TotalSeconds.ToString("F6", CultureInfo.InvariantCulture));
}
await RunStore.CompleteAsync(db, runId, JsonSerializer.Serialize(summary, AnalysisPlanner.Json), default);
Console.Error.WriteLine($"summary of run {runId}: {summary.Overall.Origins} origins, {summary.ByLep.Count} LEPs, " +
                        $"{summary.ByLocalAuthority.Count} districts, {summary.ByImdDecile.Count} IMD deciles; stored");
return 0;
