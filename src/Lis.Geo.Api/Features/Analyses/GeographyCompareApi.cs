using Lis.Geo.Data.Analyses;
using Lis.Geo.Transit;

namespace Lis.Geo.Api.Features.Analyses;

/// <summary>
/// <c>GET /analyses/{id}/compare-geography?other={id}</c>: a run on LSOA 2011 zones against one on LSOA 2021
/// zones, through the stored ONS lookup (<see cref="GeographyComparison"/>). Distinct from the scenario
/// comparison of two runs on the same zones.
/// </summary>
public static class GeographyCompareApi
{
    public static IEndpointRouteBuilder MapGeographyCompare(this IEndpointRouteBuilder app)
    {
        app.MapGet("/analyses/{id:long}/compare-geography", async (long id, long? other, NpgsqlDataSource db, CancellationToken ct) =>
            {
                if (other is null) return Problems.Result(Problems.InvalidParameter, "Give other, the id of the run on the other LSOA geography.", "other");
                var run = await RequiredRun.FoundAsync(db, id, "id", ct);
                // A missing other run is a bad parameter (400), not a missing resource: the tests pin it so
                // (GeographyCompareTests), where /compare's missing baseline is 404 (ScenarioRunTests).
                var otherRun = await RequiredRun.FoundAsync(db, other.Value, "other", ct, missingKind: RuleKind.Invalid);
                foreach (var (r, field) in new[] { (run, "id"), (otherRun, "other") })
                {
                    RequiredRun.Succeeded(r, field, "runs are compared once they have succeeded");
                    if (!r.Spec.ResultLayers.Contains(ResultLayer.Zones))
                        return Problems.Result(Problems.InvalidParameter, $"Run {r.Id} is a {r.Type} run and has no zone results.", field);
                }
                return Results.Ok(await GeographyComparison.CompareAsync(db, run, otherRun, ct));
            })
            .WithTags("Analyses").WithProblems(400, 404, 409)
            .WithQuery(new QueryParameter("other", "Id of the run on the other LSOA geography", Microsoft.OpenApi.JsonSchemaType.Integer, Required: true, Example: "2"))
            .Produces<GeographyComparison.Result>()
            .WithSummary("A 2011-zone run against a 2021-zone run through the ONS LSOA lookup: unchanged, split and merged zones paired, population-weighted, counted; unmatched zones listed")
            .WithDescription(GeographyComparison.MethodText + " Differences are other − this run.");
        return app;
    }
}
