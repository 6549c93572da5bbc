using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Lis.Geo.Analysis.Reports;
using Lis.Geo.Api.Tests.Features.Analyses;

namespace Lis.Geo.Api.Tests.Features.Corridors;

/// <summary>
/// The corridor report as a planner prints it: Debian's Chromium, headless, print-to-PDF on A4, must
/// give one page; the map's legend labels must not overlap each other, and no zone may be drawn over
/// the legend. The report is the fullest the sample allows: a second analysis with a different target,
/// so the change table and the rule warning are on it too. HTML, SVG and PDF are kept in the test output.
/// </summary>
public sealed partial class ReportPrintTests(AnalysisFixture api) : IClassFixture<AnalysisFixture>
{
    private const string Code = "wolverhampton-birmingham-metro";
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    public static string Output { get; } = Path.Combine(AppContext.BaseDirectory, "report-print");

    private async Task<long> AnalyseAsync(string body)
    {
        var response = await api.Writer().PostAsync($"/corridors/{Code}/analyses", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal("succeeded", (await api.WaitAsync(id)).GetProperty("state").GetString());
        return id;
    }

    [Fact]
    public async Task The_corridor_report_prints_on_one_A4_page_with_a_legend_nothing_overlaps()
    {
        await AnalyseAsync("""{"serviceDate":"2026-11-25","minCentres":2}""");
        var runId = await AnalyseAsync("""{"serviceDate":"2026-11-25","minCentres":3}""");
        Directory.CreateDirectory(Output);
        var html = await api.Client.GetStringAsync($"/corridors/{Code}/analyses/{runId}/report");
        Assert.Contains("Change since run", html);
        Assert.Contains("different rules", html);
        var htmlFile = Path.Combine(Output, "report.html");
        await File.WriteAllTextAsync(htmlFile, html);
        var pdf = Path.Combine(Output, "report.pdf");
        await Chromium.PrintToPdfAsync(htmlFile, pdf);
        Assert.Equal(1, Chromium.PdfPages(await File.ReadAllBytesAsync(pdf)));

        var svg = await api.Client.GetStringAsync($"/corridors/{Code}/analyses/{runId}/map.svg");
        await File.WriteAllTextAsync(Path.Combine(Output, "map.svg"), svg);
        AssertLegendIsClear(XDocument.Parse(svg));
        // The report embeds the same map.
        AssertLegendIsClear(XDocument.Parse(MapInReport().Match(html).Value));
    }

    [Fact]
    public async Task The_fullest_report_still_prints_on_one_page()
    {
        // Everything the report can hold at its largest: ten deciles and residents without IMD, twelve
        // employment sites (ten listed and a "more" row) with long names, a change with rule warnings,
        // and a map legend with all eight overlay classes and the four symbols.
        var deciles = Enumerable.Range(1, 10).Select(d => new DecileCount(d, 12, 18_000 + d * 1_111)).ToList();
        var residents = new Residents(125, 212_345, deciles, 39_111, 0.1875, 5, 7_500);
        var group = new AccessGroup(120, 205_000, 0.4123, 0.3912, 2.87);
        var sites = Enumerable.Range(1, 12).Select(i => new EmploymentSiteCatchment($"EMP-{i:000}", $"Very long employment site name number {i} beside the canal and railway (phase {i})",
            i % 2 == 0, 123.4 * i, 4.2, 1_234 * i, 123_456, 45_678, i, 3)).ToList();
        var figures = new CorridorFigures("long-corridor", "Wolverhampton – Birmingham – Solihull – Coventry inclusive growth corridor", 12_345.6, 42, "2026-11-25",
            "07:00–10:00", 45, 3, 50, 800, "lsoa11", new string('a', 64), "centres@v1", "rules", residents, new Housing(57, 12_345, 23_456, 345.6, 23, 9_876),
            new EmploymentLand(12, 123.4, 23_456), AccessComparison.Of(group, group with { Share = 0.3012 }), sites, CorridorFigures.MethodText);
        var change = CorridorChange.Between(figures with { RunId = 41, MinCentres = 2, Window = "07:00–09:00", ThresholdMinutes = 60 }, figures);
        Assert.False(change.ComparableRules);
        var labels = new[] { "most deprived 20% (IMD deciles 1–2)", "middle 60% (deciles 3–8)", "least deprived 20% (deciles 9–10)", "no IMD 2019 value" }
            .SelectMany(b => new[] { $"{b}; fewer than 3 centres within 45 min", $"{b}; 3 or more centres within 45 min" })
            .Select(l => new LegendItem(char.ToUpperInvariant(l[0]) + l[1..], new MapStyle("#b2182b", "#999999", 0.3, 0.9)))
            .Concat([new LegendItem("Corridor", new MapStyle("none", "#111", 2.2, 0)), new LegendItem("Housing site", new MapStyle("#ffd92f", "#5a4a00", 0.8), true),
                     new LegendItem("Employment site", new MapStyle("#7b3294", "#fff", 0.8), true), new LegendItem("Centre", new MapStyle("#000", "#fff", 1), true)]).ToList();
        var zone = new NetTopologySuite.Geometries.GeometryFactory().ToGeometry(new NetTopologySuite.Geometries.Envelope(-2.3, -1.6, 52.3, 52.7));
        var map = SvgMap.Render(new NetTopologySuite.Geometries.Envelope(-2.2, -1.7, 52.4, 52.6), [new MapFeature(zone, new MapStyle("#b2182b", "#fff", 0.3))], labels, 760, 280);
        AssertLegendIsClear(XDocument.Parse(map));

        Directory.CreateDirectory(Output);
        var htmlFile = Path.Combine(Output, "fullest-report.html");
        await File.WriteAllTextAsync(htmlFile, CorridorReport.Render(figures, map, change, DateTimeOffset.UnixEpoch));
        var pdf = Path.Combine(Output, "fullest-report.pdf");
        await Chromium.PrintToPdfAsync(htmlFile, pdf);
        Assert.Equal(1, Chromium.PdfPages(await File.ReadAllBytesAsync(pdf)));
    }

    /// <summary>
    /// Legend labels as boxes, sized conservatively from the font (every character as wide as 0.62 em,
    /// wider than Helvetica's average; height 1 em) must not intersect each other or leave the canvas,
    /// and every map feature must be clipped to the map area above the legend.
    /// </summary>
    private static void AssertLegendIsClear(XDocument doc)
    {
        var root = doc.Root!;
        var width = Num(root.Attribute("width")!.Value);
        var fontSize = Num(root.Attribute("font-size")!.Value);
        var legend = root.Elements(Svg + "g").Single(g => g.Attribute("class")?.Value == "legend");
        var (left, top) = (Num(legend.Attribute("data-left")!.Value), Num(legend.Attribute("data-top")!.Value));
        var boxes = legend.Elements(Svg + "text").Select(t =>
        {
            var size = t.Attribute("font-size") is { } fs ? Num(fs.Value) : fontSize;
            var (x, y) = (Num(t.Attribute("x")!.Value), Num(t.Attribute("y")!.Value));
            return (Text: t.Value, X0: x, Y0: y - size, X1: x + 0.62 * size * t.Value.Length, Y1: y + 0.25 * size);
        }).ToList();
        Assert.True(boxes.Count >= 5, "the legend shows the classes and the symbols");
        for (var i = 0; i < boxes.Count; i++)
        {
            Assert.True(boxes[i].X0 >= left && boxes[i].X1 <= width && boxes[i].Y0 >= top, $"'{boxes[i].Text}' leaves the legend panel");
            for (var j = i + 1; j < boxes.Count; j++)
            {
                var (a, b) = (boxes[i], boxes[j]);
                Assert.False(a.X0 < b.X1 && b.X0 < a.X1 && a.Y0 < b.Y1 && b.Y0 < a.Y1, $"legend labels '{a.Text}' and '{b.Text}' overlap");
            }
        }
        // Zones and every other feature are drawn inside a group clipped to the map rectangle, which ends left of the legend.
        var map = root.Elements(Svg + "g").Single(g => g.Attribute("class")?.Value == "features");
        var clipId = Regex.Match(map.Attribute("clip-path")!.Value, @"url\(#(.+)\)").Groups[1].Value;
        var clip = root.Descendants(Svg + "clipPath").Single(c => c.Attribute("id")?.Value == clipId).Element(Svg + "rect")!;
        Assert.True(Num(clip.Attribute("x")!.Value) + Num(clip.Attribute("width")!.Value) <= left);
        Assert.Empty(root.Elements(Svg + "path"));
        Assert.NotEmpty(map.Descendants(Svg + "path"));
    }

    private static double Num(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    [GeneratedRegex("<svg.*?</svg>", RegexOptions.Singleline)]
    private static partial Regex MapInReport();
}
