using Lis.Geo.Data;
using Lis.Geo.Data.Analyses;

namespace Lis.Geo.Data.Layers;

/// <summary>
/// Every layer the API serves. Fixed layers are declared here once; one zone layer and one
/// centroid layer are added per zone set in the store (<c>zones-lsoa11</c>, <c>centroids-lsoa11</c>).
/// </summary>
public static class LayerCatalog
{
    private static readonly LayerFilter LadFilter = new("lad", "lad_code = {0}", PropertyType.String, "Local authority district code, e.g. E08000025.");

    private static LayerFilter LepFilter(string ladColumn) => new("lep",
        $"EXISTS (SELECT 1 FROM lep_membership m WHERE m.lad_code = {ladColumn} AND m.lep_code = {{0}})",
        PropertyType.String, "LEP code, e.g. E37000001 (districts in two LEPs match both).");

    /// <summary>
    /// A housing or employment site's (alias <paramref name="alias"/>) local authority: the district code its file
    /// gave, else the stored LAD boundary containing its point on surface, found when queried so it follows the
    /// boundaries as they are now (a LAD re-import needs no site re-import). Join with <see cref="SiteLadJoin"/>.
    /// </summary>
    public static string SiteLadSql(string alias = "t") => $"coalesce({alias}.lad_code, {alias}_lad.code)";

    /// <summary>The <c>LEFT JOIN LATERAL</c> that <see cref="SiteLadSql"/> reads: the LAD containing the site's point on surface (lowest code on a shared edge).</summary>
    public static string SiteLadJoin(string alias = "t") =>
        $"LEFT JOIN LATERAL (SELECT la.code FROM local_authority la WHERE ST_Intersects(la.geom, ST_PointOnSurface({alias}.geom)) ORDER BY la.code LIMIT 1) {alias}_lad ON true";

    private static readonly string SiteLadDescription = "District code: the file's, else the stored LAD boundary the site's point on surface lies in";

    /// <summary>What a housing site holds, in the housing layers' order (declared before <see cref="Fixed"/>, which reads it).</summary>
    private static readonly LayerProperty[] HousingCapacity =
    [
        new("min_dwellings", "t.min_dwellings", PropertyType.Integer, "Minimum net dwellings"),
        new("max_dwellings", "t.max_dwellings", PropertyType.Integer, "Maximum net dwellings"),
        new("hectares", "t.hectares", PropertyType.Number, "Site area (ha)"),
        new("status", "t.status", PropertyType.String, "Status"),
    ];

