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
            List<TransitFeed> one = [await new FeedStore(db).FeedAsync(feedId, ct)];
            return (one, FeedStore.ServiceDay(one, date, fallback, listed: false));
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
        return (list, FeedStore.ServiceDay(list, date, fallback, listed: true));
    }

    /// <summary>
    /// What a run or a look-up routes on: its feeds, the service day, the scenario frozen on them (null: none),
    /// and whether <see cref="Feeds"/> is the default feed because neither the request nor its scenario named one.
    /// </summary>
    public sealed record Resolved(List<TransitFeed> Feeds, DateOnly Day, RunScenario? Scenario, bool DefaultFeed)
    {
        /// <summary>Refuses a day on which the day's <paramref name="timetable"/> (or one of its merged feeds) runs no trip.</summary>
        public void RequireService(Timetable timetable) => RunFeeds.RequireService(timetable, Feeds, Day);
    }

    /// <summary>
    /// The one resolution of a request's feeds and day, for runs and interactive look-ups alike: the
    /// stored scenario it names, the feeds (a scenario brings its own when the request names none),
    /// the service day (<see cref="ServiceDayAsync"/>, <paramref name="fallback"/> when neither the
    /// request nor the feed names one), and the scenario frozen as it stands now.
    /// </summary>
    public static async Task<Resolved> ResolveAsync(NpgsqlDataSource db, AnalysisRequest request, DateOnly? fallback, CancellationToken ct)
    {
        var stored = await RunScenarios.FindAsync(db, request.Scenario, ct);
        var feedId = RunScenarios.DefaultFeed(request.FeedId, request.Feeds, stored);
        var (feeds, day) = await ServiceDayAsync(db, feedId, request.Feeds, request.ParsedServiceDate(), fallback, ct);
        return new Resolved(feeds, day, RunScenarios.Freeze(stored, feeds), feedId is null && request.Feeds is null);
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
