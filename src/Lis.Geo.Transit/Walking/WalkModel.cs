namespace Lis.Geo.Transit.Walking;

/// <summary>
/// Walk time without a street network, as ACCESSIBILITY.md defines it: great-circle distance ×
/// <see cref="Circuity"/> at <see cref="SpeedMetersPerSecond"/>, rounded up to whole seconds
/// (rounding up never makes a connection look feasible that is not).
/// </summary>
public readonly record struct WalkModel(double SpeedMetersPerSecond, double Circuity)
{
    public int Seconds(double lat1, double lon1, double lat2, double lon2) =>
        SecondsForDistance(GeoPoint.HaversineMeters(lat1, lon1, lat2, lon2));

    public int SecondsForDistance(double greatCircleMeters) =>
        (int)Math.Ceiling(greatCircleMeters * Circuity / SpeedMetersPerSecond);

    /// <summary>The longest great-circle distance walkable in <paramref name="seconds"/> (for spatial queries).</summary>
    public double ReachMeters(int seconds) => seconds * SpeedMetersPerSecond / Circuity;
}