    public static readonly IReadOnlyList<Layer> Fixed =
    [
        CodeLayer("leps", "Local Enterprise Partnerships", "LEP boundaries (2017–2020 membership).", "lep", "MultiPolygon", "LEP",
            [
                new("lads", "(SELECT string_agg(m.lad_code, ',' ORDER BY m.lad_code) FROM lep_membership m WHERE m.lep_code = t.code)", PropertyType.String, "Member district codes"),
            ],
            []),
        CodeLayer("local-authorities", "Local authority districts", "District boundaries with their LEP memberships.", "local_authority", "MultiPolygon", "LAD",
            [
                new("lep_codes", "(SELECT string_agg(m.lep_code, ',' ORDER BY NOT m.is_primary, m.lep_code) FROM lep_membership m WHERE m.lad_code = t.code)", PropertyType.String, "LEP codes, primary first"),
                new("lep_names", "(SELECT string_agg(m.lep_name, '; ' ORDER BY NOT m.is_primary, m.lep_code) FROM lep_membership m WHERE m.lad_code = t.code)", PropertyType.String, "LEP names, primary first"),
            ],
            [LepFilter("t.code")]),
        CodeLayer("centres", "Centres", "Destination centres for the accessibility indicators.", "centre", "Point", "Centre",
            [
                new("kind", "t.kind", PropertyType.String, "city, strategic, town, interchange…"),
            ],
            [new("kind", "t.kind = {0}", PropertyType.String, "Centre kind", "SELECT DISTINCT kind FROM centre WHERE kind IS NOT NULL ORDER BY 1")],
            editableDataset: "centres"),
        CodeLayer("corridors", "Inclusive growth corridors", "Corridor polygons of the Local Industrial Strategy.", "corridor", "MultiPolygon", "Corridor",
            [
                new("description", "t.description", PropertyType.String, "Description"),
                new("centre_line", "ST_AsText(t.centre_line)", PropertyType.String, "Spine of the corridor (WKT, WGS84)"),
                new("area_ha", "round((ST_Area(t.geom::geography) / 10000)::numeric, 2)", PropertyType.Number, "Area in hectares"),
            ],
            [],
            editableDataset: "corridors"),
        SiteLayer("housing-sites", "Housing sites", "Housing allocations and brownfield register sites.", "housing_site", "Site name or address",
            [.. HousingCapacity, new("planning_permission", "t.planning_permission", PropertyType.String, "Planning permission status")],
            [new("status", "t.status = {0}", PropertyType.String, "Status")]),
        SiteLayer("employment-sites", "Employment sites", "Employment land.", "employment_site", "Site name",
            [
                new("hectares", "t.hectares", PropertyType.Number, "Site area (ha)"),
                new("floorspace_m2", "t.floorspace_m2", PropertyType.Number, "Floorspace (m²)"),
                new("use_class", "t.use_class", PropertyType.String, "Use class"),
                new("jobs_estimate", "t.jobs_estimate", PropertyType.Integer, "Estimated jobs"),
                new("status", "t.status", PropertyType.String, "Status"),
            ],
            [new("use_class", "t.use_class = {0}", PropertyType.String, "Use class"), new("status", "t.status = {0}", PropertyType.String, "Status")]),
        FeedLayer("transit-stops", "Transit stops", "Stops of the stored GTFS feeds.", "transit_stop", "stop_id", "Point",
            [
                new("stop_id", "t.stop_id", PropertyType.String, "GTFS stop_id (NaPTAN ATCO code in British feeds)"),
                new("name", "t.name", PropertyType.String, "Stop name"),
                new("location_type", "t.location_type", PropertyType.Integer, "0 stop, 1 station, …"),
            ],
            []),
        FeedLayer("transit-routes", "Transit routes",
            "Routes of the stored GTFS feeds: one line per distinct shapes.txt shape, or per distinct stop sequence where trips have no shape.",
            "transit_route", "route_id", "MultiLineString",
            [
                new("route_id", "t.route_id", PropertyType.String, "GTFS route_id"),
                new("agency_id", "t.agency_id", PropertyType.String, "GTFS agency_id"),
                new("agency_name", "t.agency_name", PropertyType.String, "Operator"),
                new("short_name", "t.short_name", PropertyType.String, "Route number, e.g. X51"),
                new("long_name", "t.long_name", PropertyType.String, "Route name"),
                new("route_type", "t.route_type", PropertyType.Integer, "GTFS route_type: 0 tram, 1 metro, 2 rail, 3 bus, …"),
                new("color", "t.color", PropertyType.String, "route_color (hex, no '#')"),
                new("text_color", "t.text_color", PropertyType.String, "route_text_color (hex, no '#')"),
                new("trip_count", "t.trip_count", PropertyType.Integer, "Trips on the route (all service days)"),
                new("geometry_source", "t.geometry_source", PropertyType.String, "shapes (shapes.txt), stops (through the stops) or mixed"),
                new("line_count", "ST_NumGeometries(t.geom)", PropertyType.Integer, "Distinct shapes or stop sequences drawn"),
            ],
            [new("route_type", "t.route_type = {0}", PropertyType.Integer, "GTFS route_type, e.g. 3 for bus")]),
    ];

    /// <summary>
    /// A layer of <paramref name="table"/>, keyed by its code: code and name first (described as the
    /// <paramref name="noun"/>'s), then <paramref name="properties"/>.
    /// </summary>
    private static Layer CodeLayer(string id, string title, string description, string table, string geometryType, string noun,
        LayerProperty[] properties, LayerFilter[] filters, string? editableDataset = null) =>
        new(id, title, description, $"{table} t", "t.code", "t.geom", geometryType,
            [
                new("code", "t.code", PropertyType.String, $"{noun} code"),
                new("name", "t.name", PropertyType.String, $"{noun} name"),
                .. properties,
            ],
            filters, editableDataset);

    /// <summary>
    /// A layer of a table of the stored feeds' rows (<paramref name="table"/>), keyed and paged by feed and the
    /// GTFS id in <paramref name="key"/>: the feed id first, then <paramref name="properties"/>; filterable by
    /// feed, then by <paramref name="filters"/>.
    /// </summary>
    private static Layer FeedLayer(string id, string title, string description, string table, string key, string geometryType,
        LayerProperty[] properties, LayerFilter[] filters) =>
        new(id, title, description, $"{table} t", $"t.feed_id || ':' || t.{key}", "t.geom", geometryType,
            [new("feed_id", "t.feed_id", PropertyType.Integer, "Feed id"), .. properties],
            [new("feed", "t.feed_id = {0}", PropertyType.Integer, "Feed id"), .. filters],
            OrderSql: $"t.feed_id, t.{key}");

    /// <summary>
    /// A site layer of <paramref name="table"/> (editable as the dataset of the same id): reference, name and district
    /// first, then <paramref name="properties"/>; filterable by district and LEP, then by <paramref name="filters"/>.
    /// </summary>
    private static Layer SiteLayer(string id, string title, string description, string table, string nameDescription,
        LayerProperty[] properties, LayerFilter[] filters) =>
        new(id, title, description, $"{table} t {SiteLadJoin()}", "t.reference", "t.geom", "Geometry",
            [.. SiteHead(nameDescription), .. properties],
            [LadFilter with { Sql = SiteLadSql() + " = {0}" }, LepFilter(SiteLadSql()), .. filters],
            EditableDataset: id);

