using System.Text.Json;
using System.Text.Json.Serialization;
using Lis.Geo.Transit.Routing;

namespace Lis.Geo.Data.Analyses;

/// <summary>
/// Everything that shapes an analysis run's result, resolved once by the planner with every default
/// applied and stored as the run's record (<c>analysis_run.spec</c>). Chunks, the aggregation, the
/// result layers, the CSV, the reports and the run view all read this and nothing else, so changing a
/// documented default later never changes what an old run meant. It lives in Data (not Jobs) because
/// the store's result layers are built from it and Data may not reference Jobs or Analysis.
/// </summary>
public sealed record RunSpec
{
    /// <summary>Shape of this record; readers of a later shape migrate older ones in a migration, never on read.</summary>
    public int Version { get; init; } = 1;

    /// <summary>One of <see cref="AnalysisTypes"/>.</summary>
    public required string Type { get; init; }

    public string? Name { get; init; }

    /// <summary>The timetables routed on, with the bytes' hash. One today; a list so several feeds can be merged later.</summary>
    public required IReadOnlyList<RunFeed> Feeds { get; init; }

    /// <summary>
    /// True when the request named no feed, so <see cref="Feeds"/> is the feed that was the default when
    /// the run was planned (PUT /feeds/{id}/default); false when it named its feeds or ran a scenario
    /// without naming one (a scenario brings its own feed, <see cref="Scenario"/>'s, whatever the default
    /// is); null for runs planned before this was recorded. Runs are compared on <see cref="Feeds"/>, not on this.
    /// </summary>
    public bool? DefaultFeed { get; init; }

    public DateOnly ServiceDate { get; init; }

    /// <summary>
    /// The what-if scenario applied to the feed's timetable, as it stood when the run was planned
    /// (its full content and hash, so a later edit or deletion of the stored scenario never changes
    /// what this run says); null = the stored feeds as they are.
    /// </summary>
    public RunScenario? Scenario { get; init; }

    /// <summary>Every routing rule, the departure window included (JSON: <see cref="RoutingRulesJson"/>).</summary>
    [JsonConverter(typeof(RoutingRulesJson))]
    public required RoutingParameters Routing { get; init; }

    public required AccessRules Access { get; init; }

    /// <summary>
    /// Which search the chunks ran: <c>forward</c> (range RAPTOR from every origin) or <c>profile</c>
    /// (from every destination, one chunk); the travel times are identical either way. Null: a run
    /// planned before the profile search existed, which ran forward.
    /// </summary>
    public string? Search { get; init; }

    /// <summary>The search the chunks ran: <see cref="Search"/>, with a run planned before it was recorded read as the forward run it was.</summary>
    [JsonIgnore] public string SearchRan => Search ?? "forward";

    /// <summary>The zone set whose population-weighted centroids are the origins.</summary>
    public required string ZoneSet { get; init; }

    /// <summary>
    /// Where the zone set's origin points and weights came from when the run was planned (null for
    /// isochrone runs and runs planned before it was recorded): approximate points are named as such.
    /// </summary>
    public ZoneSource? ZoneSource { get; init; }

    /// <summary>
    /// The deprivation edition of the run's own figures (the summary's IMD deciles, site catchments, corridor
    /// figures, and the default of its equity and overlay): asked for, or the edition most of the zones' codes
    /// are in (newest on a tie), pinned when the run was planned so importing another edition later changes
    /// nothing an old run says. Null: no edition matches the zones (and isochrone runs).
    /// </summary>
    public string? Deprivation { get; init; }

    /// <summary>Only centres of this kind; null = every centre.</summary>
    public string? CentreKind { get; init; }

    /// <summary>The sites routed to and from (site-access, corridor) or started from (isochrones); null when the run has none.</summary>
    public string? SiteSet { get; init; }

    /// <summary>Corridor runs: the one corridor, or null for every corridor.</summary>
    public string? Corridor { get; init; }

    /// <summary>Corridor runs: employment sites within this distance of a corridor are reported with it.</summary>
    public int? NearMeters { get; init; }

    /// <summary>Isochrone runs: the cutoffs and the origin (a point, one site, or every site of <see cref="SiteSet"/>).</summary>
    public IsochroneSpec? Isochrones { get; init; }

    [JsonIgnore] public RunFeed Feed => Feeds[0];

