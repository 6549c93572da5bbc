using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Lis.Geo.Transit.Gtfs;

namespace Lis.Geo.Api.Tests.Edge;

/// <summary>
/// Limits:MaxImportRows (default 250,000), over real HTTP into PostGIS: an import holds every row while
/// it checks them, so a small gzip of millions of tiny rows used to cost gigabytes before the inflate cap
/// stopped it. One row over the limit is refused as the file (422, field <c>file</c>, naming the limit)
/// and nothing is stored; a file of exactly the limit is read whole (its rows are then judged one by one).
/// </summary>
public sealed class ImportRowLimitTests(HostileFixture api) : IClassFixture<HostileFixture>
{
    private static readonly int Limit = new InputLimits().MaxImportRows;

    /// <summary>A gzipped centres CSV of <paramref name="rows"/> rows (distinct codes; <paramref name="lon"/> as given).</summary>
    private static ByteArrayContent CentresGz(int rows, string lon)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        using (var w = new StreamWriter(gz, new UTF8Encoding(false)))
        {
            w.Write("code,name,lon,lat,kind\n");
            for (var i = 0; i < rows; i++) w.Write($"lim-{i},C{i},{lon},52.4,town\n");
        }
        return new ByteArrayContent(ms.ToArray());
    }

    private Task<long> CentresAsync() => api.ScalarAsync<long>("SELECT count(*) FROM centre");

    private Task<long> RecordsAsync() => api.ScalarAsync<long>("SELECT count(*) FROM import_record");

    [Fact]
    public async Task A_gzip_with_one_row_more_than_the_limit_is_422_naming_file_and_stores_nothing()
    {
        var (centres, records) = (await CentresAsync(), await RecordsAsync());
        var p = await Problem.AssertAsync(api.Writer().PostAsync("/imports/centres?fileName=many.csv.gz", CentresGz(Limit + 1, "-1.9")),
            HttpStatusCode.UnprocessableEntity, "file");
        var detail = p.GetProperty("detail").GetString()!;
        Assert.Contains($"more than {Limit:N0} rows", detail);
        Assert.Contains("Limits:MaxImportRows", detail);
        var record = p.GetProperty("importRecord");
        Assert.Equal("rejected", record.GetProperty("status").GetString());
        Assert.Equal(0, record.GetProperty("rowsWritten").GetInt32());
        Assert.Equal("too_large", record.GetProperty("issues")[0].GetProperty("code").GetString());
        Assert.Equal(centres, await CentresAsync());
        // The refusal itself is recorded (every import leaves a record), and nothing else.
        Assert.Equal(records + 1, await RecordsAsync());
    }

    [Fact]
    public async Task A_file_of_exactly_the_limit_is_read_whole_and_its_rows_judged()
    {
        // Every row has a bad longitude, so all are read, all rejected, nothing written: the limit is not off by one.
        var centres = await CentresAsync();
        var p = await Problem.AssertAsync(api.Writer().PostAsync("/imports/centres?fileName=many.csv.gz", CentresGz(Limit, "west")),
            HttpStatusCode.UnprocessableEntity, "file");
        var record = p.GetProperty("importRecord");
        Assert.Equal(Limit, record.GetProperty("rowsRead").GetInt32());
        Assert.Equal(Limit, record.GetProperty("rowsRejected").GetInt32());
        Assert.Equal("import_rejected", record.GetProperty("issues")[0].GetProperty("code").GetString());
        // Issues stored stay capped (the counts are exact).
        Assert.Equal(Lis.Geo.Data.Importing.Importer.MaxStoredIssues, record.GetProperty("issues").GetArrayLength());
        Assert.Equal(centres, await CentresAsync());
    }

    [Fact]
    public async Task A_geojson_with_more_features_than_the_limit_is_422_naming_file()
    {
        var zones = await api.ScalarAsync<long>("SELECT count(*) FROM zone");
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        using (var w = new StreamWriter(gz, new UTF8Encoding(false)))
        {
            w.Write("{\"type\":\"FeatureCollection\",\"features\":[");
            for (var i = 0; i <= Limit; i++) w.Write(i == 0 ? "{\"type\":\"Feature\",\"geometry\":null}" : ",{\"type\":\"Feature\",\"geometry\":null}");
            w.Write("]}");
        }
        var p = await Problem.AssertAsync(api.Writer().PostAsync("/imports/zones?fileName=many.geojson.gz&zoneSet=many", new ByteArrayContent(ms.ToArray())),
            HttpStatusCode.UnprocessableEntity, "file");
        Assert.Contains("Limits:MaxImportRows", p.GetProperty("detail").GetString());
        Assert.Equal(zones, await api.ScalarAsync<long>("SELECT count(*) FROM zone"));
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM zone_set WHERE id = 'many'"));
    }
}
