namespace Lis.Geo.Data.Layers;

/// <summary>
/// What lies in a corridor, the one definition behind <c>/corridors/{code}/contents</c> and a corridor run's
/// figures: a zone lies in it when its origin point does (the population-weighted centroid a run starts from:
/// ONS best fit, so each resident is counted in one corridor side only); a site (housing, employment land) when
/// its geometry meets the corridor.
/// </summary>
public static class CorridorMembership
{
    /// <summary>SQL: the zone whose origin point is <paramref name="zonePoint"/> lies in the corridor <paramref name="corridorGeom"/>.</summary>
    public static string ZoneInside(string corridorGeom, string zonePoint) => $"ST_Intersects({corridorGeom}, {zonePoint})";

    /// <summary>SQL: a stored zone's (alias <paramref name="zone"/>) origin point — its centroid, or its point on surface when it has none.</summary>
    public static string ZonePoint(string zone) => $"coalesce({zone}.centroid, ST_PointOnSurface({zone}.geom))";

    /// <summary>SQL: a run origin's (alias <paramref name="point"/>) point as the run used it.</summary>
    public static string RunPoint(string point) => $"ST_SetSRID(ST_MakePoint({point}.lon, {point}.lat), 4326)";

    /// <summary>SQL: the site geometry <paramref name="siteGeom"/> lies in (meets) the corridor <paramref name="corridorGeom"/>.</summary>
    public static string SiteInside(string corridorGeom, string siteGeom) => $"ST_Intersects({siteGeom}, {corridorGeom})";
}
