using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lis.Geo.Api.Tests.Features.Analyses;
using Lis.Geo.Api.Tests.Features.Feeds;
using Lis.Geo.Data.Importing;
using Lis.Geo.Testing;

namespace Lis.Geo.Api.Tests.Features.Ogc;

/// <summary>
/// The sample region and feed, pages of 5 (at most 10) features, a zone and a centre whose names a
/// spreadsheet would run as formulas, and a stored feed of 150 stops: exports that outgrow any page.
/// </summary>
public sealed class CsvExportFixture : AnalysisFixture
{
    public const int StopCount = 150;
    public long StopsFeedId { get; private set; }

    protected override IEnumerable<(string Key, string Value)> Settings =>
        [.. base.Settings, ("Api:DefaultPageSize", "5"), ("Api:MaxPageSize", "10")];

    protected override async Task LoadAsync(Importer importer)
    {
        await base.LoadAsync(importer);
        await using (var cmd = Db.CreateCommand("""
            UPDATE zone SET name = '=HYPERLINK("http://evil")' WHERE zone_set_id = 'lsoa11' AND code = (SELECT min(code) FROM zone WHERE zone_set_id = 'lsoa11');
            UPDATE centre SET name = '-2+3' WHERE code = (SELECT min(code) FROM centre);
            """))
            await cmd.ExecuteNonQueryAsync();
        var stops = new StringBuilder("stop_id,stop_name,stop_lat,stop_lon\n");
        for (var i = 0; i < StopCount; i++)
            stops.Append(CultureInfo.InvariantCulture, $"S{i:000},Stop {i},{52.4 + i * 0.001:0.000000},{-1.9 - i * 0.0007:0.0000000}\n");
        var zip = GtfsTables.Zip(new Dictionary<string, string> { ["stops.txt"] = stops.ToString() });
        StopsFeedId = (await new Lis.Geo.Data.Feeds.FeedStore(Db).ImportAsync("stops", "stops.zip", zip, null, default)).Feed.Id;
    }
}

