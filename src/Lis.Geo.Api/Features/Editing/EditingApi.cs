using Lis.Geo.Data.Importing;

namespace Lis.Geo.Api.Features.Editing;

/// <summary>
/// Create, replace and delete centres, corridors and sites (OGC API – Features Part 4 style), behind
/// the API key. A write is validated by the same dataset rules as a file import and either lands
/// whole or not at all; nothing invalid is ever stored.
/// </summary>
public static class EditingApi
{
    public static IEndpointRouteBuilder MapEditing(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/collections/{collectionId}/items").WithTags("Editing").RequireApiKey().Reads(BodyKind.Feature).WithProblems(400, 401, 404, 409, 413, 415, 422);

        g.MapPost("", (string collectionId, HttpRequest req, NpgsqlDataSource db, IOptions<ApiOptions> o, CancellationToken ct) =>
                Write(collectionId, null, WriteMode.Create, req, db, o.Value, ct))
            .Accepts<GeoJsonFeature>(GeoJsonResult.MediaType, "application/json")
            .Produces<WrittenFeature>(StatusCodes.Status201Created)
            .WithSummary("Create a feature (centres, corridors, housing-sites, employment-sites)")
            .WithDescription("Body: a GeoJSON Feature in WGS84 lon/lat. Its key property (code or reference, or the Feature id) must be new. ?makeValid=true repairs invalid geometry (reported). 201 with {id, notes}: notes say what was stored otherwise than sent (a polygon for a centre is stored as its point on surface).");

        g.MapPut("/{featureId}", (string collectionId, string featureId, HttpRequest req, NpgsqlDataSource db, IOptions<ApiOptions> o, CancellationToken ct) =>
                Write(collectionId, featureId, WriteMode.Replace, req, db, o.Value, ct))
            .Accepts<GeoJsonFeature>(GeoJsonResult.MediaType, "application/json")
            .Produces(StatusCodes.Status204NoContent)
            .Produces<WrittenFeature>(StatusCodes.Status200OK)
            .WithSummary("Replace a feature")
            .WithDescription("204 when stored as sent; 200 with notes when something else was stored (a polygon for a centre becomes its point on surface, a repaired geometry).");

        g.MapDelete("/{featureId}", async (string collectionId, string featureId, NpgsqlDataSource db, CancellationToken ct) =>
            {
                if (await EditableLayer(db, collectionId, ct) is not { } layer) return NotEditable(collectionId);
                return await new FeatureWriter(db).DeleteAsync(layer.EditableDataset!, featureId, ct)
                    ? Results.NoContent()
                    : Problems.Result(Problems.NotFound, $"Collection '{collectionId}' has no feature '{featureId}'.", "featureId");
            })
            .WithSummary("Delete a feature");
        return app;
    }

    private static async Task<IResult> Write(string collectionId, string? featureId, WriteMode mode, HttpRequest req, NpgsqlDataSource db, ApiOptions options, CancellationToken ct)
    {
        if (await EditableLayer(db, collectionId, ct) is not { } layer) return NotEditable(collectionId);
        var makeValid = req.Query["makeValid"].ToString() switch
        {
            "" or "false" => false,
            "true" => true,
            var v => throw new Problems.BadParameterException("makeValid", $"'{v}' is not true or false."),
        };
        var (json, problem) = await Body.ReadJsonAsync(req, options.MaxFeatureBytes, ct);
        if (problem is not null) return problem;
        using (json)
        {
            var root = json!.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String || t.GetString() != "Feature")
                return Problems.Result(Problems.InvalidBody, "The body must be a GeoJSON Feature ({\"type\":\"Feature\", \"geometry\":…, \"properties\":…}).", "type");
            if (root.TryGetProperty("crs", out var crs) && crs.ValueKind != JsonValueKind.Null)
                return Problems.Result(Problems.InvalidBody, "Send RFC 7946 GeoJSON (WGS84 lon/lat) without a 'crs' member; other CRSs are not accepted for writes.", "crs");
            var row = SourceFile.ReadFeature(root);
            var (outcome, id, issues) = await new FeatureWriter(db).WriteAsync(layer.EditableDataset!, row, featureId, mode, makeValid, ct);
            return outcome switch
            {
                WriteOutcome.Written when mode == WriteMode.Create => Results.Created($"{OgcHttp.Href(req, $"/collections/{collectionId}/items/{Uri.EscapeDataString(id!)}")}", Written(id!, issues)),
                // A replace that changed nothing of what was sent stays 204; one that stored something else says what.
                WriteOutcome.Written when Notes(issues).Count == 0 => Results.NoContent(),
                WriteOutcome.Written => Results.Ok(Written(id!, issues)),
                WriteOutcome.AlreadyExists => Problems.Result(Problems.Conflict, $"'{id}' already exists in '{collectionId}'; PUT /collections/{collectionId}/items/{id} replaces it.", "id"),
                WriteOutcome.NotFound => Problems.Result(Problems.NotFound, $"Collection '{collectionId}' has no feature '{featureId}'; POST creates one.", "featureId"),
                WriteOutcome.IdMismatch => Problems.Result(Problems.InvalidBody, $"The body's key '{id}' differs from the URL's '{featureId}'.", "id"),
                _ => Invalid(issues),
            };
        }
    }

    /// <summary>
    /// What was stored when it is not exactly what was sent (a polygon given for a centre stored as its
    /// point on surface, a geometry repaired by makeValid): every warning of the dataset rules, by body member.
    /// </summary>
    public sealed record WriteNote(string Field, string Code, string Message);
    public sealed record WrittenFeature(string Id, IReadOnlyList<WriteNote> Notes);

    private static List<WriteNote> Notes(List<Data.Model.ImportIssue> issues) =>
        issues.Where(i => i.Severity == Data.Model.ImportIssue.Warning).Select(i => new WriteNote(Field(i.Field) ?? "feature", i.Code, i.Message)).ToList();

    private static WrittenFeature Written(string id, List<Data.Model.ImportIssue> issues) => new(id, Notes(issues));

    private static IResult Invalid(List<Data.Model.ImportIssue> issues)
    {
        var errors = issues.Where(i => i.Severity == Data.Model.ImportIssue.Error).ToList();
        var first = errors.FirstOrDefault();
        return Problems.Result(Problems.InvalidFeature, first?.Message ?? "The feature was rejected.", Field(first?.Field),
            new Dictionary<string, object?>
            {
                ["errors"] = errors.GroupBy(e => Field(e.Field) ?? "feature").ToDictionary(g => g.Key, g => g.Select(e => $"{e.Message} [{e.Code}]").ToArray()),
            });
    }

    /// <summary>Points at the body member: geometry stays <c>geometry</c>, attributes become <c>properties.name</c>.</summary>
    private static string? Field(string? field) => field is null or "geometry" ? field : $"properties.{field}";

    private static async Task<Layer?> EditableLayer(NpgsqlDataSource db, string id, CancellationToken ct) =>
        await LayerCatalog.FindAsync(db, id, ct) is { IsEditable: true } layer ? layer : null;

    private static IResult NotEditable(string id) =>
        Problems.Result(Problems.NotFound, $"'{id}' is not an editable collection. Editable: {string.Join(", ", LayerCatalog.Fixed.Where(l => l.IsEditable).Select(l => l.Id))}.", "collectionId");
}
