namespace Lis.Geo.Transit.Walking;

/// <summary>A WGS84 position in degrees.</summary>
public readonly record struct GeoPoint(double Lat, double Lon)
{
    /// <summary>Earth radius of the semantics (the IUGG mean radius), metres.</summary>
    public const double EarthRadiusMeters = 6_371_008.8;

    /// <summary>Great-circle distance in metres by the haversine formula.</summary>
    public static double HaversineMeters(double lat1, double lon1, double lat2, double lon2)
    {
        const double toRad = Math.PI / 180.0;
        var dLat = (lat2 - lat1) * toRad;
        var dLon = (lon2 - lon1) * toRad;
        var sinLat = Math.Sin(dLat / 2);
        var sinLon = Math.Sin(dLon / 2);
        var a = sinLat * sinLat + Math.Cos(lat1 * toRad) * Math.Cos(lat2 * toRad) * sinLon * sinLon;
        return 2 * EarthRadiusMeters * Math.Asin(Math.Sqrt(Math.Min(1.0, a)));
    }

    public double DistanceMeters(GeoPoint other) => HaversineMeters(Lat, Lon, other.Lat, other.Lon);

    public override string ToString() => FormattableString.Invariant($"{Lat:0.######},{Lon:0.######}");
}
