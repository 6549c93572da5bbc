using System.Net;
using System.Text;
using System.Text.Json;
using Lis.Geo.Api.Tests.Features.Analyses;

namespace Lis.Geo.Api.Tests.Infrastructure;

/// <summary>
/// The one error path: a broken rule comes back with its field and kind as the validator reported
/// them; the same fact (stored data that is not there) is a 404 when the URL names it and a 400 when a
/// body member does; and the OpenAPI document lists every route group's problem answers.
/// </summary>
public sealed class ProblemsTests(AnalysisFixture api) : IClassFixture<AnalysisFixture>
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_rule_broken_in_a_body_names_its_field_and_kind()
    {
        var p = await Problem.AssertAsync(api.Writer().PostAsync("/analyses", Json("""{"walkSpeed":-1}""")), HttpStatusCode.BadRequest, "walkSpeed");
        Assert.Equal("invalid", p.GetProperty("kind").GetString());
        Assert.Equal("/problems/invalid-body", p.GetProperty("type").GetString());

        // An indicator rule is checked on the record (thresholdSeconds) and reported as the request names it.
        p = await Problem.AssertAsync(api.Writer().PostAsync("/analyses", Json("""{"thresholdMinutes":0}""")), HttpStatusCode.BadRequest, "thresholdMinutes");
        Assert.Equal("invalid", p.GetProperty("kind").GetString());

        p = await Problem.AssertAsync(api.Writer().PostAsync("/analyses", Json("""{"type":"isochrones","lon":1,"lat":52,"site":"X"}""")), HttpStatusCode.BadRequest, "site");
        Assert.Equal("conflict", p.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task A_missing_feed_is_404_in_the_url_and_400_in_a_body()
    {
        var inUrl = await Problem.AssertAsync(api.Client.GetAsync("/accessibility?lon=-2.1&lat=52.58&feedId=424242"), HttpStatusCode.NotFound, "feedId");
        Assert.Equal("not-found", inUrl.GetProperty("kind").GetString());
        var inBody = await Problem.AssertAsync(api.Writer().PostAsync("/analyses", Json("""{"feedId":424242}""")), HttpStatusCode.BadRequest, "feedId");
        Assert.Equal("not-found", inBody.GetProperty("kind").GetString());
        Assert.Equal(inUrl.GetProperty("detail").GetString(), inBody.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_schedule_reports_its_requests_fields_inside_request()
    {
        var p = await Problem.AssertAsync(api.Writer().PostAsync("/schedules", Json("""{"name":"x","cron":"0 6 * * 1","request":{"walkSpeed":0}}""")),
            HttpStatusCode.BadRequest, "request.walkSpeed");
        Assert.Equal("invalid", p.GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData("/analyses", "post", "400")]
    [InlineData("/analyses/{id}", "get", "404")]
    [InlineData("/analyses/{id}", "delete", "409")]
    [InlineData("/schedules", "post", "401")]
    [InlineData("/feeds", "post", "413")]
    [InlineData("/corridors/{code}/analyses", "post", "404")]
    [InlineData("/isochrones", "get", "400")]
    public async Task The_openapi_document_lists_each_groups_problems(string path, string method, string status)
    {
        var doc = await api.GetJsonAsync("/swagger/v1/swagger.json");
        var response = doc.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses").GetProperty(status);
        Assert.True(response.GetProperty("content").TryGetProperty("application/problem+json", out _), response.ToString());
    }
}
