using System.Globalization;
using Lis.Geo.Api.Features.Ogc;
using Lis.Geo.Api.Infrastructure;
using Lis.Geo.Data;
using Lis.Geo.Data.Feeds;
using Lis.Geo.Data.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lis.Geo.Api.Features.Feeds;

/// <summary>
/// GTFS feeds: upload (API key, size-limited), list, and the reader's issue report. Stops are the
/// <c>transit-stops</c> collection (filter <c>feed=</c>).
/// </summary>
public static class FeedsApi
{
    public sealed record FeedIssues(long FeedId, int IssueCount, string? CheckedDate, IReadOnlyList<FeedIssueRecord> Issues, bool Truncated);

    public static IEndpointRouteBuilder MapFeeds(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/feeds").WithTags("Transit feeds");

        g.MapPost("", async (HttpRequest req, NpgsqlDataSource db, IOptions<ApiOptions> options, CancellationToken ct) =>
            {
                var max = options.Value.MaxUploadBytes;
                if (req.ContentLength > max) return Body.TooLarge(max);
                var (fileName, content, problem) = await Body.ReadUploadAsync(req, max, ct);
                if (problem is not null) return problem;
                DateOnly? checkDate = Body.Nonempty(req.Query["checkDate"]) is { } d
                    ? DateOnly.TryParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) ? parsed
                        : throw new Problems.BadParameterException("checkDate", $"'{d}' is not a date (yyyy-MM-dd).")
                    : null;
                try
                {
                    var (feed, created) = await new FeedStore(db).ImportAsync(Body.Nonempty(req.Query["name"]) ?? Path.GetFileNameWithoutExtension(fileName), fileName, content!, checkDate, ct);
                    var location = OgcApi.Href(req, $"/feeds/{feed.Id}");
                    return created ? Results.Created(location, feed) : Results.Ok(feed);
                }
                catch (FeedRejectedException e)
                {
                    return Problems.Result(Problems.InvalidFeature, e.Message, "file");
                }
            })
            .RequireApiKey()
            .DisableAntiforgery()
            .Accepts<IFormFile>("multipart/form-data")
            .Produces<TransitFeed>(StatusCodes.Status201Created)
            .WithSummary("Upload a GTFS zip")
            .WithDescription("multipart 'file' part or the raw zip with ?fileName=. Optional ?name= and ?checkDate=yyyy-MM-dd (the day compiled to produce the issue report; default the feed's first Wednesday). The same bytes again return the stored feed (200).");

        g.MapGet("", async (NpgsqlDataSource db, CancellationToken ct) =>
            {
                await using var ctx = LisGeoDb.CreateContext(db);
                return TypedResults.Ok(await ctx.Feeds.AsNoTracking().OrderByDescending(f => f.Id).ToListAsync(ct));
            })
            .WithSummary("Stored feeds, newest first");

        g.MapGet("/{id:long}", async Task<Results<Ok<TransitFeed>, ProblemHttpResult>> (long id, NpgsqlDataSource db, CancellationToken ct) =>
            {
                await using var ctx = LisGeoDb.CreateContext(db);
                return await ctx.Feeds.AsNoTracking().FirstOrDefaultAsync(f => f.Id == id, ct) is { } f
                    ? TypedResults.Ok(f) : Problems.Result(Problems.NotFound, $"No feed {id}.", "id");
            })
            .WithSummary("One feed: validity, counts, issues");

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
}
