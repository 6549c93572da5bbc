using System.Text.Json;
using Lis.Geo.Data.Importing;
using Lis.Geo.Data.Model;
using Lis.Geo.Testing;

namespace Lis.Geo.Api.Tests.Features.Ogc;

/// <summary>
/// The sample region with its LSOA 2011 zones imported a second time as a zone set called <c>myzones</c>,
/// then its IMD 2019 file imported again, and a zone set <c>elsewhere</c> whose one zone has a code no
/// edition knows.
/// </summary>
public sealed class GeneralJoinsFixture : ApiFixture
{
    public ImportRecord ImdRecord { get; private set; } = null!;

    protected override async Task LoadAsync(Importer importer)
    {
        Assert.Equal("succeeded", (await importer.ImportAsync("zones", await SourceFile.ReadAsync(Path.Combine(RepoPaths.GeoData, "lsoa11.geojson"), default),
            new ImportOptions { ZoneSet = "myzones" }, default)).Status);
        await using (var cmd = Db.CreateCommand("""
            INSERT INTO zone_set (id, name, code_geography) VALUES ('elsewhere', 'Not LSOAs', 'elsewhere');
            INSERT INTO zone (zone_set_id, code, name, geom) SELECT 'elsewhere', 'W-1', 'somewhere', geom FROM zone WHERE zone_set_id = 'lsoa11' ORDER BY code LIMIT 1;
            """))
            await cmd.ExecuteNonQueryAsync();
        ImdRecord = await importer.ImportAsync("imd", await SourceFile.ReadAsync(Path.Combine(RepoPaths.GeoData, "imd2019.csv"), default), new ImportOptions(), default);
    }
}

public sealed class GeneralJoinsTests(GeneralJoinsFixture api) : IClassFixture<GeneralJoinsFixture>
{
    [Fact]
    public async Task Deprivation_attaches_to_a_zone_set_of_any_name_whose_codes_it_matches_and_the_import_says_how_many()
    {
        var zones = await api.ScalarAsync<long>("SELECT count(*) FROM zone WHERE zone_set_id = 'lsoa11'");
        Assert.True(zones > 0);
        Assert.Equal("succeeded", api.ImdRecord.Status);
        Assert.Equal($"elsewhere: 0 of 1; lsoa11: {zones} of {zones}; myzones: {zones} of {zones}", api.ImdRecord.Options["zonesMatched"]);
        var warning = Assert.Single(api.ImdRecord.Issues, i => i.Code == "no_zones_matched");
        Assert.Equal(ImportIssue.Warning, warning.Severity);
        Assert.Contains("'elsewhere'", warning.Message);

        // Every zone of myzones has the decile its code has in the IMD file, and names the edition.
        var expected = File.ReadAllLines(Path.Combine(RepoPaths.GeoData, "imd2019.csv")).Skip(1).Select(l => l.Split(','))
            .ToDictionary(f => f[0], f => int.Parse(f[10], System.Globalization.CultureInfo.InvariantCulture));
        var page = await api.GetJsonAsync("/collections/zones-myzones/items?limit=1000&properties=code,imd_decile,deprivation_edition,deprivation_match");
        var features = page.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("properties")).ToList();
        Assert.Equal(zones, features.Count);
        foreach (var p in features)
        {
            Assert.Equal(expected[p.GetProperty("code").GetString()!], p.GetProperty("imd_decile").GetInt32());
            Assert.Equal(("imd2019", "code"), (p.GetProperty("deprivation_edition").GetString(), p.GetProperty("deprivation_match").GetString()));
        }
        var elsewhere = (await api.GetJsonAsync("/collections/zones-elsewhere/items")).GetProperty("features")[0].GetProperty("properties");
        Assert.Equal(JsonValueKind.Null, elsewhere.GetProperty("imd_decile").ValueKind);
    }

    [Theory]
    // The sample's three Birmingham brownfield sites (SMP-B-001…003; the register file names no district code) and its two Birmingham employment sites.
    [InlineData("housing-sites", "E08000025", 3)]
    [InlineData("employment-sites", "E08000025", 2)]
    public async Task Sites_get_their_local_authority_from_the_boundary_they_lie_in(string collection, string lad, int count)
    {
        // Independently: the sites whose point on surface lies in the district's stored boundary.
        var inside = new List<string>();
        await using (var cmd = api.Db.CreateCommand($"""
            SELECT t.reference FROM {collection.Replace('-', '_').TrimEnd('s')} t JOIN local_authority la ON la.code = $1 AND ST_Contains(la.geom, ST_PointOnSurface(t.geom)) ORDER BY 1
            """))
        {
            cmd.Parameters.Add(new() { Value = lad });
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) inside.Add(r.GetString(0));
        }
        Assert.Equal(count, inside.Count);
        var page = await api.GetJsonAsync($"/collections/{collection}/items?lad={lad}&limit=1000");
        var features = page.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(inside, features.Select(f => f.GetProperty("properties").GetProperty("reference").GetString()).Order(StringComparer.Ordinal));
        Assert.All(features, f => Assert.Equal(lad, f.GetProperty("properties").GetProperty("lad_code").GetString()));
    }
}
