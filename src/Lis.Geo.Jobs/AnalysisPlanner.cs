using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Lis.Geo.Transit.Timetables;
using Microsoft.Extensions.Options;
using Point = Lis.Geo.Data.Analyses.PlanningPoints.Point;

namespace Lis.Geo.Jobs;

/// <summary>
/// Turns a request into a queued run: checks everything that can be checked before any job runs
/// (feed, service date, window with service, origins, destinations, parameters), freezes the origin
/// and destination sets, writes the reproducibility record, splits the run into chunks (origin chunks,
/// or destination groups for the profile search) and, in the same transaction, one outbox row per
/// chunk (<see cref="RunOutbox"/>), dispatched as Hangfire jobs right after the commit: a run is
/// stored with all its work scheduled, or not at all.
/// </summary>
public sealed class AnalysisPlanner(NpgsqlDataSource db, RouterCache routers, RunOutbox outbox, IOptions<JobsOptions> options)
{
    /// <summary>The run a request made, and whether it was made by an earlier request with the same idempotency key.</summary>
    public sealed record Planned(AnalysisRun Run, bool Replayed);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string EngineVersion { get; } =
        $"Lis.Geo.Transit {typeof(TransitRouter).Assembly.GetName().Version}";

    public async Task<AnalysisRun> CreateAsync(AnalysisRequest request, long? scheduleId, CancellationToken ct) =>
        (await CreateAsync(request, scheduleId, null, ct)).Run;

