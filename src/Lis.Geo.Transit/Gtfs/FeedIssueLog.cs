namespace Lis.Geo.Transit.Gtfs;

/// <summary>
/// Collects a feed's <see cref="FeedIssue"/>s: keeps the first <see cref="KeptPerKind"/> of each
/// (file, code) in the order they were found and counts every one. A hostile or broken feed can
/// repeat one problem on millions of rows (1.8 M stop_times rows naming an unknown trip fit in a
/// 0.1 MB zip); keeping an object per row cost hundreds of MB, while the count stays exact.
/// </summary>
public sealed class FeedIssueLog
{
    /// <summary>
    /// Issues kept per (file, code). A thousand examples of one problem say all a reader needs; it
    /// is at least the 500 the feed store keeps, so the stored first issues are the same as if every
    /// issue were kept (an issue is dropped only after 1,000 earlier ones).
    /// </summary>
    public const int KeptPerKind = 1000;

    private readonly List<FeedIssue> _kept = [];
    private readonly Dictionary<(string File, string Code), int> _perKind = [];

    /// <summary>The kept issues, in the order they were added.</summary>
    public IReadOnlyList<FeedIssue> Kept => _kept;

    /// <summary>Every issue added, kept or not.</summary>
    public int Total { get; private set; }

    public void Add(FeedIssue issue)
    {
        Total = checked(Total + 1);
        var key = (issue.File, issue.Code);
        var n = _perKind.GetValueOrDefault(key);
        if (n >= KeptPerKind) return;
        _perKind[key] = n + 1;
        _kept.Add(issue);
    }

    /// <summary>Adds another log's kept issues and counts its <paramref name="total"/> (kept or not).</summary>
    public void AddAll(IEnumerable<FeedIssue> kept, int total)
    {
        var list = kept as IReadOnlyCollection<FeedIssue> ?? [.. kept];
        if (total < list.Count) throw new ArgumentOutOfRangeException(nameof(total), total, $"fewer than the {list.Count} issues given.");
        var before = Total;
        foreach (var issue in list) Add(issue);
        Total = checked(before + total);
    }

    /// <summary>A log holding <paramref name="kept"/> and counting <paramref name="total"/> issues.</summary>
    public static FeedIssueLog From(IEnumerable<FeedIssue> kept, int total)
    {
        var log = new FeedIssueLog();
        log.AddAll(kept, total);
        return log;
    }
}
