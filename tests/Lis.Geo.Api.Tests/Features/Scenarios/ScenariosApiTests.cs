using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lis.Geo.Api.Tests.Features.Analyses;
using Lis.Geo.Data.Feeds;
using Lis.Geo.Data.Importing;
using Lis.Geo.Transit.Scenarios;

namespace Lis.Geo.Api.Tests.Features.Scenarios;

public sealed class ScenarioFixture : ApiFixture
{
    public long FeedId { get; private set; }

    protected override async Task LoadAsync(Importer importer)
    {
        var (feed, _) = await new FeedStore(Db).ImportAsync("sample", "sample-gtfs.zip", SampleFeed.Zip(), SampleFeed.ServiceDate, default);
        FeedId = feed.Id;
    }
}

/// <summary>Scenarios through HTTP and PostGIS: stored, validated against the stored feed, previewed.</summary>
public sealed class ScenariosApiTests(ScenarioFixture api) : IClassFixture<ScenarioFixture>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A route from B01 (Moor Street, existing) to a new stop 0.01° east of B06 (Chelmsley Wood), and a skip-stop on S1.</summary>
    private const string NewRoute = """
        {"name":"East link","modifications":[
          {"type":"add-route","routeId":"X1","bidirectional":false,
           "stops":[{"stopId":"B01"},{"stopId":"NEW1","lat":52.4798,"lon":-1.7238}],
           "speedKmh":30,"frequencies":[{"from":"07:00","to":"08:00","headwaySeconds":600}]},
          {"type":"remove","routes":["S1"],"stops":["B03"]}]}
        """;

    [Fact]
    public async Task A_scenario_is_created_read_listed_replaced_and_deleted()
    {
        var writer = api.Writer();
        var created = await writer.PostAsync("/scenarios", Json(NewRoute));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetInt64();
        Assert.Equal($"/scenarios/{id}", created.Headers.Location!.AbsolutePath);
        Assert.Equal(api.FeedId, body.GetProperty("feedId").GetInt64());
        // The stored hash is the engine's canonical hash of the modifications sent.
        using (var doc = JsonDocument.Parse(NewRoute))
            Assert.Equal(Scenario.FromJson($$"""{"modifications":{{doc.RootElement.GetProperty("modifications").GetRawText()}}}""").ComputeHash(), body.GetProperty("sha256").GetString());
        var read = await api.GetJsonAsync($"/scenarios/{id}");
        Assert.Equal("East link", read.GetProperty("name").GetString());
        Assert.Equal("add-route", read.GetProperty("modifications")[0].GetProperty("type").GetString());
        Assert.Equal(30, read.GetProperty("modifications")[0].GetProperty("speedKmh").GetDouble());
        var list = await api.GetJsonAsync("/scenarios");
        Assert.Contains(list.GetProperty("scenarios").EnumerateArray(), s => s.GetProperty("id").GetInt64() == id);
        // Listed as a collection: each with links to itself and its preview, which answer.
        var listed = list.GetProperty("scenarios").EnumerateArray().Single(s => s.GetProperty("id").GetInt64() == id);
        var preview = listed.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "preview").GetProperty("href").GetString()!;
        Assert.EndsWith($"/scenarios/{id}/preview", preview);
        Assert.Equal("FeatureCollection", (await api.GetJsonAsync(new Uri(preview).PathAndQuery)).GetProperty("type").GetString());
        Assert.Equal(list.GetProperty("numberReturned").GetInt32(), list.GetProperty("scenarios").GetArrayLength());

        var put = await writer.PutAsync($"/scenarios/{id}", Json("""{"name":"S1 off","feedId":null,"modifications":[{"type":"remove","routes":["S1"]}]}"""));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var replaced = await api.GetJsonAsync($"/scenarios/{id}");
        Assert.Equal("S1 off", replaced.GetProperty("name").GetString());
        Assert.Equal(Scenario.FromJson("""{"modifications":[{"type":"remove","routes":["S1"]}]}""").ComputeHash(), replaced.GetProperty("sha256").GetString());

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client.DeleteAsync($"/scenarios/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await writer.DeleteAsync($"/scenarios/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Client.GetAsync($"/scenarios/{id}")).StatusCode);
    }

    [Theory]
    [InlineData("""[{"type":"remove","routes":["S1"]},{"type":"remove","routes":["NOPE"]}]""", "modifications[1].routes[0]")]
    [InlineData("""[{"type":"add-route","stops":[{"stopId":"B01"},{"stopId":"ZZ9"}],"hopSeconds":[60],"departures":["08:00"]}]""", "modifications[0].stops[1].stopId")]
    [InlineData("""[{"type":"adjust-frequency","routes":["S1"],"from":"08:00","to":"07:00","factor":0.5}]""", "modifications[0].to")]
    [InlineData("""[{"type":"remove","routes":["S1"]},{"type":"adjust-frequency","routes":["S2"],"from":"07:00","to":"09:00","headwaySeconds":0}]""", "modifications[1].headwaySeconds")]
    [InlineData("""[{"type":"add-route","stops":[{"stopId":"B01"},{"stopId":"B02"}],"speedKmh":20,"frequencies":[{"from":"07:00","to":"09:00","headwaySeconds":-60}]}]""", "modifications[0].frequencies[0].headwaySeconds")]
    [InlineData("""[{"type":"adjust-speed","routes":["S1"],"fromStop":"B02","toStop":"B99","runningTimeFactor":0.8}]""", "modifications[0].toStop")]
    [InlineData("""[{"type":"teleport"}]""", "modifications[0].type")]
    [InlineData("""[{"type":"remove","routes":["S1"],"form":"07:00"}]""", "modifications[0].form")]
    public async Task A_bad_scenario_is_refused_naming_field_and_index_and_nothing_is_stored(string modifications, string field)
    {
        var before = await api.ScalarAsync<long>("SELECT count(*) FROM scenario");
        var response = await api.Writer().PostAsync("/scenarios", Json($$"""{"name":"bad","modifications":{{modifications}}}"""));
        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, field);
        Assert.Equal(before, await api.ScalarAsync<long>("SELECT count(*) FROM scenario"));
    }

    [Fact]
    public async Task The_openapi_document_describes_every_modification_and_its_members()
    {
        var doc = await api.GetJsonAsync("/swagger/v1/swagger.json");
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        string[] expected = ["AddRoute", "AdjustFrequency", "RemoveService", "AdjustSpeed"];
        foreach (var type in expected)
        {
            var name = schemas.EnumerateObject().Select(p => p.Name).Single(n => n.EndsWith("Scenarios." + type, StringComparison.Ordinal));
            var text = schemas.GetProperty(name).GetRawText();
            Assert.Contains("properties", text);
        }
        var add = schemas.EnumerateObject().Single(p => p.Name.EndsWith("Scenarios.AddRoute", StringComparison.Ordinal)).Value.GetRawText();
        foreach (var member in new[] { "stops", "line", "stopSpacingMeters", "hopSeconds", "speedKmh", "dwellSeconds", "frequencies", "departures", "bidirectional" })
            Assert.Contains($"\"{member}\"", add);
        Assert.Contains("add-route", schemas.GetRawText());
    }

    [Fact]
    public async Task The_preview_draws_the_new_route_its_new_stop_the_changed_route_and_the_skipped_stop()
    {
        var created = await (await api.Writer().PostAsync("/scenarios", Json(NewRoute))).Content.ReadFromJsonAsync<JsonElement>();
        var response = await api.Client.GetAsync($"/scenarios/{created.GetProperty("id").GetInt64()}/preview");
        Assert.Equal("application/geo+json", response.Content.Headers.ContentType!.MediaType);
        var preview = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(SampleFeed.ServiceDate.ToString("yyyy-MM-dd"), preview.GetProperty("serviceDate").GetString());
        var features = preview.GetProperty("features").EnumerateArray().ToList();
        string Kind(JsonElement f) => f.GetProperty("properties").GetProperty("kind").GetString()!;

        var added = Assert.Single(features, f => Kind(f) == "added");
        Assert.Equal("X1", added.GetProperty("properties").GetProperty("routeId").GetString());
        Assert.Equal(6, added.GetProperty("properties").GetProperty("trips").GetInt32()); // 07:00 … 07:50, one direction
        var line = added.GetProperty("geometry").GetProperty("coordinates").EnumerateArray().Select(p => (p[0].GetDouble(), p[1].GetDouble())).ToList();
        Assert.Equal([(-1.8925, 52.4792), (-1.7238, 52.4798)], line);

        var newStop = Assert.Single(features, f => Kind(f) == "new-stop");
        Assert.Equal("NEW1", newStop.GetProperty("properties").GetProperty("stopId").GetString());
        var skipped = Assert.Single(features, f => Kind(f) == "skipped-stop");
        Assert.Equal("B03", skipped.GetProperty("properties").GetProperty("stopId").GetString());
        // S1 still runs, without B03 on any of its lines.
        var changed = features.Where(f => Kind(f) == "changed").ToList();
        Assert.NotEmpty(changed);
        Assert.All(changed, f => Assert.Equal("S1", f.GetProperty("properties").GetProperty("routeId").GetString()));
        Assert.All(changed, f => Assert.Equal(5, f.GetProperty("geometry").GetProperty("coordinates").GetArrayLength()));
    }
}
