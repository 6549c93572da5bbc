using Microsoft.AspNetCore.Http.HttpResults;
using static Lis.Geo.Data.Layers.CorridorQueries;

namespace Lis.Geo.Api.Features.Corridors;

/// <summary><c>GET /corridors/{code}/contents</c>: what lies in an inclusive growth corridor, with totals (<see cref="CorridorQueries.ContentsAsync"/>).</summary>
public static class CorridorsApi
{
    public static IEndpointRouteBuilder MapCorridors(this IEndpointRouteBuilder app)
    {
        app.MapGet("/corridors/{code}/contents", async Task<Results<Ok<CorridorContents>, ProblemHttpResult>> (
                string code, string? zoneSet, NpgsqlDataSource db, CancellationToken ct) =>
                await ContentsAsync(db, code, zoneSet, ct) is { } contents
                    ? TypedResults.Ok(contents)
                    : Problems.Result(Problems.NotFound, $"No corridor '{code}'. GET /collections/corridors/items lists them.", "code"))
            .WithTags("Planner look-ups").WithProblems(400, 404)
            .WithSummary("What lies in a corridor: zones, housing and employment sites, centres, with totals")
            .WithDescription("Optional zoneSet (e.g. lsoa11) picks the zones counted; by default the first zone set the corridor touches.");
        return app;
    }
}
