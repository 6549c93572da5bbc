namespace Lis.Geo.Transit.Scenarios;

/// <summary>A problem with a scenario: the JSON path of the member at fault (e.g. <c>modifications[2].headwaySeconds</c>) and what is wrong.</summary>
public sealed record ScenarioError(string Field, string Message);

/// <summary>Thrown when a scenario that was not validated is applied; carries every error.</summary>
public sealed class ScenarioException(IReadOnlyList<ScenarioError> errors)
    : ArgumentException("invalid scenario: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")))
{
    public IReadOnlyList<ScenarioError> Errors { get; } = errors;
}

/// <summary>The route and stop ids a scenario may name: a feed's (as stored) or a compiled day's.</summary>
public sealed class ScenarioIds(Func<string, bool> hasRoute, Func<string, bool> hasStop)
{
    public bool HasRoute(string routeId) => hasRoute(routeId);
    public bool HasStop(string stopId) => hasStop(stopId);

    public static ScenarioIds Of(Timetable timetable) =>
        new(id => timetable.TryGetRoute(id, out _), id => timetable.TryGetStop(id, out _));
}

/// <summary>
/// Checks a scenario before any work: every problem is returned (none thrown), each naming its
/// field with the modification's index. Routes and stops added by earlier modifications count as
/// known to later ones.
/// </summary>
public static class ScenarioValidator
{
    public const int MaxModifications = 200;
    public const int MaxStopsPerRoute = 2_000;
    public const int MaxPositions = 20_000;

    /// <summary>Departures one add-route may generate per direction (a whole day at a 30 s headway).</summary>
    public const int MaxDeparturesPerRoute = 2_880;

    /// <param name="ids">Known route and stop ids; null checks the scenario's form only.</param>
    public static IReadOnlyList<ScenarioError> Validate(Scenario? scenario, ScenarioIds? ids)
    {
        var errors = new List<ScenarioError>();
        if (scenario?.Modifications is not { } modifications)
        {
            errors.Add(new("modifications", "a list of modifications is required (it may be empty)."));
            return errors;
        }
        if (modifications.Count > MaxModifications)
        {
            errors.Add(new("modifications", $"at most {MaxModifications} modifications (got {modifications.Count})."));
            return errors;
        }
        var addedRoutes = new HashSet<string>(StringComparer.Ordinal);
        var addedStops = new HashSet<string>(StringComparer.Ordinal);
        bool KnownRoute(string id) => addedRoutes.Contains(id) || ids is null || ids.HasRoute(id);
        bool KnownStop(string id) => addedStops.Contains(id) || ids is null || ids.HasStop(id);
        for (var i = 0; i < modifications.Count; i++)
        {
            var p = $"modifications[{i}]";
            switch (modifications[i])
            {
                case AddRoute a:
                    CheckAddRoute(a, i, p, errors, ids, addedRoutes, addedStops, KnownStop);
                    break;
                case AdjustFrequency f:
                    CheckSelection(f, p, errors, KnownRoute);
                    CheckRange(f.From, f.To, p, errors, required: true);
                    if ((f.HeadwaySeconds is null) == (f.Factor is null))
                        errors.Add(new($"{p}.headwaySeconds", "give either headwaySeconds or factor."));
                    if (f.HeadwaySeconds is <= 0) errors.Add(new($"{p}.headwaySeconds", $"must be > 0 (got {f.HeadwaySeconds})."));
                    if (f.Factor is { } factor && !(factor > 0 && double.IsFinite(factor))) errors.Add(new($"{p}.factor", $"must be > 0 (got {factor})."));
                    break;
                case RemoveService r:
                    CheckSelection(r, p, errors, KnownRoute);
                    CheckRange(r.From, r.To, p, errors, required: false);
                    if (r.Stops is { Count: 0 }) errors.Add(new($"{p}.stops", "give at least one stop, or leave stops out to remove whole trips."));
                    for (var j = 0; r.Stops is not null && j < r.Stops.Count; j++)
                        CheckStop(r.Stops[j], $"{p}.stops[{j}]", errors, KnownStop);
                    break;
                case AdjustSpeed s:
                    CheckSelection(s, p, errors, KnownRoute);
                    CheckAdjustSpeed(s, p, errors, KnownStop);
                    break;
                default:
                    errors.Add(new($"{p}.type", "must be add-route, adjust-frequency, remove or adjust-speed."));
                    break;
            }
        }
        return errors;
    }

