using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lis.Geo.Data;
using Lis.Geo.Data.Analyses;
using Lis.Geo.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Lis.Geo.Api.Tests.Features.Analyses;

/// <summary>
/// Issue 10 item 10: two runs with the same record give bit-identical summaries. Run B is run A's record
/// with its origins and results stored in the reverse order, and both runs' weights are set to a mix of
/// 1e16-scale and small values, for which the order of float additions changes the last digits (checked
/// below), so a summary that summed in storage order would differ between them.
/// </summary>
public sealed class ReproducibleSummaryTests(AnalysisFixture api) : IClassFixture<AnalysisFixture>
{
    [Fact]
    public async Task Two_runs_with_the_same_record_stored_in_different_orders_give_bit_identical_summaries()
    {
        var response = await api.Writer().PostAsync("/analyses", new StringContent("""{"type":"zone-access"}""", Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var a = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal("succeeded", (await api.WaitAsync(a)).GetProperty("state").GetString());

        await using var ctx = LisGeoDb.CreateContext(api.Db);
        var copy = await ctx.Runs.AsNoTracking().FirstAsync(r => r.Id == a);
        copy.Id = 0;
        ctx.Runs.Add(copy);
        await ctx.SaveChangesAsync();
        var b = copy.Id;
        foreach (var sql in new[]
                 {
                     """
                     INSERT INTO analysis_point (run_id, is_origin, index, kind, code, name, lon, lat, weight)
                     SELECT $2, is_origin, index, kind, code, name, lon, lat, weight FROM analysis_point WHERE run_id = $1 ORDER BY is_origin, index DESC
                     """,
                     """
                     INSERT INTO analysis_origin_result (run_id, origin_index, centres_reachable, departures_meeting_target, departures)
                     SELECT $2, origin_index, centres_reachable, departures_meeting_target, departures FROM analysis_origin_result WHERE run_id = $1 ORDER BY origin_index DESC
                     """,
                     "UPDATE analysis_point SET weight = CASE WHEN index % 3 = 0 THEN 1e16 + index * 3 ELSE weight + 0.37 END WHERE run_id IN ($1, $2) AND is_origin",
                 })
        {
            await using var cmd = api.Db.CreateCommand(sql);
            cmd.Parameters.Add(new() { Value = a });
            cmd.Parameters.Add(new() { Value = b });
            await cmd.ExecuteNonQueryAsync();
        }

        // The data is order-sensitive: the weights summed forwards and backwards differ.
        var weights = new List<double>();
        await using (var cmd = api.Db.CreateCommand("SELECT weight FROM analysis_point WHERE run_id = $1 AND is_origin ORDER BY index"))
        {
            cmd.Parameters.Add(new() { Value = a });
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) weights.Add(r.GetDouble(0));
        }
        double Sum(IEnumerable<double> xs) { var s = 0.0; foreach (var x in xs) s += x; return s; }
        Assert.NotEqual(Sum(weights), Sum(Enumerable.Reverse(weights)));

        var runA = await ctx.Runs.AsNoTracking().FirstAsync(r => r.Id == a);
        var runB = await ctx.Runs.AsNoTracking().FirstAsync(r => r.Id == b);
        // Whatever the plan: with index scans, rows come in key order; with sequential scans only (a plan
        // PostgreSQL may pick for a large run), they come in storage order, which differs between A and B.
        await using var sequential = Npgsql.NpgsqlDataSource.Create(api.ConnectionString + ";Options=-c enable_indexscan=off -c enable_bitmapscan=off -c enable_indexonlyscan=off");
        foreach (var db in new[] { api.Db, sequential })
        {
            var summaryA = JsonSerializer.Serialize(await RunSummary.ComputeAsync(db, runA, default), AnalysisPlanner.Json);
            var summaryB = JsonSerializer.Serialize(await RunSummary.ComputeAsync(db, runB, default), AnalysisPlanner.Json);
            Assert.Equal(summaryA, summaryB);
            Assert.Contains("\"population\":", summaryA);
            var equityA = await RunEquity.ComputeAsync(db, runA, "population", runA.Spec.Deprivation, default);
            var equityB = await RunEquity.ComputeAsync(db, runB, "population", runB.Spec.Deprivation, default);
            Assert.Equal(JsonSerializer.Serialize(equityA with { RunId = 0 }, AnalysisPlanner.Json), JsonSerializer.Serialize(equityB with { RunId = 0 }, AnalysisPlanner.Json));
        }
    }
}
