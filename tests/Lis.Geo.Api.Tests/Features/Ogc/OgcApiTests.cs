using System.Net;
using System.Text.Json;
using NetTopologySuite.Geometries;

namespace Lis.Geo.Api.Tests.Features.Ogc;

/// <summary>OGC API – Features over the sample region, checked against the sample files.</summary>
public sealed class OgcApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Landing_page_and_conformance_point_a_gis_client_to_the_data()
    {
        var landing = await api.GetJsonAsync("/");
        var rels = landing.GetProperty("links").EnumerateArray().Select(l => l.GetProperty("rel").GetString()).ToList();
        Assert.Superset(new HashSet<string?> { "self", "service-desc", "service-doc", "conformance", "data" }, rels.ToHashSet());
        var conformance = (await api.GetJsonAsync("/conformance")).GetProperty("conformsTo").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core", conformance);
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson", conformance);
    }

    [Fact]
    public async Task Collections_list_every_layer_with_items_links_and_limits()
    {
        var collections = (await api.GetJsonAsync("/collections")).GetProperty("collections").EnumerateArray().ToList();
        var ids = collections.Select(c => c.GetProperty("id").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "leps", "local-authorities", "centres", "corridors", "housing-sites", "employment-sites", "zones-lsoa11", "centroids-lsoa11", "transit-stops" }, ids);
        foreach (var c in collections)
        {
            Assert.Contains(c.GetProperty("links").EnumerateArray(), l => l.GetProperty("rel").GetString() == "items");
            Assert.Equal(10_000, c.GetProperty("maxLimit").GetInt32());
        }
        // The extent of the centres is the bounding box of the sample's centre points.
        var centres = SampleRegion.Read("centres.geojson");
        var env = new Envelope();
        foreach (var f in centres) env.ExpandToInclude(f.Geometry.EnvelopeInternal);
        var bbox = collections.Single(c => c.GetProperty("id").GetString() == "centres").GetProperty("extent").GetProperty("spatial").GetProperty("bbox")[0];
        Assert.Equal([env.MinX, env.MinY, env.MaxX, env.MaxY], bbox.EnumerateArray().Select(v => Math.Round(v.GetDouble(), 6)));
    }

    [Fact]
    public async Task Next_links_walk_the_whole_collection_exactly_once()
    {
        var expected = SampleRegion.Read("lsoa11.geojson").Select(f => (string)f.Attributes["lsoa11cd"]).Order().ToList();
        var seen = new List<string>();
        string? url = "/collections/zones-lsoa11/items?limit=5";
        var pages = 0;
        while (url is not null)
        {
            var page = await api.GetJsonAsync(url);
            Assert.Equal(expected.Count, page.GetProperty("numberMatched").GetInt32());
            var features = page.GetProperty("features").EnumerateArray().ToList();
            Assert.Equal(features.Count, page.GetProperty("numberReturned").GetInt32());
            seen.AddRange(features.Select(f => f.GetProperty("id").GetString()!));
            var links = page.GetProperty("links").EnumerateArray().ToList();
            // Next links page by key (after=…), so no page has an offset to step back from.
            Assert.DoesNotContain(links, l => l.GetProperty("rel").GetString() == "prev");
            url = links.FirstOrDefault(l => l.GetProperty("rel").GetString() == "next") is { ValueKind: JsonValueKind.Object } next
                ? new Uri(next.GetProperty("href").GetString()!).PathAndQuery : null;
            if (url is not null) Assert.Contains("after=", url, StringComparison.Ordinal);
            pages++;
        }
        Assert.Equal(4, pages); // 17 zones in pages of 5
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task Bbox_returns_exactly_the_features_inside_it()
    {
        // A box around Birmingham and West Bromwich; which sample centres it holds is decided here with NTS.
        double[] box = [-2.0, 52.45, -1.85, 52.53];
        var env = new Envelope(box[0], box[2], box[1], box[3]);
        var expected = SampleRegion.Read("centres.geojson").Where(f => env.Intersects(f.Geometry.Coordinate))
            .Select(f => (string)f.Attributes["code"]).Order().ToList();
        Assert.NotEmpty(expected);
        var page = await api.GetJsonAsync($"/collections/centres/items?bbox={string.Join(',', box)}");
        Assert.Equal(expected, page.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!).ToList());
        // The same box given in British National Grid (corners by gdaltransform, taken just inside so grid convergence cannot matter) selects the same centres.
        var bng = await api.GetJsonAsync("/collections/centres/items?bbox=400100,283570,410270,292450&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/27700");
        Assert.Equal(expected, bng.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!).ToList());
    }

    [Fact]
    public async Task Crs_27700_returns_british_national_grid_coordinates()
    {
        var response = await api.Client.GetAsync("/collections/centres/items/birmingham-city?crs=http://www.opengis.net/def/crs/EPSG/0/27700");
        Assert.Equal("<http://www.opengis.net/def/crs/EPSG/0/27700>", response.Headers.GetValues("Content-Crs").Single());
        var f = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var xy = f.GetProperty("geometry").GetProperty("coordinates");
        // (-1.899, 52.4777) → (406956.88, 286646.13) by `gdaltransform -s_srs EPSG:4326 -t_srs EPSG:27700`.
        Assert.Equal(406956.88, xy[0].GetDouble(), 2);
        Assert.Equal(286646.13, xy[1].GetDouble(), 2);
        Assert.False(f.GetProperty("geometry").TryGetProperty("crs", out _)); // no legacy crs member inside geometries
    }

    [Fact]
    public async Task Filters_and_property_selection_follow_the_source_table()
    {
        var decile1 = SampleRegion.Csv("imd2019.csv").Where(r => r["imd_decile"] == "1").Select(r => r["lsoa11cd"]).Order().ToList();
        var page = await api.GetJsonAsync("/collections/zones-lsoa11/items?imd_decile=1&properties=code,imd_decile");
        var features = page.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(decile1, features.Select(f => f.GetProperty("id").GetString()!).ToList());
        foreach (var f in features)
            Assert.Equal(["code", "imd_decile"], f.GetProperty("properties").EnumerateObject().Select(p => p.Name));

        var birmingham = SampleRegion.Csv("lsoa11_pwc.csv").Count(r => r["lad19cd"] == "E08000025");
        Assert.Equal(birmingham, (await api.GetJsonAsync("/collections/zones-lsoa11/items?lad=E08000025")).GetProperty("numberMatched").GetInt32());
        var blackCountry = SampleRegion.Csv("lsoa11_pwc.csv").Count(r => r["lad19cd"] is "E08000031" or "E08000028");
        Assert.Equal(blackCountry, (await api.GetJsonAsync("/collections/zones-lsoa11/items?lep=E37000001")).GetProperty("numberMatched").GetInt32());
    }

    [Fact]
    public async Task The_deprivation_edition_is_named_in_every_zone_and_picked_by_the_query()
    {
        // The sample set is LSOA 2011 with IMD 2019 only: that is its default.
        var decile1 = SampleRegion.Csv("imd2019.csv").Where(r => r["imd_decile"] == "1").Select(r => r["lsoa11cd"]).Order().ToList();
        foreach (var url in new[] { "/collections/zones-lsoa11/items?imd_decile=1", "/collections/zones-lsoa11/items?deprivation=imd2019&imd_decile=1" })
        {
            var features = (await api.GetJsonAsync(url)).GetProperty("features").EnumerateArray().ToList();
            Assert.Equal(decile1, features.Select(f => f.GetProperty("id").GetString()!).ToList());
            Assert.All(features, f => Assert.Equal(("imd2019", "code"),
                (f.GetProperty("properties").GetProperty("deprivation_edition").GetString(), f.GetProperty("properties").GetProperty("deprivation_match").GetString())));
        }
        // IoD 2025 is not stored for the sample (and the sample codes are in no lookup): named, but no figures.
        var iod = await api.GetJsonAsync("/collections/zones-lsoa11/items?deprivation=iod2025&limit=100");
        Assert.Equal(17, iod.GetProperty("numberMatched").GetInt32());
        Assert.All(iod.GetProperty("features").EnumerateArray(), f =>
        {
            Assert.Equal("iod2025", f.GetProperty("properties").GetProperty("deprivation_edition").GetString());
            Assert.Equal(JsonValueKind.Null, f.GetProperty("properties").GetProperty("imd_decile").ValueKind);
        });
        Assert.Equal(0, (await api.GetJsonAsync("/collections/zones-lsoa11/items?deprivation=iod2025&imd_decile=1")).GetProperty("numberMatched").GetInt32());
        await Problem.AssertAsync(api.Client.GetAsync("/collections/zones-lsoa11/items?deprivation=imd2015"), System.Net.HttpStatusCode.BadRequest, "deprivation");
    }

    [Fact]
    public async Task Responses_are_geojson_with_the_rfc_7946_media_type()
    {
        var response = await api.Client.GetAsync("/collections/leps/items");
        Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>", response.Headers.GetValues("Content-Crs").Single());
        var fc = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("FeatureCollection", fc.GetProperty("type").GetString());
        Assert.All(fc.GetProperty("features").EnumerateArray(), f => Assert.Equal("MultiPolygon", f.GetProperty("geometry").GetProperty("type").GetString()));
    }

    [Theory]
    [InlineData("/collections/zones-lsoa11/items?limit=0", "limit")]
    [InlineData("/collections/zones-lsoa11/items?limit=ten", "limit")]
    [InlineData("/collections/zones-lsoa11/items?datetime=yesterday", "datetime")]
    [InlineData("/collections/zones-lsoa11/items?sortby=-nonsense", "sortby")]
    [InlineData("/collections/zones-lsoa11/items?after=bm90LWEta2V5", "after")]
    [InlineData("/collections/zones-lsoa11/items?filter-lang=sql", "filter-lang")]
    [InlineData("/collections/zones-lsoa11/items?population=many", "population")]
    [InlineData("/collections/centres/items/birmingham-city?f=csv", "f")]
    [InlineData("/collections/centres/items/birmingham-city?limit=5", "limit")]
    [InlineData("/collections?colour=red", "colour")]
    [InlineData("/collections/centres?bbox=1,2,3,4", "bbox")]
    [InlineData("/conformance?x=1", "x")]
    [InlineData("/collections/zones-lsoa11/items?offset=-1", "offset")]
    [InlineData("/collections/zones-lsoa11/items?bbox=1,2,3", "bbox")]
    [InlineData("/collections/zones-lsoa11/items?bbox=-1.8,52,-1.9,53", "bbox")]
    [InlineData("/collections/zones-lsoa11/items?bbox=406000,286000,407000,287000", "bbox")]
    [InlineData("/collections/zones-lsoa11/items?crs=EPSG:3857", "crs")]
    [InlineData("/collections/zones-lsoa11/items?imd_decile=low", "imd_decile")]
    [InlineData("/collections/zones-lsoa11/items?imd_decile=11", "imd_decile")]
    [InlineData("/collections/zones-lsoa11/items?imd_decile=0", "imd_decile")]
    [InlineData("/collections/centres/items?kind=metropolis", "kind")]
    [InlineData("/collections/zones-lsoa11/items?properties=code,nonsense", "properties")]
    [InlineData("/collections/zones-lsoa11/items?colour=red", "colour")]
    public async Task Bad_parameters_are_400_problems_naming_the_parameter(string url, string field) =>
        await Problem.AssertAsync(api.Client.GetAsync(url), HttpStatusCode.BadRequest, field);

    [Fact]
    public async Task Unknown_collections_and_features_are_404_problems()
    {
        await Problem.AssertAsync(api.Client.GetAsync("/collections/nope/items"), HttpStatusCode.NotFound, "collectionId");
        await Problem.AssertAsync(api.Client.GetAsync("/collections/centres/items/nope"), HttpStatusCode.NotFound, "featureId");
    }

    [Fact]
    public async Task Csv_has_the_same_features_and_properties_as_the_GeoJSON_without_geometry()
    {
        var geojson = (await api.GetJsonAsync("/collections/housing-sites/items?limit=100")).GetProperty("features").EnumerateArray().ToList();
        var response = await api.Client.GetAsync("/collections/housing-sites/items?limit=100&f=csv");
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        using var parser = new Microsoft.VisualBasic.FileIO.TextFieldParser(await response.Content.ReadAsStreamAsync())
        {
            TextFieldType = Microsoft.VisualBasic.FileIO.FieldType.Delimited, HasFieldsEnclosedInQuotes = true,
        };
        parser.SetDelimiters(",");
        var header = parser.ReadFields()!;
        Assert.Equal("id", header[0]);
        Assert.DoesNotContain("geometry", header);
        var rows = new List<string[]>();
        while (parser.ReadFields() is { } fields) rows.Add(fields);
        Assert.Equal(geojson.Count, rows.Count);
        foreach (var (feature, row) in geojson.Zip(rows))
        {
            Assert.Equal(feature.GetProperty("id").GetString(), row[0]);
            var props = feature.GetProperty("properties");
            // Housing sites are places: lon/lat (the point, or the point on a polygon's surface) come first.
            Assert.Equal(["lon", "lat"], header[1..3]);
            if (feature.GetProperty("geometry") is { ValueKind: System.Text.Json.JsonValueKind.Object } g && g.GetProperty("type").GetString() == "Point")
            {
                Assert.Equal(g.GetProperty("coordinates")[0].GetDouble(), double.Parse(row[1], System.Globalization.CultureInfo.InvariantCulture));
                Assert.Equal(g.GetProperty("coordinates")[1].GetDouble(), double.Parse(row[2], System.Globalization.CultureInfo.InvariantCulture));
            }
            for (var c = 3; c < header.Length; c++)
            {
                var v = props.GetProperty(header[c]);
                var expected = v.ValueKind switch
                {
                    System.Text.Json.JsonValueKind.Null => "",
                    System.Text.Json.JsonValueKind.String => v.GetString(),
                    System.Text.Json.JsonValueKind.Number => v.GetDouble().ToString(System.Globalization.CultureInfo.InvariantCulture),
                    _ => v.GetRawText(),
                };
                Assert.Equal(expected, row[c]);
            }
        }
    }
}