    /// <summary>
    /// Plans the run; with an <paramref name="idempotencyKey"/>, a request already made with that key
    /// returns its run (<see cref="Planned.Replayed"/>) and one with another body throws
    /// <see cref="IdempotencyKeyReusedException"/>. The key is stored with the run (a unique key, inserted
    /// ON CONFLICT DO NOTHING), so of two concurrent requests with one key exactly one creates a run.
    /// </summary>
    public async Task<Planned> CreateAsync(AnalysisRequest request, long? scheduleId, string? idempotencyKey, CancellationToken ct)
    {
        var requestSha256 = Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, Json)));
        if (idempotencyKey is not null && await ReplayAsync(idempotencyKey, requestSha256, ct) is { } earlier)
            return earlier;
        var (routing, access) = request.Check();

        var resolved = await RunFeeds.ResolveAsync(db, request, null, ct);
        var (feeds, date, scenario, defaultFeed) = resolved;
        var feed = feeds[0];
        await using var ctx = LisGeoDb.CreateContext(db);

        var (origins, destinations, originSet, destinationSet) = request.Type == AnalysisTypes.Isochrones
            ? await IsochroneOriginsAsync(request, ct)
            : await AccessPointsAsync(ctx, request, access, ct);
        if (request.Type != AnalysisTypes.Isochrones && destinations.Count > options.Value.MaxDestinations)
            throw new RuleViolation(AnalysisTypes.HasSites(request.Type) ? "siteSet" : "centreKind", RuleKind.Invalid,
                $"The run would route to {destinations.Count:N0} destinations; at most {options.Value.MaxDestinations:N0} (Limits:MaxDestinations). Narrow it with centreKind, or split the sites.");

        // The day's timetable alone answers these checks; the walking transfers a search needs are
        // generated where the chunks run (this process or the workers), not here just to validate.
        var timetable = await routers.GetTimetableAsync(RunFeeds.Of(feeds), date, scenario, ct);
        resolved.RequireService(timetable);
        var arrival = routing.WindowKind == WindowKind.Arrival;
        var (serviceFrom, serviceTo) = arrival
            ? (routing.Window.StartSeconds - routing.MaxTripDuration, routing.Window.EndSeconds)
            : (routing.Window.StartSeconds, routing.Window.EndSeconds + routing.MaxTripDuration);
        if (timetable.DeparturesBetween(Math.Max(0, serviceFrom), serviceTo) == 0)
            throw new RuleViolation("window", RuleKind.Unavailable, arrival
                ? $"No trip departs in the {routing.MaxTripDuration / 60} minutes before or during the arrival window {request.Window} on {date:yyyy-MM-dd}."
                : $"No trip departs in or after the window {request.Window} on {date:yyyy-MM-dd}.");

        // Runs from zones record where their points and weights came from: approximate points (not ONS
        // population-weighted centroids) are named as such in every record that starts from them.
        var zoneSource = request.Type == AnalysisTypes.Isochrones ? null
            : await ctx.ZoneSets.AsNoTracking().Where(z => z.Id == request.ZoneSet)
                .Select(z => new ZoneSource(z.CodeGeography, z.PopulationSource, z.CentroidsApproximate, z.CentroidNote)).FirstAsync(ct);
        // The direction: isochrones always search forward. A profile run is split by destination groups:
        // each chunk scans its group's destinations once for every origin (splitting the origins would
        // only repeat the scans), and the aggregation merges each origin's parts (OriginParts). A profile
        // run whose destinations fit in one group is one chunk of every origin to every destination, which
        // writes its origins' rows itself: parts and their merge exist only to join groups.
        var search = request.Type == AnalysisTypes.Isochrones ? MatrixSearch.Forward
            : request.ParsedSearch() is var asked && asked != MatrixSearch.Auto ? asked
            : TravelTimeMatrix.Choose(routing, origins.Count, destinations.Count);
        // The deprivation edition is pinned now: asked for (and matching some zone), or the default over the zones.
        var deprivation = request.Type == AnalysisTypes.Isochrones ? null
            : await DeprivationJoin.ChooseAsync(db, request.Deprivation, DeprivationJoin.ZoneSetCodes("$1"), request.ZoneSet, ct);
        var grouped = search == MatrixSearch.Profile && destinations.Count > options.Value.DestinationGroupSize;
        var chunks = grouped ? DestinationGroups(origins.Count, destinations.Count, options.Value.DestinationGroupSize)
            : OriginChunks(origins.Count, search == MatrixSearch.Profile ? Math.Max(1, origins.Count) : options.Value.ChunkSize);
        var run = new AnalysisRun
        {
            Type = request.Type,
            Spec = request.Resolve(feeds, date, scenario, routing, access, search) with
            {
                ZoneSource = zoneSource,
                Deprivation = deprivation,
                // Named no feed (nor a scenario, which brings its own): the record says the default was used.
                DefaultFeed = defaultFeed,
            },
            FeedId = feed.Id,
            OriginSet = originSet,
            OriginVersion = Version(origins),
            OriginCount = origins.Count,
            DestinationSet = destinationSet,
            DestinationVersion = Version(destinations),
            DestinationCount = destinations.Count,
            EngineVersion = EngineVersion,
            ChunkSize = search == MatrixSearch.Profile ? origins.Count : options.Value.ChunkSize,
            DestinationGroupSize = grouped ? options.Value.DestinationGroupSize : null,
            ChunkCount = chunks.Count,
            CreatedAt = DateTimeOffset.UtcNow,
            ScheduleId = scheduleId,
        };
        if (!await RunStore.AddAsync(db, run, idempotencyKey is null ? null : (idempotencyKey, requestSha256), origins, destinations,
                chunks.Select(c => (c.OriginFrom, c.OriginTo, c.DestinationFrom, c.DestinationTo)), ct))
            // A concurrent request with the same key committed first (this insert waited for it): its run is the answer.
            return await ReplayAsync(idempotencyKey!, requestSha256, ct)
                   ?? throw new InvalidOperationException($"Idempotency key '{idempotencyKey}' conflicted but has no run.");
        await outbox.DispatchAfterCommitAsync(run.Id);
        return new Planned(run, false);
    }

    /// <summary>The run an earlier request with <paramref name="key"/> made, or null; a different request under the key throws.</summary>
    private async Task<Planned?> ReplayAsync(string key, string requestSha256, CancellationToken ct)
    {
        if (await RunStore.ByIdempotencyKeyAsync(db, key, ct) is not { } earlier) return null;
        if (earlier.RequestSha256 != requestSha256) throw new IdempotencyKeyReusedException(key, earlier.Run.Id);
        return new Planned(earlier.Run, true);
    }

    /// <summary>Origin chunks of <paramref name="size"/>, each to every destination.</summary>
    internal static List<ChunkRange> OriginChunks(int origins, int size) =>
        [.. Enumerable.Range(0, (origins + size - 1) / size).Select(c => new ChunkRange(c * size, Math.Min(origins, (c + 1) * size), 0, int.MaxValue))];

    /// <summary>Destination groups of <paramref name="size"/>, each from every origin (one chunk when there are no destinations).</summary>
    internal static List<ChunkRange> DestinationGroups(int origins, int destinations, int size) =>
        [.. Enumerable.Range(0, Math.Max(1, (destinations + size - 1) / size)).Select(g => new ChunkRange(0, origins, g * size, Math.Min(destinations, (g + 1) * size)))];

    internal readonly record struct ChunkRange(int OriginFrom, int OriginTo, int DestinationFrom, int DestinationTo);

    /// <summary>
    /// Checks, without planning a run, that the stored sets <paramref name="request"/> names exist now — its
    /// corridor, feed (with the service date inside its validity), centre kind, site set and zone set — so
    /// a schedule is refused when it is made rather than failing unseen at every firing. Throws a
    /// <see cref="RuleViolation"/> naming the member at fault.
    /// </summary>
    public async Task CheckStoredSetsAsync(AnalysisRequest request, CancellationToken ct)
    {
        await using var ctx = LisGeoDb.CreateContext(db);
        if (request.Corridor is { } corridor && !await ctx.Corridors.AnyAsync(c => c.Code == corridor, ct))
            throw new RuleViolation("corridor", RuleKind.NotFound, $"No corridor '{corridor}'. GET /collections/corridors/items lists them.");
        if (request.FeedId is { } feedId && !await ctx.Feeds.AnyAsync(f => f.Id == feedId, ct))
            throw new RuleViolation("feedId", RuleKind.NotFound, $"No feed {feedId}. GET /feeds lists them.");
        if (request.ParsedServiceDate() is { } day)
        {
            var feed = request.FeedId is { } fid ? await ctx.Feeds.AsNoTracking().FirstOrDefaultAsync(f => f.Id == fid, ct)
                : await new FeedStore(db).DefaultAsync(ct);
            if (feed is not null && FeedStore.ValidityMissing(feed, day) is (var from, var to))
                throw new RuleViolation("serviceDate", RuleKind.Unavailable, $"{day:yyyy-MM-dd} is outside feed {feed.Id}'s validity ({from:yyyy-MM-dd} to {to:yyyy-MM-dd}); every firing would fail.");
        }
        if (request.CentreKind is { } kind && !await ctx.Centres.AnyAsync(c => c.Kind == kind, ct))
            throw new RuleViolation("centreKind", RuleKind.NotFound, $"No centres of kind '{kind}'.");
        if (AnalysisTypes.HasSites(request.Type) && !AnalysisTypes.SiteTables.ContainsKey(request.SiteSet))
            throw new RuleViolation("siteSet", RuleKind.Unknown, $"Unknown siteSet '{request.SiteSet}'. Use {string.Join(" or ", AnalysisTypes.SiteTables.Keys)}.");
        if (!await ctx.ZoneSets.AnyAsync(z => z.Id == request.ZoneSet, ct))
            throw new RuleViolation("zoneSet", RuleKind.NotFound, $"No zone set '{request.ZoneSet}'.");
    }

    /// <summary>Zones (then sites) to centres (then sites), for zone-access, site-access and corridor runs.</summary>
    private async Task<(List<Point>, List<Point>, string, string)> AccessPointsAsync(LisGeoDbContext ctx, AnalysisRequest request, Analysis.AccessParameters access, CancellationToken ct)
    {
        var zones = await PlanningPoints.ZonesAsync(db, request.ZoneSet, ct);
        if (!await ctx.ZoneSets.AnyAsync(z => z.Id == request.ZoneSet, ct))
            throw new RuleViolation("zoneSet", RuleKind.NotFound, $"No zone set '{request.ZoneSet}'; import zones with --zone-set first.");
        if (zones.Count == 0)
            throw new RuleViolation("zoneSet", RuleKind.Unavailable, $"Zone set '{request.ZoneSet}' has no population-weighted centroids to start from; import them with 'lisgeo import centroids'.");
        var centres = await PlanningPoints.CentresAsync(db, request.CentreKind, ct);
        if (request.CentreKind is not null && centres.Count == 0)
            throw new RuleViolation("centreKind", RuleKind.NotFound, $"No centres of kind '{request.CentreKind}'.");
        if (request.Type != AnalysisTypes.SiteAccess && centres.Count == 0)
            throw new RuleViolation("centreKind", RuleKind.Unavailable, "No centres are stored; import them with 'lisgeo import centres'.");
        if (request.Type != AnalysisTypes.SiteAccess && centres.Count < access.MinCentres)
            throw new RuleViolation("minCentres", RuleKind.Unavailable, $"minCentres {access.MinCentres} exceeds the {centres.Count} centres available.");
        if (request.Type == AnalysisTypes.Corridor && request.Corridor is { } corridor && !await ctx.Corridors.AnyAsync(c => c.Code == corridor, ct))
            throw new RuleViolation("corridor", RuleKind.NotFound, $"No corridor '{corridor}'. GET /collections/corridors/items lists them; omit corridor for all.");
        if (request.Type == AnalysisTypes.Corridor && request.Corridor is null && !await ctx.Corridors.AnyAsync(ct))
            throw new RuleViolation("corridor", RuleKind.Unavailable, "No corridors are stored; import them with 'lisgeo import corridors'.");

        // Sites are destinations (catchments) and origins (their own access to centres); zones come
        // first among origins and centres first among destinations, so the chunks count centres as a prefix.
        List<Point> sites = [];
        var siteSet = request.Type == AnalysisTypes.Corridor ? AnalysisTypes.CorridorSiteSet : request.SiteSet;
        if (AnalysisTypes.HasSites(request.Type))
        {
            if (!AnalysisTypes.SiteTables.ContainsKey(siteSet))
                throw new RuleViolation("siteSet", RuleKind.Unknown, $"Unknown site set '{siteSet}'. Use {string.Join(" or ", AnalysisTypes.SiteTables.Keys)}.");
            sites = await PlanningPoints.SitesAsync(db, siteSet, null, ct);
            if (sites.Count == 0 && request.Type == AnalysisTypes.SiteAccess)
                throw new RuleViolation("siteSet", RuleKind.Unavailable, $"No {siteSet} are stored.");
        }
        var centreSet = request.CentreKind is null ? "centres" : $"centres:kind={request.CentreKind}";
        return ([.. zones, .. sites], [.. centres, .. sites],
            AnalysisTypes.HasSites(request.Type) ? $"zones:{request.ZoneSet}+sites:{siteSet}" : $"zones:{request.ZoneSet}",
            AnalysisTypes.HasSites(request.Type) ? $"{centreSet}+sites:{siteSet}" : centreSet);
    }

    /// <summary>The isochrone origins: the requested point, the requested site, or every site of the set; no destinations.</summary>
    private async Task<(List<Point>, List<Point>, string, string)> IsochroneOriginsAsync(AnalysisRequest request, CancellationToken ct)
    {
        if (request.Lon is { } lon && request.Lat is { } lat)
            return ([new Point(PointKind.Point, FormattableString.Invariant($"{lon:0.######},{lat:0.######}"), null, lon, lat, 0)], [],
                FormattableString.Invariant($"point:{lon},{lat}"), "none");
        if (!AnalysisTypes.SiteTables.ContainsKey(request.SiteSet))
            throw new RuleViolation("siteSet", RuleKind.Unknown, $"Unknown site set '{request.SiteSet}'. Use {string.Join(" or ", AnalysisTypes.SiteTables.Keys)}.");
        var sites = await PlanningPoints.SitesAsync(db, request.SiteSet, request.Site, ct);
        if (sites.Count == 0)
            throw new RuleViolation(request.Site is null ? "siteSet" : "site", request.Site is null ? RuleKind.Unavailable : RuleKind.NotFound,
                request.Site is null ? $"No {request.SiteSet} are stored." : $"No site '{request.Site}' in {request.SiteSet}.");
        return (sites, [], request.Site is null ? $"sites:{request.SiteSet}" : $"sites:{request.SiteSet}:{request.Site}", "none");
    }

    /// <summary>SHA-256 over the points as used (code, coordinates, weight): equal versions mean equal inputs.</summary>
    private static string Version(IEnumerable<Point> points)
    {
        var text = new StringBuilder();
        foreach (var p in points)
            text.Append(CultureInfo.InvariantCulture, $"{p.Kind},{p.Code},{p.Lon:R},{p.Lat:R},{p.Weight:R}\n");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }
}

/// <summary>An <c>Idempotency-Key</c> sent again with a different request than the one that first used it.</summary>
public sealed class IdempotencyKeyReusedException(string key, long runId)
    : Exception($"Idempotency-Key '{key}' was first used for another request (run {runId}); use a new key for a new request.")
{
    public long RunId { get; } = runId;
}