/// <summary>Issue 10 item 8: CSV exports hold every matching row unless limit is given, places carry lon/lat, formulas are neutralised.</summary>
public sealed class CsvExportTests(CsvExportFixture api) : IClassFixture<CsvExportFixture>
{
    /// <summary>RFC 4180 records (quoted fields may hold commas, quotes and line breaks).</summary>
    private static List<List<string>> Parse(string csv)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(cell.ToString()); cell.Clear(); }
            else if (c == '\n') { row.Add(cell.ToString().TrimEnd('\r')); cell.Clear(); rows.Add(row); row = []; }
            else cell.Append(c);
        }
        if (cell.Length > 0 || row.Count > 0) { row.Add(cell.ToString()); rows.Add(row); }
        return rows;
    }

    private async Task<(List<string> Header, List<List<string>> Rows)> CsvAsync(string url)
    {
        var response = await api.Client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {text}");
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var rows = Parse(text);
        Assert.NotEmpty(rows);
        return (rows[0], rows.Skip(1).ToList());
    }

    [Fact]
    public async Task Stops_csv_holds_every_stop_of_the_feed_with_its_coordinates_from_PostGIS()
    {
        var (header, rows) = await CsvAsync($"/collections/transit-stops/items?f=csv&feed={api.StopsFeedId}");
        Assert.Equal(["id", "lon", "lat"], header.Take(3));
        var expected = new Dictionary<string, (double Lon, double Lat)>();
        await using (var cmd = api.Db.CreateCommand("SELECT feed_id || ':' || stop_id, ST_X(geom), ST_Y(geom) FROM transit_stop WHERE feed_id = $1"))
        {
            cmd.Parameters.Add(new() { Value = api.StopsFeedId });
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) expected[r.GetString(0)] = (r.GetDouble(1), r.GetDouble(2));
        }
        Assert.Equal(CsvExportFixture.StopCount, expected.Count);
        Assert.Equal(expected.Count, rows.Count);
        foreach (var row in rows)
        {
            var (lon, lat) = expected[row[0]];
            Assert.Equal(Math.Round(lon, 6), double.Parse(row[1], CultureInfo.InvariantCulture));
            Assert.Equal(Math.Round(lat, 6), double.Parse(row[2], CultureInfo.InvariantCulture));
        }
        // A limit is a limit, and one above the page maximum is not cut to a page.
        Assert.Equal(7, (await CsvAsync($"/collections/transit-stops/items?f=csv&feed={api.StopsFeedId}&limit=7")).Rows.Count);
        Assert.Equal(120, (await CsvAsync($"/collections/transit-stops/items?f=csv&feed={api.StopsFeedId}&limit=120")).Rows.Count);
        Assert.Equal(CsvExportFixture.StopCount - 140, (await CsvAsync($"/collections/transit-stops/items?f=csv&feed={api.StopsFeedId}&offset=140")).Rows.Count);
    }

    [Fact]
    public async Task Centroid_and_centre_csv_carry_lon_lat_and_every_row_and_polygons_do_not()
    {
        var (header, rows) = await CsvAsync("/collections/centroids-lsoa11/items?f=csv");
        Assert.Equal(["id", "lon", "lat"], header.Take(3));
        Assert.Equal(await api.ScalarAsync<long>("SELECT count(*) FROM zone WHERE zone_set_id = 'lsoa11' AND centroid IS NOT NULL"), rows.Count);
        Assert.True(rows.Count > 10);
        foreach (var row in rows)
        {
            var lon = await api.ScalarAsync<double>("SELECT round(ST_X(centroid)::numeric, 6)::float8 FROM zone WHERE zone_set_id = 'lsoa11' AND code = $1", row[0]);
            Assert.Equal(lon, double.Parse(row[1], CultureInfo.InvariantCulture));
        }
        var centres = await CsvAsync("/collections/centres/items?f=csv");
        Assert.Equal(["id", "lon", "lat"], centres.Header.Take(3));
        Assert.Equal(await api.ScalarAsync<long>("SELECT count(*) FROM centre"), centres.Rows.Count);
        var name = centres.Header.IndexOf("name");
        Assert.Contains(centres.Rows, r => r[name] == "'-2+3");
        var zones = await CsvAsync("/collections/zones-lsoa11/items?f=csv");
        Assert.DoesNotContain("lon", zones.Header);
        Assert.Equal(await api.ScalarAsync<long>("SELECT count(*) FROM zone WHERE zone_set_id = 'lsoa11'"), zones.Rows.Count);
    }

    [Fact]
    public async Task Run_csv_exports_hold_every_row_with_formulas_neutralised_and_all_percentiles()
    {
        var response = await api.Writer().PostAsync("/analyses", new StringContent(
            $$"""{"type":"zone-access","feedId":{{api.FeedId}},"percentiles":[5,10,25,40,50,60,75,80,90,95],"percentile":50}""", Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal("succeeded", (await api.WaitAsync(id)).GetProperty("state").GetString());

        var origins = await api.ScalarAsync<long>("SELECT count(*) FROM analysis_point WHERE run_id = $1 AND is_origin", id);
        var (header, rows) = await CsvAsync($"/analyses/{id}/zones?f=csv");
        Assert.True(origins > 10, $"{origins} origins do not outgrow a page");
        Assert.Equal(origins, rows.Count);
        Assert.Contains(rows, r => r.Contains("'=HYPERLINK(\"http://evil\")"));
        Assert.Equal(3, (await CsvAsync($"/analyses/{id}/zones?f=csv&limit=3")).Rows.Count);

        var pairs = await api.ScalarAsync<long>("SELECT count(*) FROM analysis_pair_result WHERE run_id = $1", id);
        var times = await CsvAsync($"/analyses/{id}/travel-times.csv");
        Assert.Equal(pairs, times.Rows.Count);
        Assert.True(pairs > 100, $"{pairs} pairs");
        Assert.Equal(["p5_seconds", "p10_seconds", "p25_seconds", "p40_seconds", "p50_seconds", "p60_seconds", "p75_seconds", "p80_seconds", "p90_seconds", "p95_seconds"],
            times.Header.Where(h => h.StartsWith('p') && h.EndsWith("_seconds")));
        var destinationName = times.Header.IndexOf("destination_name");
        Assert.Contains(times.Rows, r => r[destinationName] == "'-2+3");
        Assert.DoesNotContain(times.Rows, r => r[destinationName].StartsWith('-'));
    }
}
