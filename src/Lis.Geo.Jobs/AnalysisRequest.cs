using System.Globalization;

namespace Lis.Geo.Jobs;

/// <summary>
/// What a planner asks for. Every field is optional and defaults to ACCESSIBILITY.md: LSOA 2011
/// centroids to every centre, AM peak 07:00–10:00, 45 minutes, 3 or more centres, median travel time,
/// DfT/TRACC walking rules. The planner resolves it once into the run's <see cref="RunSpec"/>, which is
/// what the run stores and everyone reads; a request is only what was asked.
/// </summary>
public sealed record AnalysisRequest
{
    /// <summary>
    /// <c>zone-access</c>: per zone, travel times to each centre and the headline indicators.
    /// <c>site-access</c>: the same, plus per site of <see cref="SiteSet"/> its own travel times to
    /// centres and its catchment — the population (and the population of the 20% most deprived LSOAs)
    /// whose zones reach it within the threshold.
    /// <c>corridor</c>: a site-access run on employment sites whose aggregation also writes, for
    /// <see cref="Corridor"/> (or every corridor), the corridor's figures and one-page report.
    /// <c>isochrones</c>: for the point <see cref="Lon"/>/<see cref="Lat"/>, or the site <see cref="Site"/>, or
    /// every site of <see cref="SiteSet"/>, the area reachable within each of <see cref="Cutoffs"/>.
    /// </summary>
    public string Type { get; init; } = AnalysisTypes.ZoneAccess;
    public string? Name { get; init; }
    /// <summary>The stored feed; default the most recently stored one.</summary>
    public long? FeedId { get; init; }
    /// <summary>Several stored feeds routed together (e.g. regional bus + rail), merged for the service date; instead of <see cref="FeedId"/>.</summary>
    public long[]? Feeds { get; init; }
    /// <summary>yyyy-MM-dd; default the day the feed was checked against on import.</summary>
    public string? ServiceDate { get; init; }
    /// <summary>
    /// A stored scenario (id) applied to the feed's timetable; its content and hash are copied into
    /// the run's record. Without feedId/feeds the run is on the scenario's feed; another feed is refused.
    /// </summary>
    public long? Scenario { get; init; }
    public string ZoneSet { get; init; } = "lsoa11";
    /// <summary>
    /// The deprivation edition of the run's figures: <c>imd2019</c> or <c>iod2025</c>; default the edition most
    /// of the zone set's codes are in, newest on a tie (the record says which).
    /// </summary>
    public string? Deprivation { get; init; }
    /// <summary>Only centres of this kind (e.g. strategic); default every centre.</summary>
    public string? CentreKind { get; init; }
    /// <summary>For site-access: <c>employment-sites</c> (default) or <c>housing-sites</c>. Corridor runs always use employment sites.</summary>
    public string SiteSet { get; init; } = "employment-sites";
    /// <summary>For corridor runs: the corridor's code; default every corridor.</summary>
    public string? Corridor { get; init; }
    /// <summary>
    /// For corridor runs: employment sites within this distance of a corridor count as "near" it and
    /// are reported with it. 800 m is the usual UK planning walk-in catchment (about ten minutes).
    /// </summary>
    public int NearMeters { get; init; } = 800;
    /// <summary>For isochrone runs: cutoffs in minutes, increasing (default 15, 30, 45).</summary>
    public int[]? Cutoffs { get; init; }
    /// <summary>For isochrone runs from a point: WGS84 longitude and latitude.</summary>
    public double? Lon { get; init; }
    public double? Lat { get; init; }
    /// <summary>For isochrone runs from one site of <see cref="SiteSet"/>: its reference.</summary>
    public string? Site { get; init; }
    public string Window { get; init; } = "07:00-10:00";
    /// <summary>
    /// <c>departure</c> (default): <see cref="Window"/> gives departure minutes. <c>arrival</c>: arrival
    /// minutes, each answered by the time to set aside to be at the destination by then
    /// (ACCESSIBILITY.md "Arrival windows"); not for isochrone runs, and without maxRides.
    /// </summary>
    public string WindowKind { get; init; } = "departure";
    /// <summary>
    /// The routing direction: <c>auto</c> (default: the cheaper for the run's counts), <c>forward</c> (from
    /// every origin) or <c>profile</c> (from every destination). The travel times are the same; the run
    /// record says which ran.
    /// </summary>
    public string Search { get; init; } = "auto";
    public int ThresholdMinutes { get; init; } = AccessParameters.DefaultThresholdMinutes;
    public int MinCentres { get; init; } = AccessParameters.DefaultMinCentres;
    public int[]? Percentiles { get; init; }
    public int Percentile { get; init; } = AccessParameters.DefaultPercentile;
    public double? WalkSpeed { get; init; }
    public double? Circuity { get; init; }
    public int? MaxAccessWalk { get; init; }
    public int? BoardSlack { get; init; }
    public int? MaxTransferWalk { get; init; }
    public int? MaxEgressWalk { get; init; }
    public int? MaxDirectWalk { get; init; }
    public int? MaxRides { get; init; }
    public int? MaxTripDuration { get; init; }

