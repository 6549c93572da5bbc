namespace Lis.Geo.Transit.Scenarios;

/// <summary>A route line of a scenario: one per distinct stop sequence of a route the scenario adds or changes.</summary>
/// <param name="Modification">Index of the first modification that adds or chooses the route.</param>
/// <param name="Kind">"added" (a new route), "changed" (a route with trips left) or "removed" (no trip left; its baseline lines).</param>
/// <param name="Trips">Trips running this stop sequence in the scenario (0 for removed).</param>
public sealed record PreviewLine(int Modification, string Kind, string RouteId, IReadOnlyList<GeoPoint> Points, int Trips);

/// <param name="Kind">"new" (added by the scenario) or "skipped" (removed from the chosen routes' trips).</param>
public sealed record PreviewStop(int Modification, string Kind, string StopId, GeoPoint Point);

/// <summary>What a scenario draws on a map: its new and changed route lines and its new and skipped stops.</summary>
public sealed record ScenarioPreview(IReadOnlyList<PreviewLine> Lines, IReadOnlyList<PreviewStop> Stops, IReadOnlyList<ScenarioError> Notes)
{
    public static ScenarioPreview Compute(Timetable baseline, Scenario scenario)
    {
        var applied = ScenarioApplier.Apply(baseline, scenario);
        var day = applied.Timetable;
        // Route index (in the scenario's day) → first modification touching it.
        var touched = new Dictionary<int, int>();
        var stops = new List<PreviewStop>();
        for (var i = 0; i < scenario.Modifications.Count; i++)
        {
            switch (scenario.Modifications[i])
            {
                case AddRoute a when day.TryGetRoute(ScenarioApplier.RouteIdOf(a, i), out var r):
                    touched.TryAdd(r, i);
                    break;
                case RouteModification m:
                    for (var r = 0; r < day.RouteCount; r++)
                    {
                        if ((m.Routes is null || m.Routes.Contains(day.RouteId(r))) && (m.AgencyId is null || m.AgencyId == day.RouteAgencyId(r)) &&
                            (m.RouteType is null || m.RouteType == day.RouteType(r)))
                            touched.TryAdd(r, i);
                    }
                    if (m is RemoveService { Stops: { } skipped })
                        foreach (var id in skipped)
                            if (day.TryGetStop(id, out var s)) stops.Add(new PreviewStop(i, "skipped", id, day.StopLocation(s)));
                    break;
            }
        }
        for (var s = baseline.StopCount; s < day.StopCount; s++)
        {
            var modification = Enumerable.Range(0, day.PatternCount)
                .Where(p => day.PatternStops.AsSpan(day.PatternStopStart[p], day.PatternStopStart[p + 1] - day.PatternStopStart[p]).Contains(s))
                .Select(p => touched.GetValueOrDefault(day.TripRoutes[day.PatternTripStart[p]], -1)).FirstOrDefault(-1);
            stops.Add(new PreviewStop(modification, "new", day.StopId(s), day.StopLocation(s)));
        }

        var lines = new List<PreviewLine>();
        var scenarioLines = Sequences(day, touched.Keys.ToHashSet());
        foreach (var (r, i) in touched.OrderBy(kv => kv.Value).ThenBy(kv => kv.Key))
        {
            var routeId = day.RouteId(r);
            var inBaseline = baseline.TryGetRoute(routeId, out var br);
            if (scenarioLines.TryGetValue(r, out var sequences))
            {
                foreach (var (points, trips) in sequences) lines.Add(new PreviewLine(i, inBaseline ? "changed" : "added", routeId, points, trips));
            }
            else if (inBaseline && Sequences(baseline, [br]).TryGetValue(br, out var old))
            {
                foreach (var (points, _) in old) lines.Add(new PreviewLine(i, "removed", routeId, points, 0));
            }
        }
        return new ScenarioPreview(lines, stops, applied.Notes);
    }

    /// <summary>Per route of <paramref name="routes"/>, its distinct stop sequences as points, with their trip counts.</summary>
    private static Dictionary<int, List<(GeoPoint[] Points, int Trips)>> Sequences(Timetable t, HashSet<int> routes)
    {
        var result = new Dictionary<int, List<(GeoPoint[], int)>>();
        var index = new Dictionary<(int, string), int>();
        for (var p = 0; p < t.PatternCount; p++)
        {
            var stops = t.PatternStops.AsSpan(t.PatternStopStart[p], t.PatternStopStart[p + 1] - t.PatternStopStart[p]).ToArray();
            var key = string.Join(',', stops);
            for (var k = t.PatternTripStart[p]; k < t.PatternTripStart[p + 1]; k++)
            {
                var r = t.TripRoutes[k];
                if (!routes.Contains(r)) continue;
                if (!result.TryGetValue(r, out var list)) result[r] = list = [];
                if (index.TryGetValue((r, key), out var at)) list[at] = (list[at].Item1, list[at].Item2 + 1);
                else
                {
                    index[(r, key)] = list.Count;
                    list.Add(([.. stops.Select(t.StopLocation)], 1));
                }
            }
        }
        return result;
    }
}