    private static void CheckAddRoute(AddRoute a, int i, string p, List<ScenarioError> errors, ScenarioIds? ids,
        HashSet<string> addedRoutes, HashSet<string> addedStops, Func<string, bool> knownStop)
    {
        var routeId = ScenarioApplier.RouteIdOf(a, i);
        if (a.RouteId is { Length: 0 }) errors.Add(new($"{p}.routeId", "must not be empty (leave it out for a generated id)."));
        else if ((ids?.HasRoute(routeId) ?? false) || !addedRoutes.Add(routeId))
            errors.Add(new($"{p}.routeId", $"route '{routeId}' already exists."));
        if (a.RouteType < 0) errors.Add(new($"{p}.routeType", $"must be a GTFS route_type >= 0 (got {a.RouteType})."));

        int stopCount;
        if ((a.Stops is null) == (a.Line is null))
        {
            errors.Add(new($"{p}.stops", "give either stops or line."));
            stopCount = -1;
        }
        else if (a.Stops is { } stops)
        {
            stopCount = stops.Count;
            if (stops.Count is < 2 or > MaxStopsPerRoute) errors.Add(new($"{p}.stops", $"2–{MaxStopsPerRoute} stops (got {stops.Count})."));
            for (var j = 0; j < Math.Min(stops.Count, MaxStopsPerRoute); j++)
            {
                var sp = $"{p}.stops[{j}]";
                var stop = stops[j];
                if (stop is null)
                {
                    errors.Add(new(sp, "must be an object."));
                    continue;
                }
                if (stop.Lat is not null || stop.Lon is not null)
                {
                    if (stop.Lat is not { } lat || !(lat is >= -90 and <= 90)) errors.Add(new($"{sp}.lat", "a new stop needs lat in -90..90."));
                    if (stop.Lon is not { } lon || !(lon is >= -180 and <= 180)) errors.Add(new($"{sp}.lon", "a new stop needs lon in -180..180."));
                    var newId = ScenarioApplier.NewStopId(routeId, stop.StopId, j);
                    if (stop.StopId is { Length: 0 }) errors.Add(new($"{sp}.stopId", "must not be empty (leave it out for a generated id)."));
                    else if ((ids?.HasStop(newId) ?? false) || !addedStops.Add(newId))
                        errors.Add(new($"{sp}.stopId", $"stop '{newId}' already exists; leave out lat/lon to use it."));
                }
                else if (string.IsNullOrEmpty(stop.StopId)) errors.Add(new($"{sp}.stopId", "give an existing stopId, or lat and lon for a new stop."));
                else CheckStop(stop.StopId, $"{sp}.stopId", errors, knownStop);
            }
            if (a.StopSpacingMeters is not null) errors.Add(new($"{p}.stopSpacingMeters", "applies only to a line."));
        }
        else
        {
            var line = a.Line!;
            stopCount = -1;
            if (line.Count is < 2 or > MaxPositions) errors.Add(new($"{p}.line", $"2–{MaxPositions} positions (got {line.Count})."));
            var before = errors.Count;
            for (var j = 0; j < Math.Min(line.Count, MaxPositions); j++) CheckPosition(line[j], $"{p}.line[{j}]", errors);
            if (a.StopSpacingMeters is not { } spacing || !(spacing > 0 && double.IsFinite(spacing)))
                errors.Add(new($"{p}.stopSpacingMeters", "a line needs stopSpacingMeters > 0."));
            else if (errors.Count == before && ScenarioApplier.LineLengthMeters(line) / spacing > MaxStopsPerRoute)
                errors.Add(new($"{p}.stopSpacingMeters", $"would place more than {MaxStopsPerRoute} stops."));
            if (a.HopSeconds is not null) errors.Add(new($"{p}.hopSeconds", "stops placed along a line take speedKmh, not hopSeconds."));
        }

        if (a.HopSeconds is null && a.SpeedKmh is null) errors.Add(new($"{p}.speedKmh", "give hopSeconds or speedKmh."));
        if (a.HopSeconds is not null && a.SpeedKmh is not null) errors.Add(new($"{p}.speedKmh", "give hopSeconds or speedKmh, not both."));
        if (a.SpeedKmh is { } speed && !(speed > 0 && double.IsFinite(speed))) errors.Add(new($"{p}.speedKmh", $"must be > 0 (got {speed})."));
        if (a.HopSeconds is { } hops)
        {
            if (stopCount >= 2 && hops.Count != stopCount - 1)
                errors.Add(new($"{p}.hopSeconds", $"one per hop: {stopCount - 1} for {stopCount} stops (got {hops.Count})."));
            for (var j = 0; j < hops.Count; j++)
                if (hops[j] is < 0 or > 86_400) errors.Add(new($"{p}.hopSeconds[{j}]", $"must be 0–86400 (got {hops[j]})."));
        }
        if (a.DwellSeconds is < 0 or > 3600) errors.Add(new($"{p}.dwellSeconds", $"must be 0–3600 (got {a.DwellSeconds})."));

        if ((a.Frequencies?.Count ?? 0) + (a.Departures?.Count ?? 0) == 0)
            errors.Add(new($"{p}.frequencies", "give frequencies or departures: the route needs service."));
        long departures = a.Departures?.Count ?? 0;
        for (var j = 0; a.Frequencies is not null && j < a.Frequencies.Count; j++)
        {
            var fp = $"{p}.frequencies[{j}]";
            var f = a.Frequencies[j];
            if (f is null)
            {
                errors.Add(new(fp, "must be an object."));
                continue;
            }
            var ok = CheckRange(f.From, f.To, fp, errors, required: true);
            if (f.HeadwaySeconds <= 0) errors.Add(new($"{fp}.headwaySeconds", $"must be > 0 (got {f.HeadwaySeconds})."));
            else if (ok && ClockTime.TryParse(f.From, out var from) && ClockTime.TryParse(f.To, out var to))
                departures += (to - from + f.HeadwaySeconds - 1) / f.HeadwaySeconds;
        }
        for (var j = 0; a.Departures is not null && j < a.Departures.Count; j++)
            if (!ClockTime.TryParse(a.Departures[j], out _)) errors.Add(new($"{p}.departures[{j}]", $"'{a.Departures[j]}' is not HH:MM or HH:MM:SS (hours 0–47)."));
        if (departures > MaxDeparturesPerRoute)
            errors.Add(new($"{p}.frequencies", $"at most {MaxDeparturesPerRoute} departures per direction (these give {departures})."));
    }