    /// <summary>Checks everything that needs no database: type, routing and indicator rules, corridor options. Throws a <see cref="RuleViolation"/> naming the member at fault.</summary>
    public (RoutingParameters Routing, AccessParameters Access) Check()
    {
        if (!AnalysisTypes.Supported.Contains(Type))
            throw new RuleViolation("type", RuleKind.Unknown, $"Unknown analysis type '{Type}'. Supported: {string.Join(", ", AnalysisTypes.Supported)}.");
        if (NearMeters is < 0 or > 10_000)
            throw new RuleViolation("nearMeters", RuleKind.Invalid, $"nearMeters must be 0–10,000 (got {NearMeters}).");
        if (Deprivation is not null && DeprivationJoin.Check(Deprivation) is var _ && Type == AnalysisTypes.Isochrones)
            throw new RuleViolation("deprivation", RuleKind.Conflict, "deprivation applies to runs from zones; an isochrone run has no deprivation figures.");
        if (Corridor is not null && Type != AnalysisTypes.Corridor)
            throw new RuleViolation("corridor", RuleKind.Conflict, $"corridor applies to corridor runs only; this is a {Type} run.");
        if (Type == AnalysisTypes.Isochrones)
        {
            if (Isochrones.Check(IsochroneCutoffs, Percentile) is { } violation) throw violation;
            if (Lon is null != Lat is null)
                throw new RuleViolation(Lon is null ? "lon" : "lat", RuleKind.Missing, "Give both lon and lat (WGS84), or neither to start from sites.");
            if (Lon is { } lon && (!double.IsFinite(lon) || Math.Abs(lon) > MaxLongitude)) throw new RuleViolation("lon", RuleKind.Invalid, $"lon {lon} is not a WGS84 longitude.");
            if (Lat is { } lat && (!double.IsFinite(lat) || Math.Abs(lat) > MaxLatitude)) throw new RuleViolation("lat", RuleKind.Invalid, $"lat {lat} is not a WGS84 latitude.");
            if (Lon is not null && Site is not null) throw new RuleViolation("site", RuleKind.Conflict, "Give a point (lon, lat) or a site, not both.");
        }
        var routing = Routing();
        if (Type == AnalysisTypes.Isochrones && routing.WindowKind == Transit.Routing.WindowKind.Arrival)
            throw new RuleViolation("windowKind", RuleKind.Conflict, "Isochrone runs take a departure window; arrival windows are for access runs.");
        var search = ParsedSearch();
        if (search == MatrixSearch.Forward && routing.WindowKind == Transit.Routing.WindowKind.Arrival)
            throw new RuleViolation("search", RuleKind.Conflict, "Arrival windows are computed by the profile search: use search auto or profile.");
        if (search == MatrixSearch.Profile) RequireProfileSearch(routing);
        else RequireProfileSearchForArrivals(routing);
        return (routing, Access());
    }

    /// <summary>The WGS84 bounds of <see cref="Lon"/> and <see cref="Lat"/> (also checked, with the other sanity ranges, before a run is planned).</summary>
    public const double MaxLongitude = 180, MaxLatitude = 90;

