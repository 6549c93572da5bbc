using Lis.Geo.Data.Analyses;

namespace Lis.Geo.Api.Features.Analyses;

/// <summary>
/// <c>GET /analyses/{id}/compare?baseline={id}</c>: a run (with a scenario) against a baseline run that
/// differs from it only in the scenario. The summary answers "who gains, and how deprived are they";
/// the zone-by-zone change is the OGC collection <c>analysis-{id}-vs-{baseline}</c> (GeoJSON, complete
/// CSV with f=csv), linked from the summary.
/// </summary>
public static class ComparisonApi
{
    public sealed record ComparisonView(RunComparison.Summary Summary, IReadOnlyList<Link> Links);

    /// <summary>The succeeded runs that <c>/compare</c> accepts as the run's baseline, newest first.</summary>
    public sealed record Baselines(long Run, IReadOnlyList<long> Comparable);

    /// <summary>What a comparison waits for, the end of its 409's message.</summary>
    internal const string ComparedOnceBoth = "runs are compared once both have succeeded";

    public static RouteGroupBuilder MapComparison(this RouteGroupBuilder g)
    {
        g.MapGet("/{id:long}/compare", async (long id, string? baseline, HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
            {
                if (req.Query.Keys.FirstOrDefault(k => k != "baseline") is { } unknown)
                    return Problems.Result(Problems.InvalidParameter, $"Unknown parameter '{unknown}'. This endpoint reads: baseline.", unknown);
                if (baseline is null)
                    return Problems.Result(Problems.InvalidParameter, "Give baseline, the id of the run to compare with.", "baseline");
                if (!long.TryParse(baseline, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var baselineId))
                    return Problems.Result(Problems.InvalidParameter, $"baseline '{baseline}' is not a run id.", "baseline");
                if (baselineId == id)
                    return Problems.Result(Problems.InvalidParameter,
                        $"baseline is run {id} itself; a run compared with itself shows no change. GET /analyses/{id}/baselines lists the runs it compares with.", "baseline");
                // Both are found before either is required finished: a missing baseline is 404 even while the run is queued.
                var run = await RequiredRun.FoundAsync(db, id, "id", ct);
                var basis = await RequiredRun.FoundAsync(db, baselineId, "baseline", ct, role: " to compare with");
                RequiredRun.Succeeded(run, "id", ComparedOnceBoth);
                RequiredRun.Succeeded(basis, "baseline", ComparedOnceBoth);
                var reasons = RunComparison.Differences(run, basis);
                if (reasons.Count > 0)
                    return Problems.Result(Problems.NotComparable,
                        $"Runs {id} and {baselineId} differ in more than the scenario: {reasons[0]}" + (reasons.Count > 1 ? $" (and {reasons.Count - 1} more in reasons)" : ""),
                        "baseline", new Dictionary<string, object?> { ["reasons"] = reasons });
                var summary = await RunComparison.ComputeAsync(db, run, basis, ct);
                var collection = $"/collections/{RunComparison.CollectionId(id, baselineId)}";
                return Results.Ok(new ComparisonView(summary,
                [
                    new(OgcHttp.Href(req, $"/analyses/{id}/compare?baseline={baselineId}"), "self", "application/json"),
                    new(OgcHttp.Href(req, $"{collection}/items"), "zones", GeoJsonResult.MediaType, "Each zone's change (GeoJSON, paged)"),
                    new(OgcHttp.Href(req, $"{collection}/items?f=csv"), "zones-csv", "text/csv", "Each zone's change, every zone (CSV)"),
                    new(OgcHttp.Href(req, collection), "collection", "application/json", "The change as an OGC API – Features collection"),
                    new(OgcHttp.Href(req, $"/map?compare={id}&baseline={baselineId}"), "map", "text/html", "The change on the planners' map"),
                    new(OgcHttp.Href(req, $"/analyses/{id}"), "run", "application/json"),
                    new(OgcHttp.Href(req, $"/analyses/{baselineId}"), "baseline", "application/json"),
                ]));
            })
            .Produces<ComparisonView>()
            .WithProblems(422)
            .WithQuery(new QueryParameter("baseline", "Id of the run to compare with", Microsoft.OpenApi.JsonSchemaType.Integer, Required: true, Example: "2"))
            .WithSummary("Compare a run with a baseline run that differs only in the scenario: headline share before/after (overall, by LEP, authority, IMD decile), residents gaining and losing the target and how many live in the most deprived 20% of LSOAs")
            .WithDescription("422 (with 'reasons') when the runs differ in anything but the scenario; 409 while either is unfinished. Zone by zone: /collections/analysis-{id}-vs-{baseline}/items (GeoJSON; f=csv).");
        // The map's baseline picker asks here, so it judges comparability by the one rule /compare applies
        // (RunComparison.Differences: the resolved feeds, not whether they were named or defaulted).
        g.MapGet("/{id:long}/baselines", async (long id, HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
            {
                if (req.Query.Keys.FirstOrDefault(k => k != "limit") is { } unknown)
                    return Problems.Result(Problems.InvalidParameter, $"Unknown parameter '{unknown}'. This endpoint reads: limit.", unknown);
                var limit = QueryParameters.Int(req.Query, "limit", 200, 1, 1000);
                var run = await RequiredRun.FoundAsync(db, id, "id", ct);
                var candidates = await RunStore.ListAsync(db, limit, ct);
                return Results.Ok(new Baselines(id, candidates
                    .Where(r => r.Id != id && r.State == RunState.Succeeded && RunComparison.Differences(run, r).Count == 0)
                    .Select(r => r.Id).ToList()));
            })
            .Produces<Baselines>()
            .WithProblems(404)
            .WithQuery(new QueryParameter("limit", "How many of the newest runs to consider (1–1000, default 200)", Microsoft.OpenApi.JsonSchemaType.Integer, Example: "200"))
            .WithSummary("The succeeded runs GET /analyses/{id}/compare accepts as this run's baseline (among the newest `limit` runs), newest first");
        return g;
    }
}
