using Lis.Geo.Data.Analyses;
using Lis.Geo.Transit;
using Microsoft.EntityFrameworkCore;

namespace Lis.Geo.Api.Features.Schedules;

/// <summary>
/// Recurring analyses for policy teams: a cron in Europe/London time (e.g. <c>0 6 * * 1</c>, Mondays
/// 06:00) and an analysis request. Each firing is a normal run; <c>GET /analyses?</c> lists them.
/// </summary>
public static class SchedulesApi
{
    public sealed record ScheduleRequest(string Name, string Cron, string? TimeZone, AnalysisRequest Request, bool Paused = false);
    public sealed record SchedulePatch(bool? Paused, string? Cron, string? Name);
    /// <summary>A schedule; <c>NextRunAt</c> is when it fires next (UTC), null while paused.</summary>
    public sealed record ScheduleView(long Id, string Name, string Cron, string TimeZone, bool Paused, DateTimeOffset? NextRunAt, DateTimeOffset CreatedAt,
        JsonElement Request, IReadOnlyList<long> RecentRuns);

    public static IEndpointRouteBuilder MapSchedules(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/schedules").WithTags("Schedules").WithProblems(400, 401, 404);

        g.MapPost("", async (ScheduleRequest body, NpgsqlDataSource db, ScheduleJobs schedules, AnalysisPlanner planner, HttpRequest req, IOptions<LimitsOptions> limits, CancellationToken ct) =>
            {
                // Each refusal is a RuleViolation, answered by Problems.For like every other (invalid-body, naming the member).
                if (string.IsNullOrWhiteSpace(body.Name)) throw new RuleViolation("name", RuleKind.Missing, "name is required.");
                if (body.Name.Length > limits.Value.MaxNameLength)
                    throw new RuleViolation("name", RuleKind.Invalid, $"name is {body.Name.Length:N0} characters; at most {limits.Value.MaxNameLength} (Limits:MaxNameLength).");
                if (string.IsNullOrWhiteSpace(body.Cron)) throw new RuleViolation("cron", RuleKind.Missing, "cron is required (e.g. \"0 6 * * 1\", Mondays 06:00).");
                if (body.Request is null) throw new RuleViolation("request", RuleKind.Missing, "request is required: the analysis to run, e.g. {\"type\":\"zone-access\"}.");
                if (body.Cron.Length > limits.Value.MaxCodeLength || (body.TimeZone?.Length ?? 0) > limits.Value.MaxCodeLength)
                    throw new RuleViolation(body.Cron.Length > limits.Value.MaxCodeLength ? "cron" : "timeZone", RuleKind.Invalid, $"cron and timeZone have at most {limits.Value.MaxCodeLength} characters.");
                RunLimits.Check(body.Request, limits.Value, "request.");
                try
                {
                    body.Request.Check();
                    await planner.CheckStoredSetsAsync(body.Request, ct);
                }
                catch (RuleViolation v) { throw v.Within("request"); }
                await using var ctx = LisGeoDb.CreateContext(db);
                var schedule = new AnalysisSchedule
                {
                    Name = body.Name, Cron = body.Cron, TimeZone = body.TimeZone ?? AnalysisSchedule.DefaultTimeZone, Paused = body.Paused,
                    Request = JsonSerializer.Serialize(body.Request, AnalysisPlanner.Json), CreatedAt = DateTimeOffset.UtcNow,
                };
                await using var tx = await ctx.Database.BeginTransactionAsync(ct);
                ctx.Schedules.Add(schedule);
                await ctx.SaveChangesAsync(ct);
                if (!schedule.Paused) schedules.Register(schedule);
                else schedules.Validate(schedule);
                if (NextRun(schedule) is null)
                {
                    schedules.Unregister(schedule.Id);
                    throw new RuleViolation("cron", RuleKind.Invalid, $"The cron '{schedule.Cron}' never fires (e.g. 31 February).");
                }
                await tx.CommitAsync(ct);
                return Results.Created(OgcHttp.Href(req, $"/schedules/{schedule.Id}"), View(schedule, []));
            })
            .RequireApiKey()
            .Produces<ScheduleView>(StatusCodes.Status201Created)
            .WithSummary("Schedule an analysis on a cron (Europe/London by default)");

        g.MapGet("", async (NpgsqlDataSource db, CancellationToken ct) =>
            {
                await using var ctx = LisGeoDb.CreateContext(db);
                var list = await ctx.Schedules.AsNoTracking().OrderBy(s => s.Id).ToListAsync(ct);
                var views = new List<ScheduleView>();
                foreach (var s in list) views.Add(View(s, await RecentRuns(ctx, s.Id, ct)));
                return TypedResults.Ok(views);
            })
            .WithSummary("Schedules with their most recent runs");

        g.MapGet("/{id:long}", async (long id, NpgsqlDataSource db, CancellationToken ct) =>
            {
                await using var ctx = LisGeoDb.CreateContext(db);
                return await ctx.Schedules.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct) is { } s
                    ? Results.Ok(View(s, await RecentRuns(ctx, s.Id, ct))) : NotFound(id);
            })
            .Produces<ScheduleView>()
            .WithSummary("One schedule: cron, time zone, next run time, most recent runs");

