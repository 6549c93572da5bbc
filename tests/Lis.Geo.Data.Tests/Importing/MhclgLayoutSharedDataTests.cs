using Lis.Geo.Data.Importing;
using Lis.Geo.Testing;

namespace Lis.Geo.Data.Tests.Importing;

/// <summary>The MHCLG IoD2019 files as published (long headers, "29,199" ranks, BOM), all of England.</summary>
[Trait("Category", "SharedData")]
public sealed class MhclgLayoutSharedDataTests(StoreFixture store) : IClassFixture<StoreFixture>
{
    [Fact]
    public async Task File_2_and_File_6_merge_into_one_row_per_lsoa()
    {
        var importer = new Importer(store.DataSource);
        var source = Path.Combine(RepoPaths.SharedData, "imd2019/source");
        var f2 = await importer.ImportAsync("imd", await SourceFile.ReadAsync(Path.Combine(source, "File_2_-_IoD2019_Domains_of_Deprivation.csv.gz"), default), new(), default);
        var f6 = await importer.ImportAsync("imd", await SourceFile.ReadAsync(Path.Combine(source, "File_6_-_IoD2019_Population_Denominators.csv.gz"), default), new(), default);
        Assert.Equal(("succeeded", 32_844, 0), (f2.Status, f2.RowsWritten, f2.RowsRejected));
        Assert.Equal(("succeeded", 32_844, 0), (f6.Status, f6.RowsWritten, f6.RowsRejected));
        Assert.Equal(32_844L, await store.ScalarAsync<long>("SELECT count(*) FROM deprivation"));
        // City of London 001A in File 2: IMD rank 29199 decile 9, living environment rank 7789 decile 3;
        // in File 6: total population "1,296".
        Assert.Equal("29199|9|7789|3|1296", await store.ScalarAsync<string>(
            "SELECT imd_rank || '|' || imd_decile || '|' || living_environment_rank || '|' || living_environment_decile || '|' || pop_total FROM deprivation WHERE lsoa_code = 'E01000001'"));
        // File 2 has no scores: the score columns stay empty rather than zero.
        Assert.Equal(0L, await store.ScalarAsync<long>("SELECT count(imd_score) FROM deprivation"));
    }
}
