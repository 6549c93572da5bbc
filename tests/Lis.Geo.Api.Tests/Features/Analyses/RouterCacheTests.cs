using Lis.Geo.Jobs;
using Lis.Geo.Transit.Routing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lis.Geo.Api.Tests.Features.Analyses;

/// <summary>
/// The sample feed stored in the database, and routers loaded from it into caches of their own
/// folders: what the planner, the chunks and the interactive endpoints share.
/// </summary>
public sealed class RouterCacheTests(ManualJobsFixture api) : IClassFixture<ManualJobsFixture>, IDisposable
{
    private static readonly DateOnly Day = new(2026, 11, 25);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"lisgeo-router-cache-{Guid.NewGuid():N}");

    private RouterCache NewCache() =>
        new(api.Db, Options.Create(new JobsOptions { CacheDirectory = _folder }), NullLogger<RouterCache>.Instance);

    private async Task<(long Id, string Sha256)> FeedAsync() =>
        (await api.ScalarAsync<long>("SELECT min(id) FROM transit_feed"),
         await api.ScalarAsync<string>("SELECT sha256 FROM transit_feed ORDER BY id LIMIT 1"));

    [Fact]
    public async Task A_failed_load_is_tried_again_on_the_next_call()
    {
        var (id, sha) = await FeedAsync();
        var cache = NewCache();
        // A file where the feed folder should be: writing the feed out fails, as on a full or read-only disk.
        Directory.CreateDirectory(_folder);
        await File.WriteAllTextAsync(Path.Combine(_folder, "feeds"), "not a folder");
        await Assert.ThrowsAnyAsync<IOException>(() => cache.GetTimetableAsync(id, sha, Day, CancellationToken.None));

        File.Delete(Path.Combine(_folder, "feeds"));
        var timetable = await cache.GetTimetableAsync(id, sha, Day, CancellationToken.None);
        Assert.True(timetable.TripCount > 0);
    }

    [Fact]
    public async Task Routers_with_different_rules_share_the_days_timetable()
    {
        var (id, sha) = await FeedAsync();
        var cache = NewCache();
        var peak = await cache.GetAsync(id, sha, Day, new RoutingParameters(), CancellationToken.None);
        var slow = await cache.GetAsync(id, sha, Day, new RoutingParameters { WalkSpeed = 1.0 }, CancellationToken.None);

        Assert.NotSame(peak, slow);
        Assert.Same(peak.Timetable, slow.Timetable);
        Assert.Same(peak.Timetable, await cache.GetTimetableAsync(id, sha, Day, CancellationToken.None));
        Assert.Same(peak, await cache.GetAsync(id, sha, Day, new RoutingParameters(), CancellationToken.None));
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
