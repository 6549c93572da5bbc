using System.Globalization;

namespace Lis.Geo.Transit.Scenarios;

/// <summary>
/// Scenario timetables on disk, one file per (feed hash, service date, scenario hash, rules
/// version), beside the compiled days of <see cref="TimetableCache"/>: a scenario is applied once
/// and every later run with it loads the result.
/// </summary>
public sealed class ScenarioCache(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>The baseline with the scenario applied; the baseline itself for the empty scenario.</summary>
    /// <remarks>Notes are only produced when the scenario is applied, not when it is loaded: callers that need them apply it.</remarks>
    public Timetable LoadOrApply(Timetable baseline, Scenario scenario, IProgress<string>? progress = null)
    {
        if (scenario.Modifications.Count == 0) return baseline;
        // The file format keeps one feed per timetable; a merged day's scenario is applied in memory.
        if (baseline.Feeds.Count > 1) return ScenarioApplier.Apply(baseline, scenario).Timetable;
        var hash = scenario.ComputeHash();
        var file = Path.Combine(Directory,
            $"{baseline.FeedHash[..16]}-{baseline.ServiceDate.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}-s{hash[..16]}-r{ScenarioApplier.RulesVersion}-v{TimetableFile.FormatVersion}.lgtt");
        return TimetableFile.LoadOrBuild(file,
            loaded => loaded.FeedHash == baseline.FeedHash && loaded.ServiceDate == baseline.ServiceDate && loaded.ScenarioHash == hash,
            () => ScenarioApplier.Apply(baseline, scenario).Timetable, "scenario", progress);
    }
}
