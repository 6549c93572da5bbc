using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Lis.Geo.Api.Tests.Features.Editing;

/// <summary>Writes: the API key gate, the data rules of the importers, and that nothing invalid is stored.</summary>
public sealed class EditingApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static StringContent Feature(string code, string name, string geometryJson, string contentType = "application/geo+json") =>
        new($$"""{"type":"Feature","properties":{"code":"{{code}}","name":"{{name}}","kind":"town"},"geometry":{{geometryJson}}}""",
            Encoding.UTF8, contentType);

    private const string Point = """{"type":"Point","coordinates":[-1.9,52.45]}""";

    private Task<long> CountCentres(string code) => api.ScalarAsync<long>("SELECT count(*) FROM centre WHERE code = $1", code);

    [Fact]
    public async Task Writes_without_the_right_key_are_refused_and_store_nothing()
    {
        await Problem.AssertAsync(api.Client.PostAsync("/collections/centres/items", Feature("no-key", "X", Point)), HttpStatusCode.Unauthorized, "X-API-Key");
        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/collections/centres/items") { Content = Feature("no-key", "X", Point) };
        wrong.Headers.Add("X-API-Key", "guess");
        await Problem.AssertAsync(api.Client.SendAsync(wrong), HttpStatusCode.Unauthorized);
        await Problem.AssertAsync(api.Client.DeleteAsync("/collections/centres/items/birmingham-city"), HttpStatusCode.Unauthorized);
        Assert.Equal(0L, await CountCentres("no-key"));
        Assert.Equal(1L, await CountCentres("birmingham-city"));
    }

    [Fact]
    public async Task A_feature_is_created_replaced_and_deleted()
    {
        var writer = api.Writer();
        var created = await writer.PostAsync("/collections/centres/items", Feature("cradley-heath", "Cradley Heath", """{"type":"Point","coordinates":[-2.0825,52.4722]}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.EndsWith("/collections/centres/items/cradley-heath", created.Headers.Location!.ToString());
        var read = await api.GetJsonAsync("/collections/centres/items/cradley-heath");
        Assert.Equal("Cradley Heath", read.GetProperty("properties").GetProperty("name").GetString());
        Assert.Equal([-2.0825, 52.4722], read.GetProperty("geometry").GetProperty("coordinates").EnumerateArray().Select(c => c.GetDouble()));

        await Problem.AssertAsync(writer.PostAsync("/collections/centres/items", Feature("cradley-heath", "Again", Point)), HttpStatusCode.Conflict);

        var replaced = await writer.PutAsync("/collections/centres/items/cradley-heath", Feature("cradley-heath", "Cradley Heath Town", Point));
        Assert.Equal(HttpStatusCode.NoContent, replaced.StatusCode);
        Assert.Equal("Cradley Heath Town", (await api.GetJsonAsync("/collections/centres/items/cradley-heath")).GetProperty("properties").GetProperty("name").GetString());

        await Problem.AssertAsync(writer.PutAsync("/collections/centres/items/cradley-heath", Feature("somewhere-else", "X", Point)), HttpStatusCode.BadRequest, "id");
        await Problem.AssertAsync(writer.PutAsync("/collections/centres/items/not-there", Feature("not-there", "X", Point)), HttpStatusCode.NotFound);

        Assert.Equal(HttpStatusCode.NoContent, (await writer.DeleteAsync("/collections/centres/items/cradley-heath")).StatusCode);
        await Problem.AssertAsync(writer.DeleteAsync("/collections/centres/items/cradley-heath"), HttpStatusCode.NotFound, "featureId");
        Assert.Equal(0L, await CountCentres("cradley-heath"));
    }

    [Fact]
    public async Task A_polygon_written_to_a_point_collection_is_stored_as_its_point_on_surface_and_the_answer_says_so()
    {
        // A 0.02° square: its point on surface (NTS InteriorPoint) is its middle, -1.95, 52.45.
        const string square = """{"type":"Polygon","coordinates":[[[-1.96,52.44],[-1.94,52.44],[-1.94,52.46],[-1.96,52.46],[-1.96,52.44]]]}""";
        var writer = api.Writer();
        var created = await writer.PostAsync("/collections/centres/items", Feature("square-centre", "Square", square));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("square-centre", body.GetProperty("id").GetString());
        var note = Assert.Single(body.GetProperty("notes").EnumerateArray());
        Assert.Equal(("geometry", "point_on_surface"), (note.GetProperty("field").GetString(), note.GetProperty("code").GetString()));
        Assert.Contains("point on surface", note.GetProperty("message").GetString());
        var stored = (await api.GetJsonAsync("/collections/centres/items/square-centre")).GetProperty("geometry");
        Assert.Equal("Point", stored.GetProperty("type").GetString());
        Assert.Equal([-1.95, 52.45], stored.GetProperty("coordinates").EnumerateArray().Select(c => Math.Round(c.GetDouble(), 6)));

        // A replace with a polygon says so too (200 with the note); with a point it stays 204.
        var replaced = await writer.PutAsync("/collections/centres/items/square-centre", Feature("square-centre", "Square", square));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal("point_on_surface", (await replaced.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("notes")[0].GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await writer.PutAsync("/collections/centres/items/square-centre", Feature("square-centre", "Square", Point))).StatusCode);
        var plain = await writer.PostAsync("/collections/centres/items", Feature("plain-centre", "Plain", Point));
        Assert.Empty((await plain.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("notes").EnumerateArray());
        Assert.Equal(HttpStatusCode.NoContent, (await writer.DeleteAsync("/collections/centres/items/square-centre")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await writer.DeleteAsync("/collections/centres/items/plain-centre")).StatusCode);
    }

    [Theory]
    [InlineData("""{"type":"Polygon","coordinates":[[[-1.9,52.4],[-1.8,52.5],[-1.8,52.4],[-1.9,52.5],[-1.9,52.4]]]}""", "invalid_geometry")]
    [InlineData("""{"type":"LineString","coordinates":[[-1.9,52.4],[-1.8,52.5]]}""", "wrong_geometry_type")]
    [InlineData("""{"type":"Point","coordinates":[406984,286657]}""", "outside_crs_range")]
    [InlineData("""{"type":"Point","coordinates":"here"}""", "missing_geometry")]
    public async Task A_feature_that_breaks_a_data_rule_is_422_and_not_stored(string geometry, string code)
    {
        var p = await Problem.AssertAsync(api.Writer().PostAsync("/collections/corridors/items", Feature("bad-" + code, "Bad", geometry)),
            HttpStatusCode.UnprocessableEntity, "geometry");
        Assert.Contains($"[{code}]", p.GetProperty("errors").GetProperty("geometry")[0].GetString());
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM corridor WHERE code = $1", "bad-" + code));
    }

    [Fact]
    public async Task Malformed_bodies_are_400_problems_and_oversize_bodies_413()
    {
        var writer = api.Writer();
        await Problem.AssertAsync(writer.PostAsync("/collections/centres/items", new StringContent("{not json", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "body");
        await Problem.AssertAsync(writer.PostAsync("/collections/centres/items", new StringContent("""{"type":"FeatureCollection","features":[]}""", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "type");
        await Problem.AssertAsync(writer.PostAsync("/collections/centres/items", new StringContent("""{"type":"Feature","properties":{"name":"no code"},"geometry":{"type":"Point","coordinates":[-1.9,52.45]}}""", Encoding.UTF8, "application/json")),
            HttpStatusCode.UnprocessableEntity, "properties.code");
        var huge = "[" + string.Join(",", Enumerable.Repeat("[-1.9,52.45]", ApiFixture.MaxFeatureBytes / 10)) + "]";
        await Problem.AssertAsync(writer.PostAsync("/collections/centres/items", Feature("huge", "Huge", $$"""{"type":"MultiPoint","coordinates":{{huge}}}""")),
            HttpStatusCode.RequestEntityTooLarge, "body");
        Assert.Equal(0L, await CountCentres("huge"));
    }

    [Fact]
    public async Task Only_editable_collections_accept_writes()
    {
        await Problem.AssertAsync(api.Writer().PostAsync("/collections/zones-lsoa11/items", Feature("z", "Z", Point)), HttpStatusCode.NotFound, "collectionId");
    }

    [Fact]
    public async Task Sites_are_written_with_their_planning_attributes()
    {
        var body = new StringContent("""
            {"type":"Feature","id":"TEST-EMP-1","properties":{"name":"Test Park","hectares":2.5,"use_class":"B8","jobs_estimate":120},
             "geometry":{"type":"Polygon","coordinates":[[[-1.80,52.50],[-1.79,52.50],[-1.79,52.505],[-1.80,52.505],[-1.80,52.50]]]}}
            """, Encoding.UTF8, "application/geo+json");
        var created = await api.Writer().PostAsync("/collections/employment-sites/items", body);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var f = await api.GetJsonAsync("/collections/employment-sites/items/TEST-EMP-1");
        Assert.Equal("MultiPolygon", f.GetProperty("geometry").GetProperty("type").GetString());
        Assert.Equal(120, f.GetProperty("properties").GetProperty("jobs_estimate").GetInt32());
        Assert.Equal("B8", f.GetProperty("properties").GetProperty("use_class").GetString());
    }
}