    /// <summary>
    /// An arrival window is computed by the profile search alone, so its rules must be ones that search
    /// takes; throws a <see cref="RuleViolation"/> naming the rule that is not (the message starts with
    /// <paramref name="prefix"/>). Departure windows pass.
    /// </summary>
    public static void RequireProfileSearchForArrivals(RoutingParameters routing, string prefix = "")
    {
        if (routing.WindowKind == Transit.Routing.WindowKind.Arrival) RequireProfileSearch(routing, prefix);
    }

    private static void RequireProfileSearch(RoutingParameters routing, string prefix = "")
    {
        if (TravelTimeMatrix.WhyNotProfile(routing) is { } why)
            throw new RuleViolation(routing.MaxRides is not null ? "maxRides" : "boardSlack", RuleKind.Conflict, prefix + why);
    }

    public IReadOnlyList<int> IsochroneCutoffs => Cutoffs ?? Isochrones.DefaultCutoffs;

    /// <summary>The routing rules with every unset value at its default; throws a <see cref="RuleViolation"/> naming the bad one.</summary>
    public RoutingParameters Routing()
    {
        var d = new RoutingParameters();
        DepartureWindow window;
        try { window = DepartureWindow.Parse(Window); }
        catch (Exception e) when (e is FormatException or ArgumentException) { throw new RuleViolation("window", RuleKind.Invalid, $"'{Window}' is not a window like 07:00-10:00 ({e.Message})."); }
        var kind = WindowKind switch
        {
            "departure" => Transit.Routing.WindowKind.Departure,
            "arrival" => Transit.Routing.WindowKind.Arrival,
            _ => throw new RuleViolation("windowKind", RuleKind.Unknown, $"windowKind must be departure or arrival (got '{WindowKind}')."),
        };
        var p = d with
        {
            WindowKind = kind,
            WalkSpeed = WalkSpeed ?? d.WalkSpeed, Circuity = Circuity ?? d.Circuity, MaxAccessWalk = MaxAccessWalk ?? d.MaxAccessWalk,
            BoardSlack = BoardSlack ?? d.BoardSlack, MaxTransferWalk = MaxTransferWalk ?? d.MaxTransferWalk, MaxEgressWalk = MaxEgressWalk ?? d.MaxEgressWalk,
            MaxDirectWalk = MaxDirectWalk ?? d.MaxDirectWalk, MaxRides = MaxRides, MaxTripDuration = MaxTripDuration ?? d.MaxTripDuration,
            Window = window, Percentiles = Percentiles ?? d.Percentiles,
        };
        p.Validate();
        return p;
    }

    /// <summary>The requested direction; throws naming <c>search</c> when it is none of auto, forward, profile.</summary>
    public MatrixSearch ParsedSearch() => Search switch
    {
        "auto" => MatrixSearch.Auto,
        "forward" => MatrixSearch.Forward,
        "profile" => MatrixSearch.Profile,
        _ => throw new RuleViolation("search", RuleKind.Unknown, $"search must be auto, forward or profile (got '{Search}')."),
    };

    /// <summary>The indicator rules; throws a <see cref="RuleViolation"/> naming the request member at fault.</summary>
    public AccessParameters Access()
    {
        var a = new AccessParameters { ThresholdSeconds = ThresholdMinutes * 60, MinCentres = MinCentres, Percentile = Percentile };
        try { a.Validate(); }
        catch (RuleViolation v) when (v.Field == "thresholdSeconds") { throw v.Renamed("thresholdMinutes"); }
        if (!(Percentiles ?? new RoutingParameters().Percentiles).Contains(Percentile))
            throw new RuleViolation("percentile", RuleKind.Conflict, $"percentile {Percentile} must be one of the computed percentiles.");
        return a;
    }

    /// <summary>
    /// The run's specification: this request with every default applied, on <paramref name="feed"/> and
    /// <paramref name="serviceDate"/>, with the checked rules of <see cref="Check"/>.
    /// </summary>
    public RunSpec Resolve(TransitFeed feed, DateOnly serviceDate, RoutingParameters routing, AccessParameters access, MatrixSearch? search = null) =>
        Resolve([feed], serviceDate, routing, access, search);

    /// <summary>As <see cref="Resolve(IReadOnlyList{TransitFeed}, DateOnly, RoutingParameters, AccessParameters, MatrixSearch?)"/> with the frozen scenario.</summary>
    public RunSpec Resolve(IReadOnlyList<TransitFeed> feeds, DateOnly serviceDate, RunScenario? scenario, RoutingParameters routing, AccessParameters access, MatrixSearch? search) =>
        Resolve(feeds, serviceDate, routing, access, search) with { Scenario = scenario };

