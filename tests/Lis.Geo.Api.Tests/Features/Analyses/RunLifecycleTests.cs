using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hangfire;
using Hangfire.Storage;
using Lis.Geo.Data.Feeds;
using Lis.Geo.Data.Importing;
using Lis.Geo.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Lis.Geo.Api.Tests.Features.Analyses;

/// <summary>
/// The sample region and feed with no Hangfire server in the host: jobs are queued in the real
/// Hangfire storage and the tests execute them one by one, so progress, retries, cancellation and
/// the fan-in can be observed step by step.
/// </summary>
public sealed class ManualJobsFixture : ApiFixture
{
    protected override IEnumerable<(string Key, string Value)> Settings => [("Jobs:RunServer", "false"), ("Jobs:ChunkSize", "5"), ("Jobs:DestinationGroupSize", "10")];

    protected override async Task LoadAsync(Importer importer) =>
        await new FeedStore(Db).ImportAsync("sample", "sample-gtfs.zip", SampleFeed.Zip(), null, default);

    public AnalysisJobs Jobs() => Services.CreateScope().ServiceProvider.GetRequiredService<AnalysisJobs>();
}

public sealed class RunLifecycleTests(ManualJobsFixture api) : IClassFixture<ManualJobsFixture>
{
    private const int Centres = 7; // geodata/centres.geojson

