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

    /// <param name="height">Height of the map itself; the legend adds rows below it.</param>
    public static string Render(Envelope extent, IEnumerable<MapFeature> features, IReadOnlyList<LegendItem> legend,
        int width = 760, int height = 520, string? attribution = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);
        var projection = new Projection(extent, width, height);
        // The legend sits under the map, in two columns, so it never hides the places the map is about.
        var legendHeight = (legend.Count + 1) / 2 * LegendRow + (legend.Count > 0 ? 10 : 0);
        var total = height + legendHeight;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total}" width="{width}" height="{total}" font-family="Helvetica, Arial, sans-serif" font-size="11">""");
        svg.Append(CultureInfo.InvariantCulture, $"""<rect width="{width}" height="{total}" fill="#ffffff"/><rect width="{width}" height="{height}" fill="#f7f7f4"/>""");
        foreach (var f in features) Draw(svg, projection, f);
        DrawLegend(svg, legend, height + 8, width);
        DrawScaleBar(svg, projection, width, height);
        svg.Append(CultureInfo.InvariantCulture,
            $"""<g transform="translate({width - 24},28)"><path d="M0,-16 L6,4 L0,0 L-6,4 Z" fill="#333"/><text y="16" text-anchor="middle" font-weight="bold">N</text></g>""");
        if (attribution is not null)
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{width - 6}" y="{height - 6}" text-anchor="end" font-size="9" fill="#555">{Encode(attribution)}</text>""");
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

    private const int LegendRow = 15;

    private static void DrawLegend(StringBuilder svg, IReadOnlyList<LegendItem> legend, int top, int width)
    {
        var perColumn = (legend.Count + 1) / 2;
        for (var i = 0; i < legend.Count; i++)
        {
            var (item, x, y) = (legend[i], 8 + i / Math.Max(perColumn, 1) * (width / 2), top + i % Math.Max(perColumn, 1) * LegendRow);
            var s = item.Style;
            if (item.IsPoint)
                svg.Append(CultureInfo.InvariantCulture, $"""<circle cx="{x + 6}" cy="{y + 5}" r="{Math.Min(s.Radius, 5):0.#}" fill="{s.Fill}" stroke="{s.Stroke}" stroke-width="{s.StrokeWidth:0.##}"/>""");
            else
                svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{x}" y="{y}" width="12" height="10" fill="{s.Fill}" fill-opacity="{s.FillOpacity:0.##}" stroke="{s.Stroke}" stroke-width="{Math.Max(s.StrokeWidth, 0.5):0.##}"/>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{x + 18}" y="{y + 9}">{Encode(item.Label)}</text>""");
        }
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
