using Lis.Geo.Data.Importing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

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
                    ZoneSet = QueryParameters.Nonempty(q["zoneSet"]),
                    ZoneSetName = QueryParameters.Nonempty(q["zoneSetName"]),
                    Srid = QueryParameters.Nonempty(q["srid"]) is { } s ? Crs.ParseSrid(s) ?? throw new Problems.BadParameterException("srid", $"'{s}' is not 4326 or 27700.") : null,
                    CodeField = QueryParameters.Nonempty(q["codeField"]),
                    NameField = QueryParameters.Nonempty(q["nameField"]),
                    MakeValid = QueryParameters.Flag(q, "makeValid"),
                    AcceptPartial = QueryParameters.Flag(q, "acceptPartial"),
                    Edition = QueryParameters.Nonempty(q["edition"]),
                    Column = QueryParameters.Nonempty(q["column"]),
                    ApproximateCentroids = QueryParameters.Flag(q, "approximateCentroids"),
                };
                // Received like feed uploads (streamed to disk, hashed, size-limited as bytes arrive); the
                // importer reads it from there as a stream, within Limits:MaxImportRows and the inflate caps.
                var (upload, problem) = await Body.ReceiveUploadAsync(req, options.Value.MaxUploadBytes, options.Value.UploadDirectory, ct);
                if (problem is not null) return problem;
                ImportRecord record;
                await using (upload)
                    record = await new Importer(db).ImportAsync(dataset, SourceFile.OnDisk(upload!.Path, upload.FileName, upload.Sha256), importOptions, ct);
                var location = OgcHttp.Href(req, $"/imports/records/{record.Id}");
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
            .WithQuery(new QueryParameter("fileName", "Name of a raw (non-multipart) upload; its extension says the format"),
                new QueryParameter("zoneSet", "Zone set the file's zones, centroids or figures belong to"), new QueryParameter("zoneSetName", "Title of a new zone set"),
                new QueryParameter("srid", "4326 or 27700: CRS of a CSV's coordinates", Microsoft.OpenApi.JsonSchemaType.Integer),
                new QueryParameter("codeField", "Property holding the feature code"), new QueryParameter("nameField", "Property holding the feature name"),
                new QueryParameter("makeValid", "true: repair invalid geometries instead of rejecting them", Microsoft.OpenApi.JsonSchemaType.Boolean),
                new QueryParameter("acceptPartial", "true: import the good rows and report the rejected ones", Microsoft.OpenApi.JsonSchemaType.Boolean),
                new QueryParameter("edition", "imd: imd2019 or iod2025 (default from the header)"), new QueryParameter("column", "population: the column to read"),
                new QueryParameter("approximateCentroids", "true: centroids computed from the zones' shapes", Microsoft.OpenApi.JsonSchemaType.Boolean))
            .WithSummary("Import a GeoJSON or CSV file into a dataset")
            .WithDescription("Send multipart/form-data with a 'file' part, or the raw file with ?fileName=… . Query options: zoneSet, zoneSetName, srid (4326|27700), " +
                             "codeField, nameField, makeValid, acceptPartial, edition (imd: imd2019|iod2025, default from the header), column (population: any column by name), " +
                             "approximateCentroids. One transaction: lands whole or not at all (422 with every rejected row).");

        g.MapGet("", async (LisGeoDbContext ctx, HttpRequest req, CancellationToken ct) =>
            {
                var limit = QueryParameters.Int(req.Query, "limit", 50, 1, 1000);
                var offset = QueryParameters.Int(req.Query, "offset", 0, 0, int.MaxValue);
                return TypedResults.Ok(await ctx.Imports.AsNoTracking().OrderByDescending(i => i.Id).Skip(offset).Take(limit).ToListAsync(ct));
            })
            .WithQuery(new QueryParameter("limit", "Records per page (1–1000, default 50)", Microsoft.OpenApi.JsonSchemaType.Integer),
                new QueryParameter("offset", "Records to skip", Microsoft.OpenApi.JsonSchemaType.Integer))
            .WithSummary("Import records, newest first");

        static async Task<Results<Ok<ImportRecord>, ProblemHttpResult>> Record(long id, LisGeoDbContext ctx, CancellationToken ct) =>
            await ctx.Imports.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, ct) is { } r
                ? TypedResults.Ok(r)
                : Problems.Result(Problems.NotFound, $"No import #{id}.", "id");
        g.MapGet("/records/{id:long}", Record).WithSummary("One import record with all its issues");
        // The first URL of a record: it shared a template with POST /imports/{dataset} (the document's paths
        // must differ by more than a parameter's name), so it still answers but is no longer described.
        g.MapGet("/{id:long}", Record).ExcludeFromDescription();
        return app;
    }

}
