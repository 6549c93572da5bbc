using Lis.Geo.Api.Features.Ogc;
using Lis.Geo.Data.Analyses;
using Microsoft.AspNetCore.Mvc;

namespace Lis.Geo.Api.Features.Analyses;

/// <summary>
/// Accessibility analyses as background runs: <c>POST /analyses</c> checks the request and answers
/// 202 with the run's URL; <c>GET</c> shows state, progress and timings; <c>POST …/cancel</c> cancels,
/// <c>DELETE</c> removes a finished run and its results; results are served as GeoJSON/CSV here and as
/// <c>analysis-{id}-zones</c> (<c>/analyses/{id}/collections</c>, <c>/collections/{id}</c>).
/// </summary>
public static class AnalysesApi
{
    public sealed record Progress(int OriginsDone, int OriginCount, int ChunksDone, int ChunkCount, double Percent);
    public sealed record Timings(DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, double? Seconds);
    /// <summary>The run's record: <see cref="Parameters"/> is its <see cref="RunSpec"/>, the rest the versions of what it ran on.</summary>
    public sealed record Reproducibility(JsonElement Parameters, long FeedId, string FeedSha256, string ServiceDate, string OriginSet, string OriginVersion,
        string DestinationSet, string DestinationVersion, string EngineVersion);
    /// <summary>A run as the API shows it; <c>request</c> is the request that re-creates it, every member pinned to the value used.</summary>
    public sealed record RunView(long Id, string Type, string State, Progress Progress, Timings Timings, string? Error, long? ScheduleId,
        JsonElement Request, Reproducibility Record, JsonElement? Summary, IReadOnlyList<Link> Links)
    {
        /// <summary>The scenario the run applied (id, name and hash when planned; the record holds its content), or null.</summary>
        public ScenarioRef? Scenario { get; init; }
    }

