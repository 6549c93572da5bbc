using Lis.Geo.Transit;
using Lis.Geo.Data.Analyses;
using Lis.Geo.Analysis.Reports;
using Lis.Geo.Api.Features.Analyses;
using Microsoft.AspNetCore.Mvc;

namespace Lis.Geo.Api.Features.Corridors;

/// <summary>
/// Corridor analyses for policy teams: start one (<c>POST /corridors/{code}/analyses</c>, or schedule a
/// <c>corridor</c> run), read a corridor's history with the change since each previous analysis,
/// compare any two, and fetch each analysis's one-page report (HTML, printable to PDF) and map (SVG).
/// </summary>
public static class CorridorAnalysesApi
{
    /// <summary>The figures a history row shows; the full set is at the analysis's own URL.</summary>
    public sealed record KeyFigures(double Population, double? MostDeprived20Share, double? CorridorShare, double? RestOfRegionShare, double? ShareDifference,
        long MaxDwellings, long MaxDwellingsPoorlyConnected, double EmploymentHectares, long Jobs)
    {
        public static KeyFigures Of(CorridorFigures f) => new(f.Residents.Population, f.Residents.MostDeprived20Share, f.Access.Corridor.Share,
            f.Access.RestOfRegion.Share, f.Access.ShareDifference, f.Housing.MaxDwellings, f.Housing.MaxDwellingsPoorlyConnected, f.EmploymentLand.Hectares, f.EmploymentLand.Jobs);
    }

    public sealed record HistoryEntry(long RunId, string Corridor, string Name, DateTimeOffset CreatedAt, string ServiceDate, long? ScheduleId,
        KeyFigures Figures, CorridorChange? ChangeSincePrevious, IReadOnlyList<Link> Links);

    public sealed record AnalysisView(long RunId, string Corridor, DateTimeOffset CreatedAt, long? ScheduleId, CorridorFigures Figures,
        CorridorChange? ChangeSincePrevious, IReadOnlyList<Link> Links);

    private sealed record Row(long RunId, string Code, string Name, DateTimeOffset CreatedAt, long? ScheduleId, CorridorFigures Figures);

