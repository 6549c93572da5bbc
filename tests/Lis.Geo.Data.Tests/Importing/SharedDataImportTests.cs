using System.Globalization;
using Lis.Geo.Data.Importing;
using Lis.Geo.Data.Model;
using Lis.Geo.Testing;

namespace Lis.Geo.Data.Tests.Importing;

/// <summary>Imports the real study-area files once (LEPs, LADs, 2,438 LSOA 2011 zones, centroids, IMD).</summary>
public sealed class SharedRegionFixture : StoreFixture
{
    public Dictionary<string, ImportRecord> Records { get; } = [];

    protected override async Task InitializeDatabaseAsync(string connectionString)
    {
        await base.InitializeDatabaseAsync(connectionString);
        var d = RepoPaths.SharedData;
        var importer = new Importer(LisGeoDb.CreateDataSource(connectionString));
        foreach (var (dataset, file, options) in new (string, string, ImportOptions)[]
        {
            ("leps", "lep/lep2017_wm_from_lsoa11_bgc.geojson", new()),
            ("lads", "lad/lad2019_wm3lep_from_lsoa11_bgc.geojson", new()),
            ("zones", "lsoa/lsoa11_wm3lep_bgc.geojson", new() { ZoneSet = "lsoa11" }),
            ("centroids", "lsoa/lsoa11_pwc_wm3lep.csv", new() { ZoneSet = "lsoa11" }),
            ("imd", "imd2019/imd2019_lsoa11_wm_leps.csv", new()),
        })
            Records[dataset] = await importer.ImportAsync(dataset, await SourceFile.ReadAsync(Path.Combine(d, file), default), options, default);
    }
}

/// <summary>The importers against the real open data in ../shared/data, checked against the source files.</summary>
[Trait("Category", "SharedData")]
public sealed class SharedDataImportTests(SharedRegionFixture store) : IClassFixture<SharedRegionFixture>
{
    [Fact]
    public void Every_file_imports_without_rejections()
    {
        foreach (var (dataset, r) in store.Records)
        {
            Assert.True(r.Status == "succeeded", $"{dataset}: {string.Join("; ", r.Issues.Select(i => i.Message))}");
            Assert.Equal(0, r.RowsRejected);
        }
        Assert.Equal(2438, store.Records["zones"].RowsWritten);
    }

    [Fact]
    public async Task The_membership_table_adds_to_the_stored_authorities_and_refuses_ones_not_stored()
    {
        var importer = new Importer(store.DataSource);
        var path = Path.Combine(RepoPaths.SharedData, "lep/lad_to_lep_2017_2020_membership.csv");
        var record = await importer.ImportAsync("lep-memberships", await SourceFile.ReadAsync(path, default), new(), default);
        Assert.True(record.Status == "succeeded", string.Join("; ", record.Issues.Select(i => i.Message)));
        Assert.Equal(19, record.RowsWritten);
        // The same memberships the LAD file carried: still 26, still 19 authorities with their boundaries.
        Assert.Equal(26L, await store.ScalarAsync<long>("SELECT count(*) FROM lep_membership"));
        Assert.Equal(19L, await store.ScalarAsync<long>("SELECT count(*) FROM local_authority WHERE geom IS NOT NULL"));

        var unknown = await importer.ImportAsync("lep-memberships",
            new SourceFile("extra.csv", System.Text.Encoding.UTF8.GetBytes("lad19cd,lad19nm,lep1_cd,lep1_nm,lep2_cd,lep2_nm\nE09999999,Nowhere,E37000001,Black Country,,\n")), new(), default);
        Assert.Equal("rejected", unknown.Status);
        Assert.Contains(unknown.Issues, i => i.Code == "unknown_key" && i.Row == 2 && i.Message.Contains("import lads first", StringComparison.Ordinal));
        Assert.Equal(0L, await store.ScalarAsync<long>("SELECT count(*) FROM lep_membership WHERE lad_code = 'E09999999'"));
    }

