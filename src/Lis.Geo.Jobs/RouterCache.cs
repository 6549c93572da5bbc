using System.Collections.Concurrent;
using System.Diagnostics;
using Lis.Geo.Transit.Scenarios;
using Lis.Geo.Transit.Timetables;
using Microsoft.Extensions.Options;

namespace Lis.Geo.Jobs;

/// <summary>
/// Timetables and routers ready to search, per (feed, service date) and per routing rules: the
/// feed's bytes are written to this machine once, compiled once per date (then reloaded from the
/// on-disk cache in well under a second), and kept in memory for the chunks and interactive queries
/// that follow. Timetables are cached apart from routers, so checking a request (which needs the
/// day's trips, not walking transfers) costs no transfer generation, and routers with different
/// rules share one timetable in memory.
/// </summary>
public sealed class RouterCache(NpgsqlDataSource db, IOptions<JobsOptions> options, ILogger<RouterCache> log)
{
    /// <summary>Entries kept in memory per kind; a New York weekday is ~17 MB of timetable, so a handful is plenty (a scenario's day and its baseline are two).</summary>
    private const int Capacity = 6;

    private readonly ConcurrentDictionary<string, Lazy<Task<Timetable>>> _timetables = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<TransitRouter>>> _routers = new();

    public string Directory => options.Value.CacheDirectory is { Length: > 0 } d ? d : TimetableCache.DefaultDirectory;

    /// <summary>The compiled timetable of the feed on <paramref name="date"/>: enough to check a request, without walking transfers.</summary>
    public Task<Timetable> GetTimetableAsync(long feedId, string sha256, DateOnly date, CancellationToken ct) =>
        GetOrLoadAsync(_timetables, $"{sha256}|{date:yyyyMMdd}", async () =>
        {
            var clock = Stopwatch.StartNew();
            var path = await new FeedStore(db).MaterialiseAsync(feedId, sha256, Path.Combine(Directory, "feeds"), CancellationToken.None);
            var materialised = clock.Elapsed.TotalSeconds;
            // The stored feed's SHA-256 is the zip's (checked when it was written here), so the cache
            // need not read the zip again to find its file.
            var timetable = new TimetableCache(Path.Combine(Directory, "timetables")).LoadOrCompile(path, date, feedHash: sha256);
            log.LogInformation("Timetable of feed {Feed} for {Date:yyyy-MM-dd} ready in {Seconds:F2} s (feed file {Materialise:F2} s, load or compile {Load:F2} s)",
                feedId, date, clock.Elapsed.TotalSeconds, materialised, clock.Elapsed.TotalSeconds - materialised);
            return timetable;
        }, ct);