    private static void CheckAdjustSpeed(AdjustSpeed s, string p, List<ScenarioError> errors, Func<string, bool> knownStop)
    {
        if (s.RunningTimeFactor is null && s.DwellSeconds is null && s.DwellFactor is null)
            errors.Add(new($"{p}.runningTimeFactor", "give runningTimeFactor, dwellSeconds or dwellFactor."));
        if (s.RunningTimeFactor is { } f && !(f > 0 && double.IsFinite(f))) errors.Add(new($"{p}.runningTimeFactor", $"must be > 0 (got {f})."));
        if (s.DwellSeconds is < 0 or > 3600) errors.Add(new($"{p}.dwellSeconds", $"must be 0–3600 (got {s.DwellSeconds})."));
        if (s.DwellFactor is { } d && !(d >= 0 && double.IsFinite(d))) errors.Add(new($"{p}.dwellFactor", $"must be >= 0 (got {d})."));
        if (s.DwellSeconds is not null && s.DwellFactor is not null) errors.Add(new($"{p}.dwellFactor", "give dwellSeconds or dwellFactor, not both."));
        if ((s.FromStop is null) != (s.ToStop is null)) errors.Add(new(s.FromStop is null ? $"{p}.fromStop" : $"{p}.toStop", "give both fromStop and toStop, or neither."));
        if (s.FromStop is not null) CheckStop(s.FromStop, $"{p}.fromStop", errors, knownStop);
        if (s.ToStop is not null) CheckStop(s.ToStop, $"{p}.toStop", errors, knownStop);
        if (s.FromStop is not null && s.FromStop == s.ToStop) errors.Add(new($"{p}.toStop", "must differ from fromStop."));
        if (s.Polygon is { } polygon)
        {
            if (s.FromStop is not null) errors.Add(new($"{p}.polygon", "give a polygon or fromStop/toStop, not both."));
            if (polygon.Count is < 3 or > MaxPositions) errors.Add(new($"{p}.polygon", $"3–{MaxPositions} positions (got {polygon.Count})."));
            for (var j = 0; j < Math.Min(polygon.Count, MaxPositions); j++) CheckPosition(polygon[j], $"{p}.polygon[{j}]", errors);
        }
    }

