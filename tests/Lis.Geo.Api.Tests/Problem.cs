using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Lis.Geo.Api.Tests;

/// <summary>Asserts that a response is an RFC 7807 problem of our catalogue, with the expected status and field.</summary>
public static class Problem
{
    public static async Task<JsonElement> AssertAsync(HttpResponseMessage response, HttpStatusCode status, string? field = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var p = JsonDocument.Parse(body).RootElement;
        Assert.StartsWith("/problems/", p.GetProperty("type").GetString());
        Assert.Equal((int)status, p.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("detail").GetString()));
        if (field is not null) Assert.Equal(field, p.GetProperty("field").GetString());
        return p;
    }

    public static Task<JsonElement> AssertAsync(Task<HttpResponseMessage> response, HttpStatusCode status, string? field = null) =>
        response.ContinueWith(t => AssertAsync(t.Result, status, field)).Unwrap();
}
