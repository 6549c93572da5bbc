using Lis.Geo.Api.Features.Ogc;
using Lis.Geo.Api.Infrastructure;
using Lis.Geo.Data;
using Lis.Geo.Data.Importing;
using Lis.Geo.Data.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lis.Geo.Api.Features.Imports;

/// <summary>
/// Upload a GeoJSON or CSV file into a dataset (<c>POST /imports/{dataset}</c>, API key) and read the
/// record every import leaves (<c>GET /imports</c>). Same importer, same rules as <c>lisgeo import</c>.
/// </summary>
public static class ImportsApi
{
    public sealed record DatasetInfo(string Name, string Description);

    public static IEndpointRouteBuilder MapImports(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/imports").WithTags("Imports").WithProblems(400, 401, 404, 413, 415, 422);

        g.MapGet("/datasets", () => TypedResults.Ok(Datasets.All.Select(d => new DatasetInfo(d.Name, d.Description)).ToList()))
            .WithSummary("The datasets that can be imported");

        g.MapPost("/{dataset}", async (string dataset, HttpRequest req, NpgsqlDataSource db, IOptions<ApiOptions> options, CancellationToken ct) =>
            {
                var q = req.Query;
                var importOptions = new ImportOptions
                {
                    ZoneSet = Body.Nonempty(q["zoneSet"]),
                    ZoneSetName = Body.Nonempty(q["zoneSetName"]),
                    Srid = Body.Nonempty(q["srid"]) is { } s ? Crs.ParseSrid(s) ?? throw new Problems.BadParameterException("srid", $"'{s}' is not 4326 or 27700.") : null,
                    CodeField = Body.Nonempty(q["codeField"]),
                    NameField = Body.Nonempty(q["nameField"]),
                    MakeValid = Body.Flag(q, "makeValid"),
                    AcceptPartial = Body.Flag(q, "acceptPartial"),
                    Edition = Body.Nonempty(q["edition"]),
                    Column = Body.Nonempty(q["column"]),
                    ApproximateCentroids = Body.Flag(q, "approximateCentroids"),
                };
                // Received like feed uploads (streamed to disk, hashed, size-limited as bytes arrive); the
                // importers then read the file whole, as parsing GeoJSON and validating every row needs it.
                var (upload, problem) = await Body.ReceiveUploadAsync(req, options.Value.MaxUploadBytes, options.Value.UploadDirectory, ct);
                if (problem is not null) return problem;
                SourceFile source;
                await using (upload)
                    source = new SourceFile(upload!.FileName, await File.ReadAllBytesAsync(upload.Path, ct));
                var record = await new Importer(db).ImportAsync(dataset, source, importOptions, ct);
                var location = OgcApi.Href(req, $"/imports/{record.Id}");
                return record.Status == "succeeded"
                    ? Results.Created(location, record)
                    : Problems.Result(Problems.ImportRejected, record.Issues.FirstOrDefault()?.Message ?? "The file was rejected.", "file",
                        new Dictionary<string, object?> { ["importRecord"] = record, ["instance"] = location });
            })
            .RequireApiKey()
            .Reads(BodyKind.Upload)
            .DisableAntiforgery()
            .Accepts<IFormFile>("multipart/form-data", "text/csv", "application/geo+json", "application/json", "application/gzip", "application/octet-stream")
            .Produces<ImportRecord>(StatusCodes.Status201Created)
            .WithSummary("Import a GeoJSON or CSV file into a dataset")
            .WithDescription("Send multipart/form-data with a 'file' part, or the raw file with ?fileName=… . Query options: zoneSet, zoneSetName, srid (4326|27700), " +
                             "codeField, nameField, makeValid, acceptPartial, edition (imd: imd2019|iod2025, default from the header), column (population: any column by name), " +
                             "approximateCentroids. One transaction: lands whole or not at all (422 with every rejected row).");

        g.MapGet("", async (LisGeoDbContext ctx, HttpRequest req, CancellationToken ct) =>
            {
                var limit = ItemsQuery.Int(req.Query, "limit", 50, 1, 1000);
                var offset = ItemsQuery.Int(req.Query, "offset", 0, 0, int.MaxValue);
                return TypedResults.Ok(await ctx.Imports.AsNoTracking().OrderByDescending(i => i.Id).Skip(offset).Take(limit).ToListAsync(ct));
            })
            .WithSummary("Import records, newest first");

        g.MapGet("/{id:long}", async Task<Results<Ok<ImportRecord>, ProblemHttpResult>> (long id, LisGeoDbContext ctx, CancellationToken ct) =>
                await ctx.Imports.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, ct) is { } r
                    ? TypedResults.Ok(r)
                    : Problems.Result(Problems.NotFound, $"No import #{id}.", "id"))
            .WithSummary("One import record with all its issues");
        return app;
    }

}