    private static void CheckSelection(RouteModification m, string p, List<ScenarioError> errors, Func<string, bool> knownRoute)
    {
        if (m.Routes is null && m.AgencyId is null && m.RouteType is null)
            errors.Add(new($"{p}.routes", "choose routes by id, agencyId or routeType."));
        if (m.Routes is { Count: 0 }) errors.Add(new($"{p}.routes", "must name at least one route (or be left out)."));
        for (var j = 0; m.Routes is not null && j < m.Routes.Count; j++)
        {
            if (string.IsNullOrEmpty(m.Routes[j])) errors.Add(new($"{p}.routes[{j}]", "must be a route_id."));
            else if (!knownRoute(m.Routes[j])) errors.Add(new($"{p}.routes[{j}]", $"unknown route '{m.Routes[j]}'."));
        }
    }

    private static void CheckStop(string? stopId, string field, List<ScenarioError> errors, Func<string, bool> knownStop)
    {
        if (string.IsNullOrEmpty(stopId)) errors.Add(new(field, "must be a stop_id."));
        else if (!knownStop(stopId)) errors.Add(new(field, $"unknown stop '{stopId}'."));
    }

    /// <returns>True when both times parse and the range is not empty (or neither is given and none is required).</returns>
    private static bool CheckRange(string? from, string? to, string p, List<ScenarioError> errors, bool required)
    {
        if (!required && from is null && to is null) return true;
        var ok = true;
        if (!ClockTime.TryParse(from, out var f))
        {
            errors.Add(new($"{p}.from", $"'{from}' is not HH:MM or HH:MM:SS (hours 0–47)."));
            ok = false;
        }
        if (!ClockTime.TryParse(to, out var t))
        {
            errors.Add(new($"{p}.to", $"'{to}' is not HH:MM or HH:MM:SS (hours 0–47)."));
            ok = false;
        }
        if (ok && t <= f)
        {
            errors.Add(new($"{p}.to", $"empty time range: to ({to}) must be after from ({from})."));
            ok = false;
        }
        return ok;
    }

    private static void CheckPosition(double[]? position, string field, List<ScenarioError> errors)
    {
        if (position is not { Length: 2 } || !(position[0] is >= -180 and <= 180) || !(position[1] is >= -90 and <= 90))
            errors.Add(new(field, "must be [lon, lat] with lon in -180..180 and lat in -90..90."));
    }
}
