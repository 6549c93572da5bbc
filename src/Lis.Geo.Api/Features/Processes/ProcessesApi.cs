using System.Reflection;
using System.Text.Json.Serialization;
using Lis.Geo.Api.Features.Ogc;
using Lis.Geo.Data.Analyses;

namespace Lis.Geo.Api.Features.Processes;

/// <summary>
/// OGC API – Processes Part 1 (Core, OGC process description, JSON, job list, dismiss) over the
/// analysis runs: each analysis type is a process, an execution is a run created by the same
/// <see cref="AnalysisPlanner"/> as <c>POST /analyses</c>, a job is that run. Runs take seconds to hours,
/// so execution is asynchronous only (<c>jobControlOptions: ["async-execute"]</c>; a request without
/// <c>Prefer: respond-async</c> is executed asynchronously too, as the standard says for such processes),
/// and outputs are passed by reference: links to the run's collections.
/// </summary>
public static class ProcessesApi
{
    public const string ProcessesRel = "http://www.opengis.net/def/rel/ogc/1.0/processes";
    public const string JobListRel = "http://www.opengis.net/def/rel/ogc/1.0/job-list";
    public const string ResultsRel = "http://www.opengis.net/def/rel/ogc/1.0/results";

    public static readonly string[] ConformanceClasses =
    [
        "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/ogc-process-description",
        "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/json",
        "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/job-list",
        "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/dismiss",
    ];

    public sealed record ProcessSummary(string Id, string Title, string Description, string Version,
        IReadOnlyList<string> JobControlOptions, IReadOnlyList<string> OutputTransmission, IReadOnlyList<Link> Links);
    public sealed record ProcessList(IReadOnlyList<ProcessSummary> Processes, IReadOnlyList<Link> Links);
    public sealed record Parameter(string Title, string Description, JsonElement Schema, int MinOccurs = 0, int MaxOccurs = 1);
    public sealed record Output(string Title, string Description, JsonElement Schema);
    public sealed record ProcessDescription(string Id, string Title, string Description, string Version,
        IReadOnlyList<string> JobControlOptions, IReadOnlyList<string> OutputTransmission,
        IReadOnlyDictionary<string, Parameter> Inputs, IReadOnlyDictionary<string, Output> Outputs, IReadOnlyList<Link> Links);
    public sealed record StatusInfo(string ProcessID, string Type, string JobID, string Status, string? Message,
        DateTimeOffset Created, DateTimeOffset? Started, DateTimeOffset? Finished, DateTimeOffset Updated, int Progress, IReadOnlyList<Link> Links);
    public sealed record JobList(IReadOnlyList<StatusInfo> Jobs, IReadOnlyList<Link> Links);
    public sealed record Reference(string Href, string Type, string? Title = null);

    /// <summary>The body of an execution: <c>inputs</c> are the members of an <c>/analyses</c> request (the process id is its type).</summary>
    public sealed record Execute
    {
        public AnalysisRequest Inputs { get; init; } = new();
        /// <summary>Accepted and ignored: every output is always given, by reference.</summary>
        public JsonElement? Outputs { get; init; }
        /// <summary><c>document</c> (the only one offered) or leave out.</summary>
        public string? Response { get; init; }
    }

    private static readonly string[] AsyncOnly = ["async-execute"];
    private static readonly string[] ByReference = ["reference"];

    private static readonly Dictionary<string, (string Title, string Description)> Titles = new()
    {
        [AnalysisTypes.ZoneAccess] = ("Zone access", "Per zone, travel times to each centre over the window and the headline 45-minute, three-centre indicators (ACCESSIBILITY.md)."),
        [AnalysisTypes.SiteAccess] = ("Site access", "Zone access plus, per site of siteSet, its own access to centres and its catchment, ranked by the population of the 20% most deprived LSOAs within it."),
        [AnalysisTypes.Corridor] = ("Corridor analysis", "A site-access run on employment sites whose aggregation also writes each corridor's figures and one-page report."),
        [AnalysisTypes.Isochrones] = ("Isochrones", "Areas reachable within each cutoff from a point (lon, lat), a site, or every site of siteSet."),
    };

