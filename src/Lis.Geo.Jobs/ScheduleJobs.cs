namespace Lis.Geo.Jobs;

/// <summary>
/// Recurring analyses: each schedule is a Hangfire recurring job on a cron in its time zone
/// (Europe/London by default, so "Mondays 06:00" follows BST); every firing creates a normal run
/// with its own record, so a schedule's results form a history.
/// </summary>
public sealed class ScheduleJobs(NpgsqlDataSource db, AnalysisPlanner planner, IRecurringJobManager recurring)
{
    public static string JobId(long scheduleId) => $"analysis-schedule-{scheduleId}";

    [AutomaticRetry(Attempts = 1)]
    [JobDisplayName("Scheduled analysis {0}")]
    public async Task RunScheduledAsync(long scheduleId, CancellationToken cancellationToken)
    {
        await using var ctx = LisGeoDb.CreateContext(db);
        var schedule = await ctx.Schedules.AsNoTracking().FirstOrDefaultAsync(s => s.Id == scheduleId, cancellationToken);
        if (schedule is null || schedule.Paused) return;
        var request = JsonSerializer.Deserialize<AnalysisRequest>(schedule.Request, AnalysisPlanner.Json)!;
        await planner.CreateAsync(request, scheduleId, cancellationToken);
    }

    /// <summary>Registers (or re-registers) the schedule with Hangfire; an invalid cron or zone throws <see cref="RuleViolation"/>.</summary>
    public void Register(AnalysisSchedule s)
    {
        var zone = Validate(s);
        recurring.AddOrUpdate<ScheduleJobs>(JobId(s.Id), j => j.RunScheduledAsync(s.Id, CancellationToken.None), s.Cron, new RecurringJobOptions { TimeZone = zone });
    }

    /// <summary>Checks the cron and time zone without registering; returns the zone.</summary>
    public TimeZoneInfo Validate(AnalysisSchedule s)
    {
        TimeZoneInfo zone;
        try { zone = TimeZoneInfo.FindSystemTimeZoneById(s.TimeZone); }
        catch (TimeZoneNotFoundException) { throw new RuleViolation("timeZone", RuleKind.Unknown, $"Unknown time zone '{s.TimeZone}' (use an IANA name such as Europe/London)."); }
        try
        {
            _ = Cronos.CronExpression.Parse(s.Cron);
        }
        catch (Cronos.CronFormatException e)
        {
            throw new RuleViolation("cron", RuleKind.Invalid, $"'{s.Cron}' is not a valid cron expression ({e.Message}). Example: '0 6 * * 1' = Mondays 06:00.");
        }
        return zone;
    }

    public void Unregister(long scheduleId) => recurring.RemoveIfExists(JobId(scheduleId));
}
