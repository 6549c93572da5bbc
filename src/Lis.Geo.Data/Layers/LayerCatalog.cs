using Npgsql;

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

    public static readonly IReadOnlyList<Layer> Fixed =
    [
        new("leps", "Local Enterprise Partnerships", "LEP boundaries (2017–2020 membership).",
            "lep t", "t.code", "t.geom", "MultiPolygon",
            [
                new("code", "t.code", PropertyType.String, "LEP code"),
                new("name", "t.name", PropertyType.String, "LEP name"),
                new("lads", "(SELECT string_agg(m.lad_code, ',' ORDER BY m.lad_code) FROM lep_membership m WHERE m.lep_code = t.code)", PropertyType.String, "Member district codes"),
            ],
            []),
        new("local-authorities", "Local authority districts", "District boundaries with their LEP memberships.",
            "local_authority t", "t.code", "t.geom", "MultiPolygon",
            [
                new("code", "t.code", PropertyType.String, "LAD code"),
                new("name", "t.name", PropertyType.String, "LAD name"),
                new("lep_codes", "(SELECT string_agg(m.lep_code, ',' ORDER BY NOT m.is_primary, m.lep_code) FROM lep_membership m WHERE m.lad_code = t.code)", PropertyType.String, "LEP codes, primary first"),
                new("lep_names", "(SELECT string_agg(m.lep_name, '; ' ORDER BY NOT m.is_primary, m.lep_code) FROM lep_membership m WHERE m.lad_code = t.code)", PropertyType.String, "LEP names, primary first"),
            ],
            [LepFilter("t.code")]),
        new("centres", "Centres", "Destination centres for the accessibility indicators.",
            "centre t", "t.code", "t.geom", "Point",
            [
                new("code", "t.code", PropertyType.String, "Centre code"),
                new("name", "t.name", PropertyType.String, "Centre name"),
                new("kind", "t.kind", PropertyType.String, "city, strategic, town, interchange…"),
            ],
            [new("kind", "t.kind = {0}", PropertyType.String, "Centre kind")],
            EditableDataset: "centres"),
        new("corridors", "Inclusive growth corridors", "Corridor polygons of the Local Industrial Strategy.",
            "corridor t", "t.code", "t.geom", "MultiPolygon",
            [
                new("code", "t.code", PropertyType.String, "Corridor code"),
                new("name", "t.name", PropertyType.String, "Corridor name"),
                new("description", "t.description", PropertyType.String, "Description"),
                new("centre_line", "ST_AsText(t.centre_line)", PropertyType.String, "Spine of the corridor (WKT, WGS84)"),
                new("area_ha", "round((ST_Area(t.geom::geography) / 10000)::numeric, 2)", PropertyType.Number, "Area in hectares"),
            ],
            [],
            EditableDataset: "corridors"),
        new("housing-sites", "Housing sites", "Housing allocations and brownfield register sites.",
            "housing_site t", "t.reference", "t.geom", "Geometry",
            [
                new("reference", "t.reference", PropertyType.String, "Site reference"),
                new("name", "t.name", PropertyType.String, "Site name or address"),
                new("lad_code", "t.lad_code", PropertyType.String, "District code"),
                new("min_dwellings", "t.min_dwellings", PropertyType.Integer, "Minimum net dwellings"),
                new("max_dwellings", "t.max_dwellings", PropertyType.Integer, "Maximum net dwellings"),
                new("hectares", "t.hectares", PropertyType.Number, "Site area (ha)"),
                new("status", "t.status", PropertyType.String, "Status"),
                new("planning_permission", "t.planning_permission", PropertyType.String, "Planning permission status"),
            ],
            [LadFilter with { Sql = "t.lad_code = {0}" }, LepFilter("t.lad_code"), new("status", "t.status = {0}", PropertyType.String, "Status")],
            EditableDataset: "housing-sites"),
        new("employment-sites", "Employment sites", "Employment land.",
            "employment_site t", "t.reference", "t.geom", "Geometry",
            [
                new("reference", "t.reference", PropertyType.String, "Site reference"),
                new("name", "t.name", PropertyType.String, "Site name"),
                new("lad_code", "t.lad_code", PropertyType.String, "District code"),
                new("hectares", "t.hectares", PropertyType.Number, "Site area (ha)"),
                new("floorspace_m2", "t.floorspace_m2", PropertyType.Number, "Floorspace (m²)"),
                new("use_class", "t.use_class", PropertyType.String, "Use class"),
                new("jobs_estimate", "t.jobs_estimate", PropertyType.Integer, "Estimated jobs"),
                new("status", "t.status", PropertyType.String, "Status"),
            ],
            [LadFilter with { Sql = "t.lad_code = {0}" }, LepFilter("t.lad_code"), new("use_class", "t.use_class = {0}", PropertyType.String, "Use class"),
             new("status", "t.status = {0}", PropertyType.String, "Status")],
            EditableDataset: "employment-sites"),
        new("transit-stops", "Transit stops", "Stops of the stored GTFS feeds.",
            "transit_stop t", "t.feed_id || ':' || t.stop_id", "t.geom", "Point",
            [
                new("feed_id", "t.feed_id", PropertyType.Integer, "Feed id"),
                new("stop_id", "t.stop_id", PropertyType.String, "GTFS stop_id (NaPTAN ATCO code in British feeds)"),
                new("name", "t.name", PropertyType.String, "Stop name"),
                new("location_type", "t.location_type", PropertyType.Integer, "0 stop, 1 station, …"),
            ],
            [new("feed", "t.feed_id = {0}", PropertyType.Integer, "Feed id")]),
        new("transit-routes", "Transit routes", "Routes of the stored GTFS feeds: one line per distinct shapes.txt shape, or per distinct stop sequence where trips have no shape.",
            "transit_route t", "t.feed_id || ':' || t.route_id", "t.geom", "MultiLineString",
            [
                new("feed_id", "t.feed_id", PropertyType.Integer, "Feed id"),
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
            [new("feed", "t.feed_id = {0}", PropertyType.Integer, "Feed id"),
             new("route_type", "t.route_type = {0}", PropertyType.Integer, "GTFS route_type, e.g. 3 for bus")]),
    ];

    /// <summary>The zone (polygon) or centroid (point) layer of one zone set, with IMD 2019 joined where the codes are LSOA 2011.</summary>
    public static Layer ZoneLayer(string zoneSetId, string zoneSetName, bool centroids)
    {
        // The set id is interpolated into SQL, so only the safe characters zone set ids allow are accepted.
        if (!zoneSetId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"Unsafe zone set id '{zoneSetId}'.", nameof(zoneSetId));
        var from = $"""
            zone t JOIN zone_set s ON s.id = t.zone_set_id
            LEFT JOIN deprivation d ON s.code_geography = 'lsoa11' AND d.lsoa_code = t.code
            LEFT JOIN local_authority la ON la.code = t.lad_code
            """;
        var where = $"t.zone_set_id = '{zoneSetId}' AND t.{(centroids ? "centroid" : "geom")} IS NOT NULL";
        return new Layer(
            (centroids ? "centroids-" : "zones-") + zoneSetId,
            $"{zoneSetName} {(centroids ? "population-weighted centroids" : "zones")}",
            centroids ? "Population-weighted centroids: the default accessibility origins." : "Zone polygons with population and IMD 2019 (LSOA 2011 sets).",
            from,
            "t.code", centroids ? "t.centroid" : "t.geom", centroids ? "Point" : "MultiPolygon",
            [
                new("code", "t.code", PropertyType.String, "Zone code"),
                new("name", "t.name", PropertyType.String, "Zone name"),
                new("lad_code", "t.lad_code", PropertyType.String, "District code"),
                new("lad_name", "la.name", PropertyType.String, "District name"),
                new("population", "t.population", PropertyType.Integer, "Resident population"),
                new("imd_score", "d.imd_score", PropertyType.Number, "IMD 2019 score"),
                new("imd_rank", "d.imd_rank", PropertyType.Integer, "IMD 2019 rank (1 = most deprived of 32,844)"),
                new("imd_decile", "d.imd_decile", PropertyType.Integer, "IMD 2019 decile (1 = most deprived 10%)"),
                new("income_decile", "d.income_decile", PropertyType.Integer, "Income domain decile"),
                new("employment_decile", "d.employment_decile", PropertyType.Integer, "Employment domain decile"),
                new("education_decile", "d.education_decile", PropertyType.Integer, "Education, skills and training decile"),
                new("health_decile", "d.health_decile", PropertyType.Integer, "Health deprivation and disability decile"),
                new("crime_decile", "d.crime_decile", PropertyType.Integer, "Crime decile"),
                new("barriers_decile", "d.barriers_decile", PropertyType.Integer, "Barriers to housing and services decile"),
                new("living_environment_decile", "d.living_environment_decile", PropertyType.Integer, "Living environment decile"),
            ],
            [
                new("lad", "t.lad_code = {0}", PropertyType.String, "District code"),
                LepFilter("t.lad_code"),
                new("imd_decile", "d.imd_decile = {0}", PropertyType.Integer, "IMD 2019 decile (1–10)"),
            ],
            Where: where);
    }

    /// <summary>
    /// The zones of a finished zone-access run with the run's indicators: choropleth-ready, one
    /// feature per origin zone. <paramref name="percentilePosition"/> is the 1-based position of the
    /// run's headline percentile in its stored percentile arrays.
    /// </summary>
    public static Layer RunZoneLayer(long runId, string zoneSetId, int minCentres, int percentilePosition, string title)
    {
        if (!zoneSetId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"Unsafe zone set id '{zoneSetId}'.", nameof(zoneSetId));
        var from = $"""
            analysis_point p JOIN analysis_origin_result r ON r.run_id = p.run_id AND r.origin_index = p.index
            JOIN zone t ON t.zone_set_id = '{zoneSetId}' AND t.code = p.code
            JOIN zone_set s ON s.id = t.zone_set_id
            LEFT JOIN deprivation d ON s.code_geography = 'lsoa11' AND d.lsoa_code = t.code
            """;
        return new Layer($"analysis-{runId}-zones", title, "Zones with the run's accessibility indicators and IMD 2019 decile.",
            from, "t.code", "t.geom", "MultiPolygon",
            [
                new("code", "t.code", PropertyType.String, "Zone code"),
                new("name", "t.name", PropertyType.String, "Zone name"),
                new("lad_code", "t.lad_code", PropertyType.String, "District code"),
                new("population", "p.weight", PropertyType.Number, "Population weight of the origin"),
                new("imd_decile", "d.imd_decile", PropertyType.Integer, "IMD 2019 decile (1 = most deprived)"),
                new("centres_reachable", "r.centres_reachable", PropertyType.Integer, "Centres reachable within the threshold at the run's percentile"),
                new("meets_target", $"r.centres_reachable >= {minCentres}", PropertyType.Boolean, $"At least {minCentres} centres reachable"),
                new("time_share", "round((r.departures_meeting_target::numeric / nullif(r.departures, 0)), 4)", PropertyType.Number,
                    "Share of departure minutes at which the target is met (time-share form)"),
                new("nearest_centre_minutes",
                    $"(SELECT round(min(pr.percentiles[{percentilePosition}]) / 60.0, 1) FROM analysis_pair_result pr WHERE pr.run_id = {runId} AND pr.origin_index = p.index)",
                    PropertyType.Number, "Travel time to the nearest centre at the run's percentile (minutes); null if none is reachable"),
                new("income_decile", "d.income_decile", PropertyType.Integer, "Income domain decile"),
                new("employment_decile", "d.employment_decile", PropertyType.Integer, "Employment domain decile"),
                new("education_decile", "d.education_decile", PropertyType.Integer, "Education, skills and training decile"),
                new("health_decile", "d.health_decile", PropertyType.Integer, "Health deprivation and disability decile"),
                new("barriers_decile", "d.barriers_decile", PropertyType.Integer, "Barriers to housing and services decile"),
                new("deprivation_band", BivariateClasses.DeprivationSql, PropertyType.String, "IMD band: most-deprived-20, middle-60, least-deprived-20 or no-imd"),
                new("access_band", BivariateClasses.AccessSql(minCentres), PropertyType.String, "meets-target or below-target"),
                new("bivariate_class", BivariateClasses.ClassSql(minCentres), PropertyType.String, "deprivation_band/access_band (legend: /analyses/{id}/overlay)"),
            ],
            [
                new("lad", "t.lad_code = {0}", PropertyType.String, "District code"),
                LepFilter("t.lad_code"),
                new("imd_decile", "d.imd_decile = {0}", PropertyType.Integer, "IMD 2019 decile (1–10)"),
                new("meets_target", $"(r.centres_reachable >= {minCentres}) = {{0}}", PropertyType.Boolean, "true or false"),
            ],
            Where: $"p.run_id = {runId} AND p.is_origin AND t.geom IS NOT NULL");
    }

    /// <summary>
    /// The sites of a finished site-access run with their catchments: the population of the origin
    /// zones that reach the site within <paramref name="thresholdSeconds"/> at the run's percentile,
    /// and the part of it living in the 20% most deprived LSOAs (IMD 2019 deciles 1–2).
    /// </summary>
    public static Layer RunSiteLayer(long runId, string table, string zoneSetId, int thresholdSeconds, int percentilePosition, string title)
    {
        if (table is not ("employment_site" or "housing_site") || !zoneSetId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"Unsafe site table or zone set ('{table}', '{zoneSetId}').");
        var reaching = $"""
            FROM analysis_pair_result pr JOIN analysis_point o ON o.run_id = pr.run_id AND o.is_origin AND o.index = pr.origin_index
            WHERE pr.run_id = {runId} AND pr.destination_index = p.index AND pr.percentiles[{percentilePosition}] <= {thresholdSeconds}
            """;
        const string deprived = """
            EXISTS (SELECT 1 FROM deprivation d JOIN zone_set s ON s.code_geography = 'lsoa11' WHERE s.id = '{0}' AND d.lsoa_code = o.code AND d.imd_decile <= 2)
            """;
        return new Layer($"analysis-{runId}-sites", title, "Sites with their public-transport catchments.",
            $"analysis_point p JOIN {table} t ON t.reference = p.code", "t.reference", "t.geom", "Geometry",
            [
                new("reference", "t.reference", PropertyType.String, "Site reference"),
                new("name", "t.name", PropertyType.String, "Site name"),
                new("lad_code", "t.lad_code", PropertyType.String, "District code"),
                new("hectares", "t.hectares", PropertyType.Number, "Site area (ha)"),
                new("catchment_zones", $"(SELECT count(*) {reaching})", PropertyType.Integer, "Origin zones that reach the site within the threshold"),
                new("catchment_population", $"(SELECT coalesce(sum(o.weight), 0) {reaching})", PropertyType.Number, "Population of those zones"),
                new("deprived_catchment_population", $"(SELECT coalesce(sum(o.weight), 0) {reaching} AND {string.Format(System.Globalization.CultureInfo.InvariantCulture, deprived, zoneSetId)})",
                    PropertyType.Number, "Of which in the 20% most deprived LSOAs (IMD 2019 deciles 1–2)"),
            ],
            [new("lad", "t.lad_code = {0}", PropertyType.String, "District code")],
            Where: $"p.run_id = {runId} AND NOT p.is_origin");
    }

    /// <summary>All layers: the fixed ones, a zone and a centroid layer per zone set, and the results of every finished run.</summary>
    public static async Task<IReadOnlyList<Layer>> ListAsync(NpgsqlDataSource db, CancellationToken ct) =>
        [.. Fixed, .. await ZoneSetLayersAsync(db, null, ct), .. await RunLayersAsync(db, null, ct)];

    /// <summary>
    /// One layer by id. Every items request starts here, so it queries only what the id names: nothing
    /// for a fixed layer, one zone set for <c>zones-…</c>/<c>centroids-…</c>, one run for <c>analysis-…</c>.
    /// </summary>
    public static async Task<Layer?> FindAsync(NpgsqlDataSource db, string id, CancellationToken ct)
    {
        if (Fixed.FirstOrDefault(l => l.Id == id) is { } fixedLayer) return fixedLayer;
        IEnumerable<Layer> candidates =
            id.StartsWith("zones-", StringComparison.Ordinal) ? await ZoneSetLayersAsync(db, id["zones-".Length..], ct)
            : id.StartsWith("centroids-", StringComparison.Ordinal) ? await ZoneSetLayersAsync(db, id["centroids-".Length..], ct)
            : id.Split('-') is ["analysis", var run, _] && long.TryParse(run, out var runId) ? await RunLayersAsync(db, runId, ct)
            : [];
        return candidates.FirstOrDefault(l => l.Id == id);
    }

    private static async Task<List<Layer>> ZoneSetLayersAsync(NpgsqlDataSource db, string? only, CancellationToken ct)
    {
        var layers = new List<Layer>();
        await using var cmd = db.CreateCommand("SELECT id, name FROM zone_set WHERE $1::text IS NULL OR id = $1 ORDER BY id");
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)only ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            layers.Add(ZoneLayer(r.GetString(0), r.GetString(1), centroids: false));
            layers.Add(ZoneLayer(r.GetString(0), r.GetString(1), centroids: true));
        }
        return layers;
    }

    private static async Task<List<Layer>> RunLayersAsync(NpgsqlDataSource db, long? only, CancellationToken ct)
    {
        var layers = new List<Layer>();
        await using var cmd = db.CreateCommand("""
            SELECT id, type, substr(origin_set, 7), (parameters -> 'access' ->> 'minCentres')::int,
                   array_position(ARRAY(SELECT jsonb_array_elements_text(parameters -> 'routing' -> 'percentiles')::int), (parameters -> 'access' ->> 'percentile')::int),
                   service_date, (parameters -> 'access' ->> 'thresholdSeconds')::int, destination_set
            FROM analysis_run WHERE state = 'succeeded' AND origin_set LIKE 'zones:%' AND ($1::bigint IS NULL OR id = $1) ORDER BY id
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)only ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var (id, date) = (r.GetInt64(0), r.GetFieldValue<DateOnly>(5));
            if (r.GetString(1) == "zone-access")
                layers.Add(RunZoneLayer(id, r.GetString(2), r.GetInt32(3), r.GetInt32(4), $"Analysis {id}: access to centres ({date:yyyy-MM-dd})"));
            else if (r.GetString(7) is "sites:employment-sites" or "sites:housing-sites")
                layers.Add(RunSiteLayer(id, r.GetString(7) == "sites:employment-sites" ? "employment_site" : "housing_site", r.GetString(2), r.GetInt32(6), r.GetInt32(4),
                    $"Analysis {id}: site catchments ({date:yyyy-MM-dd})"));
        }
        return layers;
    }
}