    /// <summary>The properties every site layer starts with: reference, name (<paramref name="nameDescription"/>) and district.</summary>
    private static LayerProperty[] SiteHead(string nameDescription) =>
    [
        new("reference", "t.reference", PropertyType.String, "Site reference"),
        new("name", "t.name", PropertyType.String, nameDescription),
        new("lad_code", SiteLadSql(), PropertyType.String, SiteLadDescription),
    ];

    /// <summary>The seven IoD domain deciles every zone layer carries, from the deprivation row <c>d</c>.</summary>
    private static readonly LayerProperty[] DomainDeciles =
    [
        new("income_decile", "d.income_decile", PropertyType.Integer, "Income domain decile"),
        new("employment_decile", "d.employment_decile", PropertyType.Integer, "Employment domain decile"),
        new("education_decile", "d.education_decile", PropertyType.Integer, "Education, skills and training decile"),
        new("health_decile", "d.health_decile", PropertyType.Integer, "Health deprivation and disability decile"),
        new("crime_decile", "d.crime_decile", PropertyType.Integer, "Crime decile"),
        new("barriers_decile", "d.barriers_decile", PropertyType.Integer, "Barriers to housing and services decile"),
        new("living_environment_decile", "d.living_environment_decile", PropertyType.Integer, "Living environment decile"),
    ];

    /// <summary>
    /// The zone (polygon) or centroid (point) layer of one zone set, with the deprivation of
    /// <paramref name="edition"/> (<see cref="DeprivationJoin"/>; null: none matches the set's codes). The edition is
    /// named in every feature; <c>?deprivation=</c> picks another (<see cref="FindAsync"/>).
    /// </summary>
    public static Layer ZoneLayer(string zoneSetId, string zoneSetName, bool centroids, string? edition = null)
    {
        SafeZoneSet(zoneSetId);
        var from = $"""
            zone t JOIN zone_set s ON s.id = t.zone_set_id
            {DeprivationJoin.Sql(edition, "t.code")}
            LEFT JOIN local_authority la ON la.code = t.lad_code
            """;
        var where = $"t.zone_set_id = '{zoneSetId}' AND t.{(centroids ? "centroid" : "geom")} IS NOT NULL";
        var name = edition is null ? "IMD" : DeprivationJoin.Label(edition);
        return new Layer(
            (centroids ? "centroids-" : "zones-") + zoneSetId,
            $"{zoneSetName} {(centroids ? "population-weighted centroids" : "zones")}",
            (centroids ? "Population-weighted centroids (or the approximate points the zone set names): the default accessibility origins." : "Zone polygons with population") +
            $" and deprivation ({(edition is null ? "no edition matches this zone set's codes" : $"{name} by default; ?deprivation=imd2019|iod2025 picks one")}).",
            from,
            "t.code", centroids ? "t.centroid" : "t.geom", centroids ? "Point" : "MultiPolygon",
            [
                .. ZoneHead,
                new("lad_name", "la.name", PropertyType.String, "District name"),
                new("population", "t.population", PropertyType.Integer, "Resident population (zone set's population source)"),
                new("deprivation_edition", edition is null ? "NULL::text" : $"'{edition}'", PropertyType.String, "The deprivation edition of the figures: imd2019 or iod2025"),
                new("deprivation_match", "d.match", PropertyType.String,
                    "How the zone got them: code (its code is in the edition), lookup-S/lookup-M (its one counterpart in the ONS 2011↔2021 lookup); null: none in this edition"),
                new("imd_score", "d.imd_score", PropertyType.Number, $"{name} score"),
                new("imd_rank", "d.imd_rank", PropertyType.Integer, $"{name} rank (1 = most deprived)"),
                new("imd_decile", "d.imd_decile", PropertyType.Integer, $"{name} decile (1 = most deprived 10%)"),
                .. DomainDeciles,
                new("idaci_decile", "d.idaci_decile", PropertyType.Integer, "Income deprivation affecting children (IDACI) decile"),
                new("idaopi_decile", "d.idaopi_decile", PropertyType.Integer, "Income deprivation affecting older people (IDAOPI) decile"),
                new("children_young_people_decile", "d.children_young_people_decile", PropertyType.Integer, "Children and young people sub-domain decile"),
                new("adult_skills_decile", "d.adult_skills_decile", PropertyType.Integer, "Adult skills sub-domain decile"),
                new("geographical_barriers_score", "d.geographical_barriers_score", PropertyType.Number,
                    "Geographical barriers sub-domain score (road distance to a GP, food shop, primary school, post office): an accessibility cross-check made without timetables"),
                new("geographical_barriers_decile", "d.geographical_barriers_decile", PropertyType.Integer, "Geographical barriers sub-domain decile"),
                new("wider_barriers_decile", "d.wider_barriers_decile", PropertyType.Integer, "Wider barriers sub-domain decile"),
                new("indoors_decile", "d.indoors_decile", PropertyType.Integer, "Indoors living environment sub-domain decile"),
                new("outdoors_decile", "d.outdoors_decile", PropertyType.Integer, "Outdoors living environment sub-domain decile"),
            ],
            [
                .. ZoneFilters("IMD decile (1–10) in the chosen edition"),
                new("geographical_barriers_decile", "d.geographical_barriers_decile = {0}", PropertyType.Integer, "Geographical barriers sub-domain decile (1–10)"),
                // The edition is chosen when the layer is built (FindAsync); listed here so it is a documented queryable.
                new("deprivation", edition is null ? "false" : $"'{edition}' = {{0}}", PropertyType.String, "Deprivation edition: imd2019 or iod2025 (default: the newest covering the zone set)"),
            ],
            Where: where);
    }

