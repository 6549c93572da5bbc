using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Lis.Geo.Api.Tests.Features.Analyses;

/// <summary>What the fault-injection tests share: starting the sample run, waiting for its end, its rows, and faults in the database.</summary>
public static class RunFaults
{
    /// <summary>The sample zone-access run, forward, so its 17 origins make 4 chunks of 5.</summary>
    public const string Request = """{"serviceDate":"2026-11-25","search":"forward"}""";

    public static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    public static async Task<long> StartAsync(ApiFixture api, string body = Request, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/analyses") { Content = Json(body) };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        var response = await api.Writer().SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /analyses: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    /// <summary>Waits until the run is succeeded, failed or cancelled (or <paramref name="timeout"/> passes) and returns its view.</summary>
    public static async Task<JsonElement> FinishedAsync(ApiFixture api, long id, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            // 503 (with Retry-After) while the database is away: ask again, as a client would.
            var response = await api.Client.GetAsync($"/analyses/{id}");
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && clock.Elapsed < timeout)
            {
                await Task.Delay(250);
                continue;
            }
            Assert.True(response.IsSuccessStatusCode, $"GET /analyses/{id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var run = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (run.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled") return run;
            Assert.True(clock.Elapsed < timeout, $"Run {id} still {run.GetProperty("state").GetString()} after {timeout.TotalSeconds:F0} s: {run}");
            await Task.Delay(250);
        }
    }

    /// <summary>Every result row of a run, origin and pair, as text in a fixed order: two runs with equal lists gave identical results.</summary>
    public static async Task<List<string>> RowsAsync(ApiFixture api, long id)
    {
        await using var cmd = api.Db.CreateCommand("""
            SELECT 'pair ' || origin_index || ' ' || destination_index || ' ' || percentiles::text || ' ' || departures_within FROM analysis_pair_result WHERE run_id = $1
            UNION ALL
            SELECT 'origin ' || origin_index || ' ' || centres_reachable || ' ' || departures_meeting_target || ' ' || departures FROM analysis_origin_result WHERE run_id = $1
            ORDER BY 1
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        var rows = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) rows.Add(r.GetString(0));
        return rows;
    }

    /// <summary>Asserts the run succeeded with exactly the clean run's rows, each once, every chunk done once.</summary>
    public static async Task AssertSameAsCleanAsync(ApiFixture api, long id, long clean)
    {
        var expected = await RowsAsync(api, clean);
        Assert.Equal(17 + 17 * 7, expected.Count); // 17 origins, 7 centres
        Assert.Equal(expected, await RowsAsync(api, id));
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_chunk WHERE run_id = $1 AND done_at IS NULL", id));
        Assert.Equal(4, await api.ScalarAsync<int>("SELECT chunks_done FROM analysis_run WHERE id = $1", id));
    }

    /// <summary>Runs SQL in the fixture's database (creating or dropping a fault).</summary>
    public static async Task SqlAsync(ApiFixture api, string sql)
    {
        await using var cmd = api.Db.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>A trigger that raises <c>injected: {name}</c> before a row change on <paramref name="table"/> when <paramref name="when"/> holds (SQL over NEW/OLD and the sequence <c>{name}_n</c>, bumped per matching row).</summary>
    public static Task AddFaultAsync(ApiFixture api, string name, string table, string events, string when) => SqlAsync(api, $"""
        CREATE SEQUENCE {name}_n;
        CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
            IF ({when}) THEN RAISE EXCEPTION 'injected: {name}'; END IF;
            RETURN NEW;
        END $f$;
        CREATE TRIGGER {name} BEFORE {events} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}();
        """);

    public static Task DropFaultAsync(ApiFixture api, string name, string table) =>
        SqlAsync(api, $"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}(); DROP SEQUENCE IF EXISTS {name}_n;");

    /// <summary>How many rows the fault matched (its sequence's count).</summary>
    public static Task<long> FaultCountAsync(ApiFixture api, string name) =>
        api.ScalarAsync<long>($"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {name}_n");
}
