using System.Text;
using Lis.Geo.Data.Importing;
using Lis.Geo.Data.Model;

namespace Lis.Geo.Data.Tests.Importing;

/// <summary>The import contract on small hand-written files: all or nothing, every rejection reported, idempotent.</summary>
public sealed class ImporterTests(StoreFixture store) : IClassFixture<StoreFixture>
{
    private Task<ImportRecord> Import(string dataset, string fileName, string text, ImportOptions? options = null) =>
        new Importer(store.DataSource).ImportAsync(dataset, new SourceFile(fileName, Encoding.UTF8.GetBytes(text)), options ?? new(), default);

    private static string Square(double x, double y, double size = 0.01) =>
        $"[[[{x},{y}],[{x + size},{y}],[{x + size},{y + size}],[{x},{y + size}],[{x},{y}]]]";

    private static string Feature(string props, string type, string coordinates) =>
        "{\"type\":\"Feature\",\"properties\":{" + props + "},\"geometry\":{\"type\":\"" + type + "\",\"coordinates\":" + coordinates + "}}";

    private static string Collection(params string[] features) => $$"""{"type":"FeatureCollection","features":[{{string.Join(",", features)}}]}""";

    /// <summary>A bow-tie: the ring crosses itself at (-1.85, 52.45).</summary>
    private const string BowTie = "[[[-1.9,52.4],[-1.8,52.5],[-1.8,52.4],[-1.9,52.5],[-1.9,52.4]]]";

    [Fact]
    public async Task One_self_intersecting_polygon_rejects_the_whole_file_and_names_the_row()
    {
        var file = Collection(
            Feature("\"code\":\"ok-1\",\"name\":\"Fine\"", "Polygon", Square(-1.9, 52.4)),
            Feature("\"code\":\"bad-2\",\"name\":\"Bow tie\"", "Polygon", BowTie));
        var r = await Import("corridors", "corridors.geojson", file);
        Assert.Equal("rejected", r.Status);
        Assert.Equal((2, 0, 1), (r.RowsRead, r.RowsWritten, r.RowsRejected));
        var issue = Assert.Single(r.Issues, i => i.Row == 2);
        Assert.Equal(("invalid_geometry", "geometry"), (issue.Code, issue.Field));
        Assert.Contains("Self-intersection at (-1.85 52.45)", issue.Message);
        Assert.Equal(0L, await store.ScalarAsync<long>("SELECT count(*) FROM corridor WHERE code IN ('ok-1', 'bad-2')"));
        // The rejected attempt is still on record.
        Assert.Equal("rejected", await store.ScalarAsync<string>("SELECT status FROM import_record WHERE id = $1", r.Id));
    }

    [Fact]
    public async Task Make_valid_repairs_and_reports_instead_of_rejecting()
    {
        var r = await Import("corridors", "c.geojson", Collection(Feature("\"code\":\"mv-1\"", "Polygon", BowTie)), new() { MakeValid = true });
        Assert.Equal("succeeded", r.Status);
        Assert.Equal("made_valid", Assert.Single(r.Issues).Code);
        Assert.True(await store.ScalarAsync<bool>("SELECT ST_IsValid(geom) FROM corridor WHERE code = 'mv-1'"));
        // The bow-tie is repaired into its two triangles, meeting at the crossing point.
        Assert.Equal(2, await store.ScalarAsync<int>("SELECT ST_NumGeometries(geom) FROM corridor WHERE code = 'mv-1'"));
    }

    [Fact]
    public async Task Accept_partial_keeps_the_valid_rows_and_reports_the_rest()
    {
        var file = Collection(
            Feature("\"code\":\"ap-1\"", "Polygon", Square(-1.9, 52.4)),
            Feature("\"name\":\"no code\"", "Polygon", Square(-1.8, 52.4)));
        var r = await Import("corridors", "c.geojson", file, new() { AcceptPartial = true });
        Assert.Equal(("succeeded", 1, 1), (r.Status, r.RowsWritten, r.RowsRejected));
        Assert.Equal("missing_key", Assert.Single(r.Issues).Code);
        Assert.Equal(1L, await store.ScalarAsync<long>("SELECT count(*) FROM corridor WHERE code = 'ap-1'"));
    }

    [Fact]
    public async Task Eastings_in_a_lon_lat_file_are_outside_the_crs_range()
    {
        var r = await Import("centres", "c.geojson", Collection(Feature("\"code\":\"bng\"", "Point", "[406984, 286657]")));
        Assert.Equal("rejected", r.Status);
        Assert.Contains(r.Issues, i => i.Code == "outside_crs_range" && i.Row == 1 && i.Message.Contains("EPSG:4326"));
    }

    [Fact]
    public async Task A_crs_other_than_wgs84_or_british_national_grid_is_refused_by_name()
    {
        var file = """{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},"features":[]}""";
        var r = await Import("centres", "c.geojson", file);
        Assert.Equal("rejected", r.Status);
        Assert.Contains(r.Issues, i => i.Code == "unknown_crs" && i.Message.Contains("EPSG::3857"));
    }

