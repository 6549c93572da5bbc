using Lis.Geo.Transit.Timetables;

namespace Lis.Geo.Jobs;

/// <summary>
/// The stored feeds a run or an interactive query routes on: <c>feedId</c> (one, or by default the
/// default feed, as <see cref="FeedStore.ResolveAsync"/> resolves it) or <c>feeds</c>
/// (several, merged for the service date with ids kept apart per feed). The same checks for analyses
/// and interactive endpoints.
/// </summary>
public static class RunFeeds
{
    /// <summary>Feeds merged into one run at most.</summary>
    public const int MaxFeeds = 10;

    /// <summary>
    /// The feeds and the service day: <paramref name="date"/>, else the first feed's checked day, else
    /// <paramref name="fallback"/>. The day must lie in every feed's validity (a feed outside it would
    /// silently add nothing).
    /// </summary>
    /// <exception cref="RuleViolation">Both feedId and feeds, an empty, long or repeated list, an unknown id, a day outside a feed's validity.</exception>
    public static async Task<(List<TransitFeed> Feeds, DateOnly Day)> ServiceDayAsync(
        NpgsqlDataSource db, long? feedId, IReadOnlyList<long>? feeds, DateOnly? date, DateOnly? fallback, CancellationToken ct)
    {
        if (feeds is null)
        {
            var (feed, day) = await new FeedStore(db).ServiceDayAsync(feedId, date, fallback, ct);
            return ([feed], day);
        }
        if (feedId is not null) throw new RuleViolation("feeds", RuleKind.Conflict, "Give feedId (one feed) or feeds (several), not both.");
        if (feeds.Count == 0 || feeds.Count > MaxFeeds) throw new RuleViolation("feeds", RuleKind.Invalid, $"feeds lists 1 to {MaxFeeds} feed ids; it has {feeds.Count}.");
        if (feeds.Distinct().Count() != feeds.Count) throw new RuleViolation("feeds", RuleKind.Invalid, "A feed is listed twice.");
        await using var ctx = LisGeoDb.CreateContext(db);
        var found = await ctx.Feeds.AsNoTracking().Where(f => feeds.Contains(f.Id)).ToDictionaryAsync(f => f.Id, ct);
        foreach (var id in feeds)
            if (!found.TryGetValue(id, out var f)) throw new RuleViolation("feeds", RuleKind.NotFound, $"No feed {id}; GET /feeds lists them.");
            else FeedStore.RequireRoutable(f, "feeds");
        var list = feeds.Select(id => found[id]).ToList();
        var serviceDay = date ?? list[0].CheckedDate ?? fallback ?? throw new RuleViolation("serviceDate", RuleKind.Missing, "Give a serviceDate.");
        foreach (var feed in list)
            if (feed.ValidFrom is { } from && feed.ValidTo is { } to && (serviceDay < from || serviceDay > to))
                throw new RuleViolation("serviceDate", RuleKind.Unavailable, $"{serviceDay:yyyy-MM-dd} is outside the validity of feed {feed.Id} ({from:yyyy-MM-dd} to {to:yyyy-MM-dd}).");
        return (list, serviceDay);
    }

    public static List<RunFeed> Of(IEnumerable<TransitFeed> feeds) => [.. feeds.Select(f => new RunFeed(f.Id, f.Sha256))];

    /// <summary>Refuses a day on which the timetable, or one of its merged feeds, runs no trip.</summary>
    public static void RequireService(Timetable timetable, IReadOnlyList<TransitFeed> feeds, DateOnly day)
    {
        FeedStore.RequireService(timetable, day);
        if (feeds.Count > 1 && timetable.Feeds.FirstOrDefault(f => f.TripCount == 0) is { } idle)
            throw new RuleViolation("serviceDate", RuleKind.Unavailable, $"Feed {idle.Label} runs no trips on {day:yyyy-MM-dd} ({day.DayOfWeek}); leave it out or pick another day.");
    }
}
