using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Lis.Geo.Data;
using Lis.Geo.Data.Importing;
using Lis.Geo.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Lis.Geo.Api.Tests.Gis;

/// <summary>
/// The real LSOA 2011 zones (2,438 polygons) with their districts and IMD 2019, served by the
/// API on a real loopback port: GDAL is a separate process and cannot reach an in-memory
/// TestServer. Every request the API answers is recorded, so a failure shows what GDAL asked.
/// </summary>
public sealed class GdalOapifFixture : PostgisDatabaseFixture
{
    private WebApplicationFactory<Program>? _factory;
    private NpgsqlDataSource? _db;

    /// <summary>Base URL of the API, e.g. http://127.0.0.1:41234 (no trailing slash).</summary>
    public string BaseUrl { get; private set; } = "";

    public NpgsqlDataSource Db => _db ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>"status METHOD path?query" of every request, in order of completion.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    protected override async Task InitializeDatabaseAsync(string connectionString)
    {
        var ct = CancellationToken.None;
        await LisGeoDb.MigrateAsync(connectionString, ct);
        _db = LisGeoDb.CreateDataSource(connectionString);
        var importer = new Importer(_db);
        var shared = RepoPaths.SharedData;
        foreach (var (dataset, file, options) in new (string, string, ImportOptions)[]
        {
            ("lads", "lad/lad2019_wm3lep_from_lsoa11_bgc.geojson", new ImportOptions()),
            ("zones", "lsoa/lsoa11_wm3lep_bgc.geojson", new ImportOptions { ZoneSet = "lsoa11" }),
            ("imd", "imd2019/imd2019_lsoa11_wm_leps.csv", new ImportOptions()),
        })
        {
            var record = await importer.ImportAsync(dataset, await SourceFile.ReadAsync(Path.Combine(shared, file), ct), options, ct);
            Assert.True(record.Status == "succeeded", $"import {dataset} from {file}: {record.Status}, {record.RowsRejected} rows rejected");
        }

        var requests = Requests;
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("ConnectionStrings:LisGeo", connectionString)
            .ConfigureServices(s => s.AddSingleton<IStartupFilter>(new RecordRequests(requests))));
        _factory.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _factory.StartServer();
        var address = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no address.");
        BaseUrl = address.TrimEnd('/');
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var cmd = Db.CreateCommand(sql);
        foreach (var p in parameters) cmd.Parameters.Add(new NpgsqlParameter { Value = p });
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    protected override async Task DisposeDatabaseAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
        if (_db is not null) await _db.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await base.DisposeDatabaseAsync();
    }

    private sealed class RecordRequests(ConcurrentQueue<string> log) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, inner) =>
            {
                // Recorded as the response starts, so before the client can have read it and exited.
                context.Response.OnStarting(() =>
                {
                    log.Enqueue($"{context.Response.StatusCode.ToString(CultureInfo.InvariantCulture)} {context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
                    return Task.CompletedTask;
                });
                return inner(context);
            });
            next(app);
        };
    }
}

/// <summary>
/// GDAL's OGC API – Features driver (<c>ogrinfo OAPIF:…</c>, as QGIS and every GDAL-based tool
/// use it) reading <c>zones-lsoa11</c> from a running API: it must see every zone exactly once,
/// with the attributes the database holds, and every request it makes must succeed.
/// </summary>
[Trait("Category", "SharedData")]
public sealed class GdalOapifSharedDataTests(GdalOapifFixture fx) : IClassFixture<GdalOapifFixture>
{
    private const string Layer = "zones-lsoa11";
    private const string SampleZone = "E01008881"; // Birmingham 067A
    private static readonly TimeSpan OgrinfoTimeout = TimeSpan.FromMinutes(2);

    private string Source => "OAPIF:" + fx.BaseUrl;

