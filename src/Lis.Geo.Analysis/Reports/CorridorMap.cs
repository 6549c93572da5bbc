using NetTopologySuite.Geometries;

namespace Lis.Geo.Analysis.Reports;

/// <summary>
/// The corridor report's map and its styling: the corridor's outline over the run's zones coloured by the
/// overlay's bivariate class, with housing and employment sites and centres on top, and a legend of the
/// classes shown and each symbol. The caller brings the shapes (simplified to about a pixel, see
/// <see cref="Pixels"/>) and the classes' labels and colours, which are defined with the SQL that classifies zones.
/// </summary>
public static class CorridorMap
{
    public const int Width = 760, Height = 280;

    /// <summary>The map's longer side in pixels: what the shapes are simplified for.</summary>
    public const int Pixels = Width > Height ? Width : Height;

    /// <summary>A bivariate class as the legend names and colours it.</summary>
    public sealed record ZoneClass(string Class, string Label, string Colour);

    /// <summary>A shape to draw, named (tooltip; also a centre's label).</summary>
    public sealed record Shape(Geometry Geometry, string Name);

    public static readonly MapStyle Corridor = new("none", "#111111", 2.2, 0);
    public static readonly MapStyle HousingSite = new("#ffd92f", "#5a4a00", 0.8, 1, 3.5);
    public static readonly MapStyle EmploymentSite = new("#7b3294", "#ffffff", 0.8, 1, 4.5);
    public static readonly MapStyle Centre = new("#000000", "#ffffff", 1, 1, 3);

    /// <summary>A zone of the class coloured <paramref name="colour"/>: white outlines keep neighbours of one class apart.</summary>
    public static MapStyle Zone(string colour) => new(colour, "#ffffff", 0.3, 0.9);

    /// <summary>The legend's swatch of a class: a grey outline shows a pale swatch against the panel.</summary>
    private static MapStyle ZoneSwatch(string colour) => new(colour, "#999999", 0.3, 0.9);

    private const string Attribution = "Contains OS data © Crown copyright and database right";

    /// <param name="classes">Every class in legend order; the legend lists those of <paramref name="zones"/>.</param>
    /// <param name="zones">The zones with their class.</param>
    public static string Render(Envelope extent, IReadOnlyList<ZoneClass> classes, IEnumerable<(Shape Shape, string Class)> zones,
        IEnumerable<Shape> corridors, IEnumerable<Shape> housing, IEnumerable<Shape> employment, IEnumerable<Shape> centres)
    {
        var colours = classes.ToDictionary(c => c.Class, c => c.Colour);
        var features = new List<MapFeature>();
        var classesShown = new HashSet<string>();
        foreach (var (zone, @class) in zones)
        {
            classesShown.Add(@class);
            features.Add(new MapFeature(zone.Geometry, Zone(colours[@class]), $"{zone.Name}: {@class}"));
        }
        features.AddRange(corridors.Select(c => new MapFeature(c.Geometry, Corridor, c.Name)));
        features.AddRange(housing.Select(p => new MapFeature(p.Geometry, HousingSite, p.Name)));
        features.AddRange(employment.Select(p => new MapFeature(p.Geometry, EmploymentSite, p.Name)));
        features.AddRange(centres.Select(p => new MapFeature(p.Geometry, Centre, p.Name, p.Name)));

        List<LegendItem> items =
        [
            .. classes.Where(c => classesShown.Contains(c.Class)).Select(c => new LegendItem(c.Label, ZoneSwatch(c.Colour))),
            new("Corridor", Corridor),
            new("Housing site", HousingSite, IsPoint: true),
            new("Employment site", EmploymentSite, IsPoint: true),
            new("Centre", Centre, IsPoint: true),
        ];
        return SvgMap.Render(extent, features, items, Width, Height, Attribution);
    }
}
