using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lis.Geo.Api.Tests.Features.Analyses;
using Lis.Geo.Data.Importing;
using Lis.Geo.Testing;
using NetTopologySuite.Geometries;

namespace Lis.Geo.Api.Tests.Features.Tiles;

/// <summary>
/// Vector tiles over the sample region: tiles decoded with the tests' own MVT reader and checked
/// against the sample files (which zones touch the tile, their attributes, where their outlines fall in
/// tile units by the slippy-map formulas), caching headers, and z/y/x validation.
/// </summary>
public sealed class TilesApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private const string Zone = "E01999001";

    private static async Task<byte[]> TileAsync(HttpClient client, string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.GetAsync(url);
        Assert.True(expected == response.StatusCode, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        if (expected == HttpStatusCode.OK) Assert.Equal("application/vnd.mapbox-vector-tile", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>The tile (z, x, y) holding the sample zone's whole outline, and that outline.</summary>
    private static (int Z, int X, int Y, Geometry Outline) TileOfZone(int z)
    {
        var outline = SampleRegion.Read("lsoa11.geojson").Single(f => (string)f.Attributes["lsoa11cd"] == Zone).Geometry;
        var env = outline.EnvelopeInternal;
        var (x0, y0) = Mvt.TileCoordinates(env.MinX, env.MaxY, z);
        var (x1, y1) = Mvt.TileCoordinates(env.MaxX, env.MinY, z);
        Assert.True(((int)x0, (int)y0) == ((int)x1, (int)y1), "the zone should lie in one tile at this zoom");
        return (z, (int)x0, (int)y0, outline);
    }

    [Fact]
    public async Task A_zone_tile_holds_exactly_the_zones_touching_it_with_their_attributes_and_outlines()
    {
        var (z, x, y, outline) = TileOfZone(10);
        var layers = Mvt.Read(await TileAsync(api.Client, $"/collections/zones-lsoa11/tiles/WebMercatorQuad/{z}/{y}/{x}"));
        var layer = Assert.Single(layers);
        Assert.Equal(("zones-lsoa11", 2, 4096), (layer.Name, layer.Version, layer.Extent));

        // Which zones: the sample zones intersecting the tile plus its 64-unit buffer, by NetTopologySuite.
        var (west, north) = Mvt.LonLat(x - 64.0 / 4096, y - 64.0 / 4096, z);
        var (east, south) = Mvt.LonLat(x + 1 + 64.0 / 4096, y + 1 + 64.0 / 4096, z);
        var box = new GeometryFactory().ToGeometry(new Envelope(west, east, south, north));
        var expected = SampleRegion.Read("lsoa11.geojson").Where(f => f.Geometry.Intersects(box)).Select(f => (string)f.Attributes["lsoa11cd"]).Order().ToList();
        Assert.Equal(expected, layer.Features.Select(f => (string)f["code"]!).Order().ToList());
        Assert.All(layer.Features, f => Assert.Equal(Mvt.Feature.Polygon, f.Type));

        // Attributes of the known zone: from the sample's CSVs, and the district name as PostGIS stores it.
        var feature = layer.Features.Single(f => (string?)f["code"] == Zone);
        var imd = SampleRegion.Csv("imd2019.csv").Single(r => r["lsoa11cd"] == Zone);
        Assert.Equal(Zone, feature["id"]);
        Assert.Equal(imd["lsoa11nm"], feature["name"]);
        Assert.Equal("E08000031", feature["lad_code"]);
        Assert.Equal(await api.ScalarAsync<string>("SELECT name FROM local_authority WHERE code = 'E08000031'"), feature["lad_name"]);
        Assert.Equal(1530L, feature["population"]);
        Assert.Equal(long.Parse(imd["imd_decile"], CultureInfo.InvariantCulture), feature["imd_decile"]);
        Assert.Equal(long.Parse(imd["imd_rank"], CultureInfo.InvariantCulture), feature["imd_rank"]);
        Assert.Equal(SampleRegion.Num(imd["imd_score"]), Convert.ToDouble(feature["imd_score"], CultureInfo.InvariantCulture), 3);

        // Outline: every vertex of the sample polygon, in tile units by the slippy-map formula, is within
        // one unit (the MVT grid) of a vertex of the decoded ring, and the ring is closed.
        var ring = Assert.Single(feature.Parts);
        Assert.Equal(ring[0], ring[^1]);
        foreach (var c in outline.Coordinates)
        {
            var (tx, ty) = Mvt.TileCoordinates(c.X, c.Y, z);
            var (ux, uy) = ((tx - x) * 4096, (ty - y) * 4096);
            Assert.Contains(ring, p => Math.Abs(p.X - ux) <= 1 && Math.Abs(p.Y - uy) <= 1);
        }
    }

    [Fact]
    public async Task Points_lines_and_polygons_of_every_fixed_layer_are_tiled()
    {
        // Every tile covering the sample region at zoom 10: together they hold every feature of each layer
        // (at lower zooms a 250 m site is smaller than a tile unit and is left out, as MVT does).
        var (z, x0, y0) = Mvt.TileOfSampleRegion();
        var span = 1 << (10 - z);
        foreach (var (collection, file, fileKey, key, type) in new[]
                 {
                     ("centres", "centres.geojson", "code", "code", Mvt.Feature.Point),
                     ("corridors", "corridors.geojson", "code", "code", Mvt.Feature.Polygon),
                     ("employment-sites", "employment_sites.geojson", "reference", "reference", Mvt.Feature.Polygon),
                     ("local-authorities", "lads.geojson", "lad19cd", "code", Mvt.Feature.Polygon),
                 })
        {
            var seen = new HashSet<string>();
            for (var x = x0 * span; x < (x0 + 1) * span; x++)
                for (var y = y0 * span; y < (y0 + 1) * span; y++)
                {
                    var response = await api.Client.GetAsync($"/collections/{collection}/tiles/WebMercatorQuad/10/{y}/{x}");
                    if (response.StatusCode == HttpStatusCode.NoContent) continue;
                    var layer = Assert.Single(Mvt.Read(await response.Content.ReadAsByteArrayAsync()));
                    Assert.Equal(collection, layer.Name);
                    Assert.All(layer.Features, f => Assert.Equal(type, f.Type));
                    seen.UnionWith(layer.Features.Select(f => (string)f[key]!));
                }
            var expected = SampleRegion.Read(file).Select(f => f.Attributes[fileKey].ToString()!).Order();
            Assert.Equal(expected, seen.Order());
        }
    }

    [Fact]
    public async Task Tiles_carry_an_etag_to_revalidate_and_empty_tiles_are_204()
    {
        var (z, x, y, _) = TileOfZone(10);
        var url = $"/collections/zones-lsoa11/tiles/WebMercatorQuad/{z}/{y}/{x}";
        var first = await api.Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True(first.Headers.CacheControl!.NoCache);
        var etag = first.Headers.ETag!.Tag;
        var again = new HttpRequestMessage(HttpMethod.Get, url);
        again.Headers.TryAddWithoutValidation("If-None-Match", etag);
        var second = await api.Client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
        // The Pacific at zoom 10: no zone, no content.
        await TileAsync(api.Client, "/collections/zones-lsoa11/tiles/WebMercatorQuad/10/512/10", HttpStatusCode.NoContent);
    }

    [Theory]
    [InlineData("23/0/0", "tileMatrix")]
    [InlineData("x/0/0", "tileMatrix")]
    [InlineData("-1/0/0", "tileMatrix")]
    [InlineData("10/1024/0", "tileRow")]
    [InlineData("10/0/1024", "tileCol")]
    [InlineData("10/0/1.5", "tileCol")]
    [InlineData("0/0/+1", "tileCol")]
    public async Task A_tile_outside_the_matrix_is_a_400_naming_the_coordinate(string zyx, string field) =>
        await Problem.AssertAsync(api.Client.GetAsync($"/collections/zones-lsoa11/tiles/WebMercatorQuad/{zyx}"), HttpStatusCode.BadRequest, field);

    [Fact]
    public async Task Unknown_collections_and_tile_matrix_sets_are_404()
    {
        await Problem.AssertAsync(api.Client.GetAsync("/collections/nope/tiles/WebMercatorQuad/0/0/0"), HttpStatusCode.NotFound, "collectionId");
        await Problem.AssertAsync(api.Client.GetAsync("/collections/centres/tiles/WorldCRS84Quad/0/0/0"), HttpStatusCode.NotFound, "tileMatrixSetId");
        await Problem.AssertAsync(api.Client.GetAsync("/collections/centres/tiles/WorldCRS84Quad"), HttpStatusCode.NotFound, "tileMatrixSetId");
    }

    [Fact]
    public async Task Every_collection_links_its_vector_tilesets_and_the_conformance_lists_the_tiles_classes()
    {
        // A client walks collection → tilesets-vector → tileset → templated item link → a tile, as OGC API – Tiles clients do.
        foreach (var c in (await api.GetJsonAsync("/collections")).GetProperty("collections").EnumerateArray())
        {
            var id = c.GetProperty("id").GetString()!;
            var link = Assert.Single(c.GetProperty("links").EnumerateArray(), l => l.GetProperty("rel").GetString() == "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector");
            Assert.EndsWith($"/collections/{id}/tiles", link.GetProperty("href").GetString());
            var tileset = (await api.GetJsonAsync(new Uri(link.GetProperty("href").GetString()!).PathAndQuery)).GetProperty("tilesets")[0];
            Assert.Equal(("vector", "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"),
                (tileset.GetProperty("dataType").GetString(), tileset.GetProperty("tileMatrixSetURI").GetString()));
        }
        var zones = await api.GetJsonAsync("/collections/zones-lsoa11");
        var tilesets = await api.GetJsonAsync(new Uri(zones.GetProperty("links").EnumerateArray()
            .Single(l => l.GetProperty("rel").GetString() == "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector").GetProperty("href").GetString()!).PathAndQuery);
        var metadata = await api.GetJsonAsync(new Uri(tilesets.GetProperty("tilesets")[0].GetProperty("links")[0].GetProperty("href").GetString()!).PathAndQuery);
        var template = metadata.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "item").GetProperty("href").GetString()!;
        var (z, x, y, _) = TileOfZone(10);
        var url = template.Replace("{tileMatrix}", $"{z}").Replace("{tileRow}", $"{y}").Replace("{tileCol}", $"{x}");
        var layer = Assert.Single(Mvt.Read(await TileAsync(api.Client, new Uri(url).PathAndQuery)));
        Assert.Contains(layer.Features, f => (string?)f["code"] == Zone);

        var conformance = (await api.GetJsonAsync("/conformance")).GetProperty("conformsTo").EnumerateArray().Select(e => e.GetString()).ToList();
        foreach (var cls in new[] { "core", "tileset", "tilesets-list", "geodata-tilesets", "mvt" })
            Assert.Contains($"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/{cls}", conformance);
    }

    [Fact]
    public async Task Tileset_metadata_and_tilejson_point_to_the_tiles_and_list_the_attributes()
    {
        var tilesets = await api.GetJsonAsync("/collections/zones-lsoa11/tiles");
        var href = tilesets.GetProperty("tilesets")[0].GetProperty("links")[0].GetProperty("href").GetString()!;
        var tileset = await api.GetJsonAsync(new Uri(href).PathAndQuery);
        Assert.Equal("http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad", tileset.GetProperty("tileMatrixSetURI").GetString());
        var item = tileset.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "item");
        Assert.True(item.GetProperty("templated").GetBoolean());
        Assert.EndsWith("/collections/zones-lsoa11/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}", item.GetProperty("href").GetString());
        var layer = tileset.GetProperty("layers")[0];
        Assert.Equal(("zones-lsoa11", "polygons"), (layer.GetProperty("id").GetString(), layer.GetProperty("geometryType").GetString()));
        Assert.Equal("integer", layer.GetProperty("propertiesSchema").GetProperty("properties").GetProperty("imd_decile").GetProperty("type").GetString());

        var tilejson = await api.GetJsonAsync("/collections/zones-lsoa11/tiles/WebMercatorQuad/tilejson.json");
        Assert.Equal("3.0.0", tilejson.GetProperty("tilejson").GetString());
        Assert.EndsWith("/collections/zones-lsoa11/tiles/WebMercatorQuad/{z}/{y}/{x}", tilejson.GetProperty("tiles")[0].GetString());
        var vl = tilejson.GetProperty("vector_layers")[0];
        Assert.Equal("zones-lsoa11", vl.GetProperty("id").GetString());
        Assert.Equal("Number", vl.GetProperty("fields").GetProperty("population").GetString());
        // Bounds: the sample zones' extent.
        var env = new Envelope();
        foreach (var f in SampleRegion.Read("lsoa11.geojson")) env.ExpandToInclude(f.Geometry.EnvelopeInternal);
        Assert.Equal([env.MinX, env.MinY, env.MaxX, env.MaxY], tilejson.GetProperty("bounds").EnumerateArray().Select(v => Math.Round(v.GetDouble(), 6)));
    }
}

