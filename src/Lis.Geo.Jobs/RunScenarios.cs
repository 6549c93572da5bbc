using Lis.Geo.Transit.Scenarios;

namespace Lis.Geo.Jobs;

/// <summary>
/// The stored scenario a run or an interactive query names (<c>scenario</c>, an id), frozen into a
/// <see cref="RunScenario"/> (content and hash as they are now), with the same checks everywhere: the
/// scenario exists, and it is on the one feed routed (its route and stop ids are that feed's).
/// </summary>
public static class RunScenarios
{
    /// <summary>The stored scenario <paramref name="id"/>, or null when none is named.</summary>
    /// <exception cref="RuleViolation"><c>scenario</c>: no such scenario.</exception>
    public static async Task<ScenarioRecord?> FindAsync(NpgsqlDataSource db, long? id, CancellationToken ct)
    {
        if (id is not { } scenarioId) return null;
        await using var ctx = LisGeoDb.CreateContext(db);
        return await ctx.Scenarios.AsNoTracking().FirstOrDefaultAsync(s => s.Id == scenarioId, ct)
            ?? throw new RuleViolation("scenario", RuleKind.NotFound, $"No scenario {scenarioId}; GET /scenarios lists them.");
    }

    /// <summary>
    /// The feed to route on when the request names none: a scenario's own feed (it can run on no
    /// other), else null for the usual default.
    /// </summary>
    public static long? DefaultFeed(long? feedId, IReadOnlyList<long>? feeds, ScenarioRecord? scenario) =>
        feedId ?? (feeds is null ? scenario?.FeedId : null);

    /// <summary>The scenario frozen for <paramref name="feeds"/>; null when <paramref name="record"/> is.</summary>
    /// <exception cref="RuleViolation"><c>scenario</c>: on another feed than the one routed, or several feeds merged.</exception>
    public static RunScenario? Freeze(ScenarioRecord? record, IReadOnlyList<TransitFeed> feeds)
    {
        if (record is null) return null;
        if (feeds.Count != 1)
            throw new RuleViolation("scenario", RuleKind.Conflict,
                $"Scenario {record.Id} is on feed {record.FeedId}; a scenario applies to one feed, not to {feeds.Count} feeds merged.");
        if (feeds[0].Id != record.FeedId)
            throw new RuleViolation("scenario", RuleKind.Conflict,
                $"Scenario {record.Id} is on feed {record.FeedId}, not on feed {feeds[0].Id}; omit feedId to run on the scenario's feed.");
        // The engine's canonical form (the store's jsonb reorders members; the hash is of this form).
        using var content = JsonDocument.Parse(Scenario.FromJson(record.Content).ToJson());
        return new RunScenario(record.Id, record.Name, record.Sha256, content.RootElement.Clone());
    }

    /// <summary>
    /// The violation when scenario <paramref name="scenarioId"/>'s modifications cannot be applied to the day's
    /// timetable (e.g. a route that runs no trip that day), for a run and a preview alike: <paramref name="field"/>
    /// is <c>scenario</c> where a request names it, the modification's own member where the URL names the scenario.
    /// </summary>
    public static ScenarioUnapplicableException Unapplicable(long scenarioId, DateOnly day, ScenarioException e, string field = "scenario") =>
        new(field, $"Scenario {scenarioId} cannot be applied on {day:yyyy-MM-dd}: {e.Errors[0].Field}: {e.Errors[0].Message}", e.Errors);
}

/// <summary>A scenario that cannot be applied on a day: a <see cref="RuleViolation"/> (unavailable) carrying every error the engine found, so the answer lists them all.</summary>
public sealed class ScenarioUnapplicableException(string field, string message, IReadOnlyList<ScenarioError> errors)
    : RuleViolation(field, RuleKind.Unavailable, message)
{
    public IReadOnlyList<ScenarioError> Errors { get; } = errors;
}
