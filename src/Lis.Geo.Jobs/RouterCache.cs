using System.Collections.Concurrent;
using System.Text.Json;
using Lis.Geo.Data.Feeds;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Timetables;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lis.Geo.Jobs;

/// <summary>
/// Routers ready to search, per (feed, service date, routing rules): the feed's bytes are written
/// to this machine once, compiled once per date (then reloaded from the on-disk cache in well under
/// a second), and kept in memory for the chunks and interactive queries that follow.
/// </summary>
public sealed class RouterCache(NpgsqlDataSource db, IOptions<JobsOptions> options)
{
    /// <summary>Routers kept in memory; a West Midlands day is tens of MB, so a handful is plenty.</summary>
    private const int Capacity = 4;

    private readonly ConcurrentDictionary<string, Lazy<Task<TransitRouter>>> _routers = new();

    public string Directory => options.Value.CacheDirectory is { Length: > 0 } d ? d : TimetableCache.DefaultDirectory;

    public Task<TransitRouter> GetAsync(long feedId, string sha256, DateOnly date, RoutingParameters parameters, CancellationToken ct)
    {
        // Every parameter is in the key: matrix searches read the window and percentiles from the router.
        var key = $"{sha256}|{date:yyyyMMdd}|{JsonSerializer.Serialize(parameters)}";
        if (_routers.Count >= Capacity && !_routers.ContainsKey(key)) _routers.Clear();
        var lazy = _routers.GetOrAdd(key, _ => new Lazy<Task<TransitRouter>>(async () =>
        {
            var path = await new FeedStore(db).MaterialiseAsync(feedId, sha256, Path.Combine(Directory, "feeds"), CancellationToken.None);
            var timetable = new TimetableCache(Path.Combine(Directory, "timetables")).LoadOrCompile(path, date);
            return new TransitRouter(timetable, parameters);
        }));
        try
        {
            return lazy.Value.WaitAsync(ct);
        }
        catch
        {
            _routers.TryRemove(key, out _);
            throw;
        }
    }
}
