using Lis.Geo.Data.Feeds;
using Lis.Geo.Transit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>
/// The catalogue of problem types (RFC 7807). Every error body the API returns is one of these,
/// with <c>field</c> naming the parameter or body member at fault when there is one.
/// </summary>
public static class Problems
{
    public sealed record ProblemType(string Slug, int Status, string Title, string Description)
    {
        public string Uri => $"/problems/{Slug}";
    }

    public static readonly ProblemType InvalidParameter = new("invalid-parameter", 400, "Invalid query parameter",
        "A query parameter is unknown, malformed or out of range. 'field' names it.");
    public static readonly ProblemType InvalidBody = new("invalid-body", 400, "Invalid request body",
        "The body is not valid JSON / GeoJSON, or a member is missing or wrong. 'field' names it.");
    public static readonly ProblemType InvalidFeature = new("invalid-feature", 422, "The feature breaks a data rule",
        "The GeoJSON is readable but a geometry or attribute breaks a rule (invalid geometry, wrong type, outside the CRS range, missing key). 'errors' lists each.");
    public static readonly ProblemType DeprivationNotCovering = new("deprivation-not-covering", 422, "The deprivation edition does not cover the zones",
        "None of the zones finds figures in the edition asked for (by its code or through the LSOA 2011 ↔ 2021 lookup); 'field' is deprivation, 'zones' and 'matched' the counts.");
    public static readonly ProblemType NotFound = new("not-found", 404, "Not found", "No resource has this id.");
    public static readonly ProblemType NotAcceptable = new("not-acceptable", 406, "Not acceptable",
        "None of the encodings the Accept header allows is offered here; 'field' is Accept. Leave Accept out, or use f=.");
    public static readonly ProblemType Conflict = new("conflict", 409, "Conflict", "A feature with this id already exists; use PUT to replace it.");
    public static readonly ProblemType Unauthorized = new("unauthorized", 401, "API key required",
        "Writes need the X-API-Key header with the configured key (Auth:ApiKey).");
    public static readonly ProblemType PayloadTooLarge = new("payload-too-large", 413, "Payload too large",
        "The body exceeds the configured limit (Api:MaxFeatureBytes or Api:MaxUploadBytes).");
    public static readonly ProblemType UnsupportedMediaType = new("unsupported-media-type", 415, "Unsupported media type",
        "Send application/geo+json or application/json (features), or multipart/form-data or the raw file (imports).");
    public static readonly ProblemType ImportRejected = new("import-rejected", 422, "Import rejected",
        "Rows of the file were rejected, so nothing was imported. 'importRecord' lists every issue.");
    public static readonly ProblemType IdempotencyKeyReused = new("idempotency-key-reused", 422, "Idempotency key reused",
        "The Idempotency-Key was first sent with a different request body; 'runId' is the run it made. Use a new key for a new request.");
    public static readonly ProblemType NotComparable = new("not-comparable", 422, "Runs not comparable",
        "Two runs are compared only when they differ in nothing but the scenario. 'reasons' lists each difference.");
    public static readonly ProblemType TooManyRequests = new("too-many-requests", 429, "Too many requests",
        "This client sent more synchronous routing requests than Limits:InteractivePerMinute allows; wait for Retry-After seconds.");
    public static readonly ProblemType ServiceUnavailable = new("service-unavailable", 503, "Service unavailable",
        "The database cannot be reached just now; nothing was stored. Retry after Retry-After seconds.");
    public static readonly ProblemType ServerError = new("server-error", 500, "Unexpected error", "The error was logged; nothing was stored.");

    public static readonly IReadOnlyList<ProblemType> All =
        [InvalidParameter, InvalidBody, InvalidFeature, DeprivationNotCovering, NotFound, NotAcceptable, Conflict, Unauthorized, PayloadTooLarge, UnsupportedMediaType, ImportRejected, IdempotencyKeyReused, NotComparable, TooManyRequests, ServiceUnavailable, ServerError];

    public static ProblemHttpResult Result(ProblemType type, string detail, string? field = null, IDictionary<string, object?>? extensions = null)
    {
        var p = new ProblemDetails { Type = type.Uri, Title = type.Title, Status = type.Status, Detail = detail };
        if (field is not null) p.Extensions["field"] = field;
        if (extensions is not null)
            foreach (var (k, v) in extensions) p.Extensions[k] = v;
        return TypedResults.Problem(p);
    }

    /// <summary>A malformed or out-of-range query parameter, thrown from parsing helpers: a <see cref="RuleViolation"/> like any other.</summary>
    public sealed class BadParameterException(string field, string message) : RuleViolation(field, RuleKind.Invalid, message);

    /// <summary>Any catalogued problem thrown from a helper deep in a handler; the exception handler writes it.</summary>
    public sealed class ProblemException(ProblemType type, string detail, string? field) : Exception(detail)
    {
        public ProblemType Type { get; } = type;
        public string? Field { get; } = field;
    }

