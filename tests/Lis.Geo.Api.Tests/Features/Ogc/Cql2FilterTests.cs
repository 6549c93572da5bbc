using System.Net;
using System.Text.Json;
using Npgsql;

namespace Lis.Geo.Api.Tests.Features.Ogc;

/// <summary>
/// OGC API – Features Part 3 over the sample region: each CQL2 expression (text, and JSON for a share of
/// them) must select exactly the zones a hand-written PostGIS query over the tables selects, and hostile
/// or wrong expressions must be refused as 400 naming <c>filter</c> with the tables untouched.
/// </summary>
public sealed class Cql2FilterTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    /// <summary>The zones of the sample with their IMD, as the SQL side of each case sees them.</summary>
    private const string Zones = "zone z LEFT JOIN deprivation d ON d.lsoa_code = z.code WHERE z.zone_set_id = 'lsoa11' AND z.geom IS NOT NULL";

    // A triangle over central Birmingham and West Bromwich, and the same place as a point in British National Grid.
    private const string Triangle = "POLYGON((-2.0 52.45, -1.85 52.45, -1.9 52.53, -2.0 52.45))";

    public static TheoryData<string, string> TextCases => new()
    {
        { "imd_decile = 1", "d.imd_decile = 1" },
        { "imd_decile <> 1", "d.imd_decile <> 1" },
        { "imd_decile <= 2 AND population > 1500", "d.imd_decile <= 2 AND z.population > 1500" },
        { "imd_decile = 1 OR lad_code = 'E08000025'", "d.imd_decile = 1 OR z.lad_code = 'E08000025'" },
        { "NOT (imd_decile >= 5)", "NOT (d.imd_decile >= 5)" },
        { "name LIKE 'Birmingham%'", "z.name LIKE 'Birmingham%'" },
        { "name NOT LIKE '%S0_'", "z.name NOT LIKE '%S0_'" },
        { "CASEI(name) LIKE 'wolverhampton%'", "lower(z.name) LIKE 'wolverhampton%'" },
        { "imd_decile IN (1, 3, 5)", "d.imd_decile IN (1, 3, 5)" },
        { "lad_code NOT IN ('E08000025', 'E08000031')", "z.lad_code NOT IN ('E08000025', 'E08000031')" },
        { "imd_score BETWEEN 20 AND 40.5", "d.imd_score BETWEEN 20 AND 40.5" },
        { "imd_score NOT BETWEEN 20 AND 40.5", "d.imd_score NOT BETWEEN 20 AND 40.5" },
        { "income_decile IS NULL", "d.income_decile IS NULL" },
        { "income_decile IS NOT NULL AND (crime_decile < 4 OR health_decile > 6)", "d.income_decile IS NOT NULL AND (d.crime_decile < 4 OR d.health_decile > 6)" },
        { "\"imd_rank\" < 10000", "d.imd_rank < 10000" },
        { $"S_INTERSECTS(geometry, {Triangle})", $"ST_Intersects(z.geom, ST_GeomFromText('{Triangle}', 4326))" },
        { "S_INTERSECTS(geometry, BBOX(-2.0, 52.45, -1.85, 52.53)) AND imd_decile <= 5",
          "ST_Intersects(z.geom, ST_MakeEnvelope(-2.0, 52.45, -1.85, 52.53, 4326)) AND d.imd_decile <= 5" },
        { "S_INTERSECTS(geometry, POINT(-1.8986 52.4797))", "ST_Intersects(z.geom, ST_SetSRID(ST_MakePoint(-1.8986, 52.4797), 4326))" },
        { $"S_WITHIN(geometry, {Triangle})", $"ST_Within(z.geom, ST_GeomFromText('{Triangle}', 4326))" },
        { $"S_DISJOINT(geometry, {Triangle})", $"ST_Disjoint(z.geom, ST_GeomFromText('{Triangle}', 4326))" },
        { "TRUE", "true" },
    };

    public static TheoryData<string, string> JsonCases => new()
    {
        { """{"op":"=","args":[{"property":"imd_decile"},1]}""", "d.imd_decile = 1" },
        { """{"op":"and","args":[{"op":"<=","args":[{"property":"imd_decile"},2]},{"op":">","args":[{"property":"population"},1500]}]}""",
          "d.imd_decile <= 2 AND z.population > 1500" },
        { """{"op":"not","args":[{"op":"like","args":[{"property":"name"},"Birmingham%"]}]}""", "NOT (z.name LIKE 'Birmingham%')" },
        { """{"op":"in","args":[{"property":"imd_decile"},[1,3,5]]}""", "d.imd_decile IN (1, 3, 5)" },
        { """{"op":"between","args":[{"property":"imd_score"},20,40.5]}""", "d.imd_score BETWEEN 20 AND 40.5" },
        { """{"op":"isNull","args":[{"property":"income_decile"}]}""", "d.income_decile IS NULL" },
        { """{"op":"like","args":[{"op":"casei","args":[{"property":"name"}]},"wolverhampton%"]}""", "lower(z.name) LIKE 'wolverhampton%'" },
        { """{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Polygon","coordinates":[[[-2.0,52.45],[-1.85,52.45],[-1.9,52.53],[-2.0,52.45]]]}]}""",
          $"ST_Intersects(z.geom, ST_GeomFromText('{Triangle}', 4326))" },
        { """{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[-2.0,52.45,-1.85,52.53]}]}""",
          "ST_Intersects(z.geom, ST_MakeEnvelope(-2.0, 52.45, -1.85, 52.53, 4326))" },
    };

    [Theory]
    [MemberData(nameof(TextCases))]
    public async Task Cql2_text_selects_what_PostGIS_selects(string filter, string sql) =>
        await AssertSameAsync($"filter={Uri.EscapeDataString(filter)}", sql);

    [Theory]
    [MemberData(nameof(JsonCases))]
    public async Task Cql2_json_selects_what_PostGIS_selects(string filter, string sql) =>
        await AssertSameAsync($"filter-lang=cql2-json&filter={Uri.EscapeDataString(filter)}", sql);

    [Fact]
    public async Task Geometry_literals_in_british_national_grid_follow_filter_crs()
    {
        // Birmingham city centre (406956.88, 286646.13) by gdaltransform, as in the CRS test.
        await AssertSameAsync("filter-crs=http://www.opengis.net/def/crs/EPSG/0/27700&filter=" + Uri.EscapeDataString("S_INTERSECTS(geometry, POINT(406956.88 286646.13))"),
            "ST_Intersects(z.geom, ST_Transform(ST_SetSRID(ST_MakePoint(406956.88, 286646.13), 27700), 4326))", requireSome: true);
    }

    [Fact]
    public async Task Draft_cql_text_as_GDAL_3_6_sends_it_is_read_as_cql2_text() =>
        await AssertSameAsync("filter-lang=cql-text&filter=" + Uri.EscapeDataString("(imd_decile = 1) AND (name LIKE 'B%')"), "d.imd_decile = 1 AND z.name LIKE 'B%'");

    [Fact]
    public async Task Filters_combine_with_bbox_sortby_and_paging()
    {
        var expected = await CodesAsync($"SELECT z.code FROM {Zones} AND d.imd_decile <= 5 AND ST_Intersects(z.geom, ST_MakeEnvelope(-2.2, 52.3, -1.5, 52.7, 4326)) ORDER BY z.population DESC, z.code");
        Assert.True(expected.Count >= 4, "the case needs a few zones");
        var seen = new List<string>();
        string? url = "/collections/zones-lsoa11/items?limit=3&bbox=-2.2,52.3,-1.5,52.7&sortby=-population&filter=" + Uri.EscapeDataString("imd_decile <= 5");
        while (url is not null)
        {
            var page = await api.GetJsonAsync(url);
            Assert.Equal(expected.Count, page.GetProperty("numberMatched").GetInt32());
            seen.AddRange(page.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!));
            url = Next(page);
        }
        Assert.Equal(expected, seen);
    }

    public static TheoryData<string> Hostile => new()
    {
        "1=1; DROP TABLE zone",
        "name = 'x'; DELETE FROM zone --'",
        "code = 'a' OR 1 = 1 --",
        "nonsense = 1",
        "\"code\\\"; DROP TABLE zone; --\" = 'x'",
        "code = 1",
        "population LIKE '1%'",
        "meets_target > 1",
        "imd_decile = 'one'",
        "imd_decile IN (1, 'two')",
        "name LIKE 5",
        "pg_sleep(10) IS NULL",
        "S_INTERSECTS(geometry, POLYGON((0 0, 1 1)))",
        "S_INTERSECTS(geometry, POINT(1 2); DROP TABLE zone)",
        "S_INTERSECTS(name, POINT(1 2))",
        "S_INTERSECTS(POINT(1 2), POINT(1 2))",
        "geometry = 1",
        "imd_decile =",
        "(imd_decile = 1",
        "name = 'unterminated",
        "imd_decile = 1 imd_decile = 2",
        new string('(', 500) + "imd_decile = 1" + new string(')', 500),
        string.Join(" OR ", Enumerable.Range(0, 2000).Select(i => $"imd_decile = {i}")),
        "imd_decile = 1e999",
        "DATE('2020-01-01') = DATE('2020-01-01')",
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Hostile_or_wrong_text_filters_are_400_naming_filter(string filter)
    {
        await Problem.AssertAsync(api.Client.GetAsync("/collections/zones-lsoa11/items?filter=" + Uri.EscapeDataString(filter)), HttpStatusCode.BadRequest, "filter");
        Assert.Equal(17L, await api.ScalarAsync<long>("SELECT count(*) FROM zone WHERE zone_set_id = 'lsoa11'"));
    }

    [Theory]
    [InlineData("""{"op":"drop","args":[]}""")]
    [InlineData("""{"op":"=","args":[{"property":"code; DROP TABLE zone"},"x"]}""")]
    [InlineData("""{"op":"=","args":[{"property":"imd_decile"}]}""")]
    [InlineData("""{"op":"and","args":[{"op":"=","args":[{"property":"imd_decile"},1]}]}""")]
    [InlineData("""{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Polygon","coordinates":[[[0,0],[1,1]]]}]}""")]
    [InlineData("""{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":"x"}]}""")]
    [InlineData("[1, 2")]
    [InlineData("42")]
    public async Task Hostile_or_wrong_json_filters_are_400_naming_filter(string filter)
    {
        await Problem.AssertAsync(api.Client.GetAsync("/collections/zones-lsoa11/items?filter-lang=cql2-json&filter=" + Uri.EscapeDataString(filter)), HttpStatusCode.BadRequest, "filter");
        Assert.Equal(17L, await api.ScalarAsync<long>("SELECT count(*) FROM zone WHERE zone_set_id = 'lsoa11'"));
    }

    [Fact]
    public async Task Queryables_list_only_the_real_properties_with_their_types()
    {
        var q = await api.GetJsonAsync("/collections/zones-lsoa11/queryables");
        var props = q.GetProperty("properties");
        Assert.False(props.TryGetProperty("lad", out _)); // a filter parameter, not a property of the features
        Assert.False(props.TryGetProperty("lep", out _));
        Assert.Equal("integer", props.GetProperty("population").GetProperty("type").GetString());
        Assert.Equal("number", props.GetProperty("imd_score").GetProperty("type").GetString());
        Assert.Equal("string", props.GetProperty("code").GetProperty("type").GetString());
        Assert.Equal("geometry-multipolygon", props.GetProperty("geometry").GetProperty("format").GetString());
        // Every queryable but the geometry is a property of the features, and every property is queryable.
        var feature = (await api.GetJsonAsync("/collections/zones-lsoa11/items?limit=1")).GetProperty("features")[0].GetProperty("properties");
        Assert.Equal(feature.EnumerateObject().Select(p => p.Name).Order(), props.EnumerateObject().Select(p => p.Name).Where(n => n != "geometry").Order());
    }

    private async Task AssertSameAsync(string query, string sql, bool requireSome = false)
    {
        var expected = await CodesAsync($"SELECT z.code FROM {Zones} AND ({sql}) ORDER BY z.code");
        if (requireSome) Assert.NotEmpty(expected);
        var got = new List<string>();
        string? url = "/collections/zones-lsoa11/items?limit=5&properties=code&" + query;
        while (url is not null)
        {
            var page = await api.GetJsonAsync(url);
            Assert.Equal(expected.Count, page.GetProperty("numberMatched").GetInt32());
            got.AddRange(page.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!));
            url = Next(page);
        }
        Assert.Equal(expected, got);
    }

    private async Task<List<string>> CodesAsync(string sql)
    {
        var codes = new List<string>();
        await using var cmd = api.Db.CreateCommand(sql);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) codes.Add(r.GetString(0));
        return codes;
    }

    private static string? Next(JsonElement page) =>
        page.GetProperty("links").EnumerateArray().FirstOrDefault(l => l.GetProperty("rel").GetString() == "next") is { ValueKind: JsonValueKind.Object } next
            ? new Uri(next.GetProperty("href").GetString()!).PathAndQuery : null;
}