    /// <summary>1-based position of the headline percentile in the stored percentile arrays (the planner made sure it is there).</summary>
    [JsonIgnore]
    public int PercentilePosition => Routing.Percentiles.ToList().IndexOf(Access.Percentile) is var i and >= 0 ? i + 1
        : throw new InvalidOperationException($"percentile {Access.Percentile} is not among the run's percentiles.");

    /// <summary>The table of <see cref="SiteSet"/>, or null.</summary>
    [JsonIgnore] public string? SiteTable => SiteSet is { } s && AnalysisTypes.SiteTables.TryGetValue(s, out var t) ? t : null;

    /// <summary>
    /// The result layers a finished run of this spec has: the one answer to "which results does this run
    /// serve", used by the layer catalogue, the run view's links and the result endpoints.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<string> ResultLayers => ResultLayersOf(Type);

    /// <summary>The result layers a finished run of <paramref name="type"/> has: they depend on its type alone (e.g. a process's outputs).</summary>
    public static IReadOnlyList<string> ResultLayersOf(string type) =>
        type == AnalysisTypes.Isochrones ? [ResultLayer.Isochrones]
        : AnalysisTypes.HasSites(type) ? [ResultLayer.Zones, ResultLayer.Housing, ResultLayer.Sites]
        : [ResultLayer.Zones, ResultLayer.Housing];

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A short fingerprint of every routing and walking rule, so two runs can tell whether theirs differ.</summary>
    [JsonIgnore]
    public string RoutingFingerprint => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
        JsonSerializer.SerializeToUtf8Bytes(Routing, RoutingJson)))[..16];

    private static readonly JsonSerializerOptions RoutingJson = new(JsonSerializerDefaults.Web) { Converters = { new RoutingRulesJson() } };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static RunSpec FromJson(string json) => JsonSerializer.Deserialize<RunSpec>(json, Json) ?? throw new JsonException("A run spec is null.");
}

/// <summary>
/// A zone set's geography and provenance as a run used it: the population column and file, and whether
/// its points are approximate (not ONS population-weighted centroids) with the note saying what they are.
/// </summary>
public sealed record ZoneSource(string CodeGeography, string? PopulationSource, bool CentroidsApproximate, string? CentroidNote);

/// <summary>
/// A scenario as a run used it: the stored scenario's id and name when the run was planned, the
/// SHA-256 of its canonical content and that content (<c>{"modifications":[…]}</c>) itself.
/// </summary>
public sealed record RunScenario(long Id, string Name, string Sha256, JsonElement Content)
{
    /// <summary>The engine's form of <see cref="Content"/>.</summary>
    public Lis.Geo.Transit.Scenarios.Scenario Modifications() => Lis.Geo.Transit.Scenarios.Scenario.FromJson(Content.GetRawText());
}

/// <summary>How views name the scenario a run or a query used: without its content (the run's record has that).</summary>
public sealed record ScenarioRef(long Id, string Name, string Sha256)
{
    public static ScenarioRef? Of(RunScenario? s) => s is null ? null : new(s.Id, s.Name, s.Sha256);
}

/// <summary>A stored feed as a run used it.</summary>
public sealed record RunFeed(long Id, string Sha256);

/// <summary>The indicator rules (ACCESSIBILITY.md): reachable = travel time at <see cref="Percentile"/> within <see cref="ThresholdSeconds"/>; target = at least <see cref="MinCentres"/>.</summary>
public sealed record AccessRules(int ThresholdSeconds, int MinCentres, int Percentile)
{
    public int ThresholdMinutes => ThresholdSeconds / 60;
}

/// <summary>An isochrone run's cutoffs and origin: <see cref="Lon"/>/<see cref="Lat"/>, or <see cref="Site"/> of the spec's site set, or (both null) every site.</summary>
public sealed record IsochroneSpec(IReadOnlyList<int> Cutoffs, double? Lon = null, double? Lat = null, string? Site = null);

/// <summary>Names of a run's result layers: <c>analysis-{id}-{name}</c> in /collections.</summary>
public static class ResultLayer
{
    public const string Zones = "zones";
    public const string Housing = "housing";
    public const string Sites = "sites";
    public const string Isochrones = "isochrones";
}

/// <summary>The kinds of analysis run.</summary>
public static class AnalysisTypes
{
    public const string ZoneAccess = "zone-access";
    public const string SiteAccess = "site-access";
    public const string Corridor = "corridor";
    public const string Isochrones = "isochrones";
    public static readonly string[] Supported = [ZoneAccess, SiteAccess, Corridor, Isochrones];

    /// <summary>Whether runs of the type route to sites as well as centres (and from sites to centres).</summary>
    public static bool HasSites(string type) => type is SiteAccess or Corridor;

