using System.Globalization;
using System.Net;
using System.Text;
using NetTopologySuite.Geometries;

namespace Lis.Geo.Analysis.Reports;

public sealed record MapStyle(string Fill, string Stroke, double StrokeWidth, double FillOpacity = 1, double Radius = 4);

/// <summary>A WGS84 geometry to draw; <see cref="Title"/> becomes a tooltip, <see cref="Label"/> text beside a point.</summary>
public sealed record MapFeature(Geometry Geometry, MapStyle Style, string? Title = null, string? Label = null);

public sealed record LegendItem(string Label, MapStyle Style, bool IsPoint = false);

/// <summary>
/// Renders WGS84 features as a static SVG map with a legend, a scale bar and a north arrow — the map of
/// a printed report, with no tile server or browser involved. The projection is equirectangular with
/// x scaled by cos(φ₀) at the map's central latitude: over a corridor-sized extent (tens of km) its
/// scale error is well under 1%, which a one-page map cannot show, and it needs no projection library.
/// </summary>
public static class SvgMap
{
    private const double MetresPerDegree = Math.PI * 6_371_008.8 / 180;

    /// <summary>Width of the legend panel at the right of the map, when there is a legend.</summary>
    public const int LegendPanelWidth = 290;

    /// <param name="width">Width of the whole canvas: the map, and the legend panel at its right when there is a legend.</param>
    /// <param name="height">Height of the map; the canvas grows only if the legend needs more.</param>
    public static string Render(Envelope extent, IEnumerable<MapFeature> features, IReadOnlyList<LegendItem> legend,
        int width = 760, int height = 520, string? attribution = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, legend.Count > 0 ? LegendPanelWidth + 100 : 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);
        // The legend has a panel of its own beside the map, so it never hides the places the map is about
        // and a printed page keeps the map wide and short; labels wrap within the panel.
        var mapWidth = legend.Count > 0 ? width - LegendPanelWidth : width;
        var projection = new Projection(extent, mapWidth, height);
        var layout = LayoutLegend(legend, mapWidth, LegendPanelWidth);
        var legendHeight = layout.Count == 0 ? 0 : layout.Max(l => l.Y + l.Lines.Count * LegendLine) + 2 * LegendTop;
        var total = Math.Max(height, legendHeight);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total}" width="{width}" height="{total}" font-family="Helvetica, Arial, sans-serif" font-size="11">""");
        svg.Append(CultureInfo.InvariantCulture, $"""<defs><clipPath id="lisgeo-map-area"><rect x="0" y="0" width="{mapWidth}" height="{height}"/></clipPath></defs>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<rect width="{width}" height="{total}" fill="#ffffff"/><rect width="{mapWidth}" height="{height}" fill="#f7f7f4"/>""");
        // Features reaching past the extent (zones at its edge) are clipped to the map, so none is drawn over the legend.
        svg.Append("""<g class="features" clip-path="url(#lisgeo-map-area)">""");
        foreach (var f in features) Draw(svg, projection, f);
        svg.Append("</g>");
        DrawLegend(svg, layout, mapWidth, LegendTop);
        DrawScaleBar(svg, projection, mapWidth, height);
        svg.Append(CultureInfo.InvariantCulture,
            $"""<g transform="translate({mapWidth - 24},28)"><path d="M0,-16 L6,4 L0,0 L-6,4 Z" fill="#333"/><text y="16" text-anchor="middle" font-weight="bold">N</text></g>""");
        if (attribution is not null)
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{mapWidth - 6}" y="{height - 6}" text-anchor="end" font-size="9" fill="#555">{Encode(attribution)}</text>""");
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>Maps lon/lat to pixels, fitting <c>extent</c> inside the canvas with a margin and equal scale on both axes.</summary>
    private sealed class Projection
    {
        private const double Margin = 16;
        private readonly double _cos, _scale, _x0, _y0, _offsetX, _offsetY;

        public Projection(Envelope e, int width, int height)
        {
            if (e.IsNull || e.Width <= 0 || e.Height <= 0) e = new Envelope(e.IsNull ? -1 : e.MinX - 0.01, e.IsNull ? 1 : e.MaxX + 0.01, e.IsNull ? 51 : e.MinY - 0.01, e.IsNull ? 53 : e.MaxY + 0.01);
            _cos = Math.Cos((e.MinY + e.MaxY) / 2 * Math.PI / 180);
            var w = e.Width * _cos;
            _scale = Math.Min((width - 2 * Margin) / w, (height - 2 * Margin) / e.Height);
            (_x0, _y0) = (e.MinX, e.MaxY);
            _offsetX = (width - w * _scale) / 2;
            _offsetY = (height - e.Height * _scale) / 2;
        }

        /// <summary>Pixels per metre on the ground.</summary>
        public double PixelsPerMetre => _scale / MetresPerDegree;

        public (double X, double Y) Apply(Coordinate c) => (_offsetX + (c.X - _x0) * _cos * _scale, _offsetY + (_y0 - c.Y) * _scale);
    }

    private static void Draw(StringBuilder svg, Projection p, MapFeature f)
    {
        var s = f.Style;
        var title = f.Title is null ? "" : $"<title>{Encode(f.Title)}</title>";
        switch (f.Geometry)
        {
            case Point point:
                var (x, y) = p.Apply(point.Coordinate);
                svg.Append(CultureInfo.InvariantCulture,
                    $"""<circle cx="{x:0.#}" cy="{y:0.#}" r="{s.Radius:0.#}" fill="{s.Fill}" fill-opacity="{s.FillOpacity:0.##}" stroke="{s.Stroke}" stroke-width="{s.StrokeWidth:0.##}">{title}</circle>""");
                if (f.Label is not null)
                    svg.Append(CultureInfo.InvariantCulture,
                        $"""<text x="{x + s.Radius + 3:0.#}" y="{y + 4:0.#}" fill="#222" stroke="#fff" stroke-width="3" paint-order="stroke">{Encode(f.Label)}</text>""");
                break;
            case GeometryCollection collection:
                for (var i = 0; i < collection.NumGeometries; i++) Draw(svg, p, f with { Geometry = collection.GetGeometryN(i), Label = i == 0 ? f.Label : null });
                break;
            default:
                var path = new StringBuilder();
                var closed = f.Geometry is Polygon;
                if (f.Geometry is Polygon polygon)
                    foreach (var ring in new[] { polygon.ExteriorRing }.Concat(polygon.InteriorRings)) Path(path, p, ring.Coordinates, true);
                else if (f.Geometry is LineString line)
                    Path(path, p, line.Coordinates, false);
                if (path.Length == 0) return;
                var fill = closed ? $"fill=\"{s.Fill}\" fill-opacity=\"{s.FillOpacity.ToString("0.##", CultureInfo.InvariantCulture)}\" fill-rule=\"evenodd\"" : "fill=\"none\"";
                svg.Append(CultureInfo.InvariantCulture,
                    $"""<path d="{path}" {fill} stroke="{s.Stroke}" stroke-width="{s.StrokeWidth:0.##}" stroke-linejoin="round">{title}</path>""");
                break;
        }
    }

    private static void Path(StringBuilder path, Projection p, Coordinate[] coordinates, bool close)
    {
        for (var i = 0; i < coordinates.Length; i++)
        {
            var (x, y) = p.Apply(coordinates[i]);
            path.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? 'M' : 'L')}{x:0.#},{y:0.#}");
        }
        if (close && coordinates.Length > 0) path.Append('Z');
    }

    private const int LegendLine = 12, LegendFontSize = 9, Swatch = 18;

    /// <summary>
    /// Conservative width of a legend character: 0.62 em, wider than the average Helvetica/Arial glyph,
    /// so a wrapped label never runs past its column whatever font the viewer substitutes.
    /// </summary>
    private const double CharWidth = 0.62 * LegendFontSize;

    private const int LegendTop = 10;

    private sealed record PlacedItem(LegendItem Item, double X, double Y, IReadOnlyList<string> Lines);

    /// <summary>One column in the panel right of the map; each label word-wrapped to the panel's width.</summary>
    private static List<PlacedItem> LayoutLegend(IReadOnlyList<LegendItem> legend, int left, int panelWidth)
    {
        var placed = new List<PlacedItem>();
        var maxChars = Math.Max(8, (int)((panelWidth - 10 - Swatch - 8) / CharWidth));
        double y = 0;
        foreach (var item in legend)
        {
            var lines = Wrap(item.Label, maxChars);
            placed.Add(new PlacedItem(item, left + 10, y, lines));
            y += lines.Count * LegendLine + 3;
        }
        return placed;
    }

    private static List<string> Wrap(string text, int maxChars)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > maxChars)
            {
                lines.Add(line.ToString());
                line.Clear();
            }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        if (line.Length > 0) lines.Add(line.ToString());
        return lines;
    }

    private static void DrawLegend(StringBuilder svg, List<PlacedItem> layout, int left, int top)
    {
        if (layout.Count == 0) return;
        svg.Append(CultureInfo.InvariantCulture, $"""<g class="legend" data-left="{left}" data-top="{top}">""");
        foreach (var (item, x0, dy, lines) in layout)
        {
            var (x, y) = (x0, top + dy);
            var s = item.Style;
            if (item.IsPoint)
                svg.Append(CultureInfo.InvariantCulture, $"""<circle cx="{x + 6:0.#}" cy="{y + 5:0.#}" r="{Math.Min(s.Radius, 5):0.#}" fill="{s.Fill}" stroke="{s.Stroke}" stroke-width="{s.StrokeWidth:0.##}"/>""");
            else
                svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{x:0.#}" y="{y:0.#}" width="12" height="10" fill="{s.Fill}" fill-opacity="{s.FillOpacity:0.##}" stroke="{s.Stroke}" stroke-width="{Math.Max(s.StrokeWidth, 0.5):0.##}"/>""");
            for (var l = 0; l < lines.Count; l++)
                svg.Append(CultureInfo.InvariantCulture, $"""<text x="{x + Swatch:0.#}" y="{y + LegendFontSize + l * LegendLine:0.#}" font-size="{LegendFontSize}">{Encode(lines[l])}</text>""");
        }
        svg.Append("</g>");
    }

    /// <summary>A bar of a round length (1, 2 or 5 × 10ⁿ m) close to a fifth of the map's width.</summary>
    private static void DrawScaleBar(StringBuilder svg, Projection p, int width, int height)
    {
        var target = width / 5.0 / p.PixelsPerMetre;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(target)));
        var metres = new[] { 1, 2, 5, 10 }.Select(m => m * magnitude).Last(m => m <= target);
        var pixels = metres * p.PixelsPerMetre;
        var label = metres >= 1000 ? FormattableString.Invariant($"{metres / 1000:0.#} km") : FormattableString.Invariant($"{metres:0} m");
        var (x, y) = (width - 16 - pixels, height - 24.0);
        svg.Append(CultureInfo.InvariantCulture,
            $"""<g><rect x="{x:0.#}" y="{y:0.#}" width="{pixels:0.#}" height="5" fill="#333"/><text x="{x + pixels / 2:0.#}" y="{y - 4:0.#}" text-anchor="middle">{label}</text></g>""");
    }

    private static string Encode(string s) => WebUtility.HtmlEncode(s);
}
