using System.Globalization;
using System.Xml.Linq;
using Lis.Geo.Analysis.Reports;
using NetTopologySuite.Geometries;

namespace Lis.Geo.Analysis.Tests.Reports;

/// <summary>
/// The report map on an extent chosen so the projection can be followed by hand: 0.1° × 0.1° at the
/// equator (cos φ₀ = 1, 1° = 111,195 m), drawn on a 232 × 232 canvas whose 16 px margins leave 200 px
/// for the extent, so 1° = 2,000 px and the scale is 2,000 / 111,195 px per metre.
/// </summary>
public sealed class SvgMapTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private static readonly Envelope Extent = new(0, 0.1, -0.05, 0.05);

    private static XDocument Render(IEnumerable<MapFeature> features, IReadOnlyList<LegendItem>? legend = null) =>
        XDocument.Parse(SvgMap.Render(Extent, features, legend ?? [], 232, 232));

    [Fact]
    public void A_point_lands_where_the_equirectangular_projection_puts_it()
    {
        // (0.025°, 0.01°): x = 16 + 0.025 × 2000 = 66; y = 16 + (0.05 − 0.01) × 2000 = 96.
        var doc = Render([new MapFeature(new Point(0.025, 0.01), new MapStyle("#000", "#fff", 1), "stop", "Stop")]);
        var c = doc.Descendants(Svg + "circle").Single();
        Assert.Equal(("66", "96"), (c.Attribute("cx")!.Value, c.Attribute("cy")!.Value));
        Assert.Equal("stop", c.Element(Svg + "title")!.Value);
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "Stop");
    }

    [Fact]
    public void The_scale_bar_is_a_round_length_drawn_at_the_maps_scale()
    {
        // A fifth of the width is 46.4 px = 2,580 m, so the bar is the largest round length below it: 2 km = 35.97 px.
        var doc = Render([]);
        var bar = doc.Descendants(Svg + "g").Single(g => g.Elements(Svg + "text").Any(t => t.Value.EndsWith("km", StringComparison.Ordinal)));
        Assert.Equal("2 km", bar.Element(Svg + "text")!.Value);
        var width = double.Parse(bar.Element(Svg + "rect")!.Attribute("width")!.Value, CultureInfo.InvariantCulture);
        Assert.Equal(2000 * 2000 / 111_195.0, width, 1);
    }

    [Fact]
    public void Polygons_keep_their_holes_and_the_legend_goes_beside_the_map()
    {
        var factory = new GeometryFactory();
        var shell = factory.CreateLinearRing([new(0.01, -0.04), new(0.09, -0.04), new(0.09, 0.04), new(0.01, 0.04), new(0.01, -0.04)]);
        var hole = factory.CreateLinearRing([new(0.04, -0.01), new(0.06, -0.01), new(0.06, 0.01), new(0.04, 0.01), new(0.04, -0.01)]);
        // With a legend the canvas widens by the legend panel, and the map keeps its 232 × 232 px.
        var doc = XDocument.Parse(SvgMap.Render(Extent, [new MapFeature(factory.CreatePolygon(shell, [hole]), new MapStyle("#b2182b", "#fff", 0.5), "E01 & <zone>")],
            [new LegendItem("Most deprived", new MapStyle("#b2182b", "#999", 0.3)), new LegendItem("Centre", new MapStyle("#000", "#fff", 1), IsPoint: true)],
            232 + SvgMap.LegendPanelWidth, 232));
        var path = doc.Descendants(Svg + "path").Single(p => p.Attribute("fill")?.Value == "#b2182b");
        Assert.Equal(2, path.Attribute("d")!.Value.Count(ch => ch == 'M'));
        Assert.Equal("evenodd", path.Attribute("fill-rule")!.Value);
        Assert.Equal("E01 & <zone>", path.Element(Svg + "title")!.Value); // escaped in the markup, intact once parsed
        // Two legend rows fit beside the 232 px map: the canvas keeps its height, the legend's swatch is right of the map.
        Assert.Equal("232", doc.Root!.Attribute("height")!.Value);
        var legendRect = doc.Descendants(Svg + "rect").Single(r => r.Attribute("fill")?.Value == "#b2182b");
        Assert.True(double.Parse(legendRect.Attribute("x")!.Value, CultureInfo.InvariantCulture) >= 232);
    }
}