/// <summary>A finished run's result tiles: keyed by the run in the URL, cacheable for a year, attributes equal to the run's GeoJSON.</summary>
public sealed class RunTilesTests(AnalysisFixture api) : IClassFixture<AnalysisFixture>
{
    [Fact]
    public async Task A_runs_zone_tiles_are_immutable_and_carry_the_runs_indicators()
    {
        var response = await api.Writer().PostAsync("/analyses", new StringContent("""{"type":"zone-access","serviceDate":"2026-11-25","minCentres":2}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal("succeeded", (await api.WaitAsync(id)).GetProperty("state").GetString());

        var zones = (await api.GetJsonAsync($"/analyses/{id}/zones?limit=1000")).GetProperty("features").EnumerateArray()
            .ToDictionary(f => f.GetProperty("id").GetString()!, f => f.GetProperty("properties"));
        var (z, x, y) = Mvt.TileOfSampleRegion();
        var tile = await api.Client.GetAsync(await TileUrlAsync(id, z, x, y));
        Assert.Equal(HttpStatusCode.OK, tile.StatusCode);
        Assert.True(tile.Headers.CacheControl!.Public);
        Assert.Equal(TimeSpan.FromDays(365), tile.Headers.CacheControl.MaxAge);
        Assert.Contains("immutable", tile.Headers.CacheControl.Extensions.Select(e => e.Name));
        var layer = Assert.Single(Mvt.Read(await tile.Content.ReadAsByteArrayAsync()));
        Assert.Equal($"analysis-{id}-zones", layer.Name);
        Assert.Equal(zones.Keys.Order(), layer.Features.Select(f => (string)f["code"]!).Order());
        foreach (var f in layer.Features)
        {
            var p = zones[(string)f["code"]!];
            Assert.Equal(p.GetProperty("centres_reachable").GetInt64(), f["centres_reachable"]);
            Assert.Equal(p.GetProperty("meets_target").GetBoolean(), f["meets_target"]);
            Assert.Equal(p.GetProperty("bivariate_class").GetString(), f["bivariate_class"]);
            if (p.GetProperty("time_share").ValueKind == JsonValueKind.Number)
                Assert.Equal(p.GetProperty("time_share").GetDouble(), Convert.ToDouble(f["time_share"], CultureInfo.InvariantCulture), 4);
        }

        // The zone layer of the store is not a run result: it revalidates.
        var live = await api.Client.GetAsync($"/collections/zones-lsoa11/tiles/WebMercatorQuad/{z}/{y}/{x}");
        Assert.True(live.Headers.CacheControl!.NoCache);
    }

    /// <summary>The run's zone tile URL as its TileJSON gives it (keyed by the store's import version).</summary>
    private async Task<string> TileUrlAsync(long runId, int z, int x, int y)
    {
        var template = (await api.GetJsonAsync($"/collections/analysis-{runId}-zones/tiles/WebMercatorQuad/tilejson.json")).GetProperty("tiles")[0].GetString()!;
        return new Uri(template.Replace("{z}", $"{z}").Replace("{y}", $"{y}").Replace("{x}", $"{x}")).PathAndQuery;
    }

    [Fact]
    public async Task A_reimport_of_the_imd_changes_a_runs_tile_urls_so_a_cached_tile_is_never_stale()
    {
        var response = await api.Writer().PostAsync("/analyses", new StringContent("""{"type":"zone-access","serviceDate":"2026-11-25","minCentres":2}""", Encoding.UTF8, "application/json"));
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal("succeeded", (await api.WaitAsync(id)).GetProperty("state").GetString());
        var (z, x, y) = Mvt.TileOfSampleRegion();
        const string zone = "E01999001"; // IMD decile 2 in geodata/imd2019.csv
        async Task<(long? Decile, System.Net.Http.Headers.CacheControlHeaderValue Cache)> ZoneInTile(string url)
        {
            var tile = await api.Client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, tile.StatusCode);
            var f = Mvt.Read(await tile.Content.ReadAsByteArrayAsync()).Single().Features.Single(f => (string?)f["code"] == zone);
            return ((long?)f["imd_decile"], tile.Headers.CacheControl!);
        }
        var before = await TileUrlAsync(id, z, x, y);
        Assert.Matches(@"\?v=\d+$", before);
        var (decile, cache) = await ZoneInTile(before);
        Assert.Equal((2L, true), (decile, cache.Extensions.Any(e => e.Name == "immutable")));

        // A corrected IMD file (the zone's decile 2 → 3) is imported: the run's tiles now join the new decile.
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.GeoData, "imd2019.csv"));
        var header = lines[0].Split(',');
        var column = Array.IndexOf(header, "imd_decile");
        var corrected = lines.Select(l => l.Split(',') is var f && f[0] == zone ? string.Join(',', f.Select((v, i) => i == column ? "3" : v)) : l);
        var record = await new Importer(api.Db).ImportAsync("imd", new SourceFile("imd2019.csv", Encoding.UTF8.GetBytes(string.Join('\n', corrected) + "\n")), new ImportOptions(), default);
        Assert.Equal("succeeded", record.Status);

        var after = await TileUrlAsync(id, z, x, y);
        Assert.NotEqual(before, after); // a browser holding the old tile asks a new URL
        (decile, cache) = await ZoneInTile(after);
        Assert.Equal((3L, true), (decile, cache.Extensions.Any(e => e.Name == "immutable")));
        // The old URL is no longer promised immutable: it revalidates.
        (decile, cache) = await ZoneInTile(before);
        Assert.Equal((3L, true), (decile, cache.NoCache));
        // Nor is a run tile asked without the version.
        Assert.True((await ZoneInTile($"/collections/analysis-{id}-zones/tiles/WebMercatorQuad/{z}/{y}/{x}")).Cache.NoCache);
    }
}
