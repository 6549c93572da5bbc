using System.Text.Json.Nodes;
using Lis.Geo.Data.Feeds;
using Lis.Geo.Transit.Scenarios;
using Microsoft.EntityFrameworkCore;

namespace Lis.Geo.Api.Features.Scenarios;

/// <summary>
/// What-if scenarios as data: a name, a feed and the ordered modifications of
/// <see cref="Scenario"/> (add-route, adjust-frequency, remove, adjust-speed), validated against the
/// feed's stored routes and stops on every save, so nothing stored fails later for a typo.
/// </summary>
public static class ScenariosApi
{
    /// <summary>The body of POST and PUT (its modifications are the members of <see cref="Modification"/>'s types).</summary>
    public sealed record ScenarioBody(string Name, long? FeedId, IReadOnlyList<Modification> Modifications);

    public sealed record ScenarioView(long Id, string Name, long FeedId, string Sha256, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, JsonElement Modifications)
    {
        /// <summary>self, its preview (GeoJSON), its feed, and how to run it.</summary>
        public IReadOnlyList<Link> Links { get; init; } = [];
    }

    /// <summary>The stored scenarios as a collection: every one, oldest first, each with its links.</summary>
    public sealed record ScenarioList(IReadOnlyList<ScenarioView> Scenarios, int NumberReturned)
    {
        public IReadOnlyList<Link> Links { get; init; } = [];
    }

    /// <summary>Scenario bodies are small; this bounds a drawn line or polygon of tens of thousands of points.</summary>
    public const long MaxBodyBytes = 4 * 1024 * 1024;