    /// <summary>
    /// The timetable of several stored feeds on <paramref name="date"/>: one feed's own, or the feeds'
    /// timetables merged (<see cref="TimetableMerge"/>, stop ids prefixed with the feed id), each feed
    /// loaded and cached as for one.
    /// </summary>
    public Task<Timetable> GetTimetableAsync(IReadOnlyList<RunFeed> feeds, DateOnly date, CancellationToken ct) =>
        feeds.Count == 1 ? GetTimetableAsync(feeds[0].Id, feeds[0].Sha256, date, ct)
            : GetOrLoadAsync(_timetables, $"{string.Join('+', feeds.Select(f => f.Sha256))}|{date:yyyyMMdd}", async () =>
            {
                var parts = new List<(string, Timetable)>();
                foreach (var f in feeds) parts.Add((f.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), await GetTimetableAsync(f.Id, f.Sha256, date, CancellationToken.None)));
                return TimetableMerge.Merge(parts);
            }, ct);

    /// <summary>
    /// The timetable of <paramref name="feeds"/> on <paramref name="date"/> with <paramref name="scenario"/>
    /// applied (none: the feeds' own). The modified day is kept on disk by <see cref="ScenarioCache"/>
    /// (feed hash + date + scenario hash), so a scenario is applied once and later runs load it.
    /// </summary>
    /// <exception cref="ScenarioUnapplicableException"><c>scenario</c>: its modifications cannot be applied on this day.</exception>
    public Task<Timetable> GetTimetableAsync(IReadOnlyList<RunFeed> feeds, DateOnly date, RunScenario? scenario, CancellationToken ct) =>
        scenario is null ? GetTimetableAsync(feeds, date, ct)
            : GetOrLoadAsync(_timetables, $"{FeedsKey(feeds)}|{date:yyyyMMdd}|s{scenario.Sha256}", async () =>
            {
                var baseline = await GetTimetableAsync(feeds, date, CancellationToken.None);
                var clock = Stopwatch.StartNew();
                Timetable timetable;
                try { timetable = new ScenarioCache(Path.Combine(Directory, "scenarios")).LoadOrApply(baseline, scenario.Modifications()); }
                catch (ScenarioException e) { throw RunScenarios.Unapplicable(scenario.Id, date, e); }
                log.LogInformation("Timetable of scenario {Scenario} ({Hash}) on {Date:yyyy-MM-dd} ready in {Seconds:F2} s",
                    scenario.Id, scenario.Sha256[..16], date, clock.Elapsed.TotalSeconds);
                return timetable;
            }, ct);

    /// <summary>A router over <paramref name="feeds"/> with <paramref name="scenario"/> applied (see <see cref="GetTimetableAsync(IReadOnlyList{RunFeed}, DateOnly, RunScenario?, CancellationToken)"/>); walking transfers reach the scenario's new stops.</summary>
    public Task<TransitRouter> GetAsync(IReadOnlyList<RunFeed> feeds, DateOnly date, RunScenario? scenario, RoutingParameters parameters, CancellationToken ct) =>
        scenario is null ? GetAsync(feeds, date, parameters, ct)
            : GetOrLoadAsync(_routers, $"{FeedsKey(feeds)}|{date:yyyyMMdd}|s{scenario.Sha256}|{JsonSerializer.Serialize(parameters)}", async () =>
                new TransitRouter(await GetTimetableAsync(feeds, date, scenario, CancellationToken.None), parameters), ct);

    private static string FeedsKey(IReadOnlyList<RunFeed> feeds) => string.Join('+', feeds.Select(f => f.Sha256));

    /// <summary>A router over several stored feeds (see <see cref="GetTimetableAsync(IReadOnlyList{RunFeed}, DateOnly, CancellationToken)"/>); walking transfers join stops of different feeds.</summary>
    public Task<TransitRouter> GetAsync(IReadOnlyList<RunFeed> feeds, DateOnly date, RoutingParameters parameters, CancellationToken ct) =>
        feeds.Count == 1 ? GetAsync(feeds[0].Id, feeds[0].Sha256, date, parameters, ct)
            : GetOrLoadAsync(_routers, $"{string.Join('+', feeds.Select(f => f.Sha256))}|{date:yyyyMMdd}|{JsonSerializer.Serialize(parameters)}", async () =>
                new TransitRouter(await GetTimetableAsync(feeds, date, CancellationToken.None), parameters), ct);

    public Task<TransitRouter> GetAsync(long feedId, string sha256, DateOnly date, RoutingParameters parameters, CancellationToken ct) =>
        // Every parameter is in the key: matrix searches read the window and percentiles from the router.
        GetOrLoadAsync(_routers, $"{sha256}|{date:yyyyMMdd}|{JsonSerializer.Serialize(parameters)}", async () =>
        {
            var timetable = await GetTimetableAsync(feedId, sha256, date, CancellationToken.None);
            var clock = Stopwatch.StartNew();
            var router = new TransitRouter(timetable, parameters);
            log.LogInformation("Router of feed {Feed} for {Date:yyyy-MM-dd}: {Transfers} walking transfers generated in {Seconds:F2} s",
                feedId, date, router.TransferCount, clock.Elapsed.TotalSeconds);
            return router;
        }, ct);

    /// <summary>
    /// One load per key however many callers ask at once; a caller's cancellation stops its wait, not
    /// the load others may share. A failed load is forgotten, so the next call tries again instead of
    /// every later request failing with the same cached error.
    /// </summary>
    private static async Task<T> GetOrLoadAsync<T>(ConcurrentDictionary<string, Lazy<Task<T>>> cache, string key, Func<Task<T>> load, CancellationToken ct)
    {
        if (cache.Count >= Capacity && !cache.ContainsKey(key)) cache.Clear();
        var lazy = cache.GetOrAdd(key, _ => new Lazy<Task<T>>(() => Task.Run(load)));
        try
        {
            return await lazy.Value.WaitAsync(ct);
        }
        catch (Exception) when (lazy.Value.IsFaulted || lazy.Value.IsCanceled)
        {
            cache.TryRemove(new KeyValuePair<string, Lazy<Task<T>>>(key, lazy));
            throw;
        }
    }
}