    /// <summary>Inputs that only some processes read; every other request member is an input of all.</summary>
    private static readonly Dictionary<string, string[]> OnlyFor = new()
    {
        ["cutoffs"] = [AnalysisTypes.Isochrones], ["lon"] = [AnalysisTypes.Isochrones], ["lat"] = [AnalysisTypes.Isochrones], ["site"] = [AnalysisTypes.Isochrones],
        ["corridor"] = [AnalysisTypes.Corridor], ["nearMeters"] = [AnalysisTypes.Corridor],
        ["siteSet"] = [AnalysisTypes.SiteAccess, AnalysisTypes.Isochrones],
    };

    public static IEndpointRouteBuilder MapProcesses(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("").WithTags("OGC API – Processes").WithProblems(400, 404);

        g.MapGet("/processes", (HttpRequest req) =>
            {
                OgcHttp.OnlyParameters(req, "f");
                OgcHttp.Negotiate(req, OgcHttp.Json);
                var links = new List<Link> { new(OgcHttp.Href(req, "/processes"), "self", "application/json") };
                return new OgcHttp.Document(new ProcessList(AnalysisTypes.Supported.Select(t => Summary(req, t)).ToList(), links), "application/json", links);
            })
            .Produces<ProcessList>()
            .WithSummary("The processes: one per analysis type");

        g.MapGet("/processes/{processId}", (string processId, HttpRequest req) =>
            {
                OgcHttp.OnlyParameters(req, "f");
                OgcHttp.Negotiate(req, OgcHttp.Json);
                if (!AnalysisTypes.Supported.Contains(processId)) return NoSuchProcess(processId);
                var s = Summary(req, processId);
                return new OgcHttp.Document(new ProcessDescription(s.Id, s.Title, s.Description, s.Version, s.JobControlOptions, s.OutputTransmission,
                    Inputs(processId), Outputs(processId), s.Links), "application/json", s.Links);
            })
            .Produces<ProcessDescription>()
            .WithSummary("A process: its inputs (the /analyses request members, with JSON Schemas and defaults) and outputs");

        g.MapPost("/processes/{processId}/execution", async (string processId, Execute body, HttpRequest req, HttpResponse res, AnalysisPlanner planner,
                IOptions<LimitsOptions> limits, CancellationToken ct) =>
            {
                if (!AnalysisTypes.Supported.Contains(processId)) return NoSuchProcess(processId);
                if (body.Response is not (null or "document"))
                    return Problems.Result(Problems.InvalidBody, "response: only 'document' is offered (outputs are links to the run's collections).", "response");
                var request = body.Inputs with { Type = processId };
                RunLimits.Check(request, limits.Value, "inputs.");
                var run = await planner.CreateAsync(request, null, ct);
                if (req.Headers.TryGetValue("Prefer", out var prefer) && prefer.ToString().Contains("respond-async", StringComparison.OrdinalIgnoreCase))
                    res.Headers["Preference-Applied"] = "respond-async";
                return Results.Created(OgcHttp.Href(req, $"/jobs/{run.Id}"), Status(req, run));
            })
            .RequireApiKey()
            .Produces<StatusInfo>(StatusCodes.Status201Created)
            .WithProblems(401, 409)
            .WithSummary("Execute a process: creates an analysis run (asynchronously; 201 with Location /jobs/{id})")
            .WithDescription("Body: {\"inputs\":{…}} with any of the process's inputs (GET /processes/{processId}); the rest default as in POST /analyses. " +
                             "Execution is always asynchronous (jobControlOptions async-execute); Prefer: respond-async is acknowledged with Preference-Applied.");

        g.MapGet("/jobs", async (HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
            {
                var limit = QueryParameters.Int(req.Query, "limit", 50, 1, 1000);
                var runs = await RunStore.ListAsync(db, limit, ct);
                var links = new List<Link> { new(OgcHttp.Href(req, "/jobs"), "self", "application/json") };
                return Results.Ok(new JobList(runs.Select(r => Status(req, r)).ToList(), links));
            })
            .WithQuery(new QueryParameter("limit", "Jobs to list, newest first (1–1000, default 50)", Microsoft.OpenApi.JsonSchemaType.Integer))
            .Produces<JobList>()
            .WithSummary("Jobs (analysis runs), newest first");

        g.MapGet("/jobs/{jobId:long}", async (long jobId, HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
                await RunStore.LoadAsync(db, jobId, ct) is { } run ? Results.Ok(Status(req, run)) : NoSuchJob(jobId))
            .Produces<StatusInfo>()
            .WithSummary("A job's status: accepted, running, successful, failed or dismissed, with progress (origins done, %)");

        g.MapGet("/jobs/{jobId:long}/results", async (long jobId, HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
            {
                if (await RunStore.LoadAsync(db, jobId, ct) is not { } run) return NoSuchJob(jobId);
                if (run.State != RunState.Succeeded)
                    return Problems.Result(Problems.NotFound, $"Job {jobId} is {StatusOf(run.State)}; results are given once it is successful.", "jobId",
                        // jobStatus, not status: RFC 7807's status is the HTTP status code, and clients read it as a number.
                        new Dictionary<string, object?> { ["jobStatus"] = StatusOf(run.State), ["error"] = run.Error,
                            ["ogcType"] = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/result-not-ready" });
                var results = new Dictionary<string, object>();
                foreach (var kind in run.Spec.ResultLayers)
                {
                    results[kind] = new Reference(OgcHttp.Href(req, $"/collections/analysis-{run.Id}-{kind}/items"), GeoJsonResult.MediaType, $"The run's {kind} (collection analysis-{run.Id}-{kind})");
                    results[kind + "-collection"] = new Reference(OgcHttp.Href(req, $"/collections/analysis-{run.Id}-{kind}"), "application/json");
                }
                results["run"] = new Reference(OgcHttp.Href(req, $"/analyses/{run.Id}"), "application/json", "The run: record, summary and every other result");
                return Results.Ok(results);
            })
            .WithSummary("A successful job's outputs, by reference: each result layer's items and collection, and the run");

        g.MapDelete("/jobs/{jobId:long}", async (long jobId, HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
            {
                if (await RunStore.LoadAsync(db, jobId, ct) is not { } run) return NoSuchJob(jobId);
                if (!RunState.IsFinished(run.State))
                {
                    // Dismissing a job that is still working cancels it; the run stays, cancelled, as /analyses shows it.
                    await RunStore.CancelAsync(db, jobId, ct);
                    return Results.Ok(Status(req, (await RunStore.LoadAsync(db, jobId, ct))!));
                }
                // A finished job is removed with its results, as DELETE /analyses/{id} does.
                await RunStore.DeleteAsync(db, jobId, ct);
                return Results.Ok(Status(req, run) with { Status = "dismissed", Message = "Removed with its results." , Links = [] });
            })
            .RequireApiKey()
            .Produces<StatusInfo>()
            .WithProblems(401)
            .WithSummary("Dismiss a job: a queued or running one is cancelled; a finished one is removed with its results");
        return app;
    }

    /// <summary>OGC job status of a run state.</summary>
    public static string StatusOf(string state) => state switch
    {
        RunState.Queued => "accepted",
        RunState.Running or RunState.Aggregating => "running",
        RunState.Succeeded => "successful",
        RunState.Failed => "failed",
        _ => "dismissed",
    };

    private static StatusInfo Status(HttpRequest req, AnalysisRun r)
    {
        var status = StatusOf(r.State);
        var links = new List<Link>
        {
            new(OgcHttp.Href(req, $"/jobs/{r.Id}"), "self", "application/json", "This job"),
            new(OgcHttp.Href(req, $"/jobs/{r.Id}"), "monitor", "application/json", "Poll this job"),
            new(OgcHttp.Href(req, $"/analyses/{r.Id}"), "alternate", "application/json", "The same run in the product's own interface"),
            new(OgcHttp.Href(req, $"/processes/{r.Type}"), "process", "application/json"),
        };
        if (status == "successful") links.Add(new(OgcHttp.Href(req, $"/jobs/{r.Id}/results"), ResultsRel, "application/json", "Results"));
        var progress = status == "successful" ? 100 : (int)Math.Floor(r.PercentDone());
        var message = r.Error ?? (r.State == RunState.Aggregating ? "Aggregating"
            : r.DestinationGroupSize is not null ? $"{r.ChunksDone} of {r.ChunkCount} destination groups routed"
            : $"{r.OriginsDone} of {r.OriginCount} origins routed");
        return new StatusInfo(r.Type, "process", r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), status, message,
            r.CreatedAt, r.StartedAt, r.FinishedAt, r.FinishedAt ?? r.StartedAt ?? r.CreatedAt, progress, links);
    }

    private static ProcessSummary Summary(HttpRequest req, string type) =>
        new(type, Titles[type].Title, Titles[type].Description, AnalysisPlanner.EngineVersion, AsyncOnly, ByReference,
        [
            new(OgcHttp.Href(req, $"/processes/{type}"), "self", "application/json", Titles[type].Title),
            new(OgcHttp.Href(req, $"/processes/{type}/execution"), "http://www.opengis.net/def/rel/ogc/1.0/execute", "application/json", "Execute (POST, with the key)"),
        ]);

    /// <summary>
    /// A process's inputs: the settable members of <see cref="AnalysisRequest"/> (so a member added there is
    /// an input here too), each with its JSON Schema type and the default a run uses when it is left out.
    /// </summary>
    internal static Dictionary<string, Parameter> Inputs(string type)
    {
        var defaults = new AnalysisRequest();
        var inputs = new Dictionary<string, Parameter>();
        foreach (var p in typeof(AnalysisRequest).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetCustomAttribute<JsonIgnoreAttribute>() is null))
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(p.Name);
            if (name == "type" || (OnlyFor.TryGetValue(name, out var only) && !only.Contains(type))) continue;
            var schema = SchemaOf(p.PropertyType);
            if (p.GetValue(defaults) is { } value && value is not Array) schema["default"] = JsonSerializer.SerializeToNode(value);
            inputs[name] = new Parameter(name, $"As the /analyses request member {name} (README, ACCESSIBILITY.md).", JsonSerializer.SerializeToElement(schema));
        }
        return inputs;
    }

    private static Dictionary<string, object?> SchemaOf(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        if (t.IsArray) return new() { ["type"] = "array", ["items"] = SchemaOf(t.GetElementType()!) };
        return new()
        {
            ["type"] = t == typeof(string) ? "string" : t == typeof(bool) ? "boolean" : t == typeof(double) || t == typeof(float) ? "number"
                : t == typeof(int) || t == typeof(long) ? "integer" : "object",
        };
    }

    private static Dictionary<string, Output> Outputs(string type)
    {
        var layer = JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["type"] = "object", ["contentMediaType"] = GeoJsonResult.MediaType });
        var outputs = new Dictionary<string, Output>();
        foreach (var kind in RunSpec.ResultLayersOf(type))
            outputs[kind] = new Output(kind, $"The run's {kind} as a GeoJSON FeatureCollection (collection analysis-{{jobId}}-{kind}), by reference", layer);
        outputs["run"] = new Output("run", "The run's record and summary (GET /analyses/{jobId}), by reference",
            JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["type"] = "object", ["contentMediaType"] = "application/json" }));
        return outputs;
    }

    private static IResult NoSuchProcess(string id) =>
        Problems.Result(Problems.NotFound, $"No process '{id}'. GET /processes lists them.", "processId",
            new Dictionary<string, object?> { ["ogcType"] = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-process" });

    private static IResult NoSuchJob(long id) =>
        Problems.Result(Problems.NotFound, $"No job {id}. GET /jobs lists them.", "jobId",
            new Dictionary<string, object?> { ["ogcType"] = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-job" });
}