    public static IEndpointRouteBuilder MapCorridorAnalyses(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/corridors/{code}/analyses").WithTags("Corridor analyses").WithProblems(400, 401, 404, 409);

        g.MapPost("", async (string code, [FromBody] AnalysisRequest? request, HttpRequest req, NpgsqlDataSource db, AnalysisPlanner planner, IOptions<LimitsOptions> limits, CancellationToken ct) =>
            {
                // The corridor is the resource this URL names, so a missing one is a 404 (as a body naming it would be a 400).
                if (!await CorridorQueries.ExistsAsync(db, code, ct))
                    return Problems.Result(Problems.NotFound, $"No corridor '{code}'. GET /collections/corridors/items lists them.", "corridor");
                // The URL decides the run's type and corridor: a body that asks for another is refused, never overridden.
                if (request?.Corridor is { } named && named != code)
                    throw new RuleViolation("corridor", RuleKind.Conflict,
                        $"The URL names corridor '{code}' but the body names '{named}'. Leave corridor out of the body, or POST /corridors/{named}/analyses.");
                if (request is not null && request.Type is not (AnalysisTypes.ZoneAccess or AnalysisTypes.Corridor))
                    throw new RuleViolation("type", RuleKind.Conflict,
                        $"This endpoint makes corridor runs; the body asks for '{request.Type}'. Leave type out, or POST /analyses.");
                var body = (request ?? new AnalysisRequest()) with { Type = AnalysisTypes.Corridor, Corridor = code };
                RunLimits.Check(body, limits.Value);
                var run = await planner.CreateAsync(body, null, ct);
                return Results.Accepted(OgcHttp.Href(req, $"/analyses/{run.Id}"), AnalysesApi.View(req, run));
            })
            .RequireApiKey()
            .Produces<AnalysesApi.RunView>(StatusCodes.Status202Accepted)
            .WithSummary("Analyse this corridor now (a corridor run; poll the run, then read the history)")
            .WithDescription("The body is optional: any analysis parameters (window, thresholdMinutes, minCentres, nearMeters, feedId, serviceDate…). " +
                             "To repeat it, POST /schedules with request {\"type\":\"corridor\",\"corridor\":\"<code>\"}.");

        g.MapGet("", async (string code, HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
            {
                var take = QueryParameters.Int(req.Query, "limit", 50, 1, 500);
                // One row more than asked, so the oldest entry shown still gets its change since the one before it.
                var rows = await RowsAsync(db, code, null, take + 1, ct);
                if (rows.Count == 0 && !await CorridorQueries.ExistsAsync(db, code, ct)) return NoCorridor(code);
                var entries = rows.Take(take).Select((r, i) => new HistoryEntry(r.RunId, r.Code, r.Name, r.CreatedAt, r.Figures.ServiceDate, r.ScheduleId,
                    KeyFigures.Of(r.Figures), i + 1 < rows.Count ? CorridorChange.Between(rows[i + 1].Figures, r.Figures) : null, Links(req, r))).ToList();
                return Results.Ok(entries);
            })
            .Produces<List<HistoryEntry>>()
            .WithSummary("The corridor's analyses, newest first, each with the change since the one before");

        g.MapGet("/{runId:long}", async (string code, long runId, HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
            {
                if ((await RowsAsync(db, code, runId, 2, ct)) is not [var row, .. var rest] || row.RunId != runId) return NoAnalysis(code, runId);
                var previous = rest.FirstOrDefault();
                return Results.Ok(new AnalysisView(row.RunId, row.Code, row.CreatedAt, row.ScheduleId, row.Figures,
                    previous is null ? null : CorridorChange.Between(previous.Figures, row.Figures), Links(req, row)));
            })
            .Produces<AnalysisView>()
            .WithSummary("One analysis: every figure, the change since the previous analysis, links to the report and map");

        g.MapGet("/compare", async (string code, HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
            {
                var (from, to) = (QueryParameters.Id(req.Query, "from"), QueryParameters.Id(req.Query, "to"));
                if (from is null) return Problems.Result(Problems.InvalidParameter, "from (a run id) is required.", "from");
                if (to is null) return Problems.Result(Problems.InvalidParameter, "to (a run id) is required.", "to");
                var a = await RowsAsync(db, code, from, 1, ct);
                if (a is not [{ } first] || first.RunId != from) return Problems.Result(Problems.NotFound, $"Corridor '{code}' has no analysis from run {from}.", "from");
                var b = await RowsAsync(db, code, to, 1, ct);
                if (b is not [{ } second] || second.RunId != to) return Problems.Result(Problems.NotFound, $"Corridor '{code}' has no analysis from run {to}.", "to");
                return Results.Ok(CorridorChange.Between(first.Figures, second.Figures));
            })
            .Produces<CorridorChange>()
            .WithQuery(new QueryParameter("from", "Run id of the earlier analysis", Microsoft.OpenApi.JsonSchemaType.Integer, Required: true, Example: "1"),
                new QueryParameter("to", "Run id of the later analysis", Microsoft.OpenApi.JsonSchemaType.Integer, Required: true, Example: "2"))
            .WithSummary("How the corridor's figures changed between two analyses (to minus from), with a warning when the runs used different rules");

        g.MapGet("/{runId:long}/report", async (string code, long runId, string? scenario, NpgsqlDataSource db, CancellationToken ct) =>
                scenario is null ? await Stored(db, code, runId, CorridorAnalysisStore.Document.ReportHtml, "text/html; charset=utf-8", ct)
                    : await WithScenarioAsync(db, code, runId, scenario, ct))
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .WithProblems(422)
            .WithSummary("The one-page report: key figures, map and tables as self-contained HTML (print it to PDF); ?scenario={run id} adds a \"with scenario\" column from a corridor run that differs only in its scenario");

        g.MapGet("/{runId:long}/map.svg", (string code, long runId, NpgsqlDataSource db, CancellationToken ct) =>
                Stored(db, code, runId, CorridorAnalysisStore.Document.MapSvg, "image/svg+xml", ct))
            .Produces<string>(StatusCodes.Status200OK, "image/svg+xml")
            .WithSummary("The report's static map (SVG)");

        app.MapGet("/analyses/{id:long}/corridors", async (long id, HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
            {
                var run = await RequiredRun.FoundAsync(db, id, "id", ct);
                if (run.Type != AnalysisTypes.Corridor)
                    return Problems.Result(Problems.NotFound, $"Run {id} is a {run.Type} run; corridor figures come from corridor runs.", "id");
                RequiredRun.Succeeded(run, "id");
                var rows = await RowsAsync(db, null, id, int.MaxValue, ct, exactRun: true);
                return Results.Ok(rows.Select(r => new HistoryEntry(r.RunId, r.Code, r.Name, r.CreatedAt, r.Figures.ServiceDate, r.ScheduleId,
                    KeyFigures.Of(r.Figures), null, Links(req, r))).ToList());
            })
            .WithTags("Analyses")
            .Produces<List<HistoryEntry>>()
            .WithSummary("A corridor run's figures and report links for each corridor it covered");
        return app;
    }

    private static List<Link> Links(HttpRequest req, Row r)
    {
        var self = $"/corridors/{Uri.EscapeDataString(r.Code)}/analyses/{r.RunId}";
        return
        [
            new(OgcHttp.Href(req, self), "self", "application/json"),
            new(OgcHttp.Href(req, self + "/report"), "report", "text/html", "One-page report (print to PDF)"),
            new(OgcHttp.Href(req, self + "/map.svg"), "map", "image/svg+xml", "Report map"),
            new(OgcHttp.Href(req, $"/analyses/{r.RunId}"), "run", "application/json", "The run: parameters, reproducibility record"),
            new(OgcHttp.Href(req, $"/analyses/{r.RunId}/sites"), "sites", GeoJsonResult.MediaType, "Employment sites ranked by deprived catchment"),
        ];
    }

    /// <summary>Analyses of succeeded runs, newest first (<see cref="CorridorAnalysisStore.RowsAsync"/>), with their figures read.</summary>
    private static async Task<List<Row>> RowsAsync(NpgsqlDataSource db, string? code, long? runId, int limit, CancellationToken ct, bool exactRun = false) =>
        (await CorridorAnalysisStore.RowsAsync(db, code, runId, limit, ct, exactRun))
            .Select(r => new Row(r.RunId, r.Code, r.Name, r.CreatedAt, r.ScheduleId, JsonSerializer.Deserialize<CorridorFigures>(r.FiguresJson, AnalysisPlanner.Json)!)).ToList();

    private static async Task<IResult> Stored(NpgsqlDataSource db, string code, long runId, CorridorAnalysisStore.Document document, string contentType, CancellationToken ct)
    {
        if (await CorridorAnalysisStore.DocumentAsync(db, code, runId, document, ct) is { } content) return Results.Content(content, contentType);
        return await NoAnalysisAsync(db, code, runId, ct);
    }

    /// <summary>
    /// Why run <paramref name="runId"/> has no analysis of the corridor to show: a run that has not finished
    /// answers 409 with its state, as every result of an unfinished run does; any other run, or none, 404.
    /// </summary>
    private static async Task<IResult> NoAnalysisAsync(NpgsqlDataSource db, string code, long runId, CancellationToken ct)
    {
        if (await RunStore.LoadAsync(db, runId, ct) is { } run) RequiredRun.Succeeded(run, "id");
        return NoAnalysis(code, runId);
    }

    /// <summary>
    /// The baseline run's report with a "with scenario" column from corridor run <paramref name="scenario"/>:
    /// refused (422, with the reasons) unless the two runs differ only in their scenario, as for /analyses/{id}/compare.
    /// </summary>
    private static async Task<IResult> WithScenarioAsync(NpgsqlDataSource db, string code, long runId, string scenario, CancellationToken ct)
    {
        if (!long.TryParse(scenario, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var scenarioId))
            return Problems.Result(Problems.InvalidParameter, $"scenario '{scenario}' is not a run id.", "scenario");
        if ((await RowsAsync(db, code, runId, 1, ct)) is not [var baseline] || baseline.RunId != runId)
            return await NoAnalysisAsync(db, code, runId, ct);
        if ((await RowsAsync(db, code, scenarioId, 1, ct)) is not [var with] || with.RunId != scenarioId)
        {
            if (await RunStore.LoadAsync(db, scenarioId, ct) is { } run)
                RequiredRun.Succeeded(run, "scenario", "reports are compared once both runs have succeeded");
            return Problems.Result(Problems.NotFound, $"Corridor '{code}' has no analysis from run {scenarioId}.", "scenario");
        }
        // Both have an analysis, so both runs succeeded; each is loaded once for the comparison and the column's name.
        var scenarioRun = await RequiredRun.FoundAsync(db, scenarioId, "scenario", ct);
        var baselineRun = await RequiredRun.FoundAsync(db, runId, "runId", ct);
        var reasons = RunComparison.Differences(scenarioRun, baselineRun);
        if (reasons.Count > 0)
            return Problems.Result(Problems.NotComparable, $"Runs {scenarioId} and {runId} differ in more than the scenario: {reasons[0]}", "scenario",
                new Dictionary<string, object?> { ["reasons"] = reasons });
        var spec = scenarioRun.Spec;
        var map = (await CorridorAnalysisStore.DocumentAsync(db, code, runId, CorridorAnalysisStore.Document.MapSvg, ct))!;
        var name = spec.Scenario is { } s ? $"scenario {s.Id} '{s.Name}'" : "no scenario";
        return Results.Content(CorridorReport.Render(baseline.Figures, map, null, DateTimeOffset.UtcNow, new CorridorReport.ScenarioColumn(with.Figures, name)),
            "text/html; charset=utf-8");
    }

    private static IResult NoCorridor(string code) =>
        Problems.Result(Problems.NotFound, $"No corridor '{code}'. GET /collections/corridors/items lists them.", "code");

    private static IResult NoAnalysis(string code, long runId) =>
        Problems.Result(Problems.NotFound, $"Corridor '{code}' has no analysis from run {runId}. GET /corridors/{code}/analyses lists them.", "runId");
}
