using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lis.Geo.Transit.Scenarios;

/// <summary>
/// A "what if" on one feed's service day: an ordered list of modifications, applied in order to the
/// compiled timetable by <see cref="ScenarioApplier"/> (a later modification sees what earlier ones
/// made, so a route added first can have its frequency adjusted next). The scenario's name and feed
/// are the store's business, not the engine's: only the modifications decide the timetable and the hash.
/// </summary>
/// <remarks>
/// These records are also the wire format (camelCase JSON with a <c>type</c> member), so the
/// field paths of <see cref="ScenarioValidator"/> errors are the paths a client sent.
/// Times are "HH:MM" or "HH:MM:SS" after midnight of the service date (hours may exceed 23, as GTFS).
/// </remarks>
public sealed record Scenario
{
    public IReadOnlyList<Modification> Modifications { get; init; } = [];

    /// <summary>The JSON form used for hashing and storing: camelCase, nulls left out, members in declaration order.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
        // Clients may put "type" anywhere in a modification; a misspelt member is an error, not ignored.
        AllowOutOfOrderMetadataProperties = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses the wire form; throws <see cref="JsonException"/> on malformed JSON or an unknown <c>type</c>.</summary>
    public static Scenario FromJson(string json) =>
        JsonSerializer.Deserialize<Scenario>(json, JsonOptions) ?? throw new JsonException("the scenario is null.");

    /// <summary>
    /// SHA-256 (hex) of the canonical serialisation: the scenario parsed and written again by
    /// <see cref="JsonOptions"/>, so spacing, member order and omitted defaults in what a client sent
    /// never change the hash, while any value that changes the timetable does.
    /// </summary>
    public string ComputeHash() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToJson())));
}

/// <summary>One change to the timetable; <c>type</c> in JSON names which.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(AddRoute), "add-route")]
[JsonDerivedType(typeof(AdjustFrequency), "adjust-frequency")]
[JsonDerivedType(typeof(RemoveService), "remove")]
[JsonDerivedType(typeof(AdjustSpeed), "adjust-speed")]
public abstract record Modification;

/// <summary>
/// Which routes a modification changes: routes by id and/or every route of an agency or route_type.
/// The conditions given all apply (ids ∩ agency ∩ type); at least one must be given.
/// </summary>
public abstract record RouteModification : Modification
{
    /// <summary>route_id values of the feed (or of routes added earlier in the scenario).</summary>
    public IReadOnlyList<string>? Routes { get; init; }

    /// <summary>Every route of this agency_id.</summary>
    public string? AgencyId { get; init; }

    /// <summary>Every route of this GTFS route_type (3 = bus).</summary>
    public int? RouteType { get; init; }
}

/// <summary>
/// A new route: a pattern through existing stops (by id) and/or new stops (points), or through
/// stops placed along a drawn line every <see cref="StopSpacingMeters"/>; in one or both directions.
/// Running times come from <see cref="HopSeconds"/> or from <see cref="SpeedKmh"/> (along the drawn
/// line, or great-circle between consecutive stops), plus <see cref="DwellSeconds"/> at every stop
/// between the first and the last. Trips leave the first stop at every departure of
/// <see cref="Frequencies"/> and <see cref="Departures"/>; the reverse direction leaves its own
/// first stop at the same times.
/// </summary>
public sealed record AddRoute : Modification
{
    /// <summary>route_id of the new route; default "scenario-N" for the N-th modification (1-based). Must not be a route of the feed.</summary>
    public string? RouteId { get; init; }

    public string? Name { get; init; }

    /// <summary>GTFS route_type; default 3 (bus).</summary>
    public int RouteType { get; init; } = 3;

    public string? AgencyId { get; init; }

    /// <summary>The stops in order (either this or <see cref="Line"/>).</summary>
    public IReadOnlyList<RouteStop>? Stops { get; init; }

    /// <summary>A drawn route as [lon, lat] positions (GeoJSON order); stops are placed along it.</summary>
    public IReadOnlyList<double[]>? Line { get; init; }

    /// <summary>With <see cref="Line"/>: a stop at the start, then every this many metres along the line, and one at its end.</summary>
    public double? StopSpacingMeters { get; init; }

    /// <summary>Both directions (default) or only the order given.</summary>
    public bool Bidirectional { get; init; } = true;

    /// <summary>Seconds from leaving each stop to reaching the next (one fewer than the stops).</summary>
    public IReadOnlyList<int>? HopSeconds { get; init; }

    /// <summary>Running speed, km/h, instead of <see cref="HopSeconds"/>; each hop is rounded to the nearest second.</summary>
    public double? SpeedKmh { get; init; }

    /// <summary>Seconds stopped at every stop but the first and the last.</summary>
    public int DwellSeconds { get; init; }

    public IReadOnlyList<FrequencyEntry>? Frequencies { get; init; }

    /// <summary>Explicit departures from the first stop ("HH:MM[:SS]").</summary>
    public IReadOnlyList<string>? Departures { get; init; }
}

/// <summary>An existing stop by <see cref="StopId"/>, or a new stop at <see cref="Lat"/>/<see cref="Lon"/> (its id optional).</summary>
public sealed record RouteStop
{
    public string? StopId { get; init; }
    public double? Lat { get; init; }
    public double? Lon { get; init; }
}

/// <summary>Departures every <see cref="HeadwaySeconds"/> from <see cref="From"/> (inclusive) to <see cref="To"/> (exclusive).</summary>
public sealed record FrequencyEntry
{
    public string From { get; init; } = "";
    public string To { get; init; } = "";
    public int HeadwaySeconds { get; init; }
}

/// <summary>
/// A new service level for the chosen routes between <see cref="From"/> and <see cref="To"/>: either
/// a headway or a factor on the current one (0.5 doubles the frequency). Trips are regenerated per
/// stop sequence of each route (see <see cref="ScenarioApplier"/> for how).
/// </summary>
public sealed record AdjustFrequency : RouteModification
{
    public string From { get; init; } = "";
    public string To { get; init; } = "";
    public int? HeadwaySeconds { get; init; }
    public double? Factor { get; init; }
}

/// <summary>
/// Removes the chosen routes' trips (all, or those leaving their first stop in
/// [<see cref="From"/>, <see cref="To"/>)), or with <see cref="Stops"/> only those stops from the
/// trips (skip-stop: no boarding or alighting there, the other stops keep their times).
/// </summary>
public sealed record RemoveService : RouteModification
{
    public string? From { get; init; }
    public string? To { get; init; }
    public IReadOnlyList<string>? Stops { get; init; }
}

/// <summary>
/// Scales the chosen routes' running times (hop from one stop to the next) by
/// <see cref="RunningTimeFactor"/> (0.8: 20% less time), and/or sets or scales dwell times: on every
/// hop, only between <see cref="FromStop"/> and <see cref="ToStop"/> (as each trip visits them), or
/// only on hops with both stops inside <see cref="Polygon"/> (bus priority on a corridor). Trips
/// keep their departure from the first stop; every later time moves by the change upstream of it.
/// </summary>
public sealed record AdjustSpeed : RouteModification
{
    public double? RunningTimeFactor { get; init; }
    public string? FromStop { get; init; }
    public string? ToStop { get; init; }

    /// <summary>A ring of [lon, lat] positions (GeoJSON order; closing it is optional).</summary>
    public IReadOnlyList<double[]>? Polygon { get; init; }

    /// <summary>New dwell at the affected stops (not a trip's first or last).</summary>
    public int? DwellSeconds { get; init; }

    /// <summary>Factor on the dwell at the affected stops, each rounded to the nearest second.</summary>
    public double? DwellFactor { get; init; }
}
