using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.OpenApi;

namespace Lis.Geo.Api.Tests.Infrastructure;

/// <summary>
/// The OpenAPI document at /api checked by rule for every operation it lists (no hand list of
/// operations): valid OpenAPI 3.0 by Microsoft.OpenApi's reader and validator, path parameters
/// declared, errors as problem+json with the ProblemDetails schema, the key scheme on exactly the
/// writes — and the document is believed by the server: each write refuses a request without the key
/// (401), each read answers a request built from its declared parameters and examples without a 400.
/// </summary>
public sealed partial class OpenApiDocumentTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static readonly string[] Writes = ["post", "put", "patch", "delete"];
    private static readonly string[] Methods = ["get", .. Writes];

    private async Task<(string Text, JsonElement Root)> DocumentAsync()
    {
        var response = await api.Client.GetAsync("/api");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.oai.openapi+json;version=3.0", response.Content.Headers.ContentType!.ToString().Replace(" ", ""));
        var text = await response.Content.ReadAsStringAsync();
        return (text, JsonDocument.Parse(text).RootElement);
    }

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement doc) =>
        doc.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Where(m => Methods.Contains(m.Name)).Select(m => (path.Name, m.Name, m.Value)));

    private static IEnumerable<JsonElement> Parameters(JsonElement op) =>
        op.TryGetProperty("parameters", out var ps) ? ps.EnumerateArray() : [];

    [GeneratedRegex(@"\{([^}]+)\}")]
    private static partial Regex Template();

    [Fact]
    public async Task The_document_is_valid_openapi_3_0_by_microsoft_openapi()
    {
        var (text, doc) = await DocumentAsync();
        if (Environment.GetEnvironmentVariable("LISGEO_DUMP_OPENAPI") is { Length: > 0 } dump) await File.WriteAllTextAsync(dump, text);
        Assert.StartsWith("3.0", doc.GetProperty("openapi").GetString());
        var (parsed, diagnostic) = OpenApiDocument.Parse(text, "json");
        Assert.NotNull(parsed);
        Assert.True(diagnostic!.Errors.Count == 0, string.Join("\n", diagnostic.Errors.Select(e => $"{e.Pointer}: {e.Message}")));
        var errors = parsed.Validate(ValidationRuleSet.GetDefaultRuleSet())?.ToList() ?? [];
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Pointer}: {e.Message}")));
        Assert.True(Operations(doc).Count() > 40);
    }

    [Fact]
    public async Task Every_operation_declares_its_path_parameters_problem_answers_and_key_as_the_rules_say()
    {
        var (_, doc) = await DocumentAsync();
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        var scheme = doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal(("apiKey", "header", "X-API-Key"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("in").GetString(), scheme.GetProperty("name").GetString()));

        var failures = new List<string>();
        var templates = new Dictionary<string, string>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
            // Two templates differing only in parameter names are one path to a client (OpenAPI forbids them).
            if (!templates.TryAdd(Template().Replace(path.Name, "{}"), path.Name))
                failures.Add($"{path.Name} and {templates[Template().Replace(path.Name, "{}")]} are the same template");

        foreach (var (path, method, op) in Operations(doc))
        {
            var where = $"{method.ToUpperInvariant()} {path}";
            var inPath = Parameters(op).Where(p => p.GetProperty("in").GetString() == "path").Select(p => p.GetProperty("name").GetString()).ToHashSet();
            foreach (Match m in Template().Matches(path))
                if (!inPath.Contains(m.Groups[1].Value)) failures.Add($"{where}: path parameter {m.Groups[1].Value} not declared");

            var responses = op.GetProperty("responses").EnumerateObject().ToList();
            if (!responses.Any(r => r.Name.StartsWith('4'))) failures.Add($"{where}: no 4xx answer");
            if (!responses.Any(r => r.Name.StartsWith('5'))) failures.Add($"{where}: no 5xx answer");
            foreach (var r in responses.Where(r => r.Name[0] is '4' or '5'))
            {
                var content = r.Value.TryGetProperty("content", out var c) ? c.EnumerateObject().ToList() : [];
                if (content is not [{ Name: "application/problem+json" } problem])
                    failures.Add($"{where} {r.Name}: content is [{string.Join(", ", content.Select(x => x.Name))}], not application/problem+json");
                else if (!problem.Value.GetProperty("schema").TryGetProperty("$ref", out var reference)
                         || !schemas.TryGetProperty(reference.GetString()!.Split('/')[^1], out var schema)
                         || !new[] { "type", "title", "status", "detail", "instance" }.All(n => schema.GetProperty("properties").TryGetProperty(n, out _)))
                    failures.Add($"{where} {r.Name}: schema is not ProblemDetails");
            }

            var secured = op.TryGetProperty("security", out var security) && security.EnumerateArray().Any(s => s.TryGetProperty("ApiKey", out _));
            if (Writes.Contains(method) != secured) failures.Add($"{where}: {(secured ? "a read asks for" : "a write does not ask for")} the API key");
            if (Writes.Contains(method) && !responses.Any(r => r.Name == "401")) failures.Add($"{where}: a write without a 401 answer");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task The_single_feature_schema_allows_its_links()
    {
        var (_, doc) = await DocumentAsync();
        var schema = doc.GetProperty("paths").GetProperty("/collections/{collectionId}/items/{featureId}").GetProperty("get")
            .GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/geo+json").GetProperty("schema");
        var feature = doc.GetProperty("components").GetProperty("schemas").GetProperty(schema.GetProperty("$ref").GetString()!.Split('/')[^1]);
        Assert.True(feature.GetProperty("properties").TryGetProperty("links", out _));
        Assert.False(feature.TryGetProperty("additionalProperties", out var extra) && extra.ValueKind == JsonValueKind.False);
        // And the feature served has them.
        var served = await api.GetJsonAsync("/collections/centres/items?limit=1");
        var id = served.GetProperty("features")[0].GetProperty("id").GetString();
        Assert.Contains((await api.GetJsonAsync($"/collections/centres/items/{id}")).GetProperty("links").EnumerateArray(), l => l.GetProperty("rel").GetString() == "self");
    }

    /// <summary>The request a client builds from the document alone: examples for every parameter it must send.</summary>
    private static string UrlOf(string path, JsonElement op, List<string> failures, string where)
    {
        var query = new List<string>();
        foreach (var p in Parameters(op))
        {
            var name = p.GetProperty("name").GetString()!;
            var required = p.TryGetProperty("required", out var r) && r.GetBoolean();
            if (!required) continue;
            if (!p.TryGetProperty("example", out var example))
            {
                failures.Add($"{where}: required parameter {name} has no example");
                continue;
            }
            var value = Uri.EscapeDataString(example.ValueKind == JsonValueKind.String ? example.GetString()! : example.GetRawText());
            if (p.GetProperty("in").GetString() == "path") path = path.Replace("{" + name + "}", value);
            else query.Add($"{name}={value}");
        }
        return query.Count == 0 ? path : path + "?" + string.Join("&", query);
    }

    [Fact]
    public async Task Every_write_refuses_a_request_without_the_key_and_every_read_accepts_its_documented_parameters()
    {
        var (_, doc) = await DocumentAsync();
        var failures = new List<string>();
        foreach (var (path, method, op) in Operations(doc))
        {
            var where = $"{method.ToUpperInvariant()} {path}";
            var url = UrlOf(path, op, failures, where);
            var response = await api.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url));
            var status = (int)response.StatusCode;
            if (Writes.Contains(method) && status != 401) failures.Add($"{where} ({url}) without the key: {status}, not 401");
            if (!Writes.Contains(method) && (status == 400 || status >= 500))
                failures.Add($"{where} ({url}) from its documented parameters: {status} {await response.Content.ReadAsStringAsync()}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