    /// <summary>The site set every corridor run routes to, whatever the request's siteSet: a corridor's figures are its employment sites'.</summary>
    public const string CorridorSiteSet = "employment-sites";

    /// <summary>Site sets a run can target, and their tables.</summary>
    public static readonly IReadOnlyDictionary<string, string> SiteTables = new Dictionary<string, string>
    {
        ["employment-sites"] = "employment_site",
        ["housing-sites"] = "housing_site",
    };
}

/// <summary>
/// The routing rules as the run record shows them: every rule by name, the window as clock times with
/// its kind (<c>departure</c>, or <c>arrival</c> for arrive-by windows) and its count of minutes
/// (<c>departures</c>, or <c>arrivals</c> for an arrival window).
/// </summary>
public sealed class RoutingRulesJson : JsonConverter<RoutingParameters>
{
    /// <summary>The sphere the engine measures walks on (stated so a reader can reproduce distances).</summary>
    public const double EarthRadiusMeters = 6_371_008.8;

    public override void Write(Utf8JsonWriter w, RoutingParameters p, JsonSerializerOptions options)
    {
        w.WriteStartObject();
        w.WriteNumber("walkSpeed", p.WalkSpeed);
        w.WriteNumber("circuity", p.Circuity);
        w.WriteNumber("maxAccessWalk", p.MaxAccessWalk);
        w.WriteNumber("boardSlack", p.BoardSlack);
        w.WriteNumber("maxTransferWalk", p.MaxTransferWalk);
        w.WriteNumber("maxEgressWalk", p.MaxEgressWalk);
        w.WriteNumber("maxDirectWalk", p.MaxDirectWalk);
        if (p.MaxRides is { } rides) w.WriteNumber("maxRides", rides); else w.WriteNull("maxRides");
        w.WriteNumber("maxTripDuration", p.MaxTripDuration);
        w.WriteStartObject("window");
        w.WriteString("kind", p.WindowKind == WindowKind.Arrival ? "arrival" : "departure");
        w.WriteString("start", DepartureWindow.FormatClock(p.Window.StartSeconds));
        w.WriteString("end", DepartureWindow.FormatClock(p.Window.EndSeconds));
        w.WriteNumber("stepSeconds", p.Window.StepSeconds);
        // Named for what the minutes are: departure minutes, or arrival minutes of an arrive-by window.
        w.WriteNumber(p.WindowKind == WindowKind.Arrival ? "arrivals" : "departures", p.Window.Count);
        w.WriteEndObject();
        w.WriteStartArray("percentiles");
        foreach (var q in p.Percentiles) w.WriteNumberValue(q);
        w.WriteEndArray();
        w.WriteNumber("earthRadiusMeters", EarthRadiusMeters);
        w.WriteEndObject();
    }

    public override RoutingParameters Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        var e = doc.RootElement;
        var window = e.GetProperty("window");
        var kind = window.TryGetProperty("kind", out var k) ? k.GetString() : "departure";
        return new RoutingParameters
        {
            WalkSpeed = e.GetProperty("walkSpeed").GetDouble(),
            Circuity = e.GetProperty("circuity").GetDouble(),
            MaxAccessWalk = e.GetProperty("maxAccessWalk").GetInt32(),
            BoardSlack = e.GetProperty("boardSlack").GetInt32(),
            MaxTransferWalk = e.GetProperty("maxTransferWalk").GetInt32(),
            MaxEgressWalk = e.GetProperty("maxEgressWalk").GetInt32(),
            MaxDirectWalk = e.GetProperty("maxDirectWalk").GetInt32(),
            MaxRides = e.GetProperty("maxRides").ValueKind == JsonValueKind.Null ? null : e.GetProperty("maxRides").GetInt32(),
            MaxTripDuration = e.GetProperty("maxTripDuration").GetInt32(),
            Window = new DepartureWindow(DepartureWindow.ParseClock(window.GetProperty("start").GetString()!),
                DepartureWindow.ParseClock(window.GetProperty("end").GetString()!), window.GetProperty("stepSeconds").GetInt32()),
            Percentiles = [.. e.GetProperty("percentiles").EnumerateArray().Select(x => x.GetInt32())],
            WindowKind = kind switch
            {
                "departure" => WindowKind.Departure,
                "arrival" => WindowKind.Arrival,
                _ => throw new JsonException($"Window kind '{kind}' is neither departure nor arrival."),
            },
        };
    }
}
