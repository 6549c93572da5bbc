using Lis.Geo.Data;
using Lis.Geo.Data.Analyses;
using Lis.Geo.Data.Model;
using Lis.Geo.Transit.Timetables;
using Microsoft.EntityFrameworkCore;

namespace Lis.Geo.Jobs;

/// <summary>
/// The stored feeds a run or an interactive query routes on: <c>feedId</c> (one), <c>feeds</c>
/// (several, merged for the service date with ids kept apart per feed), or by default the most
/// recently stored feed. The same checks for analyses and interactive endpoints.
/// </summary>
public static class RunFeeds
{
    /// <summary>Feeds merged into one run at most.</summary>
    public const int MaxFeeds = 10;

    /// <exception cref="AnalysisRequestException">Both or neither well given, a repeated or unknown id (field <c>feeds</c> or <c>feedId</c>).</exception>
    public static async Task<List<TransitFeed>> ResolveAsync(LisGeoDbContext ctx, long? feedId, IReadOnlyList<long>? feeds, CancellationToken ct)
    {
        if (feeds is not null)
        {
            if (feedId is not null) throw new AnalysisRequestException("feeds", "Give feedId (one feed) or feeds (several), not both.");
            if (feeds.Count == 0 || feeds.Count > MaxFeeds) throw new AnalysisRequestException("feeds", $"feeds lists 1 to {MaxFeeds} feed ids; it has {feeds.Count}.");
            if (feeds.Distinct().Count() != feeds.Count) throw new AnalysisRequestException("feeds", "A feed is listed twice.");
            var found = await ctx.Feeds.AsNoTracking().Where(f => feeds.Contains(f.Id)).ToDictionaryAsync(f => f.Id, ct);
            foreach (var id in feeds)
                if (!found.ContainsKey(id)) throw new AnalysisRequestException("feeds", $"No feed {id}; GET /feeds lists them.");
            return [.. feeds.Select(id => found[id])];
        }
        var feed = feedId is { } id1
            ? await ctx.Feeds.AsNoTracking().FirstOrDefaultAsync(f => f.Id == id1, ct) ?? throw new AnalysisRequestException("feedId", $"No feed {id1}; GET /feeds lists them.")
            : await ctx.Feeds.AsNoTracking().OrderByDescending(f => f.Id).FirstOrDefaultAsync(ct) ?? throw new AnalysisRequestException("feedId", "No transit feed is stored yet; upload one with POST /feeds.");
        return [feed];
    }

    public static List<RunFeed> Of(IEnumerable<TransitFeed> feeds) => [.. feeds.Select(f => new RunFeed(f.Id, f.Sha256))];

    /// <summary>Refuses a date outside any feed's validity: that feed would silently add nothing.</summary>
    public static void CheckValidity(IReadOnlyList<TransitFeed> feeds, DateOnly date)
    {
        foreach (var feed in feeds)
            if (feed.ValidFrom is { } from && feed.ValidTo is { } to && (date < from || date > to))
                throw new AnalysisRequestException("serviceDate", feeds.Count == 1
                    ? $"{date:yyyy-MM-dd} is outside the feed's validity ({from:yyyy-MM-dd} to {to:yyyy-MM-dd})."
                    : $"{date:yyyy-MM-dd} is outside the validity of feed {feed.Id} ({from:yyyy-MM-dd} to {to:yyyy-MM-dd}).");
    }

    /// <summary>Refuses a day on which the timetable (or one of its merged feeds) runs no trip.</summary>
    public static void CheckService(Timetable timetable, IReadOnlyList<TransitFeed> feeds, DateOnly date)
    {
        if (timetable.TripCount == 0)
            throw new AnalysisRequestException("serviceDate", $"The feed{(feeds.Count > 1 ? "s run" : " runs")} no trips on {date:yyyy-MM-dd} ({date.DayOfWeek}).");
        if (feeds.Count > 1 && timetable.Feeds.FirstOrDefault(f => f.TripCount == 0) is { } idle)
            throw new AnalysisRequestException("serviceDate", $"Feed {idle.Label} runs no trips on {date:yyyy-MM-dd} ({date.DayOfWeek}); leave it out or pick another day.");
    }
}