    private async Task<long> StartAsync()
    {
        var response = await api.Writer().PostAsync("/analyses", new StringContent("""{"serviceDate":"2026-11-25","search":"forward"}""", Encoding.UTF8, "application/json")); // forward: origins in chunks
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    private async Task<(string State, int OriginsDone, int ChunksDone)> Progress(long id)
    {
        var run = await api.GetJsonAsync($"/analyses/{id}");
        var p = run.GetProperty("progress");
        return (run.GetProperty("state").GetString()!, p.GetProperty("originsDone").GetInt32(), p.GetProperty("chunksDone").GetInt32());
    }

    private Task<long> PairRows(long id) => api.ScalarAsync<long>("SELECT count(*) FROM analysis_pair_result WHERE run_id = $1", id);

    [Fact]
    public async Task Progress_counts_chunks_once_and_the_last_one_fans_in()
    {
        var id = await StartAsync();
        Assert.Equal(("queued", 0, 0), await Progress(id));
        Assert.Equal(4L, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_chunk WHERE run_id = $1", id)); // 17 origins in chunks of 5

        await api.Jobs().RunChunkAsync(id, 0, CancellationToken.None);
        Assert.Equal(("running", 5, 1), await Progress(id));
        Assert.Equal(5L * Centres, await PairRows(id));

        // A duplicate delivery of a finished chunk (e.g. after the worker died before Hangfire recorded success) changes nothing.
        await api.Jobs().RunChunkAsync(id, 0, CancellationToken.None);
        Assert.Equal(("running", 5, 1), await Progress(id));
        Assert.Equal(5L * Centres, await PairRows(id));

        // An attempt stopped by a shutting-down worker writes nothing; so does one whose worker was killed
        // after claiming the chunk (its transaction never committed: only the claim is left). The retry writes the rows once.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => api.Jobs().RunChunkAsync(id, 1, new CancellationToken(canceled: true)));
        await api.ScalarAsync<int>("UPDATE analysis_chunk SET attempts = attempts + 1, worker = 'killed' WHERE run_id = $1 AND index = 1 RETURNING attempts", id);
        Assert.Equal(("running", 5, 1), await Progress(id));
        await api.Jobs().RunChunkAsync(id, 1, CancellationToken.None);
        Assert.Equal(2, await api.ScalarAsync<int>("SELECT attempts FROM analysis_chunk WHERE run_id = $1 AND index = 1", id));
        Assert.Equal(10L * Centres, await PairRows(id));

        await api.Jobs().RunChunkAsync(id, 3, CancellationToken.None);
        await api.Jobs().RunChunkAsync(id, 2, CancellationToken.None);
        Assert.Equal(("running", 17, 4), await Progress(id));
        Assert.Equal(17L * Centres, await PairRows(id));
        Assert.Equal(17L, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_origin_result WHERE run_id = $1", id));
        // Exactly one aggregation was queued, by the chunk that completed the count.
        var storage = api.Services.GetRequiredService<JobStorage>();
        var queued = storage.GetMonitoringApi().EnqueuedJobs("default", 0, 1000).Count(j => j.Value.Job.Method.Name == nameof(AnalysisJobs.AggregateAsync) && (long)j.Value.Job.Args[0] == id);
        Assert.Equal(1, queued);

        await api.Jobs().AggregateAsync(id, null, CancellationToken.None);
        Assert.Equal("succeeded", (await Progress(id)).State);
    }

    [Fact]
    public async Task A_profile_run_in_destination_groups_writes_each_group_once_and_merges_origins_when_aggregated()
    {
        // The fixture's group size (10) splits the 7 centres and 6 employment sites of a corridor run into groups {0…9} and {10…12}.
        var response = await api.Writer().PostAsync("/analyses", new StringContent("""{"type":"corridor","serviceDate":"2026-11-25","minCentres":2,"search":"profile"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var origins = await api.ScalarAsync<long>("SELECT count(*) FROM analysis_point WHERE run_id = $1 AND is_origin", id);
        var destinations = await api.ScalarAsync<long>("SELECT count(*) FROM analysis_point WHERE run_id = $1 AND NOT is_origin", id);
        Assert.Equal(13L, destinations);
        Assert.Equal("0-10,10-13", await api.ScalarAsync<string>(
            "SELECT string_agg(destination_from || '-' || destination_to, ',' ORDER BY index) FROM analysis_chunk WHERE run_id = $1", id));

        await api.Jobs().RunChunkAsync(id, 1, CancellationToken.None);
        await api.Jobs().RunChunkAsync(id, 1, CancellationToken.None); // a duplicate delivery changes nothing
        Assert.Equal(("running", 0, 1), await Progress(id)); // no origin is done before every group is
        // Both views of the run count its groups: one of two is half the run.
        Assert.Equal(50.0, (await api.GetJsonAsync($"/analyses/{id}")).GetProperty("progress").GetProperty("percent").GetDouble());
        Assert.Equal(50, (await api.GetJsonAsync($"/jobs/{id}")).GetProperty("progress").GetInt32());
        Assert.Equal(origins * 3, await PairRows(id));
        Assert.Equal(origins, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_origin_part WHERE run_id = $1", id));
        // A retry of a group whose first attempt committed nothing writes it once.
        await api.ScalarAsync<int>("UPDATE analysis_chunk SET attempts = attempts + 1, worker = 'killed' WHERE run_id = $1 AND index = 0 RETURNING attempts", id);
        await api.Jobs().RunChunkAsync(id, 0, CancellationToken.None);
        Assert.Equal(("running", (int)origins, 2), await Progress(id));
        Assert.Equal(origins * destinations, await PairRows(id));
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_origin_result WHERE run_id = $1", id));

        // The aggregation merges the parts into one row per origin: centres reachable is the count of
        // centre pairs within 45 minutes at p50 (the run's percentile), and drops the parts; a second attempt keeps the rows.
        await api.Jobs().AggregateAsync(id, null, CancellationToken.None);
        Assert.Equal("succeeded", (await Progress(id)).State);
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_origin_part WHERE run_id = $1", id));
        const string mismatches = """
            SELECT count(*) FROM analysis_origin_result r
            WHERE r.run_id = $1 AND r.centres_reachable <> (SELECT count(*) FROM analysis_pair_result p JOIN analysis_point d ON d.run_id = p.run_id AND NOT d.is_origin AND d.index = p.destination_index
                                                            WHERE p.run_id = r.run_id AND p.origin_index = r.origin_index AND d.kind = 'centre' AND p.percentiles[3] <= 2700)
            """;
        Assert.Equal(origins, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_origin_result WHERE run_id = $1", id));
        Assert.Equal(0L, await api.ScalarAsync<long>(mismatches, id));
        await api.Jobs().AggregateAsync(id, null, CancellationToken.None);
        Assert.Equal(origins, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_origin_result WHERE run_id = $1", id));
    }

    [Fact]
    public async Task Two_aggregations_of_one_run_at_once_write_its_corridor_figures_once()
    {
        // A corridor run whose chunks are all done: its aggregation writes one corridor_analysis row per corridor.
        var response = await api.Writer().PostAsync("/analyses", new StringContent("""{"type":"corridor","serviceDate":"2026-11-25","minCentres":2,"search":"profile"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var chunks = await api.ScalarAsync<int>("SELECT chunk_count FROM analysis_run WHERE id = $1", id);
        for (var c = 0; c < chunks; c++) await api.Jobs().RunChunkAsync(id, c, CancellationToken.None);
        var corridors = await api.ScalarAsync<long>("SELECT count(*) FROM corridor");
        Assert.True(corridors > 0);

        // Counts every row write to corridor_analysis (an upsert over an existing row counts twice: insert attempt, update).
        await RunFaults.AddFaultAsync(api, "corridor_writes", "corridor_analysis", "INSERT OR UPDATE", "nextval('corridor_writes_n') < 0");
        var holder = new Npgsql.NpgsqlConnection(api.ConnectionString);
        try
        {
            // The first aggregation is held at its first corridor write, so the second starts while the first is under way.
            await holder.OpenAsync();
            var hold = await holder.BeginTransactionAsync();
            await using (var lockCmd = new Npgsql.NpgsqlCommand("LOCK TABLE corridor_analysis IN SHARE MODE", holder, hold))
                await lockCmd.ExecuteNonQueryAsync();
            const string waiting = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";
            var first = Task.Run(() => api.Jobs().AggregateAsync(id, null, CancellationToken.None));
            await WaitForAsync(async () => await api.ScalarAsync<long>(waiting) >= 1, "the first aggregation never reached its corridor write");
            Assert.Equal("aggregating", await api.ScalarAsync<string>("SELECT state FROM analysis_run WHERE id = $1", id));
            var second = Task.Run(() => api.Jobs().AggregateAsync(id, null, CancellationToken.None));
            // The second waits too: on the first (this fix), or, without it, on the same corridor write.
            await WaitForAsync(async () => await api.ScalarAsync<long>(waiting) >= 2, "the second aggregation never waited");
            await hold.CommitAsync();
            await Task.WhenAll(first, second);

            Assert.Equal("succeeded", (await Progress(id)).State);
            Assert.Equal(corridors, await api.ScalarAsync<long>("SELECT count(*) FROM corridor_analysis WHERE run_id = $1", id));
            Assert.Equal(corridors, await RunFaults.FaultCountAsync(api, "corridor_writes"));
            // And once more afterwards (a late duplicate): nothing is written.
            await api.Jobs().AggregateAsync(id, null, CancellationToken.None);
            Assert.Equal(corridors, await RunFaults.FaultCountAsync(api, "corridor_writes"));
        }
        finally
        {
            await holder.DisposeAsync();
            await RunFaults.DropFaultAsync(api, "corridor_writes", "corridor_analysis");
        }
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string failure)
    {
        for (var i = 0; !await condition(); i++)
        {
            Assert.True(i < 300, failure);
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_profile_run_whose_destinations_fit_one_group_is_one_chunk_that_writes_the_forward_runs_rows()
    {
        // The 7 centres fit the fixture's group size (10): one chunk of every origin to every centre, which
        // writes the origin rows itself (no parts, nothing to merge), equal to a forward run's in chunks of 5.
        async Task<long> Start(string search)
        {
            var response = await api.Writer().PostAsync("/analyses", new StringContent($$"""{"serviceDate":"2026-11-25","minCentres":2,"search":"{{search}}"}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        }
        var profile = await Start("profile");
        var forward = await Start("forward");
        var origins = await api.ScalarAsync<long>("SELECT count(*) FROM analysis_point WHERE run_id = $1 AND is_origin", profile);
        Assert.Equal($"1,{origins},", await api.ScalarAsync<string>("SELECT concat_ws(',', chunk_count, chunk_size, coalesce(destination_group_size::text, '')) FROM analysis_run WHERE id = $1", profile));

        await api.Jobs().RunChunkAsync(profile, 0, CancellationToken.None);
        Assert.Equal(("running", (int)origins, 1), await Progress(profile));
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_origin_part WHERE run_id = $1", profile));
        Assert.Equal(origins, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_origin_result WHERE run_id = $1", profile));
        await api.Jobs().AggregateAsync(profile, null, CancellationToken.None);
        var forwardChunks = await api.ScalarAsync<int>("SELECT chunk_count FROM analysis_run WHERE id = $1", forward);
        Assert.True(forwardChunks > 1);
        for (var c = 0; c < forwardChunks; c++) await api.Jobs().RunChunkAsync(forward, c, CancellationToken.None);
        await api.Jobs().AggregateAsync(forward, null, CancellationToken.None);

        var (p, f) = (await api.GetJsonAsync($"/analyses/{profile}"), await api.GetJsonAsync($"/analyses/{forward}"));
        Assert.Equal("succeeded", p.GetProperty("state").GetString());
        Assert.Equal("succeeded", f.GetProperty("state").GetString());
        Assert.Equal("profile", p.GetProperty("record").GetProperty("parameters").GetProperty("search").GetString());
        Assert.Equal(f.GetProperty("summary").GetRawText(), p.GetProperty("summary").GetRawText());
        foreach (var sql in new[]
        {
            "SELECT string_agg(concat_ws(',', origin_index, destination_index, array_to_string(percentiles, ':', 'U'), departures_within), ';' ORDER BY origin_index, destination_index) FROM analysis_pair_result WHERE run_id = $1",
            "SELECT string_agg(concat_ws(',', origin_index, centres_reachable, departures_meeting_target, departures), ';' ORDER BY origin_index) FROM analysis_origin_result WHERE run_id = $1",
        })
        {
            var forwardRows = await api.ScalarAsync<string>(sql, forward);
            Assert.False(string.IsNullOrEmpty(forwardRows), sql);
            Assert.Equal(forwardRows, await api.ScalarAsync<string>(sql, profile));
        }
    }

    [Fact]
    public async Task A_cancelled_run_stops_and_serves_no_results()
    {
        var id = await StartAsync();
        // A queued run cannot be deleted: it is cancelled first.
        var notYet = await Problem.AssertAsync(api.Writer().DeleteAsync($"/analyses/{id}"), HttpStatusCode.Conflict, "id");
        Assert.Equal("queued", notYet.GetProperty("state").GetString());
        var cancelled = await api.Writer().PostAsync($"/analyses/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal("cancelled", (await Progress(id)).State);
        await api.Jobs().RunChunkAsync(id, 0, CancellationToken.None);
        await api.Jobs().AggregateAsync(id, null, CancellationToken.None);
        Assert.Equal(("cancelled", 0, 0), await Progress(id));
        Assert.Equal(0L, await PairRows(id));
        var p = await Problem.AssertAsync(api.Client.GetAsync($"/analyses/{id}/zones"), HttpStatusCode.Conflict, "id");
        Assert.Equal("cancelled", p.GetProperty("state").GetString());
        await Problem.AssertAsync(api.Writer().PostAsync($"/analyses/{id}/cancel", null), HttpStatusCode.Conflict, "id");

        // Cancelled, it is deleted with its points and chunks.
        Assert.True(await api.ScalarAsync<long>("SELECT count(*) FROM analysis_point WHERE run_id = $1", id) > 0);
        Assert.Equal(HttpStatusCode.NoContent, (await api.Writer().DeleteAsync($"/analyses/{id}")).StatusCode);
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_point WHERE run_id = $1", id));
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_chunk WHERE run_id = $1", id));
        await Problem.AssertAsync(api.Client.GetAsync($"/analyses/{id}"), HttpStatusCode.NotFound, "id");
    }

    [Fact]
    public async Task A_schedule_is_a_hangfire_recurring_job_in_london_time_whose_firings_are_runs()
    {
        var created = await api.Writer().PostAsync("/schedules", new StringContent(
            """{"name":"Corridor access, Mondays","cron":"0 6 * * 1","request":{"serviceDate":"2026-11-25","minCentres":2}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var storage = api.Services.GetRequiredService<JobStorage>();
        RecurringJobDto? Registered()
        {
            using var connection = storage.GetConnection();
            return connection.GetRecurringJobs().SingleOrDefault(j => j.Id == ScheduleJobs.JobId(id));
        }
        var job = Registered();
        Assert.NotNull(job);
        Assert.Equal("0 6 * * 1", job.Cron);
        Assert.Equal("Europe/London", job.TimeZoneId);

        // A firing creates an ordinary run with its own record, linked to the schedule.
        await api.Services.CreateScope().ServiceProvider.GetRequiredService<ScheduleJobs>().RunScheduledAsync(id, CancellationToken.None);
        var runId = await api.ScalarAsync<long>("SELECT max(id) FROM analysis_run WHERE schedule_id = $1", id);
        var run = await api.GetJsonAsync($"/analyses/{runId}");
        Assert.Equal(2, run.GetProperty("request").GetProperty("minCentres").GetInt32());
        var listed = (await api.GetJsonAsync("/schedules")).EnumerateArray().Single(s => s.GetProperty("id").GetInt64() == id);
        Assert.Contains(runId, listed.GetProperty("recentRuns").EnumerateArray().Select(r => r.GetInt64()));

        var paused = await api.Writer().PatchAsync($"/schedules/{id}", new StringContent("""{"paused":true}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.Null(Registered());
        Assert.Equal(HttpStatusCode.NoContent, (await api.Writer().DeleteAsync($"/schedules/{id}")).StatusCode);
        await Problem.AssertAsync(api.Writer().DeleteAsync($"/schedules/{id}"), HttpStatusCode.NotFound, "id");
    }

    [Theory]
    [InlineData("""{"name":"x","cron":"61 * * * *","request":{}}""", "cron")]
    [InlineData("""{"name":"x","cron":"0 6 * * 1","timeZone":"Mars/Olympus","request":{}}""", "timeZone")]
    [InlineData("""{"name":"x","cron":"0 6 * * 1","request":{"window":"soon"}}""", "request.window")]
    public async Task Bad_schedules_are_400_and_not_stored(string body, string field)
    {
        var before = await api.ScalarAsync<long>("SELECT count(*) FROM analysis_schedule");
        await Problem.AssertAsync(api.Writer().PostAsync("/schedules", new StringContent(body, Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, field);
        Assert.Equal(before, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_schedule"));
    }
}