    public static IEndpointRouteBuilder MapScenarios(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/scenarios").WithTags("Scenarios");

        g.MapPost("", async (HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
            {
                var (input, problem) = await ReadAsync(req, db, ct);
                if (problem is not null) return problem;
                await using var ctx = LisGeoDb.CreateContext(db);
                var now = DateTimeOffset.UtcNow;
                var record = new ScenarioRecord
                {
                    Name = input!.Name, FeedId = input.FeedId, Content = input.Scenario.ToJson(), Sha256 = input.Scenario.ComputeHash(),
                    CreatedAt = now, UpdatedAt = now,
                };
                ctx.Scenarios.Add(record);
                await ctx.SaveChangesAsync(ct);
                return Results.Created(OgcHttp.Href(req, $"/scenarios/{record.Id}"), View(record, req));
            })
            .RequireApiKey()
            .Accepts<ScenarioBody>("application/json")
            .Produces<ScenarioView>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .WithSummary("Store a scenario (validated against the feed: unknown routes or stops, empty time ranges, non-positive headways → 400 naming the field)");

        g.MapGet("", async (HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
            {
                await using var ctx = LisGeoDb.CreateContext(db);
                var list = await ctx.Scenarios.AsNoTracking().OrderBy(s => s.Id).ToListAsync(ct);
                return Results.Ok(new ScenarioList([.. list.Select(s => View(s, req))], list.Count)
                {
                    Links = [new(OgcHttp.Href(req, "/scenarios"), "self", "application/json")],
                });
            })
            .Produces<ScenarioList>()
            .WithSummary("Every stored scenario");

        g.MapGet("/{id:long}", async (long id, HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
            {
                await using var ctx = LisGeoDb.CreateContext(db);
                return await ctx.Scenarios.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct) is { } s
                    ? Results.Ok(View(s, req))
                    : Problems.Result(Problems.NotFound, $"No scenario {id}.", "id");
            })
            .Produces<ScenarioView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One scenario");

        g.MapPut("/{id:long}", async (long id, HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
            {
                await using var ctx = LisGeoDb.CreateContext(db);
                if (await ctx.Scenarios.FirstOrDefaultAsync(s => s.Id == id, ct) is not { } record)
                    return Problems.Result(Problems.NotFound, $"No scenario {id}.", "id");
                var (input, problem) = await ReadAsync(req, db, ct);
                if (problem is not null) return problem;
                record.Name = input!.Name;
                record.FeedId = input.FeedId;
                record.Content = input.Scenario.ToJson();
                record.Sha256 = input.Scenario.ComputeHash();
                record.UpdatedAt = DateTimeOffset.UtcNow;
                await ctx.SaveChangesAsync(ct);
                return Results.Ok(View(record, req));
            })
            .RequireApiKey()
            .Accepts<ScenarioBody>("application/json")
            .Produces<ScenarioView>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Replace a scenario (runs made with it keep the content they ran)");

        g.MapDelete("/{id:long}", async (long id, NpgsqlDataSource db, CancellationToken ct) =>
            {
                await using var ctx = LisGeoDb.CreateContext(db);
                var deleted = await ctx.Scenarios.Where(s => s.Id == id).ExecuteDeleteAsync(ct);
                return deleted == 0 ? Problems.Result(Problems.NotFound, $"No scenario {id}.", "id") : Results.NoContent();
            })
            .RequireApiKey()
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Delete a scenario (runs made with it keep the content they ran)");

        g.MapGet("/{id:long}/preview", async (long id, string? date, NpgsqlDataSource db, RouterCache routers, CancellationToken ct) =>
            {
                await using var ctx = LisGeoDb.CreateContext(db);
                if (await ctx.Scenarios.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct) is not { } record)
                    return Problems.Result(Problems.NotFound, $"No scenario {id}.", "id");
                var feed = await ctx.Feeds.AsNoTracking().FirstAsync(f => f.Id == record.FeedId, ct);
                DateOnly day;
                if (date is not null)
                {
                    if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", out day))
                        return Problems.Result(Problems.InvalidParameter, $"date '{date}' is not YYYY-MM-DD.", "date");
                }
                else if (FeedStore.DefaultDay(feed) is { } checkedDate) day = checkedDate;
                else return Problems.Result(Problems.InvalidParameter, "The feed has no checked service date; give ?date=YYYY-MM-DD.", "date");
                var timetable = await routers.GetTimetableAsync(feed.Id, feed.Sha256, day, ct);
                ScenarioPreview preview;
                try { preview = ScenarioPreview.Compute(timetable, Scenario.FromJson(record.Content)); }
                // The URL names the scenario, so the answer names the modification's member at fault (a 400, listing every error).
                catch (ScenarioException e) { throw RunScenarios.Unapplicable(record.Id, day, e, field: e.Errors[0].Field); }
                return Results.Text(PreviewGeoJson(preview, day).ToJsonString(), GeoJsonResult.MediaType);
            })
            .Produces<GeoJsonFeatureCollection>(StatusCodes.Status200OK, GeoJsonResult.MediaType)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The scenario's new and changed route lines and its new and skipped stops, as GeoJSON (on ?date=, default the feed's checked date)");
        return app;
    }

    private sealed record Input(string Name, long FeedId, Scenario Scenario);

    /// <summary>Reads and validates a body; on any problem nothing is stored and the ProblemDetails names the field (with the modification's index).</summary>
    private static async Task<(Input?, IResult?)> ReadAsync(HttpRequest req, NpgsqlDataSource db, CancellationToken ct)
    {
        var (json, problem) = await Body.ReadJsonAsync(req, MaxBodyBytes, ct);
        if (problem is not null) return (null, problem);
        using var doc = json!;
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) return (null, Problems.Result(Problems.InvalidBody, "The body must be a JSON object.", "body"));
        string? name = null;
        long? feedId = null;
        JsonElement? modifications = null;
        foreach (var member in root.EnumerateObject())
        {
            switch (member.Name)
            {
                case "name" when member.Value.ValueKind == JsonValueKind.String:
                    name = member.Value.GetString();
                    break;
                case "feedId" when member.Value.ValueKind == JsonValueKind.Number && member.Value.TryGetInt64(out var f):
                    feedId = f;
                    break;
                case "feedId" when member.Value.ValueKind == JsonValueKind.Null:
                    break;
                case "modifications" when member.Value.ValueKind == JsonValueKind.Array:
                    modifications = member.Value.Clone();
                    break;
                case "name" or "feedId" or "modifications":
                    return (null, Problems.Result(Problems.InvalidBody, $"{member.Name} has the wrong type (name: string, feedId: integer, modifications: array).", member.Name));
                default:
                    return (null, Problems.Result(Problems.InvalidBody, $"Unknown member '{member.Name}' (name, feedId, modifications).", member.Name));
            }
        }
        if (string.IsNullOrWhiteSpace(name)) return (null, Problems.Result(Problems.InvalidBody, "name is required.", "name"));
        if (modifications is null) return (null, Problems.Result(Problems.InvalidBody, "modifications is required (an array, possibly empty).", "modifications"));

        Scenario scenario;
        try { scenario = Scenario.FromJson($$"""{"modifications":{{modifications.Value.GetRawText()}}}"""); }
        // The path is the body's ("$.modifications[0].speedKmh"), so the one JSON mapping names it as sent.
        catch (JsonException e) { throw Body.Unreadable(e); }
        if (scenario.Modifications.Any(m => m is null))
        {
            var i = scenario.Modifications.ToList().FindIndex(m => m is null);
            return (null, Problems.Result(Problems.InvalidBody, "a modification must be an object with a type.", $"modifications[{i}]"));
        }

        await using var ctx = LisGeoDb.CreateContext(db);
        // feedId defaults to the default feed, resolved as for runs (FeedStore); a missing feed is a 400 naming feedId.
        var feed = await new FeedStore(db).FeedAsync(feedId, ct);
        var routes = (await ctx.Routes.AsNoTracking().Where(r => r.FeedId == feed.Id).Select(r => r.RouteId).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var stops = (await ctx.Stops.AsNoTracking().Where(s => s.FeedId == feed.Id).Select(s => s.StopId).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var errors = ScenarioValidator.Validate(scenario, new ScenarioIds(routes.Contains, stops.Contains));
        if (errors.Count > 0)
            return (null, Problems.Result(Problems.InvalidBody, $"{errors[0].Field}: {errors[0].Message}" + (errors.Count > 1 ? $" (and {errors.Count - 1} more in errors)" : ""),
                errors[0].Field, new Dictionary<string, object?> { ["errors"] = errors }));
        return (new Input(name.Trim(), feed.Id, scenario), null);
    }

    private static ScenarioView View(ScenarioRecord s, HttpRequest req)
    {
        using var doc = JsonDocument.Parse(Scenario.FromJson(s.Content).ToJson());
        return new(s.Id, s.Name, s.FeedId, s.Sha256, s.CreatedAt, s.UpdatedAt, doc.RootElement.GetProperty("modifications").Clone())
        {
            Links =
            [
                new(OgcHttp.Href(req, $"/scenarios/{s.Id}"), "self", "application/json"),
                new(OgcHttp.Href(req, $"/scenarios/{s.Id}/preview"), "preview", GeoJsonResult.MediaType, "New and changed route lines and stops (GeoJSON)"),
                new(OgcHttp.Href(req, $"/feeds/{s.FeedId}"), "feed", "application/json", "The feed it modifies"),
                new(OgcHttp.Href(req, "/analyses"), "run", "application/json", $"POST {{\"scenario\": {s.Id}}} here to run with it"),
            ],
        };
    }

    private static JsonObject PreviewGeoJson(ScenarioPreview preview, DateOnly day)
    {
        var features = new JsonArray();
        foreach (var line in preview.Lines)
        {
            features.Add(new JsonObject
            {
                ["type"] = "Feature",
                ["geometry"] = new JsonObject { ["type"] = "LineString", ["coordinates"] = new JsonArray([.. line.Points.Select(p => (JsonNode)new JsonArray(p.Lon, p.Lat))]) },
                ["properties"] = new JsonObject
                {
                    ["kind"] = line.Kind, ["routeId"] = line.RouteId, ["modification"] = line.Modification, ["trips"] = line.Trips,
                },
            });
        }
        foreach (var stop in preview.Stops)
        {
            features.Add(new JsonObject
            {
                ["type"] = "Feature",
                ["geometry"] = new JsonObject { ["type"] = "Point", ["coordinates"] = new JsonArray(stop.Point.Lon, stop.Point.Lat) },
                ["properties"] = new JsonObject { ["kind"] = stop.Kind + "-stop", ["stopId"] = stop.StopId, ["modification"] = stop.Modification },
            });
        }
        return new JsonObject
        {
            ["type"] = "FeatureCollection",
            ["serviceDate"] = day.ToString("yyyy-MM-dd"),
            ["notes"] = new JsonArray([.. preview.Notes.Select(n => (JsonNode)new JsonObject { ["field"] = n.Field, ["message"] = n.Message })]),
            ["features"] = features,
        };
    }
}
