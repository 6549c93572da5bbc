using Lis.Geo.Data.Feeds;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Lis.Geo.Api.Features.Feeds;

/// <summary>
/// GTFS feeds: upload (API key; streamed to disk, hashed and size-limited as it arrives), list, and
/// the reader's issue report. Stops are the <c>transit-stops</c> collection and route lines the
/// <c>transit-routes</c> collection (both filter <c>feed=</c>); each feed links to its own.
/// </summary>
public static class FeedsApi
{
    public sealed record FeedIssues(long FeedId, int IssueCount, string? CheckedDate, IReadOnlyList<FeedIssueRecord> Issues, bool Truncated);

    /// <summary>
    /// A stored feed as the API shows it: the record, whether it is the default (the feed runs and look-ups
    /// use when they name none) and whether it can be routed on (and why not), plus links to its issues,
    /// stops and routes. <see cref="Note"/> (uploads only) says what the upload did to the default.
    /// </summary>
    public sealed record Feed(
        long Id, string Name, string FileName, string Sha256, long SizeBytes, DateOnly? ValidFrom, DateOnly? ValidTo,
        IReadOnlyDictionary<string, long> RowCounts, DateOnly? CheckedDate, int IssueCount, IReadOnlyList<FeedIssueRecord> Issues,
        DateTimeOffset ImportedAt, bool Default, bool Routable, string? NotRoutableReason, IReadOnlyList<Link> Links)
    {
        [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        public string? Note { get; init; }

        public static Feed From(TransitFeed f, HttpRequest req) => new(
            f.Id, f.Name, f.FileName, f.Sha256, f.SizeBytes, f.ValidFrom, f.ValidTo, f.RowCounts, f.CheckedDate, f.IssueCount, f.Issues, f.ImportedAt,
            f.IsDefault, f.NotRoutableReason is null, f.NotRoutableReason,
            [
                new Link(OgcHttp.Href(req, $"/feeds/{f.Id}"), "self", "application/json", "This feed"),
                new Link(OgcHttp.Href(req, $"/feeds/{f.Id}/issues"), "issues", "application/json", "The reader's issue report"),
                new Link(OgcHttp.Href(req, $"/collections/transit-stops/items?feed={f.Id}"), "stops", GeoJsonResult.MediaType, "Stops (GeoJSON)"),
                new Link(OgcHttp.Href(req, $"/collections/transit-routes/items?feed={f.Id}"), "routes", GeoJsonResult.MediaType, "Route lines (GeoJSON)"),
            ]);
    }

    public static IEndpointRouteBuilder MapFeeds(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/feeds").WithTags("Transit feeds").WithProblems(400, 401, 404, 413, 415, 422);

        g.MapPost("", async (HttpRequest req, NpgsqlDataSource db, IOptions<ApiOptions> options, CancellationToken ct) =>
            {
                // Query parameters first, so a bad one is refused before the upload is read.
                DateOnly? checkDate = QueryParameters.Nonempty(req.Query["checkDate"]) is { } d
                    ? DateOnly.TryParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) ? parsed
                        : throw new Problems.BadParameterException("checkDate", $"'{d}' is not a date (yyyy-MM-dd).")
                    : null;
                var (upload, problem) = await Body.ReceiveUploadAsync(req, options.Value.MaxUploadBytes, options.Value.UploadDirectory, ct);
                if (problem is not null) return problem;
                await using (upload)
                {
                    var file = new FeedFile(upload!.Path, upload.FileName, upload.Sha256, upload.Length);
                    var store = new FeedStore(db);
                    var (feed, created) = await store.ImportAsync(QueryParameters.Nonempty(req.Query["name"]) ?? Path.GetFileNameWithoutExtension(upload.FileName), file, checkDate, ct);
                    var body = Feed.From(feed, req) with { Note = await DefaultNoteAsync(store, feed, created, ct) };
                    return created ? Results.Created(body.Links[0].Href, body) : Results.Ok(body);
                }
            })
            .RequireApiKey()
            .Reads(BodyKind.Upload)
            .DisableAntiforgery()
            .Accepts<IFormFile>("multipart/form-data", "application/zip", "application/x-zip-compressed", "application/octet-stream", "application/xml", "text/xml")
            .Produces<Feed>(StatusCodes.Status201Created)
            .Produces<Feed>(StatusCodes.Status200OK)
            .WithSummary("Upload a GTFS zip, or a TransXChange file or zip of them")
            .WithDescription("multipart 'file' part or the raw zip with ?fileName= (chunked bodies accepted). TransXChange (an XML document or a zip of them) is recognised by content and stored as a feed like GTFS, read through its conversion to GTFS tables (row counts are those tables'). The upload is streamed to disk and hashed as it arrives; " +
                             "over Api:MaxUploadBytes it is refused with 413 and nothing is stored. Optional ?name= and ?checkDate=yyyy-MM-dd (the day compiled to produce " +
                             "the issue report; default the feed's first Wednesday). The same bytes again return the stored feed (200). Stops and route lines are then served " +
                             "as the collections transit-stops and transit-routes (?feed={id}); the feed's links name them. " +
                             "Uploading never changes the default feed, except that the first routable feed stored becomes it (the response's note says which). " +
                             "A feed with no trips, no stop times or no day of service is stored with routable false and its reason; runs on it are refused.");

        g.MapPut("/{id:long}/default", async (long id, HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
                TypedResults.Ok(Feed.From(await new FeedStore(db).SetDefaultAsync(id, ct), req)))
            .RequireApiKey()
            .Produces<Feed>()
            .WithSummary("Make this feed the default")
            .WithDescription("The default feed is the one runs, schedules, scenarios and interactive look-ups use when they name no feedId; " +
                             "run records say when the default was used. 404 for no such feed, 400 (field id) for a feed that cannot be routed on.");

        g.MapDelete("/{id:long}", async (long id, NpgsqlDataSource db, CancellationToken ct) =>
                await new FeedStore(db).DeleteAsync(id, ct) switch
                {
                    { Found: false } => Problems.Result(Problems.NotFound, $"No feed {id}.", "id"),
                    { KeptBecause: { } why } => Problems.Result(Problems.Conflict, why, "id"),
                    _ => Results.NoContent(),
                })
            .RequireApiKey()
            .Produces(StatusCodes.Status204NoContent)
            .WithProblems(409)
            .WithSummary("Delete a feed no run, scenario or schedule uses")
            .WithDescription("Deletes the feed with its stored bytes, stops and routes. 409 when a run, scenario or schedule uses it " +
                             "(a run's record names its feed, so the feed is kept), or when it is the default and another routable feed exists " +
                             "(make another the default first). Deleting the last routable feed leaves no default.");

        g.MapGet("", async (HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
            {
                await using var ctx = LisGeoDb.CreateContext(db);
                var feeds = await ctx.Feeds.AsNoTracking().OrderByDescending(f => f.Id).ToListAsync(ct);
                return TypedResults.Ok(feeds.Select(f => Feed.From(f, req)).ToList());
            })
            .WithSummary("Stored feeds, newest first; default: true marks the default feed");

        g.MapGet("/{id:long}", async Task<Results<Ok<Feed>, ProblemHttpResult>> (long id, HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
            {
                await using var ctx = LisGeoDb.CreateContext(db);
                return await ctx.Feeds.AsNoTracking().FirstOrDefaultAsync(f => f.Id == id, ct) is { } f
                    ? TypedResults.Ok(Feed.From(f, req)) : Problems.Result(Problems.NotFound, $"No feed {id}.", "id");
            })
            .WithSummary("One feed: validity, counts, issues, links to its stops and routes");

        g.MapGet("/{id:long}/issues", async Task<Results<Ok<FeedIssues>, ProblemHttpResult>> (long id, NpgsqlDataSource db, CancellationToken ct) =>
            {
                await using var ctx = LisGeoDb.CreateContext(db);
                return await ctx.Feeds.AsNoTracking().FirstOrDefaultAsync(f => f.Id == id, ct) is { } f
                    ? TypedResults.Ok(new FeedIssues(f.Id, f.IssueCount, f.CheckedDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), f.Issues, f.IssueCount > f.Issues.Count))
                    : Problems.Result(Problems.NotFound, $"No feed {id}.", "id");
            })
            .WithSummary("The GTFS reader's issue report (severity, code, file, line, message)");
        return app;
    }

    /// <summary>What an upload did to the default feed, said in the response so it is never a surprise.</summary>
    private static async Task<string> DefaultNoteAsync(FeedStore store, TransitFeed feed, bool created, CancellationToken ct)
    {
        if (feed.NotRoutableReason is { } why) return $"Stored, but not routable: {why} The default feed is unchanged.";
        if (created && feed.IsDefault) return "This is the first routable feed stored, so it is now the default feed (used by requests that name no feedId).";
        if (feed.IsDefault) return "This feed is the default feed.";
        return await store.DefaultAsync(ct) is { } d
            ? $"The default feed is still {d.Id} ('{d.Name}'); PUT /feeds/{feed.Id}/default to make this one the default."
            : $"No feed is the default; PUT /feeds/{feed.Id}/default to make this one the default.";
    }
}
