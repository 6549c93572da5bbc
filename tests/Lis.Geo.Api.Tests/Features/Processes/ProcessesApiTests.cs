using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lis.Geo.Api.Tests.Features.Analyses;

namespace Lis.Geo.Api.Tests.Features.Processes;

/// <summary>The analysis fixture (sample region and feed, Hangfire server in the host) on a real Kestrel port.</summary>
public sealed class ProcessesFixture : AnalysisFixture
{
    protected override bool RealServer => true;

    /// <summary>A client of the real server, over the loopback network.</summary>
    public HttpClient Http(bool key = false)
    {
        var c = new HttpClient { BaseAddress = ServerAddress };
        if (key) c.DefaultRequestHeaders.Add("X-API-Key", ApiKey);
        return c;
    }
}

/// <summary>
/// OGC API – Processes over real HTTP, Hangfire and PostGIS: an execution is an analysis run made by the
/// same planner as POST /analyses, polled to successful, whose results link to collections that serve
/// the same features as the run.
/// </summary>
public sealed class ProcessesApiTests(ProcessesFixture api) : IClassFixture<ProcessesFixture>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> GetAsync(HttpClient http, string url)
    {
        var response = await http.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Processes_are_the_analysis_types_with_their_inputs_and_outputs()
    {
        using var http = api.Http();
        var conformance = (await GetAsync(http, "/conformance")).GetProperty("conformsTo").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Contains("http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/core", conformance);
        Assert.Contains("http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/job-list", conformance);
        Assert.Contains((await GetAsync(http, "/")).GetProperty("links").EnumerateArray(),
            l => l.GetProperty("rel").GetString() == "http://www.opengis.net/def/rel/ogc/1.0/processes");

        var list = (await GetAsync(http, "/processes")).GetProperty("processes").EnumerateArray().ToList();
        Assert.Equal(["zone-access", "site-access", "corridor", "isochrones"], list.Select(p => p.GetProperty("id").GetString()));
        Assert.All(list, p => Assert.Equal(["async-execute"], p.GetProperty("jobControlOptions").EnumerateArray().Select(o => o.GetString())));

        var zoneAccess = await GetAsync(http, "/processes/zone-access");
        var inputs = zoneAccess.GetProperty("inputs");
        Assert.Equal("integer", inputs.GetProperty("minCentres").GetProperty("schema").GetProperty("type").GetString());
        Assert.Equal(3, inputs.GetProperty("minCentres").GetProperty("schema").GetProperty("default").GetInt32());
        Assert.Equal("07:00-10:00", inputs.GetProperty("window").GetProperty("schema").GetProperty("default").GetString());
        Assert.Equal("array", inputs.GetProperty("percentiles").GetProperty("schema").GetProperty("type").GetString());
        Assert.False(inputs.TryGetProperty("cutoffs", out _));
        Assert.False(inputs.TryGetProperty("type", out _));
        Assert.Equal(["zones", "housing", "run"], zoneAccess.GetProperty("outputs").EnumerateObject().Select(o => o.Name));

        var isochrones = (await GetAsync(http, "/processes/isochrones")).GetProperty("inputs");
        Assert.Equal("number", isochrones.GetProperty("lon").GetProperty("schema").GetProperty("type").GetString());
        Assert.True(isochrones.TryGetProperty("cutoffs", out _));

        await Problem.AssertAsync(http.GetAsync("/processes/teleport"), HttpStatusCode.NotFound, "processId");
        await Problem.AssertAsync(http.GetAsync("/jobs/424242"), HttpStatusCode.NotFound, "jobId");
    }

    [Fact]
    public async Task Bad_executions_are_refused_before_anything_is_queued()
    {
        using var writer = api.Http(key: true);
        var before = await api.ScalarAsync<long>("SELECT count(*) FROM analysis_run");
        await Problem.AssertAsync(api.Http().PostAsync("/processes/zone-access/execution", Json("""{"inputs":{}}""")), HttpStatusCode.Unauthorized);
        await Problem.AssertAsync(writer.PostAsync("/processes/zone-access/execution", Json("""{"inputs":{"minCentres":"three"}}""")), HttpStatusCode.BadRequest, "inputs.minCentres");
        await Problem.AssertAsync(writer.PostAsync("/processes/zone-access/execution", Json("""{"inputs":{"minCentre":3}}""")), HttpStatusCode.BadRequest, "inputs.minCentre");
        await Problem.AssertAsync(writer.PostAsync("/processes/zone-access/execution", Json("""{"inputs":{"thresholdMinutes":100000}}""")), HttpStatusCode.BadRequest, "inputs.thresholdMinutes");
        await Problem.AssertAsync(writer.PostAsync("/processes/zone-access/execution", Json("""{"inputs":{},"response":"raw"}""")), HttpStatusCode.BadRequest, "response");
        await Problem.AssertAsync(writer.PostAsync("/processes/teleport/execution", Json("""{"inputs":{}}""")), HttpStatusCode.NotFound, "processId");
        Assert.Equal(before, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_run"));
    }

    [Fact]
    public async Task An_execution_runs_as_an_analysis_and_its_results_link_to_collections_serving_the_same_features()
    {
        using var http = api.Http();
        using var writer = api.Http(key: true);
        const string inputs = """{"serviceDate":"2026-11-25","minCentres":2}""";
        using var execute = new HttpRequestMessage(HttpMethod.Post, "/processes/zone-access/execution") { Content = Json($$"""{"inputs":{{inputs}}}""") };
        execute.Headers.Add("Prefer", "respond-async");
        var created = await writer.SendAsync(execute);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        Assert.Equal("respond-async", created.Headers.GetValues("Preference-Applied").Single());
        var status = await created.Content.ReadFromJsonAsync<JsonElement>();
        var jobId = status.GetProperty("jobID").GetString()!;
        Assert.Equal(new Uri(api.ServerAddress!, $"/jobs/{jobId}"), created.Headers.Location);
        Assert.Contains(status.GetProperty("status").GetString(), new[] { "accepted", "running", "successful" });
        Assert.Equal("zone-access", status.GetProperty("processID").GetString());

        // Poll the job (bounded: 60 s) as a client would.
        JsonElement job = default;
        for (var i = 0; i < 240; i++)
        {
            job = await GetAsync(http, created.Headers.Location!.PathAndQuery);
            if (job.GetProperty("status").GetString() is "successful" or "failed" or "dismissed") break;
            Assert.InRange(job.GetProperty("progress").GetInt32(), 0, 100);
            await Task.Delay(250);
        }
        Assert.Equal("successful", job.GetProperty("status").GetString());
        Assert.Equal(100, job.GetProperty("progress").GetInt32());
        Assert.Contains((await GetAsync(http, "/jobs")).GetProperty("jobs").EnumerateArray(), j => j.GetProperty("jobID").GetString() == jobId);

        // The same run as /analyses shows it, with the request pinned to what was given.
        var run = await GetAsync(http, $"/analyses/{jobId}");
        Assert.Equal(("succeeded", 2), (run.GetProperty("state").GetString(), run.GetProperty("request").GetProperty("minCentres").GetInt32()));

        var results = await GetAsync(http, $"/jobs/{jobId}/results");
        var zonesHref = results.GetProperty("zones").GetProperty("href").GetString()!;
        Assert.Equal(new Uri(api.ServerAddress!, $"/collections/analysis-{jobId}-zones/items").ToString(), zonesHref);
        var zones = await GetAsync(http, new Uri(zonesHref).PathAndQuery);
        Assert.Equal(17, zones.GetProperty("numberMatched").GetInt32());
        Assert.Equal(17, zones.GetProperty("features").GetArrayLength());
        var housing = await GetAsync(http, new Uri(results.GetProperty("housing").GetProperty("href").GetString()!).PathAndQuery);
        Assert.True(housing.GetProperty("numberMatched").GetInt32() > 0);

        // Identical behaviour: the same request through POST /analyses gives the same features.
        var direct = await writer.PostAsync("/analyses", Json(inputs));
        var directId = (await direct.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal("succeeded", (await api.WaitAsync(directId)).GetProperty("state").GetString());
        var directZones = await GetAsync(http, $"/collections/analysis-{directId}-zones/items");
        Assert.Equal(zones.GetProperty("features").GetRawText(), directZones.GetProperty("features").GetRawText());

        // Dismissing a finished job removes it with its results.
        await Problem.AssertAsync(http.DeleteAsync($"/jobs/{jobId}"), HttpStatusCode.Unauthorized);
        var dismissed = await writer.DeleteAsync($"/jobs/{jobId}");
        Assert.Equal(HttpStatusCode.OK, dismissed.StatusCode);
        Assert.Equal("dismissed", (await dismissed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        await Problem.AssertAsync(http.GetAsync($"/jobs/{jobId}"), HttpStatusCode.NotFound, "jobId");
        await Problem.AssertAsync(http.GetAsync($"/collections/analysis-{jobId}-zones/items"), HttpStatusCode.NotFound, "collectionId");
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_pair_result WHERE run_id = $1", long.Parse(jobId)));
        Assert.Equal(17, (await GetAsync(http, $"/collections/analysis-{directId}-zones/items")).GetProperty("numberMatched").GetInt32());
    }
}
