using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.Operation.Valid;

namespace Lis.Geo.Data.Importing;

/// <summary>The geometry a dataset stores.</summary>
public enum GeometryKind
{
    /// <summary>A point; a polygon is reduced to its point on surface (with a warning).</summary>
    Point,
    /// <summary>Polygon or MultiPolygon, stored as MultiPolygon.</summary>
    Polygonal,
    /// <summary>LineString or MultiLineString, stored as MultiLineString.</summary>
    Lineal,
    /// <summary>A point or a polygonal area (sites): stored as Point or MultiPolygon.</summary>
    PointOrPolygonal,
}

/// <summary>
/// Checks one incoming geometry: present, inside its CRS's valid range, of the expected type,
/// non-empty and OGC-valid. Invalid polygons are repaired only when the caller asked for it
/// (<c>--make-valid</c>); a repair is always reported as a warning, never silent.
/// </summary>
public static class GeometryRules
{
    public static Geometry? Check(SourceRow row, GeometryKind kind, bool makeValid, List<ImportIssue> issues) =>
        Check(row.Geometry, row.GeometryError, row.Row, kind, makeValid, issues);

    public static Geometry? Check(Geometry? g, string? parseError, int? rowNumber, GeometryKind kind, bool makeValid, List<ImportIssue> issues)
    {
        void Error(string code, string message) => issues.Add(new ImportIssue(ImportIssue.Error, code, rowNumber, "geometry", message));

        if (g is null)
        {
            Error("missing_geometry", parseError ?? "The row has no geometry.");
            return null;
        }
        if (g.IsEmpty)
        {
            Error("empty_geometry", "The geometry is empty.");
            return null;
        }
        var range = Crs.ValidRange(g.SRID);
        foreach (var c in g.Coordinates)
        {
            // Columns are 2D: a z or m value would fail the write, and dropping it would change the data unseen.
            if (!double.IsNaN(c.Z) || !double.IsNaN(c.M))
            {
                Error("not_2d", $"Coordinate ({c.X} {c.Y} {c.Z}{(double.IsNaN(c.M) ? "" : $" {c.M}")}) has 3 or 4 dimensions; send 2D coordinates (lon, lat).");
                return null;
            }
            if (!double.IsFinite(c.X) || !double.IsFinite(c.Y) || !range.Contains(c.X, c.Y))
            {
                Error("outside_crs_range",
                    $"Coordinate ({c.X} {c.Y}) is outside the valid range of EPSG:{g.SRID} (x {range.MinX}..{range.MaxX}, y {range.MinY}..{range.MaxY}). " +
                    "Are the axes swapped, or is the file in another CRS? GeoJSON must be lon/lat WGS84; for British National Grid CSV use --srid 27700.");
                return null;
            }
        }

        g = kind switch
        {
            GeometryKind.Point when g is Polygon or MultiPolygon => PointOnSurface(g, rowNumber, issues),
            GeometryKind.Polygonal or GeometryKind.PointOrPolygonal when g is Polygon p => g.Factory.CreateMultiPolygon([p]),
            GeometryKind.Lineal when g is LineString l => g.Factory.CreateMultiLineString([l]),
            _ => g,
        };
        var expected = kind switch
        {
            GeometryKind.Point => g is Point,
            GeometryKind.Polygonal => g is MultiPolygon,
            GeometryKind.Lineal => g is MultiLineString,
            _ => g is Point or MultiPolygon,
        };
        if (!expected)
        {
            Error("wrong_geometry_type", $"Expected {Describe(kind)}, got {g.GeometryType}.");
            return null;
        }

        var validity = new IsValidOp(g).ValidationError;
        if (validity is null)
            return g;
        var where = validity.Coordinate is { } at ? $" at ({at.X} {at.Y})" : "";
        if (!makeValid)
        {
            Error("invalid_geometry", $"Invalid geometry: {validity.Message}{where}. Fix it at source, or import with --make-valid (makeValid=true) to repair it.");
            return null;
        }
        var srid = g.SRID;
        var fixedGeom = GeometryFixer.Fix(g);
        fixedGeom.SRID = srid;
        if (kind is GeometryKind.Polygonal or GeometryKind.PointOrPolygonal && fixedGeom is Polygon fp)
            fixedGeom = g.Factory.CreateMultiPolygon([fp]);
        if (fixedGeom.IsEmpty || fixedGeom.GeometryType != g.GeometryType || !fixedGeom.IsValid)
        {
            Error("invalid_geometry", $"Invalid geometry: {validity.Message}{where}; the repair did not give a valid {g.GeometryType}.");
            return null;
        }
        issues.Add(new ImportIssue(ImportIssue.Warning, "made_valid", rowNumber, "geometry", $"Repaired invalid geometry ({validity.Message}{where})."));
        return fixedGeom;
    }

    private static Point PointOnSurface(Geometry g, int? rowNumber, List<ImportIssue> issues)
    {
        issues.Add(new ImportIssue(ImportIssue.Warning, "point_on_surface", rowNumber, "geometry", "A polygon was given where a point is stored; its point on surface is used."));
        var p = g.InteriorPoint;
        p.SRID = g.SRID;
        return p;
    }

    private static string Describe(GeometryKind kind) => kind switch
    {
        GeometryKind.Point => "a Point",
        GeometryKind.Polygonal => "a Polygon or MultiPolygon",
        GeometryKind.Lineal => "a LineString or MultiLineString",
        _ => "a Point, Polygon or MultiPolygon",
    };
}