    /// <summary>The properties every zone layer starts with: the zone's code and name, and its district.</summary>
    private static readonly LayerProperty[] ZoneHead =
    [
        new("code", "t.code", PropertyType.String, "Zone code"),
        new("name", "t.name", PropertyType.String, "Zone name"),
        new("lad_code", "t.lad_code", PropertyType.String, "District code"),
    ];

    /// <summary>The filters every zone layer starts with: by district, LEP and IMD decile (<paramref name="imdDecileDescription"/>).</summary>
    private static LayerFilter[] ZoneFilters(string imdDecileDescription) =>
    [
        new("lad", "t.lad_code = {0}", PropertyType.String, "District code"),
        LepFilter("t.lad_code"),
        new("imd_decile", "d.imd_decile = {0}", PropertyType.Integer, imdDecileDescription),
    ];

    /// <summary>The properties a run's zone layers start with: <see cref="ZoneHead"/>, the origin's weight and the deprivation edition.</summary>
    private static LayerProperty[] RunZoneHead(RunFacts run) =>
    [
        .. ZoneHead,
        new("population", "p.weight", PropertyType.Number, "Population weight of the origin"),
        DeprivationEditionProperty(run),
    ];

    /// <summary>A finished run as its result layers need it: its spec and how many of its destinations are centres.</summary>
    public sealed record RunFacts(long RunId, RunSpec Spec, int CentreCount)
    {
        /// <summary>
        /// The deprivation edition of the layers' figures: the run's own (<see cref="RunSpec.Deprivation"/>)
        /// unless a request picks another with <c>?deprivation=</c>; named in every feature.
        /// </summary>
        public string? Deprivation { get; init; } = Spec.Deprivation;

        /// <summary>The edition's name as descriptions print it.</summary>
        public string DeprivationLabel => DeprivationJoin.Label(Deprivation);

        public string ZoneSetId => SafeZoneSet(Spec.ZoneSet);
        public string? SiteTable => Spec.SiteTable;
        public int MinCentres => Spec.Access.MinCentres;
        public int ThresholdSeconds => Spec.Access.ThresholdSeconds;
        public DateOnly ServiceDate => Spec.ServiceDate;

        public string Nearest(string originIndex) => $"round({NearestSeconds(originIndex)} / 60.0, 1)";

        /// <summary>SQL: the origin's travel time (s) to its nearest centre at the run's percentile; null if none is reachable.</summary>
        public string NearestSeconds(string originIndex) =>
            $"(SELECT min(pr.percentiles[{Spec.PercentilePosition}]) FROM analysis_pair_result pr " +
            $"WHERE pr.run_id = {RunId} AND pr.origin_index = {originIndex} AND pr.destination_index < {CentreCount})";

        /// <summary>
        /// The layer of <paramref name="kind"/> (one of <see cref="RunSpec.ResultLayers"/>). A run's results
        /// are about its service date: the OGC <c>datetime</c> parameter selects on it.
        /// </summary>
        public Layer Layer(string kind) => (kind switch
        {
            // The catchments were summed by the aggregation in the run's own edition; another would mix two.
            ResultLayer.Sites when Deprivation != Spec.Deprivation => throw new Lis.Geo.Transit.RuleViolation("deprivation", Lis.Geo.Transit.RuleKind.Conflict,
                $"This run's site catchments were computed with {DeprivationJoin.Label(Spec.Deprivation)}; start a run with deprivation {Deprivation} for catchments in that edition."),
            ResultLayer.Zones => RunZoneLayer(this),
            ResultLayer.Housing => RunHousingLayer(this),
            ResultLayer.Sites => RunSiteLayer(this),
            ResultLayer.Isochrones => RunIsochroneLayer(this),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a result layer."),
        }) with { TimeSql = ServiceDateSql };

        /// <summary>SQL: the run's service date, the date each of its features is about.</summary>
        public string ServiceDateSql => $"DATE '{ServiceDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}'";

        /// <summary>The condition on a zone layer's rows (origins <c>p</c>, zones <c>t</c>): the run's zone origins that have a polygon.</summary>
        public string ZoneOriginsWhere => $"{RunOrigins.AreZoneOrigins(RunId)} AND t.geom IS NOT NULL";
    }