    [Fact]
    public async Task British_national_grid_csv_is_stored_in_wgs84()
    {
        // 406984.035, 286657.290 is (-1.8986, 52.4778) by `gdaltransform -s_srs EPSG:4326 -t_srs EPSG:27700`.
        var r = await Import("centres", "c.csv", "code,name,x,y\nnew-street,Birmingham New Street,406984.035,286657.290\n", new() { Srid = 27700 });
        Assert.Equal("succeeded", r.Status);
        Assert.Equal(-1.8986, await store.ScalarAsync<double>("SELECT ST_X(geom) FROM centre WHERE code = 'new-street'"), 5);
        Assert.Equal(52.4778, await store.ScalarAsync<double>("SELECT ST_Y(geom) FROM centre WHERE code = 'new-street'"), 5);
    }

    [Fact]
    public async Task Duplicate_codes_are_rejected_with_the_first_row()
    {
        var r = await Import("centres", "c.csv", "code,name,lon,lat\ndup,A,-1.9,52.4\nother,B,-1.8,52.4\ndup,C,-1.7,52.4\n");
        Assert.Equal("rejected", r.Status);
        var issue = Assert.Single(r.Issues, i => i.Code == "duplicate_key");
        Assert.Equal(4, issue.Row); // line 4 of the file (header is line 1)
        Assert.Contains("first at row 2", issue.Message);
    }

    [Fact]
    public async Task Malformed_rows_are_each_reported()
    {
        var r = await Import("centres", "c.csv", "code,name,lon,lat\na,A,-1.9,abc\nb,B,-1.9\n,C,-1.9,52.4\n");
        Assert.Equal("rejected", r.Status);
        Assert.Equal(3, r.RowsRejected);
        Assert.Equal(["missing_geometry", "missing_geometry", "missing_key"], r.Issues.Where(i => i.Row is not null).OrderBy(i => i.Row).Select(i => i.Code));
    }

    [Fact]
    public async Task Re_importing_the_same_file_changes_nothing()
    {
        var file = "code,name,kind,lon,lat\nri-1,One,town,-1.91,52.41\nri-2,Two,city,-1.92,52.42\n";
        const string snapshot = "SELECT string_agg(code || name || kind || ST_AsText(geom), ';' ORDER BY code) FROM centre WHERE code LIKE 'ri-%'";
        await Import("centres", "c.csv", file);
        var first = await store.ScalarAsync<string>(snapshot);
        var again = await Import("centres", "c.csv", file);
        Assert.Equal(("succeeded", 2), (again.Status, again.RowsWritten));
        Assert.Equal(first, await store.ScalarAsync<string>(snapshot));
        Assert.Equal(2L, await store.ScalarAsync<long>("SELECT count(*) FROM centre WHERE code LIKE 'ri-%'"));
    }

    [Fact]
    public async Task Brownfield_register_rows_in_either_crs_become_housing_sites_keyed_by_authority()
    {
        var csv = """
            OrganisationLabel,SiteReference,SiteNameAddress,CoordinateReferenceSystem,GeoX,GeoY,Hectares,PlanningStatus,MinNetDwellings,NetDwellingsRangeFrom,NetDwellingsRangeTo
            Birmingham City Council,BF001,"Land at Digbeth, Birmingham",WGS84,-1.8850,52.4750,1.2,permissioned,40,40,60
            Sandwell MBC,BF001,Old works,OSGB36,400000,300000,0.8,not permissioned,,10,25
            """;
        var r = await Import("brownfield", "brownfield.csv", csv);
        Assert.Equal(("succeeded", 2), (r.Status, r.RowsWritten));
        Assert.Equal("Land at Digbeth, Birmingham|40|60|permissioned|brownfield register", await store.ScalarAsync<string>(
            "SELECT name || '|' || min_dwellings || '|' || max_dwellings || '|' || planning_permission || '|' || status FROM housing_site WHERE reference = 'Birmingham City Council:BF001'"));
        // 400000, 300000 → (-2.001433, 52.597792) by `gdaltransform -s_srs EPSG:27700 -t_srs EPSG:4326`.
        Assert.Equal(-2.001433, await store.ScalarAsync<double>("SELECT ST_X(geom) FROM housing_site WHERE reference = 'Sandwell MBC:BF001'"), 5);
        Assert.Equal(52.597792, await store.ScalarAsync<double>("SELECT ST_Y(geom) FROM housing_site WHERE reference = 'Sandwell MBC:BF001'"), 5);
    }

    [Fact]
    public async Task Imd_layouts_fill_only_their_own_columns()
    {
        await Import("imd", "File_1.csv", "\uFEFFLSOA code (2011),Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile\nE01999901,\"1,234\",1\n");
        await Import("imd", "File_6.csv", "LSOA code (2011),Total population: mid 2015 (excluding prisoners)\nE01999901,\"1,500\"\n");
        Assert.Equal("1234|1|1500", await store.ScalarAsync<string>("SELECT imd_rank || '|' || imd_decile || '|' || pop_total FROM deprivation WHERE lsoa_code = 'E01999901'"));
        var bad = await Import("imd", "bad.csv", "lsoa11cd,imd_decile\nE01999902,11\n");
        Assert.Equal("rejected", bad.Status);
        Assert.Contains(bad.Issues, i => i.Code == "invalid_number" && i.Field == "imd_decile");
    }

    [Fact]
    public async Task A_zone_import_without_a_zone_set_is_refused_before_reading()
    {
        var e = await Assert.ThrowsAsync<ImportRequestException>(() => Import("zones", "z.geojson", Collection()));
        Assert.Equal("zoneSet", e.Field);
    }
}
