using Lis.Geo.Data.Analyses;
using Lis.Geo.Transit;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>
/// The one way an endpoint requires the analysis run a parameter names: found (else a
/// <see cref="RuleViolation"/> of kind not-found, which <see cref="Problems.For"/> answers 404 for a URL
/// parameter) and, where results are read, succeeded (else <see cref="RunNotFinishedException"/>, a 409
/// carrying the run's state so a client can tell waiting from giving up).
/// </summary>
public static class RequiredRun
{
    /// <summary>
    /// The run <paramref name="id"/>, named by <paramref name="field"/>. <paramref name="role"/> says what the
    /// run is for in the message (" to compare with"); <paramref name="missingKind"/> is not-found except where
    /// a test pins a missing operand run as a bad parameter (400) rather than a missing resource.
    /// </summary>
    public static async Task<AnalysisRun> FoundAsync(NpgsqlDataSource db, long id, string field, CancellationToken ct,
        string role = "", string missingKind = RuleKind.NotFound) =>
        await RunStore.LoadAsync(db, id, ct) ?? throw Missing(id, field, role, missingKind);

    /// <summary>The violation for run <paramref name="id"/> not being there (also when it went between a check and a write).</summary>
    public static RuleViolation Missing(long id, string field, string role = "", string kind = RuleKind.NotFound) =>
        new(field, kind, $"No analysis run {id}{role}. GET /analyses lists them.");

    /// <summary>What a run's results wait for, the usual end of the 409's message.</summary>
    public const string ResultsServed = "results are served once it has succeeded";

    /// <summary>The run, found and succeeded; <paramref name="until"/> ends the 409's message.</summary>
    public static async Task<AnalysisRun> SucceededAsync(NpgsqlDataSource db, long id, string field, CancellationToken ct, string until = ResultsServed, string role = "") =>
        Succeeded(await FoundAsync(db, id, field, ct, role), field, until);

    /// <summary><paramref name="run"/> if it has succeeded; else the 409 naming <paramref name="field"/> and the run's state.</summary>
    public static AnalysisRun Succeeded(AnalysisRun run, string field, string until = ResultsServed) =>
        run.State == RunState.Succeeded ? run : throw new RunNotFinishedException(run.Id, run.State, field, $"Run {run.Id} is {run.State}; {until}.");
}

/// <summary>A run whose results were asked for before it succeeded: a 409 with <see cref="State"/> (queued, running, failed, cancelled).</summary>
public sealed class RunNotFinishedException(long runId, string state, string field, string message) : Exception(message)
{
    public long RunId { get; } = runId;
    public string State { get; } = state;
    public string Field { get; } = field;
}