    /// <summary>
    /// The one mapping from exceptions to problems; null for an unexpected exception (a 500). A
    /// <see cref="RuleViolation"/> is a 400 naming its field — invalid-parameter when the field is in the
    /// URL, invalid-body when it is a body member — except that stored data named in the URL and not
    /// there is a 404 (a body naming missing data is a bad body, not a missing resource).
    /// </summary>
    public static ProblemHttpResult? For(Exception exception, HttpContext http) => exception switch
    {
        ProblemException e => Result(e.Type, e.Message, e.Field),
        Lis.Geo.Data.DeprivationJoin.NotCoveringException e => Result(DeprivationNotCovering, e.Message, e.Field, new Dictionary<string, object?>
            { ["edition"] = e.Coverage.Edition, ["zones"] = e.Coverage.Zones, ["matched"] = e.Coverage.Matched }),
        // Before RuleViolation: it is one, and its answer lists every error of the scenario.
        ScenarioUnapplicableException e => Violation(e, http.Request, ("errors", e.Errors)),
        RuleViolation v => Violation(v, http.Request),
        RunNotFinishedException e => Result(Conflict, e.Message, e.Field, new Dictionary<string, object?> { ["state"] = e.State }),
        IdempotencyKeyReusedException e => Result(IdempotencyKeyReused, e.Message, Features.Analyses.AnalysesApi.IdempotencyKeyHeader,
            new Dictionary<string, object?> { ["runId"] = e.RunId }),
        FeedRejectedException e => Result(InvalidFeature, e.Message, "file"),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => Result(PayloadTooLarge,
            "The body is larger than this server accepts (Api:MaxUploadBytes).", "body"),
        // A body the serializer could not read (the binder's, or Body.Unreadable's): ProblemExceptionHandler.BadJson says what it should be.
        BadHttpRequestException { InnerException: JsonException j } => ProblemExceptionHandler.BadJson(j),
        // No body at all (or the JSON null) where an endpoint reads one:
        BadHttpRequestException e when e.InnerException is null && (e.Message.StartsWith("Implicit body inferred", StringComparison.Ordinal)
                                                                      || e.Message.Contains("was not provided from body", StringComparison.Ordinal)) =>
            Result(InvalidBody, "The body is empty (or null): send a JSON object" + (ReadsRunRequest(http) ? "; {} runs the defaults." : " (GET /swagger shows its members)."), "body"),
        BadHttpRequestException e => Result(InvalidBody, e.Message, "body"),
        _ => null,
    };

    /// <summary>Whether the endpoint's body is a run request, where {} alone is a valid body.</summary>
    private static bool ReadsRunRequest(HttpContext http) =>
        http.GetEndpoint()?.Metadata.OfType<IAcceptsMetadata>().Any(a => a.RequestType == typeof(Lis.Geo.Jobs.AnalysisRequest)) == true
        || (HttpMethods.IsPost(http.Request.Method) && http.Request.Path.Value?.Trim('/') == "analyses");

    private static ProblemHttpResult Violation(RuleViolation v, HttpRequest req, params (string Name, object? Value)[] more)
    {
        var member = v.Field.Split('.', 2)[0];
        var inUrl = req.RouteValues.ContainsKey(member) || req.Query.ContainsKey(member) || !(req.ContentLength > 0 || req.Headers.TransferEncoding.Count > 0);
        var type = inUrl ? v.Kind == RuleKind.NotFound ? NotFound : InvalidParameter : InvalidBody;
        var extensions = new Dictionary<string, object?> { ["kind"] = v.Kind };
        foreach (var (name, value) in more) extensions[name] = value;
        return Result(type, v.Message, v.Field, extensions);
    }

    /// <summary>
    /// The answers no endpoint wrote (UseStatusCodePages: a path nothing serves, an id of the wrong form)
    /// get the catalogue's type and a detail saying what was not found and where to look.
    /// </summary>
    public static void Configure(ProblemDetailsOptions options) => options.CustomizeProblemDetails = c =>
    {
        var p = c.ProblemDetails;
        if (p.Detail is not null || p.Status != StatusCodes.Status404NotFound) return;
        p.Type = NotFound.Uri;
        p.Title = NotFound.Title;
        p.Detail = NothingAt(c.HttpContext.Request.Path.Value ?? "/");
    };

    /// <summary>The resources addressed by an integer id, by their path's first segment.</summary>
    private static readonly Dictionary<string, string> IdResources = new(StringComparer.Ordinal)
    {
        ["analyses"] = "analysis run", ["feeds"] = "feed", ["scenarios"] = "scenario", ["schedules"] = "schedule", ["jobs"] = "job",
    };

    private static string NothingAt(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length >= 2 && IdResources.TryGetValue(segments[0], out var name) && !long.TryParse(segments[1], out _))
            return $"'{segments[1]}' is not a{(name[0] is 'a' ? "n" : "")} {name} id: ids are integers (GET /{segments[0]} lists them).";
        if (segments is ["corridors"])
            return "Nothing at /corridors: the corridors are the collection /collections/corridors/items (GeoJSON, CSV with f=csv); /corridors/{code}/contents and /corridors/{code}/analyses take a corridor's code.";
        return $"Nothing at {path}. The landing page (GET /) and the OpenAPI document (GET /api) list what this API serves.";
    }

    /// <summary>Declares the problem answers an endpoint or a group can give, so the OpenAPI document lists them.</summary>
    public static TBuilder WithProblems<TBuilder>(this TBuilder builder, params int[] statuses) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ["application/problem+json"]));
        return builder;
    }

    public static void MapProblemDocs(this IEndpointRouteBuilder app) =>
        app.MapGet("/problems/{slug}", Results<Ok<ProblemType>, ProblemHttpResult> (string slug) =>
                All.FirstOrDefault(p => p.Slug == slug) is { } t ? TypedResults.Ok(t) : Result(NotFound, $"No problem type '{slug}'."))
            .WithTags("Meta").WithSummary("Describes a problem type of this API.");
}