    /// <summary>As <see cref="Resolve(TransitFeed, DateOnly, RoutingParameters, AccessParameters, MatrixSearch?)"/> on several feeds, listed in the spec in the order given.</summary>
    public RunSpec Resolve(IReadOnlyList<TransitFeed> feeds, DateOnly serviceDate, RoutingParameters routing, AccessParameters access, MatrixSearch? search = null) => new()
    {
        Search = search switch { MatrixSearch.Profile => "profile", MatrixSearch.Forward => "forward", _ => null },
        Type = Type,
        Name = Name,
        Feeds = [.. feeds.Select(f => new RunFeed(f.Id, f.Sha256))],
        ServiceDate = serviceDate,
        Routing = routing,
        Access = new AccessRules(access.ThresholdSeconds, access.MinCentres, access.Percentile),
        ZoneSet = ZoneSet,
        CentreKind = CentreKind,
        SiteSet = Type switch
        {
            AnalysisTypes.Corridor => AnalysisTypes.CorridorSiteSet,
            AnalysisTypes.SiteAccess => SiteSet,
            AnalysisTypes.Isochrones when Lon is null => SiteSet,
            _ => null,
        },
        Corridor = Corridor,
        NearMeters = Type == AnalysisTypes.Corridor ? NearMeters : null,
        Isochrones = Type == AnalysisTypes.Isochrones ? new IsochroneSpec(IsochroneCutoffs, Lon, Lat, Site) : null,
    };

    /// <summary>
    /// The request that re-creates a run of <paramref name="spec"/>: every member pinned to the value the
    /// run used (the scenario by id: the record's scenario content says what ran, should the stored one change).
    /// </summary>
    public static AnalysisRequest From(RunSpec spec)
    {
        var r = spec.Routing;
        var request = new AnalysisRequest
        {
            Type = spec.Type, Name = spec.Name, FeedId = spec.Feeds.Count == 1 ? spec.Feed.Id : null,
            Feeds = spec.Feeds.Count == 1 ? null : [.. spec.Feeds.Select(f => f.Id)], ServiceDate = spec.ServiceDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ZoneSet = spec.ZoneSet, Deprivation = spec.Deprivation, CentreKind = spec.CentreKind, Corridor = spec.Corridor, Scenario = spec.Scenario?.Id,
            Cutoffs = spec.Isochrones is { } iso ? [.. iso.Cutoffs] : null, Lon = spec.Isochrones?.Lon, Lat = spec.Isochrones?.Lat, Site = spec.Isochrones?.Site,
            Window = $"{DepartureWindow.FormatClock(r.Window.StartSeconds)}-{DepartureWindow.FormatClock(r.Window.EndSeconds)}",
            WindowKind = r.WindowKind == Transit.Routing.WindowKind.Arrival ? "arrival" : "departure",
            Search = spec.SearchRan,
            ThresholdMinutes = spec.Access.ThresholdMinutes, MinCentres = spec.Access.MinCentres, Percentiles = [.. r.Percentiles], Percentile = spec.Access.Percentile,
            WalkSpeed = r.WalkSpeed, Circuity = r.Circuity, MaxAccessWalk = r.MaxAccessWalk, BoardSlack = r.BoardSlack, MaxTransferWalk = r.MaxTransferWalk,
            MaxEgressWalk = r.MaxEgressWalk, MaxDirectWalk = r.MaxDirectWalk, MaxRides = r.MaxRides, MaxTripDuration = r.MaxTripDuration,
        };
        if (spec.SiteSet is { } sites) request = request with { SiteSet = sites };
        if (spec.NearMeters is { } near) request = request with { NearMeters = near };
        return request;
    }

    public DateOnly? ParsedServiceDate() =>
        ServiceDate is null ? null
        : DateOnly.TryParseExact(ServiceDate, ["yyyy-MM-dd", "yyyyMMdd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
        : throw new RuleViolation("serviceDate", RuleKind.Invalid, $"'{ServiceDate}' is not a date (yyyy-MM-dd).");
}
