using System.Net;
using System.Text;
using Lis.Geo.Api.Tests.Features.Analyses;

namespace Lis.Geo.Api.Tests.Infrastructure;

/// <summary>
/// What a new user met, through real HTTP and PostGIS: bodies the serializer cannot read are answered in
/// the client's words, naming the member, by the one JSON mapping (ProblemExceptionHandler.BadJson) for
/// every endpoint (no .NET type or parameter name in a detail); every 404 and 401 says what was not found
/// or how to fix it; a boolean is filtered with GDAL's 0/1.
/// </summary>
public sealed class FirstUserTests(AnalysisFixture api) : IClassFixture<AnalysisFixture>
{
    private static readonly string[] DotNetWords = ["System.", "Lis.Geo", "Nullable", "Implicit body", "parameter \"", "discriminator", "cannot be null"];

    private async Task<string> DetailAsync(string url, string? body, HttpStatusCode status, string field)
    {
        var content = body is null ? new StringContent("", Encoding.UTF8, "application/json") : new StringContent(body, Encoding.UTF8, "application/json");
        var p = await Problem.AssertAsync(api.Writer().PostAsync(url, content), status, field);
        var detail = p.GetProperty("detail").GetString()!;
        foreach (var word in DotNetWords) Assert.DoesNotContain(word, detail);
        return detail;
    }

    [Theory]
    [InlineData("""{"feedId":"abc"}""", "feedId", "feedId must be a feed id (an integer).")]
    [InlineData("""{"thresholdMinutes":"45"}""", "thresholdMinutes", "thresholdMinutes must be an integer.")]
    [InlineData("""{"scenario":"two"}""", "scenario", "scenario must be an integer.")]
    [InlineData("""[]""", "body", "Send a JSON object as the body ({…}), not an array, string or number.")]
    [InlineData("""null""", "body", "The body is empty (or null): send a JSON object; {} runs the defaults.")]
    [InlineData(null, "body", "The body is empty (or null): send a JSON object; {} runs the defaults.")]
    public async Task A_run_request_the_serializer_cannot_read_is_told_what_to_send(string? body, string field, string detail) =>
        Assert.Equal(detail, await DetailAsync("/analyses", body, HttpStatusCode.BadRequest, field));

    [Fact]
    public async Task An_unknown_modification_type_lists_the_types()
    {
        var detail = await DetailAsync("/scenarios", """{"name":"x","modifications":[{"type":"teleport"}]}""", HttpStatusCode.BadRequest, "modifications[0].type");
        Assert.Equal("modifications[0].type: 'teleport' is not a modification type; the types are add-route, adjust-frequency, remove, adjust-speed.", detail);
    }

    [Fact]
    public async Task Other_endpoints_get_the_same_words()
    {
        var detail = await DetailAsync("/schedules", null, HttpStatusCode.BadRequest, "body");
        Assert.Equal("The body is empty (or null): send a JSON object (GET /swagger shows its members).", detail);
    }

    [Theory]
    [InlineData("/analyses/abc", "'abc' is not an analysis run id: ids are integers (GET /analyses lists them).")]
    [InlineData("/feeds/abc", "'abc' is not a feed id: ids are integers (GET /feeds lists them).")]
    [InlineData("/no-such-thing", "Nothing at /no-such-thing. The landing page (GET /) and the OpenAPI document (GET /api) list what this API serves.")]
    public async Task A_path_nothing_serves_is_a_404_saying_what_was_not_found(string url, string detail)
    {
        var p = await Problem.AssertAsync(api.Client.GetAsync(url), HttpStatusCode.NotFound);
        Assert.Equal("/problems/not-found", p.GetProperty("type").GetString());
        Assert.Equal(detail, p.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Corridors_are_pointed_to_their_collection()
    {
        var p = await Problem.AssertAsync(api.Client.GetAsync("/corridors"), HttpStatusCode.NotFound);
        Assert.Contains("/collections/corridors/items", p.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_wrong_key_is_told_it_is_wrong_and_a_missing_one_to_send_it()
    {
        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/analyses") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        wrong.Headers.Add("X-API-Key", "guess");
        var p = await Problem.AssertAsync(api.Client.SendAsync(wrong), HttpStatusCode.Unauthorized, "X-API-Key");
        Assert.StartsWith("The API key in the X-API-Key header is wrong", p.GetProperty("detail").GetString());
        var none = await Problem.AssertAsync(api.Client.PostAsync("/analyses", new StringContent("{}", Encoding.UTF8, "application/json")), HttpStatusCode.Unauthorized, "X-API-Key");
        Assert.Equal("Send the API key in the X-API-Key header.", none.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_boolean_compares_with_gdals_0_and_1_and_nothing_else()
    {
        var response = await api.Writer().PostAsync("/analyses", new StringContent("""{"type":"zone-access","minCentres":2}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.JsonElement>(response.Content)).GetProperty("id").GetInt64();
        Assert.Equal("succeeded", (await api.WaitAsync(id)).GetProperty("state").GetString());
        var items = $"/collections/analysis-{id}-zones/items?limit=1000&filter=";
        async Task<List<string>> Codes(string filter) =>
            (await api.GetJsonAsync(items + Uri.EscapeDataString(filter))).GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!).Order().ToList();
        var meets = await Codes("meets_target = TRUE");
        var misses = await Codes("meets_target = FALSE");
        Assert.Equal(17, meets.Count + misses.Count);
        Assert.NotEmpty(meets);
        Assert.NotEmpty(misses);
        Assert.Equal(meets, await Codes("meets_target = 1"));
        Assert.Equal(misses, await Codes("meets_target = 0"));
        Assert.Equal(misses, await Codes("meets_target <> 1"));
        Assert.Equal(meets, await Codes("1 = meets_target"));
        await Problem.AssertAsync(api.Client.GetAsync(items + Uri.EscapeDataString("meets_target = 2")), HttpStatusCode.BadRequest, "filter");
        await Problem.AssertAsync(api.Client.GetAsync(items + Uri.EscapeDataString("meets_target > 0")), HttpStatusCode.BadRequest, "filter");
        await Problem.AssertAsync(api.Client.GetAsync(items + Uri.EscapeDataString("meets_target = 1.0")), HttpStatusCode.BadRequest, "filter");
    }
}