    /// <summary>
    /// The zones of a finished run with the run's indicators: choropleth-ready, one feature per origin
    /// zone. Served for every run type (site and corridor runs route from the zones too).
    /// </summary>
    public static Layer RunZoneLayer(RunFacts run)
    {
        var from = $"""
            {RunOrigins.PointsWithResults}
            JOIN zone t ON t.zone_set_id = '{run.ZoneSetId}' AND t.code = p.code
            {DeprivationJoin.Sql(run.Deprivation, "t.code")}
            """;
        var min = run.MinCentres;
        var name = run.DeprivationLabel;
        return new Layer($"analysis-{run.RunId}-zones", $"Analysis {run.RunId}: access to centres ({run.ServiceDate:yyyy-MM-dd})",
            $"Zones with the run's accessibility indicators and {name} decile.",
            from, "t.code", "t.geom", "MultiPolygon",
            [
                .. RunZoneHead(run),
                new("deprivation_match", "d.match", PropertyType.String,
                    "How the zone got its figures: code (its code is in the edition), lookup-S/lookup-M (its one counterpart in the ONS 2011↔2021 lookup); null: none"),
                new("imd_decile", "d.imd_decile", PropertyType.Integer, $"{name} decile (1 = most deprived)"),
                new("centres_reachable", "r.centres_reachable", PropertyType.Integer, "Centres reachable within the threshold at the run's percentile"),
                new("meets_target", Indicators.MeetsTarget("r", min), PropertyType.Boolean, $"At least {min} centres reachable"),
                new("time_share", Indicators.TimeShareRounded("r"), PropertyType.Number,
                    "Share of departure minutes at which the target is met (time-share form)"),
                new("nearest_centre_minutes", run.Nearest("p.index"), PropertyType.Number,
                    "Travel time to the nearest centre at the run's percentile (minutes); null if none is reachable"),
                .. DomainDeciles,
                new("deprivation_band", BivariateClasses.DeprivationSql, PropertyType.String, "IMD band: most-deprived-20, middle-60, least-deprived-20 or no-imd"),
                new("access_band", BivariateClasses.AccessSql(min), PropertyType.String, "meets-target or below-target"),
                new("bivariate_class", BivariateClasses.ClassSql(min), PropertyType.String, "deprivation_band/access_band (legend: /analyses/{id}/overlay)"),
            ],
            [
                .. ZoneFilters($"{name} decile (1–10)"),
                DeprivationFilter(run),
                new("meets_target", $"({Indicators.MeetsTarget("r", min)}) = {{0}}", PropertyType.Boolean, "true or false"),
            ],
            Where: run.ZoneOriginsWhere);
    }

    /// <summary>
    /// A run against a baseline that differs from it only in the scenario (<see cref="RunComparison.Differences"/>
    /// is empty), zone by zone: each indicator before (baseline), after (this run) and the change, and
    /// whether the zone gains or loses the target — the layer of the diverging choropleth. Zones are
    /// matched by code (equal origin versions make the two runs' zones the same).
    /// </summary>
    public static Layer ComparisonLayer(RunFacts run, RunFacts baseline)
    {
        var min = run.MinCentres;
        var from = $"""
            {RunOrigins.PointsWithResults}
            {RunOrigins.BaselineJoin(baseline.RunId)}
            JOIN zone t ON t.zone_set_id = '{run.ZoneSetId}' AND t.code = p.code
            LEFT JOIN LATERAL (SELECT {run.NearestSeconds("p.index")} AS s, {baseline.NearestSeconds("bp.index")} AS b) n ON true
            {DeprivationJoin.Sql(run.Deprivation, "t.code")}
            """;
        var name = run.DeprivationLabel;
        var change = $"CASE WHEN {Indicators.MeetsTarget("r", min)} AND br.centres_reachable < {min} THEN 'gains' " +
                     $"WHEN r.centres_reachable < {min} AND {Indicators.MeetsTarget("br", min)} THEN 'loses' ELSE 'same' END";
        return new Layer(RunComparison.CollectionId(run.RunId, baseline.RunId),
            $"Analysis {run.RunId} against baseline {baseline.RunId}: change in access to centres ({run.ServiceDate:yyyy-MM-dd})",
            $"Zones with each indicator in the baseline (run {baseline.RunId}), with the scenario (run {run.RunId}) and the change (scenario − baseline).",
            from, "t.code", "t.geom", "MultiPolygon",
            [
                .. RunZoneHead(run),
                new("imd_decile", "d.imd_decile", PropertyType.Integer, $"{name} decile (1 = most deprived)"),
                new("most_deprived_20", $"coalesce({Indicators.MostDeprived20("d")}, false)", PropertyType.Boolean, $"In the most deprived 20% of LSOAs ({name} deciles 1–2)"),
                new("centres_reachable_baseline", "br.centres_reachable", PropertyType.Integer, "Centres reachable within the threshold, baseline"),
                new("centres_reachable_scenario", "r.centres_reachable", PropertyType.Integer, "Centres reachable within the threshold, with the scenario"),
                new("centres_reachable_change", "r.centres_reachable - br.centres_reachable", PropertyType.Integer, "Change in centres reachable"),
                new("nearest_centre_minutes_baseline", "round(n.b / 60.0, 1)", PropertyType.Number, "Travel time to the nearest centre (minutes), baseline; null if none is reachable"),
                new("nearest_centre_minutes_scenario", "round(n.s / 60.0, 1)", PropertyType.Number, "Travel time to the nearest centre (minutes), with the scenario; null if none is reachable"),
                new("nearest_centre_change_minutes", "round((n.s - n.b) / 60.0, 1)", PropertyType.Number, "Change in the nearest-centre time (minutes; negative = quicker); null if either is unreachable"),
                new("time_share_baseline", Indicators.TimeShareRounded("br"), PropertyType.Number, "Share of departure minutes meeting the target, baseline"),
                new("time_share_scenario", Indicators.TimeShareRounded("r"), PropertyType.Number, "Share of departure minutes meeting the target, with the scenario"),
                new("time_share_change", $"round({Indicators.TimeShareExact("r")} - {Indicators.TimeShareExact("br")}, 4)",
                    PropertyType.Number, "Change in the time share"),
                new("meets_target_baseline", Indicators.MeetsTarget("br", min), PropertyType.Boolean, $"At least {min} centres reachable, baseline"),
                new("meets_target_scenario", Indicators.MeetsTarget("r", min), PropertyType.Boolean, $"At least {min} centres reachable, with the scenario"),
                new("target_change", change, PropertyType.String, "gains, loses or same: whether the zone starts or stops meeting the target"),
            ],
            [
                .. ZoneFilters($"{name} decile (1–10)"),
                new("target_change", $"({change}) = {{0}}", PropertyType.String, "gains, loses or same"),
            ],
            Where: run.ZoneOriginsWhere,
            TimeSql: run.ServiceDateSql);
    }

