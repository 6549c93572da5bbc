using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Lis.Geo.Testing;

namespace Lis.Geo.Api.Tests.Gis;

/// <summary>
/// OWSLib (Debian python3-owslib), the OGC client library of Python GIS scripts, reading the real LSOA 2011
/// zones from a running API through its own calls (<c>owslib_check.py</c>): every figure it reports is
/// compared with SQL written here against the database.
/// </summary>
[Trait("Category", "SharedData")]
public sealed class OwsLibSharedDataTests(GdalOapifFixture fx) : IClassFixture<GdalOapifFixture>
{
    private const string Layer = "zones-lsoa11";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private async Task<List<string>> CodesAsync(string where)
    {
        var codes = new List<string>();
        await using var cmd = fx.Db.CreateCommand(
            $"SELECT z.code FROM zone z LEFT JOIN deprivation d ON d.lsoa_code = z.code AND d.edition = 'imd2019' WHERE z.zone_set_id = 'lsoa11' AND z.geom IS NOT NULL AND {where} ORDER BY z.code");
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) codes.Add(r.GetString(0));
        return codes;
    }

    private static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();

    [Fact]
    public async Task OwsLib_reads_collections_filters_pages_and_processes_as_the_database_holds_them()
    {
        var o = await RunAsync();

        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core", Strings(o.GetProperty("conformance")));
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter", Strings(o.GetProperty("conformance")));
        Assert.Contains(Layer, Strings(o.GetProperty("feature_collections")));
        var links = Strings(o.GetProperty("collection").GetProperty("links"));
        Assert.Contains("items", links);
        Assert.Contains("describedby", links);

        // Queryables typed as the columns are.
        var q = o.GetProperty("queryables");
        Assert.Equal(("string", "integer", "integer", "number"),
            (q.GetProperty("code").GetString(), q.GetProperty("population").GetString(), q.GetProperty("imd_decile").GetString(), q.GetProperty("imd_score").GetString()));

        // The first page: the total, and the first ten zones in code order, with their figures.
        var all = await CodesAsync("true");
        Assert.Equal(2438, all.Count);
        var first = o.GetProperty("first_page");
        Assert.Equal((2438, 10), (first.GetProperty("numberMatched").GetInt32(), first.GetProperty("numberReturned").GetInt32()));
        Assert.Equal(all.Take(10), Strings(first.GetProperty("ids")));
        Assert.Equal("MultiPolygon", first.GetProperty("geometry_type").GetString());
        var props = first.GetProperty("properties");
        await using (var cmd = fx.Db.CreateCommand("SELECT z.population, d.imd_decile, d.imd_rank, z.name FROM zone z JOIN deprivation d ON d.lsoa_code = z.code WHERE z.zone_set_id = 'lsoa11' AND z.code = $1"))
        {
            cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = all[0] });
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync(), $"{all[0]} has no IMD row, so the comparison would prove nothing");
            Assert.Equal((Convert.ToInt32(r.GetValue(0)), Convert.ToInt32(r.GetValue(1)), Convert.ToInt32(r.GetValue(2)), r.GetString(3)),
                (props.GetProperty("population").GetInt32(), props.GetProperty("imd_decile").GetInt32(), props.GetProperty("imd_rank").GetInt32(), props.GetProperty("name").GetString()));
        }
        Assert.Equal(all[0], o.GetProperty("item").GetProperty("id").GetString());
        Assert.Equal(props.GetRawText(), o.GetProperty("item").GetProperty("properties").GetRawText());

        // Following the next links sees every zone once: 2,438 in 5 pages of 500.
        var paging = o.GetProperty("paging");
        Assert.Equal((2438, 2438, 5), (paging.GetProperty("ids").GetInt32(), paging.GetProperty("distinct").GetInt32(), paging.GetProperty("pages").GetInt32()));

        // bbox, CQL2 text, CQL2 JSON and property=value select exactly what PostGIS selects.
        var boxed = await CodesAsync("ST_Intersects(z.geom, ST_MakeEnvelope(-1.9, 52.4, -1.8, 52.5, 4326))");
        Assert.InRange(boxed.Count, 50, 2000);
        Assert.Equal(boxed, Strings(o.GetProperty("bbox")));
        var deprivedAndLarge = await CodesAsync("d.imd_decile = 1 AND z.population > 1500");
        Assert.InRange(deprivedAndLarge.Count, 10, 1000);
        Assert.Equal(deprivedAndLarge, Strings(o.GetProperty("filter_text")));
        Assert.Equal(deprivedAndLarge, Strings(o.GetProperty("filter_json")));
        Assert.Equal(await CodesAsync("d.imd_decile = 1"), Strings(o.GetProperty("property_equals")));

        // OGC API – Processes: the list and one description (OWSLib 0.27 has no execute or job calls).
        Assert.Equal(["zone-access", "site-access", "corridor", "isochrones"], Strings(o.GetProperty("processes")));
        var process = o.GetProperty("process");
        Assert.Equal("zone-access", process.GetProperty("id").GetString());
        Assert.Contains("minCentres", Strings(process.GetProperty("inputs")));
        Assert.Equal(["housing", "run", "zones"], Strings(process.GetProperty("outputs")));
    }

    private async Task<JsonElement> RunAsync()
    {
        var script = Path.Combine(RepoPaths.RepoRoot, "tests", "Lis.Geo.Api.Tests", "Gis", "owslib_check.py");
        // Debian's python3-owslib is installed for the system interpreter, which a pyenv or venv on PATH may hide.
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8, StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in new[] { script, fx.BaseUrl, Layer }) start.ArgumentList.Add(a);
        start.Environment["NO_PROXY"] = start.Environment["no_proxy"] = "127.0.0.1,localhost";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start python3");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"owslib_check.py did not finish within {Timeout.TotalSeconds:0} s");
        }
        var (output, error) = (await stdout, await stderr);
        if (error.Contains("No module named 'owslib'", StringComparison.Ordinal))
            throw new Xunit.Sdk.XunitException("OWSLib is not installed, so the Python GIS-client test cannot run. Install it: apt-get install python3-owslib (scripts/test installs it).");
        var requests = string.Join('\n', fx.Requests.TakeLast(40));
        Assert.True(process.ExitCode == 0, $"owslib_check.py failed (exit {process.ExitCode}):\n{error}\n--- last requests the API answered ---\n{requests}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }
}
