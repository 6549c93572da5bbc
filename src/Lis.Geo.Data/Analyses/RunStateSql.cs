namespace Lis.Geo.Data.Analyses;

/// <summary>
/// The run states as SQL, built from <see cref="RunState"/> so the store's statements and the C# name
/// the same states, and the one statement that fails a run.
/// </summary>
public static class RunStateSql
{
    /// <summary>
    /// The states of a run that has not finished, as an SQL list for <c>state IN …</c> (what every
    /// state change and the watchdog select; as a positive list it can use <c>ix_analysis_run_state</c>).
    /// Every other state is finished (<see cref="RunState.IsFinished"/>), so <c>state NOT IN …</c> selects those.
    /// </summary>
    public const string Unfinished = $"('{RunState.Queued}', '{RunState.Running}', '{RunState.Aggregating}')";

    /// <summary>Fails run <c>$1</c> with error <c>$2</c> unless it has finished.</summary>
    private const string FailRun =
        $"UPDATE analysis_run SET state = '{RunState.Failed}', error = $2, finished_at = now() WHERE id = $1 AND state IN {Unfinished}";

    /// <summary>
    /// Fails <paramref name="runId"/> with <paramref name="error"/> unless it has finished, on
    /// <paramref name="conn"/> (in <paramref name="tx"/> when given): the job failure filter and the watchdog both fail runs this way.
    /// </summary>
    public static async Task FailRunAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, long runId, string error, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(FailRun, conn, tx);
        cmd.Parameters.Add(new() { Value = runId });
        cmd.Parameters.Add(new() { Value = error });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