    /// <summary>The comparison layer of two runs when both succeeded and they are comparable; null otherwise.</summary>
    public static async Task<Layer?> ComparisonLayerAsync(NpgsqlDataSource db, long runId, long baselineId, CancellationToken ct)
    {
        if (await RunStore.LoadAsync(db, runId, ct) is not { State: RunState.Succeeded } run
            || await RunStore.LoadAsync(db, baselineId, ct) is not { State: RunState.Succeeded } baseline
            || RunComparison.Differences(run, baseline).Count > 0 || !IsSafeId(run.Spec.ZoneSet))
            return null;
        return ComparisonLayer(await RunStore.FactsAsync(db, run, ct), await RunStore.FactsAsync(db, baseline, ct));
    }

    /// <summary>
    /// The land a site (alias <c>t</c>) stands on: the run's zone containing its point on surface
    /// (<c>lz</c>), that zone's results (<c>lr</c>) and its deprivation in <paramref name="edition"/> (<c>d</c>), so a
    /// site inherits the access and deprivation of the place it is in.
    /// </summary>
    public static string LandJoin(long runId, string zoneSetId, string? edition) => SafeZoneSet(zoneSetId) is var set ? $"""
        LEFT JOIN LATERAL (SELECT z.code FROM zone z WHERE z.zone_set_id = '{set}' AND ST_Contains(z.geom, ST_PointOnSurface(t.geom)) ORDER BY z.code LIMIT 1) lz ON true
        LEFT JOIN analysis_point lp ON {RunOrigins.AreZoneOrigins(runId, "lp")} AND lp.code = lz.code
        {RunOrigins.ResultsOf("lp", "lr", "LEFT JOIN")}
        {DeprivationJoin.Sql(edition, "lz.code")}
        """ : "";

    private static string LandJoin(RunFacts run) => LandJoin(run.RunId, run.ZoneSetId, run.Deprivation);

    /// <summary>Names the edition of a run layer's deprivation figures in every feature (and every CSV row).</summary>
    private static LayerProperty DeprivationEditionProperty(RunFacts run) =>
        new("deprivation_edition", run.Deprivation is { } e ? $"'{e}'" : "NULL::text", PropertyType.String,
            "The deprivation edition of the figures: imd2019 or iod2025 (the run's own unless ?deprivation= picks another)");

    /// <summary><c>?deprivation=</c> is read when the layer is built (<see cref="FindAsync"/>); listed so it is a documented queryable.</summary>
    private static LayerFilter DeprivationFilter(RunFacts run) =>
        new("deprivation", run.Deprivation is { } e ? $"'{e}' = {{0}}" : "false", PropertyType.String, "Deprivation edition: imd2019 or iod2025 (default: the run's own)");

    private static bool IsSafeId(string id) => id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>Zone set ids are interpolated into SQL, so only the characters they allow pass.</summary>
    public static string SafeZoneSet(string zoneSetId) =>
        IsSafeId(zoneSetId) ? zoneSetId : throw new ArgumentException($"Unsafe zone set id '{zoneSetId}'.", nameof(zoneSetId));

