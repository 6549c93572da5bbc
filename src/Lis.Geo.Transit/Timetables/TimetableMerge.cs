using System.Security.Cryptography;
using System.Text;

namespace Lis.Geo.Transit.Timetables;

/// <summary>
/// Several feeds' timetables of one service date as one timetable, so a run can use the regional
/// bus feed and the national rail feed together. Ids are kept apart per feed: every stop id becomes
/// <c>label:stop_id</c> (two feeds may both publish a stop "1"), and patterns never mix feeds. Walking
/// transfers are not part of a timetable: <see cref="Routing.TransitRouter"/> generates them between
/// all stops within reach, so a bus stop beside a station of another feed is linked like any other.
/// </summary>
public static class TimetableMerge
{
    /// <summary>
    /// Concatenates the timetables (stops, patterns, times) in the order given. Each feed's issues are
    /// kept with the file named <c>label/file</c>; a feed without a trip on the date adds a
    /// <see cref="IssueCodes.NoService"/> warning, since it then contributes nothing to the run.
    /// </summary>
    /// <exception cref="ArgumentException">No feed, an empty, repeated or ':'-holding label, or timetables of different dates.</exception>
    public static Timetable Merge(IReadOnlyList<(string Label, Timetable Timetable)> feeds)
    {
        ArgumentNullException.ThrowIfNull(feeds);
        if (feeds.Count == 0) throw new ArgumentException("at least one timetable is needed.", nameof(feeds));
        var date = feeds[0].Timetable.ServiceDate;
        var labels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (label, timetable) in feeds)
        {
            if (string.IsNullOrEmpty(label) || label.Contains(':') || !labels.Add(label))
                throw new ArgumentException($"feed label '{label}' is empty, holds ':' or repeats; labels prefix stop ids and must be distinct.", nameof(feeds));
            if (timetable.ServiceDate != date)
                throw new ArgumentException($"feed '{label}' is compiled for {timetable.ServiceDate:yyyy-MM-dd}, not {date:yyyy-MM-dd}; merged feeds share one service date.", nameof(feeds));
        }

        var stopIds = new List<string>();
        var lat = new List<double>();
        var lon = new List<double>();
        var patternStopStart = new List<int> { 0 };
        var patternStops = new List<int>();
        var rules = new List<byte>();
        var patternTripStart = new List<int> { 0 };
        var patternTimesStart = new List<int>();
        var arrivals = new List<int>();
        var departures = new List<int>();
        var issues = new FeedIssueLog();
        var parts = new List<TimetableFeed>();
        var routeIds = new List<string>();
        var routeAgencies = new List<string>();
        var routeTypes = new List<int>();
        var tripRoutes = new List<int>();
        foreach (var (label, t) in feeds)
        {
            int stopOffset = stopIds.Count, stopPositionOffset = patternStops.Count, tripOffset = patternTripStart[^1], timesOffset = arrivals.Count;
            foreach (var id in t.StopIds) stopIds.Add($"{label}:{id}");
            lat.AddRange(t.StopLat);
            lon.AddRange(t.StopLon);
            foreach (var s in t.PatternStops) patternStops.Add(s + stopOffset);
            rules.AddRange(t.PatternStopRules);
            for (var p = 0; p < t.PatternCount; p++)
            {
                patternStopStart.Add(t.PatternStopStart[p + 1] + stopPositionOffset);
                patternTripStart.Add(t.PatternTripStart[p + 1] + tripOffset);
                patternTimesStart.Add(t.PatternTimesStart[p] + timesOffset);
            }
            // Route ids are kept apart per feed like stop ids: label:route_id.
            var routeOffset = routeIds.Count;
            for (var r = 0; r < t.RouteCount; r++)
            {
                routeIds.Add($"{label}:{t.RouteId(r)}");
                routeAgencies.Add(t.RouteAgencyId(r));
                routeTypes.Add(t.RouteType(r));
            }
            foreach (var r in t.TripRoutes) tripRoutes.Add(r + routeOffset);
            arrivals.AddRange(t.Arrivals);
            departures.AddRange(t.Departures);
            issues.AddAll(t.Issues.Select(i => i with { File = $"{label}/{i.File}" }), t.IssueCount);
            if (t.TripCount == 0)
                issues.Add(new FeedIssue(IssueSeverity.Warning, IssueCodes.NoService, label, 0, $"feed '{label}' has no trip on {date:yyyy-MM-dd}; it adds nothing to the merged timetable."));
            parts.Add(new TimetableFeed(label, t.FeedHash, stopOffset, t.StopCount, t.TripCount));
        }
        return new Timetable(MergedHash(parts), date, [.. stopIds], [.. lat], [.. lon],
            [.. patternStopStart], [.. patternStops], [.. rules], [.. patternTripStart], [.. patternTimesStart],
            [.. arrivals], [.. departures], issues,
            new RouteTable([.. routeIds], [.. routeAgencies], [.. routeTypes]), [.. tripRoutes], null) { Feeds = parts };
    }

    /// <summary>SHA-256 over "label=hash" lines: the same feeds under the same labels give the same key.</summary>
    private static string MergedHash(List<TimetableFeed> parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(parts.Select(p => $"{p.Label}={p.FeedHash}\n")))));
}
