namespace Lis.Geo.Data.Importing;

/// <summary>The coordinate systems Lis.Geo accepts, and their valid coordinate ranges.</summary>
public static class Crs
{
    public const int Wgs84 = 4326;
    public const int BritishNationalGrid = 27700;

    /// <summary>
    /// Reads an SRID from the ways files name a CRS: <c>EPSG:27700</c>, <c>urn:ogc:def:crs:EPSG::4326</c>,
    /// <c>OGC:CRS84</c>, a bare number, or the brownfield register's <c>OSGB36</c>/<c>ETRS89</c>/<c>WGS84</c>.
    /// Null for anything else.
    /// </summary>
    public static int? ParseSrid(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var t = text.Trim().ToUpperInvariant();
        if (t.Contains("CRS84") || t is "WGS84" or "WGS 84" or "ETRS89") return Wgs84;
        if (t is "OSGB36" or "OSGB 1936" or "BNG" or "BRITISH NATIONAL GRID") return BritishNationalGrid;
        var digits = t[(t.LastIndexOfAny([':', '/']) + 1)..];
        return int.TryParse(digits, out var srid) && srid is Wgs84 or BritishNationalGrid ? srid : null;
    }

    /// <summary>
    /// The envelope a coordinate must lie in for <paramref name="srid"/>: the whole globe for WGS84,
    /// the grid's defined extent for British National Grid. Catches swapped axes and eastings
    /// written into a lon/lat file.
    /// </summary>
    public static Envelope ValidRange(int srid) => srid switch
    {
        BritishNationalGrid => new Envelope(-104_000, 688_000, -16_000, 1_300_000),
        _ => new Envelope(-180, 180, -90, 90),
    };
}
