using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Lis.Geo.Api.Tests.Features.Imports;

public sealed class ImportsApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static MultipartFormDataContent Upload(string fileName, string text) =>
        new() { { new ByteArrayContent(Encoding.UTF8.GetBytes(text)), "file", fileName } };

    [Fact]
    public async Task An_uploaded_file_is_imported_and_recorded()
    {
        var response = await api.Writer().PostAsync("/imports/centres", Upload("extra.csv", "code,name,kind,lon,lat\nup-1,Upload One,town,-1.95,52.45\n"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var record = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("succeeded", 1), (record.GetProperty("status").GetString(), record.GetProperty("rowsWritten").GetInt32()));
        var again = await api.GetJsonAsync(new Uri(response.Headers.Location!.ToString()).PathAndQuery);
        Assert.Equal(record.GetProperty("fileSha256").GetString(), again.GetProperty("fileSha256").GetString());
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM centre WHERE code = 'up-1'"));
    }

    [Fact]
    public async Task A_failed_import_leaves_no_rows()
    {
        var before = await api.ScalarAsync<long>("SELECT count(*) FROM centre");
        var csv = "code,name,lon,lat\nok-a,Fine,-1.9,52.4\nok-b,Fine too,-1.91,52.41\nbad,Eastings not degrees,406984,286657\n";
        var p = await Problem.AssertAsync(api.Writer().PostAsync("/imports/centres", Upload("mixed.csv", csv)), HttpStatusCode.UnprocessableEntity, "file");
        var record = p.GetProperty("importRecord");
        Assert.Equal(("rejected", 0, 1), (record.GetProperty("status").GetString(), record.GetProperty("rowsWritten").GetInt32(), record.GetProperty("rowsRejected").GetInt32()));
        Assert.Contains(record.GetProperty("issues").EnumerateArray(), i => i.TryGetProperty("row", out var row) && row.GetInt32() == 4 && i.GetProperty("code").GetString() == "outside_crs_range");
        Assert.Equal(before, await api.ScalarAsync<long>("SELECT count(*) FROM centre"));
    }

    [Theory]
    [InlineData("text/csv", "raw.csv", "code,name,kind,lon,lat\nup-raw-1,Raw One,town,-1.96,52.46\n", "up-raw-1")]
    [InlineData("application/geo+json", "raw.geojson",
        """{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"up-raw-2","name":"Raw Two"},"geometry":{"type":"Point","coordinates":[-1.97,52.47]}}]}""", "up-raw-2")]
    public async Task A_raw_body_with_its_media_type_is_imported_too(string mediaType, string fileName, string text, string code)
    {
        var content = new StringContent(text, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        var response = await api.Writer().PostAsync($"/imports/centres?fileName={fileName}", content);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM centre WHERE code = $1", code));
    }

    [Fact]
    public async Task Uploads_need_the_key_and_a_known_dataset()
    {
        await Problem.AssertAsync(api.Client.PostAsync("/imports/centres", Upload("c.csv", "code,name,lon,lat\n")), HttpStatusCode.Unauthorized);
        await Problem.AssertAsync(api.Writer().PostAsync("/imports/planets", Upload("c.csv", "code\n")), HttpStatusCode.BadRequest, "dataset");
        await Problem.AssertAsync(api.Writer().PostAsync("/imports/zones", Upload("z.geojson", """{"type":"FeatureCollection","features":[]}""")), HttpStatusCode.BadRequest, "zoneSet");
    }

    [Fact]
    public async Task Deprivation_editions_population_and_the_lookup_import_over_http()
    {
        var iod = await api.Writer().PostAsync("/imports/imd", Upload("iod.csv", "lsoa21cd,IMD_score,IMD_rank,IMD_decile\nE01999951,43.521,3696,2\n"));
        Assert.True(iod.StatusCode == HttpStatusCode.Created, await iod.Content.ReadAsStringAsync());
        Assert.Equal("iod2025", (await iod.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("options").GetProperty("edition").GetString());
        Assert.Equal(3696, await api.ScalarAsync<int>("SELECT imd_rank FROM deprivation WHERE edition = 'iod2025' AND lsoa_code = 'E01999951'"));
        await Problem.AssertAsync(api.Writer().PostAsync("/imports/imd?edition=imd2015", Upload("iod.csv", "lsoa21cd,IMD_rank\nE01999951,1\n")), HttpStatusCode.BadRequest, "edition");
        await Problem.AssertAsync(api.Writer().PostAsync("/imports/imd", Upload("x.csv", "code,IMD_rank\nE01999951,1\n")), HttpStatusCode.UnprocessableEntity, "file");

        var lookup = await api.Writer().PostAsync("/imports/lsoa-lookup", Upload("lu.csv", "lsoa11_code,change_code,lsoa21_code\nE01999961,M,E01999971\nE01999962,M,E01999971\n"));
        Assert.True(lookup.StatusCode == HttpStatusCode.Created, await lookup.Content.ReadAsStringAsync());
        Assert.Equal(2L, await api.ScalarAsync<long>("SELECT count(*) FROM lsoa_lookup WHERE lsoa21_code = 'E01999971' AND change_code = 'M'"));

        var zone = """{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"lsoa21cd":"E01999971"},"geometry":{"type":"Point","coordinates":[-1.9,52.4]}}]}""";
        Assert.Equal(HttpStatusCode.Created, (await api.Writer().PostAsync("/imports/centroids?zoneSet=http-21", Upload("p.geojson", zone))).StatusCode);
        var pop = await api.Writer().PostAsync("/imports/population?zoneSet=http-21&column=households_2021", Upload("c.csv", "lsoa21cd,usual_residents_2021,households_2021\nE01999971,3010,1200\n"));
        Assert.True(pop.StatusCode == HttpStatusCode.Created, await pop.Content.ReadAsStringAsync());
        Assert.Equal(1200, await api.ScalarAsync<int>("SELECT population FROM zone WHERE zone_set_id = 'http-21' AND code = 'E01999971'"));
        await Problem.AssertAsync(api.Writer().PostAsync("/imports/population?zoneSet=http-21&column=nope", Upload("c.csv", "lsoa21cd,usual_residents_2021\nE01999971,1\n")),
            HttpStatusCode.UnprocessableEntity, "file");
    }
}
