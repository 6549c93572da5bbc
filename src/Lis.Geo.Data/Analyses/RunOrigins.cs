namespace Lis.Geo.Data.Analyses;

/// <summary>
/// How a query reaches a run's origins and their results (<c>analysis_point</c>, <c>analysis_origin_result</c>):
/// one spelling of each join, so the summaries, the corridor figures, equity, the comparisons and the layers
/// all read the same rows for "the run's zones".
/// </summary>
public static class RunOrigins
{
    /// <summary>Condition: the point <paramref name="point"/> is a zone origin of run <paramref name="runId"/> (SQL: <c>$1</c>, a number or a column).</summary>
    public static string AreZoneOrigins(object runId, string point = "p") => $"{point}.run_id = {runId} AND {point}.is_origin AND {point}.kind = 'zone'";

    /// <summary>
    /// <paramref name="join"/> (<c>JOIN</c>, or <c>LEFT JOIN</c> where the origin may be missing) of the results
    /// <paramref name="results"/> of the origin point <paramref name="point"/>.
    /// </summary>
    public static string ResultsOf(string point, string results, string join = "JOIN") =>
        $"{join} analysis_origin_result {results} ON {results}.run_id = {point}.run_id AND {results}.origin_index = {point}.index";

    /// <summary>FROM item: the run's origin points <c>p</c> with their results <c>r</c> (the run and kind are in <see cref="AreZoneOrigins"/>).</summary>
    public static readonly string PointsWithResults = $"analysis_point p {ResultsOf("p", "r")}";

    /// <summary>
    /// Two joins: the zone origin <c>bp</c> of the baseline run <paramref name="baselineRunId"/> (SQL) with the same code
    /// as <c>p</c>, and its results <c>br</c>. Equal origin versions make the two runs' zones the same, so the code matches them.
    /// </summary>
    public static string BaselineJoin(object baselineRunId) =>
        $"JOIN analysis_point bp ON {AreZoneOrigins(baselineRunId, "bp")} AND bp.code = p.code\n{ResultsOf("bp", "br")}";

    /// <summary>
    /// Two left joins: the site <paramref name="siteCode"/> (SQL) as an origin <c>so</c> of run <paramref name="runId"/> (SQL),
    /// and its results <c>sor</c>, the site's own access to centres (null when the run did not route from sites).
    /// </summary>
    public static string SiteAccessJoin(object runId, string siteCode) =>
        $"LEFT JOIN analysis_point so ON so.run_id = {runId} AND so.is_origin AND so.kind = 'site' AND so.code = {siteCode}\n{ResultsOf("so", "sor", "LEFT JOIN")}";
}