    private static IEnumerable<LayerProperty> LandProperties(RunFacts run) =>
    [
        new("zone_code", "lz.code", PropertyType.String, "The zone the site stands in (its point on surface)"),
        DeprivationEditionProperty(run),
        new("zone_imd_decile", "d.imd_decile", PropertyType.Integer, $"{run.DeprivationLabel} decile of that zone (1 = most deprived)"),
        new("zone_deprivation_band", BivariateClasses.DeprivationSql, PropertyType.String, "most-deprived-20, middle-60, least-deprived-20 or no-imd"),
        new("zone_centres_reachable", "lr.centres_reachable", PropertyType.Integer, "Centres reachable from that zone within the threshold"),
        new("zone_time_share", Indicators.TimeShareRounded("lr"), PropertyType.Number, "The zone's time-share form"),
        new("poorly_connected", $"lr.centres_reachable < {run.MinCentres}", PropertyType.Boolean,
            $"The site stands in a zone from which fewer than {run.MinCentres} centres are reachable within {run.ThresholdSeconds / 60} min (null: outside the run's zones)"),
    ];

    /// <summary>IS NOT DISTINCT FROM, so poorly_connected=false also leaves out sites outside the run's zones (whose flag is null).</summary>
    private static LayerFilter PoorlyConnectedFilter(RunFacts run) =>
        new("poorly_connected", $"(lr.centres_reachable < {run.MinCentres}) IS NOT DISTINCT FROM {{0}}", PropertyType.Boolean, "true or false");

    /// <summary>The filters of a run's site layers: district, whether the land is poorly connected, and the edition.</summary>
    private static LayerFilter[] RunSiteFilters(RunFacts run) =>
    [
        new("lad", SiteLadSql() + " = {0}", PropertyType.String, "District code"),
        PoorlyConnectedFilter(run),
        DeprivationFilter(run),
    ];

    /// <summary>
    /// Housing sites with the access and deprivation of the land they stand on, from any finished
    /// run's zone results: flags capacity planned in poorly connected places.
    /// </summary>
    public static Layer RunHousingLayer(RunFacts run) => new(
        $"analysis-{run.RunId}-housing", $"Analysis {run.RunId}: housing sites and the access of their land ({run.ServiceDate:yyyy-MM-dd})",
        $"Housing sites with the run's access indicators and {run.DeprivationLabel} of the zone each stands in.",
        $"housing_site t {SiteLadJoin()} {LandJoin(run)}", "t.reference", "t.geom", "Geometry",
        [.. SiteHead("Site name or address"), .. HousingCapacity, .. LandProperties(run)],
        RunSiteFilters(run));

    /// <summary>
    /// The sites of a finished site-access or corridor run, ranked by the population of the 20% most
    /// deprived LSOAs within their catchment (stored by the aggregation), with each site's own travel
    /// time to centres and the access and deprivation of the land it stands on.
    /// </summary>
    public static Layer RunSiteLayer(RunFacts run)
    {
        var table = run.SiteTable;
        if (table is not ("employment_site" or "housing_site"))
            throw new ArgumentException($"Unsafe site table '{table}'.", nameof(run));
        var from = $"""
            analysis_point p JOIN {table} t ON t.reference = p.code
            {SiteLadJoin()}
            JOIN analysis_site_result sr ON sr.run_id = p.run_id AND sr.site_index = p.index
            {RunOrigins.SiteAccessJoin("p.run_id", "p.code")}
            {LandJoin(run)}
            """;
        LayerProperty[] kindSpecific = table == "employment_site"
            ? [new("jobs_estimate", "t.jobs_estimate", PropertyType.Integer, "Estimated jobs"), new("use_class", "t.use_class", PropertyType.String, "Use class")]
            : [new("min_dwellings", "t.min_dwellings", PropertyType.Integer, "Minimum net dwellings"), new("max_dwellings", "t.max_dwellings", PropertyType.Integer, "Maximum net dwellings")];
        return new Layer($"analysis-{run.RunId}-sites", $"Analysis {run.RunId}: site catchments ({run.ServiceDate:yyyy-MM-dd})",
            "Sites ranked by the deprived population within their public-transport catchment.",
            from, "t.reference", "t.geom", "Geometry",
            [
                .. SiteHead("Site name"),
                new("hectares", "t.hectares", PropertyType.Number, "Site area (ha)"),
                .. kindSpecific,
                new("catchment_zones", "sr.catchment_zones", PropertyType.Integer, "Origin zones that reach the site within the threshold"),
                new("catchment_population", "sr.catchment_population", PropertyType.Number, "Population of those zones"),
                new("deprived_catchment_population", "sr.deprived_catchment_population", PropertyType.Number,
                    $"Of which in the 20% most deprived LSOAs ({run.DeprivationLabel} deciles 1–2)"),
                new("deprived_catchment_rank", "sr.deprived_rank", PropertyType.Integer, "Rank by deprived catchment population (1 = largest; ties share a rank)"),
                new("centres_reachable", "sor.centres_reachable", PropertyType.Integer, "Centres reachable from the site itself within the threshold"),
                new("nearest_centre_minutes", run.Nearest("so.index"), PropertyType.Number, "Travel time from the site to its nearest centre (minutes)"),
                .. LandProperties(run),
            ],
            RunSiteFilters(run),
            Where: $"p.run_id = {run.RunId} AND NOT p.is_origin AND p.kind = 'site'",
            OrderSql: "sr.deprived_rank, t.reference");
    }

