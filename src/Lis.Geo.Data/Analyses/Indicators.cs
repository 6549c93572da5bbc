namespace Lis.Geo.Data.Analyses;

/// <summary>
/// The indicators of ACCESSIBILITY.md as SQL over an origin's result row (<c>analysis_origin_result</c>, by its
/// alias) and its deprivation row: one definition for the summaries, the comparison, the corridor figures, the
/// site catchments and the layers, so a figure means the same wherever it is read.
/// </summary>
public static class Indicators
{
    /// <summary>
    /// IMD deciles 1 to this are "the most deprived 20%" (also for Jobs' equity gap). Analysis'
    /// <c>Residents.MostDeprivedDeciles</c> is the same number for the corridor figures (Analysis cannot reference
    /// Data); a Jobs test holds the two equal.
    /// </summary>
    public const int MostDeprivedDeciles = 2;

    /// <summary>
    /// Whether the origin meets the target: at least <paramref name="minCentres"/> (SQL: a parameter such as
    /// <c>$3</c>, or the number) centres reachable. <paramref name="results"/> is the result row's alias, or
    /// null for a query over a CTE that selected the column.
    /// </summary>
    public static string MeetsTarget(string? results, object minCentres) => $"{Column(results, "centres_reachable")} >= {minCentres}";

    /// <summary>
    /// The time-share form as <c>float8</c>, for weighted sums (summaries, comparison, corridor figures):
    /// the share of departure minutes at which the target is met; null when the origin has no departures.
    /// </summary>
    public static string TimeShare(string results) => $"{results}.departures_meeting_target::float8 / nullif({results}.departures, 0)";

    /// <summary>
    /// The time-share form as exact <c>numeric</c> (parenthesised), for the layers: shown to 4 places
    /// (<see cref="TimeShareRounded"/>), and subtracted exactly before rounding for a change.
    /// </summary>
    public static string TimeShareExact(string results) => $"({results}.departures_meeting_target::numeric / nullif({results}.departures, 0))";

    /// <summary>The time-share form a layer shows: <see cref="TimeShareExact"/> rounded to 4 places.</summary>
    public static string TimeShareRounded(string results) => $"round({TimeShareExact(results)}, 4)";

    /// <summary>Whether the zone is in the most deprived 20% (<see cref="MostDeprivedDeciles"/>); null when it has no decile.</summary>
    public static string MostDeprived20(string deprivation) => $"{deprivation}.imd_decile <= {MostDeprivedDeciles}";

    private static string Column(string? alias, string column) => alias is null ? column : $"{alias}.{column}";
}
