namespace Lis.Geo.Api.Features.Ogc;

/// <summary>The CRSs the collections are served in (OGC API – Features Part 2 URIs).</summary>
public static class OgcCrs
{
    public const string Crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
    public const string Bng = "http://www.opengis.net/def/crs/EPSG/0/27700";
    public static readonly string[] Supported = [Crs84, Bng];

    /// <summary>
    /// The SRID a <c>crs</c>/<c>bbox-crs</c> value names. EPSG:4326 proper has latitude-first axis order,
    /// so only CRS84 (longitude first, the RFC 7946 order) is offered for WGS84 to avoid silent axis swaps.
    /// </summary>
    public static int Parse(string? value, string field) => value switch
    {
        null or "" or Crs84 or "CRS84" or "OGC:CRS84" => 4326,
        Bng or "EPSG:27700" or "27700" => 27700,
        _ => throw new Problems.BadParameterException(field, $"Unsupported CRS '{value}'. Use {Crs84} (default) or {Bng}."),
    };

    public static string Uri(int srid) => srid == 27700 ? Bng : Crs84;
}
