using Lis.Geo.Data.Analyses;
using Lis.Geo.Transit;
using Lis.Geo.Transit.Routing;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>
/// The bounds a run request must keep before the planner sees it (Limits section): each would
/// otherwise cost memory or time out of proportion — a million percentiles is ~25 GB per chunk, a
/// 200-hour window thousands of RAPTOR rounds, a 71,582,790-minute threshold overflows to 104 s — so
/// each is refused with the member at fault (prefixed "request." inside a schedule).
/// </summary>
public static class RunLimits
{
    public static void Check(AnalysisRequest r, LimitsOptions limits, string prefix = "")
    {
        // Members with a default: null is a mistake, not "the default" (leaving the member out is).
        if (r.Type is null) Fail(prefix + "type", "type cannot be null; leave it out for zone-access.");
        if (r.Window is null) Fail(prefix + "window", "window cannot be null; leave it out for 07:00-10:00.");
        if (r.ZoneSet is null) Fail(prefix + "zoneSet", "zoneSet cannot be null; leave it out for lsoa11.");
        if (r.SiteSet is null) Fail(prefix + "siteSet", "siteSet cannot be null; leave it out for employment-sites.");
        Name(r.Name, limits, prefix + "name");
        Code(r.ZoneSet, limits, prefix + "zoneSet");
        Code(r.CentreKind, limits, prefix + "centreKind");
        Code(r.SiteSet, limits, prefix + "siteSet");
        Code(r.Corridor, limits, prefix + "corridor");
        Code(r.Site, limits, prefix + "site");
        Code(r.Type, limits, prefix + "type");
        Code(r.ServiceDate, limits, prefix + "serviceDate");
        Code(r.Window, limits, prefix + "window");
        if (r.Percentiles is { } ps)
        {
            if (ps.Length == 0 || ps.Length > limits.MaxPercentiles)
                Fail(prefix + "percentiles", $"Give 1 to {limits.MaxPercentiles} percentiles (got {ps.Length}); Limits:MaxPercentiles sets the bound.");
            if (ps.Any(p => p is < 1 or > 100))
                Fail(prefix + "percentiles", "Percentiles are 1–100.");
            if (ps.Distinct().Count() != ps.Length)
                Fail(prefix + "percentiles", "Each percentile may be given once.");
        }
        if (r.ThresholdMinutes < Analysis.AccessParameters.MinThresholdSeconds / 60 || r.ThresholdMinutes > limits.MaxThresholdMinutes)
            Fail(prefix + "thresholdMinutes", $"thresholdMinutes must be {Analysis.AccessParameters.MinThresholdSeconds / 60}–{limits.MaxThresholdMinutes} (got {r.ThresholdMinutes}); Limits:MaxThresholdMinutes sets the bound.");
        if (r.Cutoffs is { } cs)
        {
            if (cs.Length == 0 || cs.Length > limits.MaxCutoffs)
                Fail(prefix + "cutoffs", $"Give 1 to {limits.MaxCutoffs} cutoffs (got {cs.Length}); Limits:MaxCutoffs sets the bound.");
            if (cs.Any(c => c < 1 || c > limits.MaxThresholdMinutes))
                Fail(prefix + "cutoffs", $"Cutoffs are 1–{limits.MaxThresholdMinutes} minutes.");
        }
        Window(r.Window, limits.MaxRunWindowHours, prefix + "window", "Limits:MaxRunWindowHours");
        if (r.MinCentres < 1 || r.MinCentres > limits.MaxDestinations)
            Fail(prefix + "minCentres", $"minCentres must be 1–{limits.MaxDestinations:N0} (got {r.MinCentres}).");
        if (r.Type != AnalysisTypes.Isochrones)
        {
            // Isochrone members on another run would be stored and ignored; say so instead.
            if (r.Lon is not null) Fail(prefix + "lon", $"lon applies to isochrone runs only; this is a {r.Type} run.");
            if (r.Lat is not null) Fail(prefix + "lat", $"lat applies to isochrone runs only; this is a {r.Type} run.");
            if (r.Cutoffs is not null) Fail(prefix + "cutoffs", $"cutoffs apply to isochrone runs only; this is a {r.Type} run.");
            if (r.Site is not null) Fail(prefix + "site", $"site applies to isochrone runs only; this is a {r.Type} run.");
        }
        // Sanity ranges of the walking rules (ACCESSIBILITY.md: 1.33 m/s, circuity 1.3): beyond them a value is a typo, and ∞ cannot even be stored.
        Range(r.Lon, -AnalysisRequest.MaxLongitude, AnalysisRequest.MaxLongitude, prefix + "lon");
        Range(r.Lat, -AnalysisRequest.MaxLatitude, AnalysisRequest.MaxLatitude, prefix + "lat");
        Range(r.WalkSpeed, 0.1, 10, prefix + "walkSpeed");
        Range(r.Circuity, 1, 5, prefix + "circuity");
        Range(r.MaxRides, 1, 20, prefix + "maxRides");
        foreach (var (value, name) in new[] { (r.MaxAccessWalk, "maxAccessWalk"), (r.BoardSlack, "boardSlack"), (r.MaxTransferWalk, "maxTransferWalk"),
                     (r.MaxEgressWalk, "maxEgressWalk"), (r.MaxDirectWalk, "maxDirectWalk"), (r.MaxTripDuration, "maxTripDuration") })
            Range(value, 0, 86_400, prefix + name);
        if (r.FeedId is < 1) Fail(prefix + "feedId", $"feedId {r.FeedId} is not a feed id; GET /feeds lists them.");
    }

    private static void Range(double? value, double min, double max, string field)
    {
        if (value is { } v && (!double.IsFinite(v) || v < min || v > max))
            Fail(field, $"{field} must be {min}–{max} (got {v}).");
    }

    /// <summary>A departure window no longer than <paramref name="maxHours"/> (a malformed one is left to the request's own check, which says how to write it).</summary>
    public static void Window(string? window, int maxHours, string field, string option)
    {
        if (window is null) return;
        DepartureWindow w;
        try { w = DepartureWindow.Parse(window); }
        catch (Exception e) when (e is FormatException or ArgumentException) { return; }
        if (w.EndSeconds - w.StartSeconds > maxHours * 3600)
            Fail(field, $"The window '{window}' is longer than {maxHours} h; {option} sets the bound.");
    }

    private static void Name(string? value, LimitsOptions limits, string field)
    {
        if (value is not null && value.Length > limits.MaxNameLength)
            Fail(field, $"{field} is {value.Length:N0} characters; at most {limits.MaxNameLength} are kept (Limits:MaxNameLength).");
    }

    private static void Code(string? value, LimitsOptions limits, string field)
    {
        if (value is not null && value.Length > limits.MaxCodeLength)
            Fail(field, $"{field} is {value.Length:N0} characters; codes have at most {limits.MaxCodeLength} (Limits:MaxCodeLength).");
    }

    private static void Fail(string field, string message) => throw new RuleViolation(field, RuleKind.Invalid, message);
}
