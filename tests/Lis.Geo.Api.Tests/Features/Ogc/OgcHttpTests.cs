using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Lis.Geo.Api.Tests.Features.Ogc;

/// <summary>
/// The HTTP side of the OGC resources over the sample region: CORS for browsers, HEAD, Accept, limits,
/// datetime, schemas, caching validators, compression, Link headers and the CRS member of EPSG:27700 GeoJSON.
/// </summary>
public sealed class OgcHttpTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private const string Origin = "https://maps.example.org";

    [Fact]
    public async Task A_page_on_another_origin_may_read_but_not_write()
    {
        using var get = new HttpRequestMessage(HttpMethod.Get, "/collections/centres/items");
        get.Headers.Add("Origin", Origin);
        var response = await api.Client.SendAsync(get);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var exposed = string.Join(",", response.Headers.GetValues("Access-Control-Expose-Headers"));
        foreach (var h in new[] { "Link", "ETag", "Content-Crs" }) Assert.Contains(h, exposed, StringComparison.OrdinalIgnoreCase);

        // Preflight of a read: answered, not 405.
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/collections/centres/items");
        preflight.Headers.Add("Origin", Origin);
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "If-None-Match");
        var answer = await api.Client.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal("*", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("GET", string.Join(",", answer.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);

        // Preflight of a write from an origin not configured for writes: no permission granted.
        using var write = new HttpRequestMessage(HttpMethod.Options, "/collections/centres/items");
        write.Headers.Add("Origin", Origin);
        write.Headers.Add("Access-Control-Request-Method", "POST");
        write.Headers.Add("Access-Control-Request-Headers", "X-API-Key");
        var refused = await api.Client.SendAsync(write);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/conformance")]
    [InlineData("/collections")]
    [InlineData("/collections/centres")]
    [InlineData("/collections/centres/queryables")]
    [InlineData("/collections/centres/schema")]
    [InlineData("/collections/centres/items")]
    [InlineData("/collections/centres/items?f=csv")]
    [InlineData("/collections/centres/items/birmingham-city")]
    [InlineData("/api")]
    public async Task Head_answers_every_get_with_its_headers_and_no_body(string url)
    {
        var get = await api.Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        var head = await api.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Accept_chooses_the_encoding_and_an_impossible_one_is_406()
    {
        async Task<HttpResponseMessage> Get(string url, string accept)
        {
            using var m = new HttpRequestMessage(HttpMethod.Get, url);
            m.Headers.TryAddWithoutValidation("Accept", accept);
            return await api.Client.SendAsync(m);
        }
        Assert.Equal("text/csv", (await Get("/collections/centres/items", "text/csv")).Content.Headers.ContentType?.MediaType);
        Assert.Equal("application/geo+json", (await Get("/collections/centres/items", "application/json")).Content.Headers.ContentType?.MediaType);
        Assert.Equal("application/geo+json", (await Get("/collections/centres/items", "text/csv;q=0.5, application/geo+json")).Content.Headers.ContentType?.MediaType);
        Assert.Equal("application/json", (await Get("/collections/centres/queryables", "application/json")).Content.Headers.ContentType?.MediaType);
        Assert.Equal("application/schema+json", (await Get("/collections/centres/queryables", "*/*")).Content.Headers.ContentType?.MediaType);
        await Problem.AssertAsync(await Get("/collections/centres/items", "text/html"), HttpStatusCode.NotAcceptable, "Accept");
        await Problem.AssertAsync(await Get("/collections", "image/png"), HttpStatusCode.NotAcceptable, "Accept");
    }

    [Fact]
    public async Task A_limit_above_the_maximum_is_capped_and_said()
    {
        var page = await api.GetJsonAsync("/collections/zones-lsoa11/items?limit=20000");
        Assert.Equal(17, page.GetProperty("numberReturned").GetInt32());
        Assert.Contains(page.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("10000", StringComparison.Ordinal));
        var self = page.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "self").GetProperty("href").GetString()!;
        Assert.Contains("limit=10000", self, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Datetime_is_accepted_and_ignored_with_a_note_where_features_have_no_time()
    {
        var all = await api.GetJsonAsync("/collections/centres/items");
        var dated = await api.GetJsonAsync("/collections/centres/items?datetime=2025-11-10T08:00:00Z/..");
        Assert.Equal(all.GetProperty("numberMatched").GetInt32(), dated.GetProperty("numberMatched").GetInt32());
        Assert.Contains(dated.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("datetime", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_property_has_its_type_in_the_schemas_and_describedby_points_at_them()
    {
        var collection = await api.GetJsonAsync("/collections/housing-sites");
        var links = collection.GetProperty("links").EnumerateArray().ToList();
        var describedBy = links.Single(l => l.GetProperty("rel").GetString() == "describedby");
        Assert.Equal("application/schema+json", describedBy.GetProperty("type").GetString());
        var feature = await api.GetJsonAsync(new Uri(describedBy.GetProperty("href").GetString()!).PathAndQuery);
        // The Feature's "properties" member, an object whose own properties are the features' properties.
        var props = feature.GetProperty("properties").GetProperty("properties").GetProperty("properties");
        var part5 = (await api.GetJsonAsync("/collections/housing-sites/schema")).GetProperty("properties");
        // The declared type of each property matches the JSON type of its values in the items.
        var items = (await api.GetJsonAsync("/collections/housing-sites/items?limit=1000")).GetProperty("features").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        foreach (var p in props.EnumerateObject())
        {
            var type = p.Value.GetProperty("type").GetString();
            Assert.Equal(type, part5.GetProperty(p.Name).GetProperty("type").GetString());
            foreach (var f in items)
            {
                var v = f.GetProperty("properties").GetProperty(p.Name);
                var actual = v.ValueKind switch
                {
                    JsonValueKind.Null => type,
                    JsonValueKind.String => "string",
                    JsonValueKind.True or JsonValueKind.False => "boolean",
                    JsonValueKind.Number when type == "integer" => v.TryGetInt64(out _) ? "integer" : "number",
                    JsonValueKind.Number => "number",
                    _ => v.ValueKind.ToString(),
                };
                Assert.True(type == actual, $"{p.Name}: declared {type}, value {v.GetRawText()} of {f.GetProperty("id")}");
            }
        }
        Assert.Equal("integer", props.GetProperty("min_dwellings").GetProperty("type").GetString());
        Assert.Equal("number", props.GetProperty("hectares").GetProperty("type").GetString());
        Assert.Equal("id", part5.GetProperty("id").GetProperty("x-ogc-role").GetString());
        Assert.Equal("primary-geometry", part5.GetProperty("geometry").GetProperty("x-ogc-role").GetString());
    }

    [Fact]
    public async Task Etags_let_a_client_revalidate_for_free()
    {
        var first = await api.Client.GetAsync("/collections/zones-lsoa11/items?limit=5");
        var etag = first.Headers.ETag ?? throw new Xunit.Sdk.XunitException("no ETag");
        Assert.Equal("no-cache", first.Headers.CacheControl?.ToString());
        using var again = new HttpRequestMessage(HttpMethod.Get, "/collections/zones-lsoa11/items?limit=5");
        again.Headers.IfNoneMatch.Add(etag);
        var second = await api.Client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
        // Another page is another version.
        using var other = new HttpRequestMessage(HttpMethod.Get, "/collections/zones-lsoa11/items?limit=6");
        other.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.OK, (await api.Client.SendAsync(other)).StatusCode);

        var collections = await api.Client.GetAsync("/collections");
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, "/collections");
        revalidate.Headers.IfNoneMatch.Add(collections.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await api.Client.SendAsync(revalidate)).StatusCode);
    }

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task Responses_are_compressed_when_the_client_accepts_it(string encoding)
    {
        using var m = new HttpRequestMessage(HttpMethod.Get, "/collections/zones-lsoa11/items?limit=17");
        m.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
        var response = await api.Client.SendAsync(m);
        Assert.Equal(encoding, response.Content.Headers.ContentEncoding.Single());
        var compressed = (await response.Content.ReadAsByteArrayAsync()).Length;
        var plain = (await (await api.Client.GetAsync("/collections/zones-lsoa11/items?limit=17")).Content.ReadAsByteArrayAsync()).Length;
        Assert.True(compressed * 2 < plain, $"{encoding}: {compressed} bytes against {plain}");
    }

    [Fact]
    public async Task Paging_links_are_in_the_link_header_too_with_a_csv_alternate()
    {
        var response = await api.Client.GetAsync("/collections/zones-lsoa11/items?limit=5");
        var header = string.Join(",", response.Headers.GetValues("Link"));
        Assert.Contains("rel=\"next\"", header, StringComparison.Ordinal);
        Assert.Contains("rel=\"alternate\"; type=\"text/csv\"", header, StringComparison.Ordinal);
        var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var next = page.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "next").GetProperty("href").GetString()!;
        Assert.Contains($"<{next}>; rel=\"next\"", header, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Offset_is_still_accepted_and_lands_where_the_keyset_does()
    {
        var byOffset = await api.GetJsonAsync("/collections/zones-lsoa11/items?limit=5&offset=5");
        var first = await api.GetJsonAsync("/collections/zones-lsoa11/items?limit=5");
        var next = first.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "next").GetProperty("href").GetString()!;
        var byKey = await api.GetJsonAsync(new Uri(next).PathAndQuery);
        Assert.Equal(Ids(byOffset), Ids(byKey));
        Assert.Contains(byOffset.GetProperty("links").EnumerateArray(), l => l.GetProperty("rel").GetString() == "prev");
        static List<string> Ids(JsonElement p) => p.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!).ToList();
    }

    [Fact]
    public async Task Geojson_in_british_national_grid_names_its_crs_in_the_body()
    {
        foreach (var url in new[] { "/collections/centres/items?crs=http://www.opengis.net/def/crs/EPSG/0/27700", "/collections/centres/items/birmingham-city?crs=EPSG:27700" })
        {
            var doc = await api.GetJsonAsync(url);
            Assert.Equal("urn:ogc:def:crs:EPSG::27700", doc.GetProperty("crs").GetProperty("properties").GetProperty("name").GetString());
        }
        Assert.False((await api.GetJsonAsync("/collections/centres/items")).TryGetProperty("crs", out _)); // RFC 7946 default: no member
    }

    [Fact]
    public async Task Property_equality_parameters_work_for_every_queryable()
    {
        var expected = await api.ScalarAsync<long>("SELECT count(*) FROM zone WHERE zone_set_id = 'lsoa11' AND lad_code = 'E08000025'");
        Assert.InRange(expected, 1, 16);
        var page = await api.GetJsonAsync("/collections/zones-lsoa11/items?lad_code=E08000025");
        Assert.Equal(expected, page.GetProperty("numberMatched").GetInt64());
    }

    [Fact]
    public async Task The_openapi_document_is_served_at_api_and_declares_the_filter_parameters()
    {
        var response = await api.Client.GetAsync("/api");
        Assert.Equal("application/vnd.oai.openapi+json", response.Content.Headers.ContentType?.MediaType);
        var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith("3.0", doc.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var parameters = doc.GetProperty("paths").GetProperty("/collections/{collectionId}/items").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Contains("cql2-text", parameters["filter-lang"].GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        foreach (var name in new[] { "filter", "sortby", "datetime", "imd_decile", "population" }) Assert.True(parameters.ContainsKey(name), name);
    }
}
