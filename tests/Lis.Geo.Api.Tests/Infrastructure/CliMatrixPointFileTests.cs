using System.Diagnostics;
using System.Globalization;
using Lis.Geo.Api.Tests.Features.Analyses;
using Lis.Geo.Testing;
using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Timetables;
using Lis.Geo.Transit.Walking;

namespace Lis.Geo.Api.Tests.Infrastructure;

/// <summary>
/// <c>lisgeo matrix</c>'s origin and destination files, through the built CLI as a real process: the
/// sample's own files (ids from <c>lsoa11cd</c> and <c>properties.code</c>) give the engine's matrix pair for
/// pair; plain id,lat,lon files with or without a header work; a malformed file is a usage error naming the
/// file (and line), exit code 2, and no output file.
/// </summary>
public sealed class CliMatrixPointFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lisgeo-cli-points-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string Gtfs = Path.Combine(RepoPaths.GeoData, "gtfs");
    private static readonly string Date = SampleFeed.ServiceDate.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private sealed record Run(int ExitCode, string Stdout, string Stderr);

    private static async Task<Run> LisgeoAsync(params string[] args)
    {
        // Built beside this test assembly (a build-only project reference), like the Worker.
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Path.Combine(RepoPaths.RepoRoot, "src", "Lis.Geo.Cli", "bin", tfm.Parent!.Name, tfm.Name, "lisgeo.dll");
        Assert.True(File.Exists(dll), $"{dll} is not built");
        var start = new ProcessStartInfo("dotnet", [dll, .. args]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return new Run(process.ExitCode, await stdout, await stderr);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private Task<Run> MatrixAsync(string origins, string destinations, string output) =>
        LisgeoAsync("matrix", "--gtfs", Gtfs, "--date", Date, "--origins", origins, "--destinations", destinations, "--out", output);

    /// <summary>The output CSV as (origin, destination) → the percentile cells.</summary>
    private static Dictionary<(string, string), string[]> ReadMatrix(string path)
    {
        var lines = File.ReadAllLines(path);
        Assert.StartsWith("origin_id,destination_id,p5_s,p25_s,p50_s,p75_s,p95_s,", lines[0]);
        return lines.Skip(1).Select(l => l.Split(',')).ToDictionary(f => (f[0], f[1]), f => f[2..7]);
    }

    [Fact]
    public async Task The_samples_own_centroid_and_centre_files_give_the_engines_matrix_with_their_codes()
    {
        var output = Path.Combine(_dir, "out.csv");
        var origins = Path.Combine(RepoPaths.GeoData, "lsoa11_pwc.csv");
        var destinations = Path.Combine(RepoPaths.GeoData, "centres.geojson");
        var run = await MatrixAsync(origins, destinations, output);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("lsoa11_pwc.csv: ids from column 'lsoa11cd', coordinates from 'lat'/'lon'", run.Stderr);
        Assert.Contains("centres.geojson: ids from each feature's id, properties.id or properties.code", run.Stderr);

        // The engine directly, on the same feed and day, with the files read independently of the CLI.
        var o = SampleRegion.Csv("lsoa11_pwc.csv").ToList();
        var d = SampleRegion.Read("centres.geojson").ToList();
        var timetable = TimetableCompiler.Compile(GtfsSource.Open(Gtfs), SampleFeed.ServiceDate);
        var matrix = TravelTimeMatrix.Compute(timetable,
            o.Select(r => new GeoPoint(SampleRegion.Num(r["lat"]), SampleRegion.Num(r["lon"]))).ToList(),
            d.Select(c => new GeoPoint(c.Geometry.Coordinate.Y, c.Geometry.Coordinate.X)).ToList(), new RoutingParameters());

        var cells = ReadMatrix(output);
        Assert.Equal(o.Count * d.Count, cells.Count);
        var reachable = 0;
        for (var i = 0; i < o.Count; i++)
            for (var j = 0; j < d.Count; j++)
            {
                var expected = matrix.PercentilesOf(i, j).Select(v => v == TravelTime.Unreachable ? "" : v.ToString(CultureInfo.InvariantCulture)).ToArray();
                Assert.Equal(expected, cells[(o[i]["lsoa11cd"], (string)d[j].Attributes["code"])]);
                if (expected[2].Length > 0) reachable++;
            }
        Assert.True(reachable > 0, "no pair is reachable: the comparison would prove nothing");
    }

    [Fact]
    public async Task Plain_id_lat_lon_files_with_and_without_a_header_are_read()
    {
        // Two points: one beside the first sample origin, one beside the first centre; weights ignored by the matrix.
        var headed = Write("headed.csv", "\uFEFFcode,lat,lon,weight\n\"a 1\",52.571025,-2.149004,3\n\nb,52.4796,-1.9026,1\n");
        var bare = Write("bare.csv", "x,52.4796,-1.9026\n");
        var output = Path.Combine(_dir, "plain.csv");
        var run = await MatrixAsync(headed, bare, output);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("headed.csv: ids from column 'code', coordinates from 'lat'/'lon'", run.Stderr);
        var cells = ReadMatrix(output);
        Assert.Equal([("a 1", "x"), ("b", "x")], cells.Keys.Order().ToArray());
    }

    [Theory]
    [InlineData("bad-number.csv", "id,lat,lon\na,52.5,-1.9\nb,north,-1.9\n", "bad-number.csv:3: expected id,lat,lon[,weight].")]
    [InlineData("short-row.csv", "id,lat,lon\na,52.5\n", "short-row.csv:2: expected id,lat,lon[,weight].")]
    [InlineData("no-lat.csv", "id,latitude_wrong,lon\na,52.5,-1.9\n", "no-lat.csv: the header needs an id (or code, or an ONS …cd code column), lat and lon columns.")]
    [InlineData("line.geojson", """{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"l"},"geometry":{"type":"LineString","coordinates":[[-1.9,52.5],[-1.8,52.5]]}}]}""", "line.geojson: feature 1 is not a Point.")]
    [InlineData("broken.geojson", """{"type":"FeatureCollection","features":[""", "broken.geojson: not a GeoJSON FeatureCollection of Points")]
    [InlineData("no-features.geojson", """{"type":"Feature"}""", "no-features.geojson: not a GeoJSON FeatureCollection.")]
    public async Task A_malformed_point_file_is_a_usage_error_naming_the_file_and_writes_nothing(string name, string text, string message)
    {
        var bad = Write(name, text);
        var good = Write("good.csv", "id,lat,lon\nx,52.4796,-1.9026\n");
        var output = Path.Combine(_dir, "never.csv");
        foreach (var (origins, destinations) in new[] { (bad, good), (good, bad) })
        {
            var run = await MatrixAsync(origins, destinations, output);
            Assert.Equal(2, run.ExitCode);
            Assert.Contains(message, run.Stderr);
            Assert.DoesNotContain("Unhandled exception", run.Stderr + run.Stdout);
            Assert.False(File.Exists(output));
        }
    }

    [Fact]
    public async Task A_missing_point_file_is_a_usage_error()
    {
        var good = Write("good.csv", "id,lat,lon\nx,52.4796,-1.9026\n");
        var run = await MatrixAsync(Path.Combine(_dir, "nope.csv"), good, Path.Combine(_dir, "never.csv"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no such file:", run.Stderr);
    }
}