    /// <summary>An isochrone run's polygons: one feature per origin and cutoff, largest first so smaller ones draw on top.</summary>
    public static Layer RunIsochroneLayer(RunFacts run) => new(
        $"analysis-{run.RunId}-isochrones", $"Analysis {run.RunId}: isochrones ({run.ServiceDate:yyyy-MM-dd})",
        "Areas reachable within each cutoff at the run's percentile over its window.",
        "analysis_isochrone t JOIN analysis_point p ON p.run_id = t.run_id AND p.is_origin AND p.index = t.origin_index",
        "p.code || ':' || t.cutoff_minutes", "t.geom", "MultiPolygon",
        [
            new("origin", "p.code", PropertyType.String, "Site reference, or lon,lat of a point origin"),
            new("origin_name", "p.name", PropertyType.String, "Site name"),
            new("origin_kind", "p.kind", PropertyType.String, "site or point"),
            new("cutoff_minutes", "t.cutoff_minutes", PropertyType.Integer, "Cutoff (minutes)"),
            new("area_km2", "round(t.area_km2::numeric, 6)", PropertyType.Number, "Area (km², on the sphere)"),
        ],
        [new("cutoff_minutes", "t.cutoff_minutes = {0}", PropertyType.Integer, "Cutoff (minutes)"), new("origin", "p.code = {0}", PropertyType.String, "Origin")],
        Where: $"t.run_id = {run.RunId}",
        OrderSql: "p.index, t.cutoff_minutes DESC");

    /// <summary>All layers: the fixed ones, a zone and a centroid layer per zone set, and the results of every finished run.</summary>
    public static async Task<IReadOnlyList<Layer>> ListAsync(NpgsqlDataSource db, CancellationToken ct) =>
        [.. Fixed, .. await ZoneSetLayersAsync(db, null, ct), .. await RunLayersAsync(db, null, ct)];

    /// <summary>
    /// One layer by id. Every items request starts here, so it queries only what the id names: nothing
    /// for a fixed layer, one zone set for <c>zones-…</c>/<c>centroids-…</c>, one run for <c>analysis-…</c>.
    /// </summary>
    /// <remarks><paramref name="deprivation"/> picks the edition of a zone or run layer (one of <see cref="DeprivationEditions"/>; the caller checks it).</remarks>
    public static async Task<Layer?> FindAsync(NpgsqlDataSource db, string id, CancellationToken ct, string? deprivation = null)
    {
        if (Fixed.FirstOrDefault(l => l.Id == id) is { } fixedLayer) return fixedLayer;
        IEnumerable<Layer> candidates =
            id.StartsWith("zones-", StringComparison.Ordinal) ? await ZoneSetLayersAsync(db, id["zones-".Length..], ct, deprivation)
            : id.StartsWith("centroids-", StringComparison.Ordinal) ? await ZoneSetLayersAsync(db, id["centroids-".Length..], ct, deprivation)
            : id.Split('-') is ["analysis", var run, var kind] && long.TryParse(run, out var runId) ? await RunLayersAsync(db, runId, ct, deprivation, kind)
            : id.Split('-') is ["analysis", var a, "vs", var b] && long.TryParse(a, out var aId) && long.TryParse(b, out var bId)
                ? await ComparisonLayerAsync(db, aId, bId, ct) is { } comparison ? [comparison] : []
            : [];
        return candidates.FirstOrDefault(l => l.Id == id);
    }

    private static async Task<List<Layer>> ZoneSetLayersAsync(NpgsqlDataSource db, string? only, CancellationToken ct, string? deprivation = null)
    {
        var layers = new List<Layer>();
        await using var cmd = db.CreateCommand($"SELECT s.id, s.name, {DeprivationJoin.DefaultEditionSql(DeprivationJoin.ZoneSetCodes("s.id"))} FROM zone_set s WHERE $1::text IS NULL OR s.id = $1 ORDER BY s.id");
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)only ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var edition = deprivation ?? (r.IsDBNull(2) ? null : r.GetString(2));
            layers.Add(ZoneLayer(r.GetString(0), r.GetString(1), centroids: false, edition));
            layers.Add(ZoneLayer(r.GetString(0), r.GetString(1), centroids: true, edition));
        }
        return layers;
    }

    private static async Task<List<Layer>> RunLayersAsync(NpgsqlDataSource db, long? only, CancellationToken ct, string? deprivation = null, string? onlyKind = null)
    {
        var layers = new List<Layer>();
        foreach (var facts in await RunStore.SucceededAsync(db, only, ct))
        {
            var run = facts with { Deprivation = deprivation ?? facts.Deprivation };
            // Ids are interpolated into the layers' SQL, so only the characters zone set ids allow pass.
            if (!IsSafeId(run.Spec.ZoneSet)) continue;
            layers.AddRange(run.Spec.ResultLayers.Where(k => onlyKind is null || k == onlyKind).Select(run.Layer));
        }
        return layers;
    }
}