        g.MapPatch("/{id:long}", async (long id, SchedulePatch patch, NpgsqlDataSource db, ScheduleJobs schedules, CancellationToken ct) =>
            {
                await using var ctx = LisGeoDb.CreateContext(db);
                if (await ctx.Schedules.FirstOrDefaultAsync(s => s.Id == id, ct) is not { } s) return NotFound(id);
                if (patch.Name is not null) s.Name = patch.Name;
                if (patch.Cron is not null) s.Cron = patch.Cron;
                if (patch.Paused is not null) s.Paused = patch.Paused.Value;
                if (s.Paused) { schedules.Validate(s); schedules.Unregister(s.Id); }
                else schedules.Register(s);
                await ctx.SaveChangesAsync(ct);
                return Results.Ok(View(s, await RecentRuns(ctx, s.Id, ct)));
            })
            .RequireApiKey()
            .WithSummary("Pause, resume, rename or re-time a schedule");

        g.MapDelete("/{id:long}", async (long id, NpgsqlDataSource db, ScheduleJobs schedules, CancellationToken ct) =>
            {
                await using var ctx = LisGeoDb.CreateContext(db);
                if (await ctx.Schedules.FirstOrDefaultAsync(s => s.Id == id, ct) is not { } s) return NotFound(id);
                schedules.Unregister(id);
                ctx.Schedules.Remove(s);
                await ctx.SaveChangesAsync(ct);
                return Results.NoContent();
            })
            .RequireApiKey()
            .WithSummary("Delete a schedule (its past runs stay)");
        return app;
    }

    private static async Task<List<long>> RecentRuns(LisGeoDbContext ctx, long scheduleId, CancellationToken ct) =>
        await ctx.Runs.AsNoTracking().Where(r => r.ScheduleId == scheduleId).OrderByDescending(r => r.Id).Select(r => r.Id).Take(20).ToListAsync(ct);

    private static ScheduleView View(AnalysisSchedule s, IReadOnlyList<long> runs) =>
        new(s.Id, s.Name, s.Cron, s.TimeZone, s.Paused, s.Paused ? null : NextRun(s), s.CreatedAt, JsonDocument.Parse(s.Request).RootElement, runs);

    /// <summary>The next firing after now, by the same cron library and zone Hangfire uses (null if the cron never fires again).</summary>
    internal static DateTimeOffset? NextRun(AnalysisSchedule s)
    {
        try
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(s.TimeZone);
            return Cronos.CronExpression.Parse(s.Cron).GetNextOccurrence(DateTimeOffset.UtcNow, zone)?.ToUniversalTime();
        }
        catch (Exception e) when (e is Cronos.CronFormatException or TimeZoneNotFoundException) { return null; }
    }

    private static IResult NotFound(long id) => Problems.Result(Problems.NotFound, $"No schedule {id}.", "id");
}