    [Fact]
    public async Task Three_leps_and_nineteen_authorities_with_their_memberships()
    {
        Assert.Equal(3L, await store.ScalarAsync<long>("SELECT count(*) FROM lep"));
        Assert.Equal(19L, await store.ScalarAsync<long>("SELECT count(*) FROM local_authority"));
        // From lep/lad_to_lep_2017_2020_membership.csv: every LAD has a first LEP, and seven
        // (Cannock Chase, East Staffordshire, Lichfield, Tamworth, Bromsgrove, Redditch, Wyre Forest) a second.
        var csv = File.ReadAllLines(Path.Combine(RepoPaths.SharedData, "lep/lad_to_lep_2017_2020_membership.csv")).Skip(1)
            .Select(l => l.Split(',')).ToList();
        var expected = csv.Sum(f => f[4].Length > 0 ? 2 : 1);
        Assert.Equal(26, expected);
        Assert.Equal((long)expected, await store.ScalarAsync<long>("SELECT count(*) FROM lep_membership"));
        Assert.Equal(19L, await store.ScalarAsync<long>("SELECT count(*) FROM lep_membership WHERE is_primary"));
        Assert.Equal("E37000038", await store.ScalarAsync<string>(
            "SELECT lep_code FROM lep_membership WHERE lad_code = 'E07000234' AND NOT is_primary")); // Bromsgrove → Worcestershire
    }

    [Fact]
    public async Task Zones_carry_population_centroids_and_deprivation_equal_to_the_source()
    {
        Assert.Equal(2438L, await store.ScalarAsync<long>("SELECT count(*) FROM zone WHERE zone_set_id = 'lsoa11' AND geom IS NOT NULL AND centroid IS NOT NULL"));
        // Study-area mid-2015 population in imd2019/PROVENANCE.md.
        Assert.Equal(4_061_539L, await store.ScalarAsync<long>("SELECT sum(population) FROM zone"));

        // Every row of the source table, compared with what the store returns for that zone.
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.SharedData, "imd2019/imd2019_lsoa11_wm_leps.csv"));
        var header = lines[0].Split(',').ToList();
        int Col(string n) => header.IndexOf(n);
        var expected = lines.Skip(1).Select(l => l.Split(','))
            .ToDictionary(f => f[Col("lsoa11cd")], f => (Score: double.Parse(f[Col("imd_score")], CultureInfo.InvariantCulture),
                Rank: int.Parse(f[Col("imd_rank")], CultureInfo.InvariantCulture), Decile: int.Parse(f[Col("imd_decile")], CultureInfo.InvariantCulture),
                Health: int.Parse(f[Col("health_decile")], CultureInfo.InvariantCulture)));
        Assert.Equal(2438, expected.Count);
        await using var cmd = store.DataSource.CreateCommand(
            "SELECT z.code, d.imd_score, d.imd_rank, d.imd_decile, d.health_decile FROM zone z JOIN deprivation d ON d.lsoa_code = z.code");
        await using var r = await cmd.ExecuteReaderAsync();
        var seen = 0;
        while (await r.ReadAsync())
        {
            var e = expected[r.GetString(0)];
            Assert.Equal(e, (r.GetDouble(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4)));
            seen++;
        }
        Assert.Equal(2438, seen);
    }

    [Fact]
    public async Task Named_lsoas_have_the_published_imd_values()
    {
        // Birmingham 067A and 066A, as published in IoD2019 File 1/2 (rank 1 = most deprived of 32,844).
        Assert.Equal("2|3924|41.179", await store.ScalarAsync<string>(
            "SELECT imd_decile || '|' || imd_rank || '|' || imd_score FROM deprivation WHERE lsoa_code = 'E01008881'"));
        Assert.Equal("1|939|59.693", await store.ScalarAsync<string>(
            "SELECT imd_decile || '|' || imd_rank || '|' || imd_score FROM deprivation WHERE lsoa_code = 'E01008882'"));
    }

    [Fact]
    public async Task Imd_decile_counts_match_the_provenance_record()
    {
        // imd2019/PROVENANCE.md: d1 468, d2 373, d3 253, d4 214, d5 225, d6 194, d7 182, d8 191, d9 168, d10 170.
        int[] published = [468, 373, 253, 214, 225, 194, 182, 191, 168, 170];
        for (var d = 1; d <= 10; d++)
            Assert.Equal((long)published[d - 1], await store.ScalarAsync<long>(
                "SELECT count(*) FROM zone z JOIN deprivation x ON x.lsoa_code = z.code WHERE x.imd_decile = $1", d));
    }

    [Fact]
    public async Task Centroids_mostly_fall_inside_their_own_zone()
    {
        // lsoa/PROVENANCE.md: 2,411 of 2,438 population-weighted centroids lie inside their generalised polygon.
        Assert.Equal(2411L, await store.ScalarAsync<long>("SELECT count(*) FROM zone WHERE ST_Contains(geom, centroid)"));
    }
}
