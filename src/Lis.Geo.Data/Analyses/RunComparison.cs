using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lis.Geo.Data.Analyses;

/// <summary>
/// A run (usually with a scenario) against a baseline run that differs from it in nothing but the
/// scenario: per zone the change in centres reachable, nearest-centre time and time share (the layer
/// <see cref="Layers.LayerCatalog.ComparisonLayer"/>), and here the headline share before and after,
/// overall and by LEP, local authority and IMD decile, with the residents who gain or lose the target
/// (≥ minCentres within the threshold) and how many of them live in the most deprived 20% of LSOAs
/// (deciles 1–2 of the runs' deprivation edition, <see cref="Summary.Deprivation"/>, by <see cref="DeprivationJoin"/> as every other figure).
/// </summary>
public static class RunComparison
{
    /// <summary>A group's figures: populations are the zones' weights; shares are population-weighted.</summary>
    public sealed record Group(string? Key, string? Name, int Zones, double Population,
        double ShareBefore, double ShareAfter, double ShareChange, double TimeShareBefore, double TimeShareAfter,
        double MeanCentresBefore, double MeanCentresAfter,
        double ResidentsGaining, double ResidentsLosing, double ResidentsGainingMostDeprived20, double ResidentsLosingMostDeprived20,
        int ZonesGaining, int ZonesLosing);

    public sealed record Summary(long Run, long Baseline, ScenarioRef? Scenario, ScenarioRef? BaselineScenario,
        int ThresholdMinutes, int MinCentres, int Percentile, string? Deprivation, Group Overall,
        IReadOnlyList<Group> ByLep, IReadOnlyList<Group> ByLocalAuthority, IReadOnlyList<Group> ByImdDecile);

    /// <summary>
    /// Why <paramref name="run"/> and <paramref name="baseline"/> cannot be compared zone by zone; empty
    /// when they can. Everything in the run record but the scenario (and the free-text name, the
    /// search direction, which gives identical travel times, and whether the feed was named or taken
    /// as the default, since <see cref="RunSpec.Feeds"/> pins the feed and its hash either way) must be
    /// equal, and so must the versions of the origins, destinations and engine.
    /// </summary>
    public static IReadOnlyList<string> Differences(AnalysisRun run, AnalysisRun baseline)
    {
        var reasons = new List<string>();
        if (run.Spec.Type == AnalysisTypes.Isochrones || baseline.Spec.Type == AnalysisTypes.Isochrones)
            reasons.Add("isochrone runs have no zone results to compare; compare zone-access, site-access or corridor runs");
        var a = Comparable(run.Spec);
        var b = Comparable(baseline.Spec);
        foreach (var key in a.Select(p => p.Key).Union(b.Select(p => p.Key)).Order(StringComparer.Ordinal))
            if (!JsonNode.DeepEquals(a[key], b[key]))
                reasons.Add($"{key}: {Text(a[key])} in run {run.Id}, {Text(b[key])} in run {baseline.Id}");
        if (run.OriginVersion != baseline.OriginVersion)
            reasons.Add($"origins: {run.OriginSet} version {run.OriginVersion} in run {run.Id}, {baseline.OriginSet} version {baseline.OriginVersion} in run {baseline.Id}");
        if (run.DestinationVersion != baseline.DestinationVersion)
            reasons.Add($"destinations: {run.DestinationSet} version {run.DestinationVersion} in run {run.Id}, {baseline.DestinationSet} version {baseline.DestinationVersion} in run {baseline.Id}");
        if (run.EngineVersion != baseline.EngineVersion)
            reasons.Add($"engineVersion: {run.EngineVersion} in run {run.Id}, {baseline.EngineVersion} in run {baseline.Id}");
        return reasons;
    }

    private static JsonObject Comparable(RunSpec spec) =>
        JsonSerializer.SerializeToNode(spec with { Scenario = null, Name = null, Search = null, DefaultFeed = null }, RunSpec.Json)!.AsObject();

    private static string Text(JsonNode? node) => node?.ToJsonString() is { } s ? s.Length > 120 ? s[..117] + "…" : s : "null";

    /// <summary>The summary of two comparable, succeeded runs (check <see cref="Differences"/> first).</summary>
    public static async Task<Summary> ComputeAsync(NpgsqlDataSource db, AnalysisRun run, AnalysisRun baseline, CancellationToken ct)
    {
        var access = run.Spec.Access;
        var columns = $"""
            coalesce({Indicators.MostDeprived20("d")}, false) AS deprived,
            {Indicators.MeetsTarget("br", "$3")} AS before, {Indicators.MeetsTarget("r", "$3")} AS after,
            {Indicators.TimeShare("br")} AS ts_before,
            {Indicators.TimeShare("r")} AS ts_after,
            br.centres_reachable AS c_before, r.centres_reachable AS c_after
            """;
        var baselineJoins = RunOrigins.BaselineJoin("$4");
        var sql = $"""
            {ReportingGroups.ZoneOrigins(run.Spec.Deprivation, columns, baselineJoins)}
            SELECT {ReportingGroups.KindKeyName},
                   count(*)::int, coalesce(sum(weight ORDER BY index), 0),
                   coalesce(sum(weight ORDER BY index) FILTER (WHERE before), 0), coalesce(sum(weight ORDER BY index) FILTER (WHERE after), 0),
                   coalesce(sum(weight * ts_before ORDER BY index), 0), coalesce(sum(weight * ts_after ORDER BY index), 0),
                   coalesce(sum(weight * c_before ORDER BY index), 0), coalesce(sum(weight * c_after ORDER BY index), 0),
                   coalesce(sum(weight ORDER BY index) FILTER (WHERE after AND NOT before), 0), coalesce(sum(weight ORDER BY index) FILTER (WHERE before AND NOT after), 0),
                   coalesce(sum(weight ORDER BY index) FILTER (WHERE after AND NOT before AND deprived), 0), coalesce(sum(weight ORDER BY index) FILTER (WHERE before AND NOT after AND deprived), 0),
                   (count(*) FILTER (WHERE after AND NOT before))::int, (count(*) FILTER (WHERE before AND NOT after))::int
            {ReportingGroups.GroupAndOrder}
            """;
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.Add(new() { Value = run.Id });
        cmd.Parameters.Add(new() { Value = run.Spec.ZoneSet });
        cmd.Parameters.Add(new() { Value = access.MinCentres });
        cmd.Parameters.Add(new() { Value = baseline.Id });
        var groups = await ReportingGroups.ReadAsync(cmd, (r, key, name) =>
        {
            var population = r.GetDouble(4);
            double Per(int i) => population > 0 ? r.GetDouble(i) / population : 0;
            return new Group(key, name, r.GetInt32(3), population,
                Per(5), Per(6), Per(6) - Per(5), Per(7), Per(8), Per(9), Per(10),
                r.GetDouble(11), r.GetDouble(12), r.GetDouble(13), r.GetDouble(14), r.GetInt32(15), r.GetInt32(16));
        }, ct);
        return new Summary(run.Id, baseline.Id, ScenarioRef.Of(run.Spec.Scenario), ScenarioRef.Of(baseline.Spec.Scenario),
            access.ThresholdMinutes, access.MinCentres, access.Percentile, run.Spec.Deprivation,
            groups.Overall, groups.ByLep, groups.ByLocalAuthority, groups.ByImdDecile);
    }

    /// <summary>The id of the comparison's OGC collection.</summary>
    public static string CollectionId(long run, long baseline) => $"analysis-{run}-vs-{baseline}";
}
