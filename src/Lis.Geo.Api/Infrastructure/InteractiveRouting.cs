using Lis.Geo.Data.Analyses;
using Lis.Geo.Data.Feeds;
using Lis.Geo.Transit.Routing;
using Microsoft.EntityFrameworkCore;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>
/// What every synchronous routing endpoint (site accessibility, isochrones) needs first: the
/// origin (a point, or a site's point on surface), the feed and service day, the routing rules from
/// the query string, and the cached router — with the same checks and problems everywhere.
/// </summary>
public static class InteractiveRouting
{
    /// <summary>What a request routes with; <c>Feed</c> is the first (or only) feed, <see cref="Feeds"/> lists them all.</summary>
    public sealed record Context(TransitFeed Feed, DateOnly Day, RoutingParameters Routing, TransitRouter Router, AnalysisRequest Request)
    {
        public IReadOnlyList<TransitFeed> Feeds { get; init; } = [Feed];

        /// <summary>The scenario routed with (<c>scenario=</c>), or null for the feeds as they are.</summary>
        public RunScenario? Scenario { get; init; }
    }

    /// <summary>Collections whose features can be an origin, and their tables and keys.</summary>
    private static readonly Dictionary<string, (string Table, string Key)> Sites =
        AnalysisTypes.SiteTables.ToDictionary(kv => kv.Key, kv => (kv.Value, "reference"))
            .Append(new("centres", ("centre", "code"))).ToDictionary();

    /// <summary>What every routing endpoint reads after the origin (lon/lat, or a site in the path).</summary>
    private static readonly QueryParameter[] RoutingQuery =
    [
        new("feedId", "Feed to route on (default: the latest stored)", Microsoft.OpenApi.JsonSchemaType.Integer),
        new("feeds", "Comma-separated feed ids routed together as one network"),
        new("scenario", "Id of a stored what-if scenario applied to the timetable before routing (POST /scenarios)", Microsoft.OpenApi.JsonSchemaType.Integer),
        new("serviceDate", "Service day, yyyy-MM-dd (default: the feed's checked day, else today)"),
        new("window", "Departure (or arrival) window, HH:mm-HH:mm", Example: "07:00-10:00"),
        new("windowKind", "departure (default) or arrival: the window gives arrival minutes"),
    ];

    /// <summary>The query of /accessibility and /sites/…/accessibility, in the document and checked here (a name not listed is refused).</summary>
    public static readonly QueryParameter[] AccessibilityQuery =
    [
        .. RoutingQuery,
        new("thresholdMinutes", "Travel-time target (minutes, default 45)", Microsoft.OpenApi.JsonSchemaType.Integer),
        new("minCentres", "Centres to reach within the target (default 3)", Microsoft.OpenApi.JsonSchemaType.Integer),
        new("centreKind", "Only centres of this kind"),
    ];

    /// <summary>The query of /isochrones and /sites/…/isochrones.</summary>
    public static readonly QueryParameter[] IsochroneQuery =
    [
        .. RoutingQuery,
        new("cutoffs", "Minutes, increasing, 1–240 (default 15,30,45)", Example: "15,30,45"),
        new("percentile", "Travel-time percentile over the window, 1–100 (default 50)", Microsoft.OpenApi.JsonSchemaType.Integer),
    ];

    private static readonly string[] AccessibilityParameters = ["lon", "lat", .. AccessibilityQuery.Select(p => p.Name)];
    private static readonly string[] IsochroneParameters = ["lon", "lat", .. IsochroneQuery.Select(p => p.Name)];

    /// <summary>A site's point on surface (ACCESSIBILITY.md: a polygon stands for itself by that point).</summary>
    public static async Task<(double Lon, double Lat)> SitePointAsync(NpgsqlDataSource db, string collection, string reference, CancellationToken ct)
    {
        if (!Sites.TryGetValue(collection, out var site))
            throw new Problems.ProblemException(Problems.NotFound, $"'{collection}' is not a site collection; use {string.Join(", ", Sites.Keys)}.", "collection");
        return await Lis.Geo.Data.Layers.PointLookup.PlacePointAsync(db, site.Table, site.Key, reference, ct)
            ?? throw new Problems.ProblemException(Problems.NotFound, $"No site '{reference}' in {collection}.", "reference");
    }

    /// <summary>
    /// feedId, scenario, serviceDate and window from the query (defaults: the latest feed — or the
    /// scenario's —, its checked day, 07:00–10:00) with the caller's other settings, resolved to a
    /// router for that day with the scenario applied.
    /// </summary>
    public static async Task<Context> ResolveAsync(HttpRequest req, NpgsqlDataSource db, RouterCache routers, AnalysisRequest settings, CancellationToken ct)
    {
        var q = req.Query;
        // Every parameter is read by name; one that is not (a typo, or a rule these endpoints do not take) is refused, not ignored.
        var known = req.Path.Value!.EndsWith("/isochrones", StringComparison.Ordinal) ? IsochroneParameters : AccessibilityParameters;
        if (q.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
            throw new Problems.BadParameterException(unknown, $"Unknown parameter '{unknown}'. This endpoint reads: {string.Join(", ", known)}.");
        var request = settings with
        {
            FeedId = QueryParameters.Nonempty(q["feedId"]) is { } f
                ? long.TryParse(f, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : throw new Problems.BadParameterException("feedId", $"'{f}' is not a feed id.")
                : null,
            Feeds = QueryParameters.Nonempty(q["feeds"]) is { } list
                ? [.. list.Split(',').Select(x => long.TryParse(x.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var fid) ? fid
                    : throw new Problems.BadParameterException("feeds", $"'{list}' is not a comma-separated list of feed ids."))]
                : null,
            Scenario = QueryParameters.Nonempty(q["scenario"]) is { } sc
                ? long.TryParse(sc, NumberStyles.Integer, CultureInfo.InvariantCulture, out var sid) ? sid : throw new Problems.BadParameterException("scenario", $"'{sc}' is not a scenario id.")
                : null,
            ServiceDate = QueryParameters.Nonempty(q["serviceDate"]),
            Window = QueryParameters.Nonempty(q["window"]) ?? settings.Window,
            WindowKind = QueryParameters.Nonempty(q["windowKind"]) ?? settings.WindowKind,
        };
        var limits = req.HttpContext.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<LimitsOptions>>().Value;
        RunLimits.Window(request.Window, limits.MaxInteractiveWindowHours, "window", "Limits:MaxInteractiveWindowHours (longer windows: POST /analyses)");
        var routing = request.Routing();
        AnalysisRequest.RequireProfileSearchForArrivals(routing, "arrival windows: ");
        // Interactive look-ups answer for today when neither the query nor the feed names a day.
        var resolved = await RunFeeds.ResolveAsync(db, request, DateOnly.FromDateTime(DateTime.UtcNow), ct);
        var (feeds, day, scenario, _) = resolved;
        var router = await routers.GetAsync(RunFeeds.Of(feeds), day, scenario, routing, ct);
        resolved.RequireService(router.Timetable);
        return new Context(feeds[0], day, routing, router, request) { Feeds = feeds, Scenario = scenario };
    }
}