    public static IEndpointRouteBuilder MapAnalyses(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/analyses").WithTags("Analyses").WithProblems(400, 401, 404, 409);

        g.MapPost("", async (AnalysisRequest request, [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey, HttpRequest req, HttpResponse res,
                AnalysisPlanner planner, IOptions<LimitsOptions> limits, CancellationToken ct) =>
            {
                RunLimits.Check(request, limits.Value);
                CheckIdempotencyKey(idempotencyKey);
                // A key reused with another body throws IdempotencyKeyReusedException: Problems.For answers its 422.
                var planned = await planner.CreateAsync(request, null, idempotencyKey, ct);
                if (planned.Replayed) res.Headers["Idempotent-Replayed"] = "true";
                return Results.Accepted(OgcHttp.Href(req, $"/analyses/{planned.Run.Id}"), View(req, planned.Run));
            })
            .RequireApiKey()
            .Produces<RunView>(StatusCodes.Status202Accepted)
            .WithProblems(422)
            .WithSummary("Start an analysis run")
            .WithDescription("Body: {\"type\":\"zone-access\"} is enough — every other member defaults to ACCESSIBILITY.md (LSOA 2011 centroids to every centre, " +
                             "the latest feed on its checked date, 07:00–10:00, 45 min, 3 centres, p50). Bad requests are 400 before anything is queued; a 202 means " +
                             "the run and every one of its jobs are scheduled, any error that nothing was stored. Idempotency-Key (optional, 1–200 visible ASCII " +
                             "characters): a retry with the same key and the same body answers the first run (202, its Location, Idempotent-Replayed: true) " +
                             "instead of starting another; the same key with a different body is 422.");

        g.MapGet("", async (HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
            {
                var limit = QueryParameters.Int(req.Query, "limit", 50, 1, 1000);
                var runs = await RunStore.ListAsync(db, limit, ct);
                return TypedResults.Ok(runs.Select(r => View(req, r)).ToList());
            })
            .WithSummary("Runs, newest first");

        g.MapGet("/{id:long}", async (long id, HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
                Results.Ok(View(req, await RequiredRun.FoundAsync(db, id, "id", ct))))
            .Produces<RunView>()
            .WithSummary("A run: state, progress (origins done / total), timings, errors, record, summary");

        g.MapPost("/{id:long}/cancel", async (long id, HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
            {
                var run = await RequiredRun.FoundAsync(db, id, "id", ct);
                if (RunState.IsFinished(run.State))
                    return Problems.Result(Problems.Conflict, $"Run {id} has already {run.State}; nothing to cancel.", "id",
                        new Dictionary<string, object?> { ["state"] = run.State });
                await RunStore.CancelAsync(db, id, ct);
                return Results.Ok(View(req, (await RunStore.LoadAsync(db, id, ct))!));
            })
            .RequireApiKey()
            .Produces<RunView>()
            .WithSummary("Cancel a run (running chunks stop within a second; finished chunks keep their rows until the run is deleted)");

        g.MapDelete("/{id:long}", async (long id, NpgsqlDataSource db, CancellationToken ct) =>
            {
                var run = await RequiredRun.FoundAsync(db, id, "id", ct);
                if (!RunState.IsFinished(run.State))
                    return Problems.Result(Problems.Conflict, $"Run {id} is {run.State}; cancel it first (POST /analyses/{id}/cancel), then delete it.", "id",
                        new Dictionary<string, object?> { ["state"] = run.State });
                // Finished states are final, so a run seen finished here is still finished when the DELETE runs.
                if (!await RunStore.DeleteAsync(db, id, ct)) throw RequiredRun.Missing(id, "id");
                return Results.NoContent();
            })
            .RequireApiKey()
            .Produces(StatusCodes.Status204NoContent)
            .WithSummary("Delete a finished, failed or cancelled run with all its results and collections (a queued or running run: 409, cancel it first)")
            .WithDescription("Run ids are never reused, so result URLs clients cached (tiles, collections, marked immutable) can never show another run's data.");

        g.MapGet("/{id:long}/collections", async (long id, HttpRequest req, NpgsqlDataSource db, OgcCatalogue catalogue, IOptions<ApiOptions> options, CancellationToken ct) =>
            {
                OgcHttp.OnlyParameters(req, "f");
                OgcHttp.Negotiate(req, OgcHttp.Json);
                var run = await RequiredRun.SucceededAsync(db, id, "id", ct);
                var facts = await RunStore.FactsAsync(db, run, ct);
                var list = new List<OgcApi.Collection>();
                foreach (var kind in run.Spec.ResultLayers) list.Add(await OgcApi.Describe(req, catalogue, facts.Layer(kind), options.Value, ct));
                var links = new List<Link> { new(OgcHttp.Href(req, $"/analyses/{id}/collections"), "self", "application/json"), new(OgcHttp.Href(req, $"/analyses/{id}"), "up", "application/json", "The run") };
                return new OgcHttp.Document(new OgcApi.Collections(list, links), "application/json", links, immutable: true);
            })
            .Produces<OgcApi.Collections>()
            .WithSummary("The run's result collections (each also at /collections/analysis-{id}-…, listed in /collections only for the latest runs)");

        MapResultLayer(g, ResultLayer.Zones, "The run's zones with their indicators (GeoJSON; f=csv for CSV; paging, bbox and filters as /collections)");

        g.MapGet("/{id:long}/overlay", async (long id, HttpRequest req, NpgsqlDataSource db, IOptions<ApiOptions> options, CancellationToken ct) =>
            {
                var (run, layer, problem) = await RunLayerAsync(db, id, ResultLayer.Zones, OgcApi.Deprivation(req), ct);
                if (problem is not null) return problem;
                var access = run!.Spec.Access;
                var legend = JsonSerializer.Serialize(BivariateClasses.Legend(access.MinCentres, access.ThresholdMinutes), OgcHttp.JsonOptions);
                return await OgcApi.Items(layer!.Layer(ResultLayer.Zones), req, db, options.Value, ct, $"\"legend\":{legend}");
            })
            .Produces<GeoJsonFeatureCollection>(StatusCodes.Status200OK, GeoJsonResult.MediaType)
            .WithSummary("Deprivation overlay: zones with IMD bands, access bands and their bivariate class, with the class legend (colours) in the response")
            .WithDescription(DeprivationParameter);

        g.MapGet("/{id:long}/equity", async (long id, string? population, HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
            {
                var (run, layer, problem) = await RunLayerAsync(db, id, ResultLayer.Zones, OgcApi.Deprivation(req), ct);
                if (problem is not null) return problem;
                population ??= "population";
                if (!RunEquity.Populations.ContainsKey(population))
                    return Problems.Result(Problems.InvalidParameter, $"Unknown population '{population}'. Use {string.Join(", ", RunEquity.Populations.Keys)}.", "population");
                return Results.Ok(await RunEquity.ComputeAsync(db, run!, population, layer!.Deprivation, ct));
            })
            .Produces<RunEquity.Summary>()
            .WithProblems(422)
            .WithSummary("Equity of a zone-access run: by IMD decile, most deprived 20% vs the rest, concentration index (formula in the answer)")
            .WithDescription(DeprivationParameter + " The answer names the edition (deprivation), counts how the zones found their figures (deprivationMatch) and lists those that found none.");

        MapResultLayer(g, ResultLayer.Sites, "A site-access or corridor run's sites, ranked by the population of the 20% most deprived LSOAs within their catchment, with their own access to centres and the access and deprivation of their land");

        MapResultLayer(g, ResultLayer.Housing, "Housing sites with the access and deprivation of the zone each stands in; poorly_connected flags capacity planned where the target is missed (filter poorly_connected=true)");

        MapResultLayer(g, ResultLayer.Isochrones, "An isochrone run's polygons, one per origin and cutoff (GeoJSON; f=csv; filters cutoff_minutes, origin)");

        g.MapComparison();

        g.MapGet("/{id:long}/travel-times.csv", async (long id, HttpContext http, NpgsqlDataSource db, CancellationToken ct) =>
            {
                var run = await RequiredRun.SucceededAsync(db, id, "id", ct);
                return new TravelTimesCsv(db, id, run.Spec.Routing.Percentiles);
            })
            .WithSummary("Every origin–destination pair: travel-time percentiles (seconds, empty = unreachable) and departures within the threshold");
        return app;
    }

    /// <summary>The header that makes a retried <c>POST /analyses</c> return the run the first attempt made.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>A key is 1–200 visible ASCII characters (a UUID is the usual choice).</summary>
    private static void CheckIdempotencyKey(string? key)
    {
        if (key is null) return;
        if (key.Length is 0 or > 200 || key.Any(c => c is < '!' or > '~'))
            throw new Problems.BadParameterException(IdempotencyKeyHeader, "Idempotency-Key must be 1–200 visible ASCII characters (a UUID, say), one value.");
    }

    private const string DeprivationParameter =
        "deprivation=imd2019|iod2025 picks the edition (default: the run's own, record.parameters.deprivation — the edition most of its zones' codes are in, " +
        "pinned when it was planned). Zones of the other LSOA geography find theirs through the ONS 2011↔2021 lookup where they have one counterpart; " +
        "400 for an unknown edition, 422 (with the counts) for one in which none of the run's zones finds figures.";

    /// <summary>The URL path under /analyses/{id} of each result layer.</summary>
    private static string PathOf(string kind) => kind == ResultLayer.Housing ? "housing-sites" : kind;

    /// <summary>GET /analyses/{id}/…: the run's <paramref name="kind"/> layer as GeoJSON or CSV, paged and filtered like /collections.</summary>
    private static void MapResultLayer(RouteGroupBuilder g, string kind, string summary) =>
        g.MapGet($"/{{id:long}}/{PathOf(kind)}", async (long id, HttpRequest req, NpgsqlDataSource db, IOptions<ApiOptions> options, CancellationToken ct) =>
                await RunLayerAsync(db, id, kind, OgcApi.Deprivation(req), ct) switch
                {
                    (_, null, var problem) => problem!,
                    (_, var layer, _) => await OgcApi.Items(layer!.Layer(kind), req, db, options.Value, ct),
                })
            .Produces<GeoJsonFeatureCollection>(StatusCodes.Status200OK, GeoJsonResult.MediaType)
            .WithProblems(422)
            .WithSummary(summary)
            .WithDescription(kind == ResultLayer.Sites
                ? "Every feature names its deprivation_edition: the run's own, in which the aggregation summed the catchments (another edition is a 400)."
                : DeprivationParameter + " Every feature (and CSV row) names its deprivation_edition.");

    /// <summary>
    /// The run and its facts in the deprivation edition asked for (null: the run's own), once it has a
    /// <paramref name="kind"/> result (one of <see cref="RunSpec.ResultLayers"/>); or the problem why not.
    /// </summary>
    private static async Task<(AnalysisRun?, LayerCatalog.RunFacts?, IResult?)> RunLayerAsync(NpgsqlDataSource db, long id, string kind, string? deprivation, CancellationToken ct)
    {
        var run = await RequiredRun.SucceededAsync(db, id, "id", ct);
        if (!run.Spec.ResultLayers.Contains(kind))
            return (run, null, Problems.Result(Problems.NotFound, $"Run {id} is a {run.Type} run and has no {kind} result.", "id"));
        var facts = await RunStore.FactsAsync(db, run, ct);
        if (deprivation is not null)
            facts = facts with { Deprivation = await DeprivationJoin.ChooseAsync(db, deprivation, DeprivationJoin.RunZoneCodes("$1"), run.Id, ct) };
        return (run, facts, null);
    }

    internal static RunView View(HttpRequest req, AnalysisRun r)
    {
        var self = $"/analyses/{r.Id}";
        var links = new List<Link> { new(OgcHttp.Href(req, self), "self", "application/json") };
        if (r.State == RunState.Succeeded)
            links.Add(new(OgcHttp.Href(req, self + "/collections"), "data", "application/json", "The run's collections"));
        void Layer(string path, string kind, string title)
        {
            links.Add(new(OgcHttp.Href(req, $"{self}/{path}"), kind, GeoJsonResult.MediaType, title));
            links.Add(new(OgcHttp.Href(req, $"{self}/{path}?f=csv"), $"{kind}-csv", "text/csv", "Every row as CSV"));
            links.Add(new(OgcHttp.Href(req, $"/collections/analysis-{r.Id}-{kind}"), $"{kind}-collection", "application/json"));
        }
        var layers = r.State == RunState.Succeeded ? r.Spec.ResultLayers : [];
        foreach (var kind in layers)
        {
            Layer(PathOf(kind), kind, kind switch
            {
                ResultLayer.Zones => "Zones with indicators",
                ResultLayer.Housing => "Housing sites with the access and deprivation of their land",
                ResultLayer.Sites => "Sites ranked by deprived catchment",
                _ => "Isochrones, one per origin and cutoff",
            });
            if (kind != ResultLayer.Zones) continue;
            links.Add(new(OgcHttp.Href(req, $"{self}/overlay"), "overlay", GeoJsonResult.MediaType, "Deprivation overlay with legend"));
            links.Add(new(OgcHttp.Href(req, $"{self}/equity"), "equity", "application/json", "Equity summaries"));
        }
        if (layers.Contains(ResultLayer.Zones))
            links.Add(new(OgcHttp.Href(req, self + "/travel-times.csv"), "travel-times", "text/csv"));
        // Every run links to its map, whatever its state or type: the map page picks the run and shows what it has.
        links.Add(new(OgcHttp.Href(req, $"/map?run={r.Id}"), "map", "text/html", "The run on the planners' map"));
        if (r.State == RunState.Succeeded && r.Type == AnalysisTypes.Corridor)
            links.Add(new(OgcHttp.Href(req, $"{self}/corridors"), "corridors", "application/json", "Each corridor's figures and report from this run"));
        if (r.Spec.Scenario is { } scenario)
            links.Add(new(OgcHttp.Href(req, $"/scenarios/{scenario.Id}"), "scenario", "application/json",
                $"Scenario {scenario.Id} '{scenario.Name}' as stored now (the run used content {scenario.Sha256[..16]}…, in its record)"));
        // Each feed's quality report for the run's service date.
        foreach (var feed in r.Spec.Feeds)
            links.Add(new(OgcHttp.Href(req, $"/feeds/{feed.Id}/qa?date={r.Spec.ServiceDate:yyyy-MM-dd}"), "feed-qa", "application/json", $"Quality report of feed {feed.Id} on the service date"));
        var seconds = r.StartedAt is { } s && r.FinishedAt is { } f ? (f - s).TotalSeconds : (double?)null;
        return new RunView(r.Id, r.Type, r.State,
            new Progress(r.OriginsDone, r.OriginCount, r.ChunksDone, r.ChunkCount, Math.Round(r.PercentDone(), 1)),
            new Timings(r.CreatedAt, r.StartedAt, r.FinishedAt, seconds), r.Error, r.ScheduleId,
            JsonSerializer.SerializeToElement(AnalysisRequest.From(r.Spec), AnalysisPlanner.Json),
            new Reproducibility(JsonSerializer.SerializeToElement(r.Spec, RunSpec.Json), r.Spec.Feed.Id, r.Spec.Feed.Sha256, r.Spec.ServiceDate.ToString("yyyy-MM-dd"),
                r.OriginSet, r.OriginVersion, r.DestinationSet, r.DestinationVersion, r.EngineVersion),
            r.Summary is null ? null : JsonDocument.Parse(r.Summary).RootElement, links) { Scenario = ScenarioRef.Of(r.Spec.Scenario) };
    }

    /// <summary>Streams every pair of a run with its percentiles, straight from PostGIS.</summary>
    private sealed class TravelTimesCsv(NpgsqlDataSource db, long runId, IReadOnlyList<int> percentiles) : IResult
    {
        public Task ExecuteAsync(HttpContext http) => CsvResult.Streamed(http, WriteAsync);

        private async Task WriteAsync(HttpContext http)
        {
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"analysis-{runId}-travel-times.csv\"";
            await using var writer = new StreamWriter(http.Response.Body, new System.Text.UTF8Encoding(false));
            await RunExports.CopyTravelTimesCsvAsync(db, runId, percentiles, writer, http.RequestAborted);
        }
    }
}