    [Fact]
    public async Task Layer_list_and_feature_count_match_the_database()
    {
        var expected = await fx.ScalarAsync<long>("SELECT count(*) FROM zone WHERE zone_set_id = 'lsoa11' AND geom IS NOT NULL");
        Assert.Equal(2438, expected);

        // Plain options: the count comes from numberMatched of the first page, as a user would see it.
        var summary = await OgrinfoAsync("-ro", "-so", Source, Layer);
        var count = Regex.Match(summary.Output, @"^Feature Count: (\d+)\s*$", RegexOptions.Multiline);
        Assert.True(count.Success, "no 'Feature Count' in ogrinfo output:\n" + summary.Describe());
        Assert.Equal(expected, long.Parse(count.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.Matches(new Regex(@"^Geometry: Multi Polygon\s*$", RegexOptions.Multiline), summary.Output);
        Assert.Contains("ID[\"EPSG\",4326]", summary.Output, StringComparison.Ordinal);
        foreach (var field in new[] { "code: String", "name: String", "population: Integer", "imd_decile: Integer", "imd_score: Real" })
            Assert.True(summary.Output.Contains(field, StringComparison.Ordinal), $"field '{field}' missing from the layer schema:\n{summary.Describe()}");

        var layers = await OgrinfoAsync("-ro", "-so", Source);
        Assert.Matches(new Regex(@"^\d+: " + Regex.Escape(Layer) + @"\b", RegexOptions.Multiline), layers.Output);
    }

    [Fact]
    public async Task Attributes_of_one_zone_match_the_database()
    {
        await using var cmd = fx.Db.CreateCommand(
            "SELECT z.code, z.name, z.lad_code, z.population, d.imd_decile, d.imd_rank FROM zone z " +
            "LEFT JOIN deprivation d ON d.lsoa_code = z.code WHERE z.zone_set_id = 'lsoa11' AND z.code = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = SampleZone });
        var expected = new Dictionary<string, string>();
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            Assert.True(await r.ReadAsync(), $"{SampleZone} is not in the database");
            for (var i = 0; i < r.FieldCount; i++)
                expected[r.GetName(i)] = r.IsDBNull(i) ? "(null)" : Convert.ToString(r.GetValue(i), CultureInfo.InvariantCulture)!;
        }
        Assert.NotEqual("(null)", expected["imd_decile"]); // IMD must really be joined, or the comparison proves nothing

        var result = await OgrinfoAsync("-ro", "-q", "-oo", "PAGE_SIZE=1000", Source, Layer, "-where", $"code = '{SampleZone}'");
        var features = Regex.Matches(result.Output, @"^OGRFeature\(", RegexOptions.Multiline).Count;
        Assert.True(features == 1, $"expected exactly one feature for {SampleZone}, got {features}:\n{result.Describe()}");
        var actual = Attributes(result.Output);
        foreach (var (name, value) in expected)
        {
            Assert.True(actual.TryGetValue(name, out var got), $"GDAL shows no '{name}':\n{result.Describe()}");
            Assert.Equal((name, value), (name, got));
        }
        Assert.Matches(new Regex(@"^\s+MULTIPOLYGON \(\(\(-?\d", RegexOptions.Multiline), result.Output);
    }

    [Fact]
    public async Task Paging_through_the_whole_layer_sees_every_zone_once_with_its_attributes()
    {
        var sql = "SELECT count(*) || '|' || count(DISTINCT z.code) || '|' || sum(z.population) || '|' || sum(d.imd_decile) FROM zone z " +
                  "LEFT JOIN deprivation d ON d.lsoa_code = z.code WHERE z.zone_set_id = 'lsoa11' AND z.geom IS NOT NULL";
        var expected = await fx.ScalarAsync<string>(sql);

        // A page size that does not divide 2,438 so the last page is partial.
        var result = await OgrinfoAsync("-ro", "-q", "-oo", "PAGE_SIZE=700", Source,
            "-sql", $"SELECT COUNT(*) AS n, COUNT(DISTINCT code) AS codes, SUM(population) AS pop, SUM(imd_decile) AS deciles FROM \"{Layer}\"");
        var a = Attributes(result.Output);
        Assert.True(a.ContainsKey("n"), "no aggregate row in ogrinfo output:\n" + result.Describe());
        Assert.Equal(expected, $"{a["n"]}|{a["codes"]}|{a["pop"]}|{a["deciles"]}");
        var pages = RequestsSince(result).Count(r => r.Contains($"/collections/{Layer}/items?", StringComparison.Ordinal) && r.Contains("limit=700", StringComparison.Ordinal));
        Assert.True(pages is >= 4 and <= 5, $"expected 4 pages of 700 (plus the schema probe), GDAL made {pages}:\n{result.Describe()}");
    }

    [Fact]
    public async Task Spatial_filter_is_sent_as_bbox_and_matches_PostGIS()
    {
        var expected = await fx.ScalarAsync<long>(
            "SELECT count(*) FROM zone WHERE zone_set_id = 'lsoa11' AND ST_Intersects(geom, ST_MakeEnvelope(-1.9, 52.4, -1.8, 52.5, 4326))");
        Assert.InRange(expected, 50, 2000);

        var result = await OgrinfoAsync("-ro", "-so", "-oo", "PAGE_SIZE=1000", Source, Layer, "-spat", "-1.9", "52.4", "-1.8", "52.5");
        Assert.Contains(RequestsSince(result), r => r.StartsWith("200 GET ", StringComparison.Ordinal) && r.Contains("bbox=", StringComparison.Ordinal));
        var count = Regex.Match(result.Output, @"^Feature Count: (\d+)\s*$", RegexOptions.Multiline);
        Assert.True(count.Success, "no 'Feature Count' in ogrinfo output:\n" + result.Describe());
        Assert.Equal(expected, long.Parse(count.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>The OGR type each JSON Schema type must become (GDAL's OAPIF driver reading the describedBy schema).</summary>
    private static readonly Dictionary<string, string> OgrTypes = new() { ["string"] = "String", ["integer"] = "Integer", ["number"] = "Real", ["boolean"] = "Integer(Boolean)" };

    [Theory]
    [InlineData(10)]
    [InlineData(1000)]
    public async Task Field_types_come_from_the_schema_whatever_the_page_size(int pageSize)
    {
        using var http = new HttpClient();
        var schema = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"{fx.BaseUrl}/collections/{Layer}/schema")).RootElement.GetProperty("properties");
        var expected = schema.EnumerateObject().Where(p => p.Name is not ("id" or "geometry"))
            .Select(p => $"{p.Name}: {OgrTypes[p.Value.GetProperty("type").GetString()!]}").ToList();
        Assert.Contains("population: Integer", expected);
        Assert.Contains("imd_score: Real", expected);

        var summary = await OgrinfoAsync("-ro", "-so", "-oo", $"PAGE_SIZE={pageSize}", Source, Layer);
        var fields = Regex.Matches(summary.Output, @"^(\w+): (\w+(?:\(\w+\))?) \(", RegexOptions.Multiline)
            .Select(m => $"{m.Groups[1].Value}: {m.Groups[2].Value}").Where(f => !f.StartsWith("id: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(expected, fields);
        Assert.Contains(RequestsSince(summary), r => r.Contains($"/collections/{Layer}/feature-schema", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ogr2ogr_where_is_sent_to_the_server_as_a_filter()
    {
        var expected = await fx.ScalarAsync<long>(
            "SELECT count(*) FROM zone z JOIN deprivation d ON d.lsoa_code = z.code WHERE z.zone_set_id = 'lsoa11' AND z.geom IS NOT NULL AND d.imd_decile = 1");
        Assert.InRange(expected, 100, 1000);
        var output = Path.Combine(Path.GetTempPath(), $"lisgeo-where-{Guid.NewGuid():N}.csv");
        try
        {
            var result = await GdalAsync("ogr2ogr", "-f", "CSV", output, "-oo", "PAGE_SIZE=100", Source, Layer, "-where", "imd_decile = 1");
            var rows = File.ReadLines(output).Count() - 1;
            Assert.Equal(expected, rows);
            var pages = RequestsSince(result).Where(r => r.Contains($"/collections/{Layer}/items?", StringComparison.Ordinal) && r.Contains("filter=", StringComparison.Ordinal)).ToList();
            var unfiltered = RequestsSince(result).Count(r => r.Contains($"/collections/{Layer}/items?", StringComparison.Ordinal) && !r.Contains("filter=", StringComparison.Ordinal));
            // Only the decile-1 pages travel: ceil(expected / 100) of them (plus one empty last page at most), against 25 for the whole layer.
            var needed = (int)Math.Ceiling(expected / 100.0);
            Assert.True(pages.Count >= needed && pages.Count <= needed + 1, $"expected {needed} filtered pages, GDAL made {pages.Count}:\n{result.Describe()}");
            Assert.True(unfiltered <= 1, $"GDAL read {unfiltered} unfiltered pages (one schema probe is expected):\n{result.Describe()}");
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public async Task Csv_opens_through_vsicurl()
    {
        var result = await OgrinfoAsync("-ro", "-so", "-al", $"CSV:/vsicurl/{fx.BaseUrl}/collections/{Layer}/items?f=csv&limit=10000");
        var count = Regex.Match(result.Output, @"^Feature Count: (\d+)\s*$", RegexOptions.Multiline);
        Assert.True(count.Success, "no 'Feature Count' in ogrinfo output:\n" + result.Describe());
        Assert.Equal(2438, long.Parse(count.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>"name (Type) = value" lines of ogrinfo's feature dump.</summary>
    private static Dictionary<string, string> Attributes(string output)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in Regex.Matches(output, @"^\s+(\w+) \(\w+(?:\(\w+\))?\) = (.*?)\s*$", RegexOptions.Multiline))
            d[m.Groups[1].Value] = m.Groups[2].Value;
        return d;
    }

    private sealed record OgrinfoResult(string CommandLine, int ExitCode, string Output, string Error, int FirstRequest, string[] Requests)
    {
        public string Describe() =>
            $"$ {CommandLine}\nexit {ExitCode}\n--- stdout ---\n{Truncate(Output)}\n--- stderr ---\n{Truncate(Error)}\n--- requests the API answered ---\n{string.Join('\n', Requests.Skip(FirstRequest).Take(60))}";

        private static string Truncate(string s) => s.Length <= 6000 ? s : s[..6000] + "\n…";
    }

    private static IEnumerable<string> RequestsSince(OgrinfoResult r) => r.Requests.Skip(r.FirstRequest);

    /// <summary>Runs ogrinfo and asserts it succeeded, wrote no ERROR, and that the API answered none of its requests with an error.</summary>
    private Task<OgrinfoResult> OgrinfoAsync(params string[] args) => GdalAsync("ogrinfo", args);

    /// <summary>Runs a GDAL tool (ogrinfo, ogr2ogr) with the same checks.</summary>
    private async Task<OgrinfoResult> GdalAsync(string tool, params string[] args)
    {
        var exe = FindOnPath(tool)
            ?? throw new Xunit.Sdk.XunitException(
                $"{tool} (GDAL) is not installed, so the GIS-client test cannot run. Install it: apt-get install gdal-bin (CI installs it).");
        var firstRequest = fx.Requests.Count;
        var start = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8, StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        // Loopback must never go through a proxy a CI machine may configure.
        start.Environment["NO_PROXY"] = start.Environment["no_proxy"] = "127.0.0.1,localhost";
        start.Environment["GDAL_HTTP_TIMEOUT"] = "60";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + exe);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(OgrinfoTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', args)} did not finish within {OgrinfoTimeout.TotalSeconds:0} s");
        }
        var result = new OgrinfoResult($"{exe} {string.Join(' ', args.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a))}",
            process.ExitCode, await stdout, await stderr, firstRequest, fx.Requests.ToArray());

        Assert.True(result.ExitCode == 0, $"{tool} failed:\n" + result.Describe());
        Assert.False(result.Error.Contains("ERROR", StringComparison.Ordinal) || result.Output.Contains("ERROR ", StringComparison.Ordinal),
            $"{tool} reported an error:\n" + result.Describe());
        var failed = RequestsSince(result).Where(r => !r.StartsWith('2')).ToList();
        Assert.True(failed.Count == 0, $"the API refused {failed.Count} of GDAL's requests:\n{string.Join('\n', failed)}\n\n{result.Describe()}");
        return result;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
