using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lis.Geo.Api.Tests.Features.Map;

namespace Lis.Geo.Api.Tests.Gis;

/// <summary>
/// GDAL's OGC API driver shows a run's <c>meets_target</c> as Integer(Boolean) and users write
/// <c>-where "meets_target = 1"</c>: the real ogr2ogr against the sample region's API on a real port
/// copies exactly the zones that meet the target, with no error from GDAL or the server.
/// </summary>
public sealed class GdalBooleanTests(MapFixture api) : IClassFixture<MapFixture>
{
    [Fact]
    public async Task Ogr2ogr_where_meets_target_equals_1_copies_the_zones_that_meet_it()
    {
        var response = await api.Writer().PostAsync("/analyses", new StringContent("""{"type":"zone-access","minCentres":2}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal("succeeded", (await api.WaitAsync(id)).GetProperty("state").GetString());
        var expected = (await api.GetJsonAsync($"/collections/analysis-{id}-zones/items?limit=1000")).GetProperty("features").EnumerateArray()
            .Where(f => f.GetProperty("properties").GetProperty("meets_target").GetBoolean()).Select(f => f.GetProperty("id").GetString()!).Order().ToList();
        Assert.InRange(expected.Count, 1, 16); // some zones meet it and some do not: the filter is seen to select

        Assert.True(File.Exists("/usr/bin/ogr2ogr"), "ogr2ogr (GDAL) is not installed: apt-get install gdal-bin");
        var output = Path.Combine(Path.GetTempPath(), $"lisgeo-meets-{Guid.NewGuid():N}.csv");
        try
        {
            var start = new ProcessStartInfo("/usr/bin/ogr2ogr") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-f", "CSV", output, "OAPIF:" + api.ServerAddress!.GetLeftPart(UriPartial.Authority), $"analysis-{id}-zones", "-where", "meets_target = 1" })
                start.ArgumentList.Add(a);
            start.Environment["NO_PROXY"] = start.Environment["no_proxy"] = "127.0.0.1,localhost";
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            var error = await stderr + await stdout;
            Assert.True(process.ExitCode == 0, $"ogr2ogr failed: {error}");
            Assert.DoesNotContain("ERROR", error);
            var header = File.ReadLines(output).First().Split(',');
            var codeColumn = Array.IndexOf(header, "code");
            Assert.True(codeColumn >= 0, string.Join(',', header));
            var copied = File.ReadLines(output).Skip(1).Select(l => l.Split(',')[codeColumn].Trim('"')).Order().ToList();
            Assert.Equal(expected, copied);
        }
        finally
        {
            File.Delete(output);
        }
    }
}
