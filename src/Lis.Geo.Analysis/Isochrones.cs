using Lis.Geo.Transit;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Walking;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Union;

namespace Lis.Geo.Analysis;

/// <summary>
/// The area reachable from an origin within one cutoff, as WGS84 longitude/latitude (RFC 7946 order)
/// with its area in km².
/// </summary>
public sealed record Isochrone(int CutoffMinutes, MultiPolygon Geometry, double AreaKm2);

/// <summary>
/// Isochrones from one origin over a departure window, by the walking and journey rules of
/// ACCESSIBILITY.md: the origin's direct-walk disc plus, around every stop alighted at in time, an
/// egress-walk disc of the time left.
/// </summary>
/// <remarks>
/// <para><b>Percentile.</b> R5 (Conway et al. 2017) takes the percentile of travel time per
/// destination cell. Without a grid we take it per stop instead: each stop's travel time is the
/// nearest-rank percentile p of its ride-arrival travel times over the window (unreachable as +∞),
/// and stop s covers the points x with pct_p(s) + egress(s, x) ≤ cutoff. Because every departure's
/// TT(x, d) ≤ ride_s(d) + egress(s, x) and ≤ direct(x), and a percentile is monotone, the point's own
/// pct_p(TT(x)) ≤ pct_p(s) + egress(s, x): the polygon never claims a point whose percentile travel
/// time exceeds the cutoff. It can miss points whose best egress stop changes from one departure to
/// the next (R5's per-cell rule would include them); for one stop, for the direct walk, and for p = 100
/// on a line whose best stop does not change, the two agree.</para>
/// <para><b>Which stops.</b> Egress walks start only where a ride ends (the worker's
/// <see cref="RaptorWorker.RideTravelTimeToStop"/>), never after an access or transfer walk: the
/// semantics never chain walks. Access-walk-only stops add nothing the direct-walk disc lacks.</para>
/// <para><b>Caps.</b> With budget B = min(cutoff, maxTripDuration): the origin disc walks
/// min(B, maxDirectWalk) seconds; stop s walks min(B − pct_p(s), maxEgressWalk) seconds. Seconds
/// become metres by <see cref="WalkModel.ReachMeters"/> (t × walkSpeed / circuity). Walk time is
/// ceil(great-circle × circuity / speed), and for a whole number of seconds T, ceil(v) ≤ T ⇔ v ≤ T,
/// so the disc of that radius is exactly the set the rule allows.</para>
/// <para><b>Geometry.</b> Discs are built in <see cref="AzimuthalEquidistant"/> centred on the origin,
/// as NTS buffers with <see cref="QuadrantSegments"/> segments per quarter circle (a regular polygon
/// inscribed in the circle, so it never exceeds the disc), dissolved with
/// <see cref="CascadedPolygonUnion"/> and projected back. Each cutoff's result is also unioned with
/// the previous (smaller) one, so nesting holds by construction and not only up to rounding.</para>
/// </remarks>
public static class Isochrones
{
    /// <summary>
    /// Segments per quarter circle: 32 vertices per disc. The inscribed 32-gon falls short of the
    /// circle by at most r(1 − cos(π/32)) = 0.48 % of the radius (9 m on a 30-minute walk) and
    /// covers (32/2π)·sin(2π/32) = 99.36 % of its area.
    /// </summary>
    public const int QuadrantSegments = 8;

    /// <summary>Largest cutoff accepted: four hours, well past any maxTripDuration in use.</summary>
    public const int MaxCutoffMinutes = 240;

    /// <summary>
    /// Routes range RAPTOR from <paramref name="origin"/> over <paramref name="window"/> and builds one
    /// isochrone per cutoff, in the order given (ascending).
    /// </summary>
    /// <param name="window">Passed explicitly: a cached router's own window belongs to whoever built it.</param>
    public static IReadOnlyList<Isochrone> Compute(TransitRouter router, GeoPoint origin, DepartureWindow window,
        IReadOnlyList<int> cutoffMinutes, int percentile = 50, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(router);
        Validate(cutoffMinutes, percentile);
        var stopTimes = StopTravelTimePercentile(router, origin, window, percentile, cancellationToken);
        var stops = new GeoPoint[router.Timetable.StopCount];
        for (var s = 0; s < stops.Length; s++) stops[s] = router.Timetable.StopLocation(s);
        return FromStopTimes(origin, stops, stopTimes, router.Parameters, cutoffMinutes);
    }

    /// <summary>
    /// For each stop, the nearest-rank <paramref name="percentile"/> over the window of the travel time
    /// to alight there from a ride (<see cref="TravelTime.Unreachable"/> counted as +∞, and returned when
    /// the percentile lands on it).
    /// </summary>
    public static int[] StopTravelTimePercentile(TransitRouter router, GeoPoint origin, DepartureWindow window, int percentile,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(router);
        if (percentile is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(percentile), "percentile must be 1–100.");
        var worker = router.CreateWorker();
        int stopCount = worker.StopCount, n = window.Count;
        // [stop, departure], so each stop's values are contiguous for the sort below.
        var times = new int[checked(stopCount * n)];
        worker.RouteWindow(origin, window, (i, _) =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var s = 0; s < stopCount; s++) times[s * n + i] = worker.RideTravelTimeToStop(s);
        });
        var result = new int[stopCount];
        for (var s = 0; s < stopCount; s++)
        {
            var values = times.AsSpan(s * n, n);
            values.Sort();
            result[s] = Percentiles.NearestRank(values, percentile);
        }
        return result;
    }

    /// <summary>
    /// The geometric half: isochrones from per-stop travel times (seconds, <see cref="TravelTime.Unreachable"/>
    /// for none) under the walking rules and caps of <paramref name="parameters"/>.
    /// </summary>
    public static IReadOnlyList<Isochrone> FromStopTimes(GeoPoint origin, IReadOnlyList<GeoPoint> stops, IReadOnlyList<int> stopTravelTimes,
        RoutingParameters parameters, IReadOnlyList<int> cutoffMinutes)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (stops.Count != stopTravelTimes.Count) throw new ArgumentException("one travel time per stop is needed.", nameof(stopTravelTimes));
        Validate(cutoffMinutes, 50);
        var walk = parameters.Walk;
        var projection = new AzimuthalEquidistant(origin);
        var plane = new GeometryFactory(new PrecisionModel(), 0);
        var wgs84 = new GeometryFactory(new PrecisionModel(), 4326);
        var projectedStops = new Coordinate[stops.Count];
        var result = new List<Isochrone>(cutoffMinutes.Count);
        Geometry? previous = null;
        foreach (var cutoff in cutoffMinutes)
        {
            var budget = Math.Min(cutoff * 60, parameters.MaxTripDuration);
            var discs = new List<Geometry>();
            var direct = Math.Min(budget, parameters.MaxDirectWalk);
            if (direct > 0) discs.Add(Disc(plane, new Coordinate(0, 0), walk.ReachMeters(direct)));
            for (var s = 0; s < stops.Count; s++)
            {
                var t = stopTravelTimes[s];
                if (t == TravelTime.Unreachable || t >= budget) continue;
                var seconds = Math.Min(budget - t, parameters.MaxEgressWalk);
                if (seconds <= 0) continue;
                projectedStops[s] ??= projection.Forward(stops[s]);
                discs.Add(Disc(plane, projectedStops[s], walk.ReachMeters(seconds)));
            }
            if (previous is not null) discs.Add(previous);
            var union = discs.Count == 0 ? plane.CreateMultiPolygon() : CascadedPolygonUnion.Union(discs);
            previous = union;
            var areaKm2 = union.Area / 1e6;
            result.Add(new Isochrone(cutoff, ToMultiPolygon(wgs84, union, projection), areaKm2));
        }
        return result;
    }

    /// <summary>The cutoffs when none are given: a quarter, half and three quarters of an hour.</summary>
    public static readonly IReadOnlyList<int> DefaultCutoffs = [15, 30, 45];

    /// <summary>Cutoffs 1–<see cref="MaxCutoffMinutes"/> minutes, strictly increasing; percentile 1–100. Throws <see cref="ArgumentException"/> (<see cref="ArgumentOutOfRangeException"/> for the percentile).</summary>
    public static void Validate(IReadOnlyList<int> cutoffMinutes, int percentile)
    {
        ArgumentNullException.ThrowIfNull(cutoffMinutes);
        if (Check(cutoffMinutes, percentile) is { } v)
            throw v.Field == "percentile" ? new ArgumentOutOfRangeException(nameof(percentile), v.Message) : new ArgumentException(v.Message, nameof(cutoffMinutes));
    }

    /// <summary>What <see cref="Validate"/> refuses, as a <see cref="RuleViolation"/> on <c>cutoffs</c> or <c>percentile</c>; null when both are fine.</summary>
    public static RuleViolation? Check(IReadOnlyList<int> cutoffMinutes, int percentile)
    {
        if (cutoffMinutes.Count == 0) return new RuleViolation("cutoffs", RuleKind.Missing, "at least one cutoff is needed.");
        for (var i = 0; i < cutoffMinutes.Count; i++)
        {
            if (cutoffMinutes[i] is < 1 or > MaxCutoffMinutes)
                return new RuleViolation("cutoffs", RuleKind.Invalid, $"cutoffs must be 1–{MaxCutoffMinutes} minutes (got {cutoffMinutes[i]}).");
            if (i > 0 && cutoffMinutes[i] <= cutoffMinutes[i - 1])
                return new RuleViolation("cutoffs", RuleKind.Invalid, "cutoffs must be strictly increasing.");
        }
        return percentile is < 1 or > 100 ? new RuleViolation("percentile", RuleKind.Invalid, "percentile must be 1–100.") : null;
    }

    private static Geometry Disc(GeometryFactory plane, Coordinate centre, double radiusMeters) =>
        plane.CreatePoint(centre).Buffer(radiusMeters, QuadrantSegments);

    private static MultiPolygon ToMultiPolygon(GeometryFactory wgs84, Geometry planar, AzimuthalEquidistant projection)
    {
        var polygons = new List<Polygon>();
        for (var i = 0; i < planar.NumGeometries; i++)
        {
            if (planar.GetGeometryN(i) is not Polygon { IsEmpty: false } p) continue;
            var shell = wgs84.CreateLinearRing(Back(p.ExteriorRing.Coordinates, projection));
            var holes = new LinearRing[p.NumInteriorRings];
            for (var h = 0; h < holes.Length; h++) holes[h] = wgs84.CreateLinearRing(Back(p.GetInteriorRingN(h).Coordinates, projection));
            polygons.Add(wgs84.CreatePolygon(shell, holes));
        }
        return wgs84.CreateMultiPolygon([.. polygons]);
    }

    private static Coordinate[] Back(Coordinate[] ring, AzimuthalEquidistant projection)
    {
        var result = new Coordinate[ring.Length];
        for (var i = 0; i < ring.Length; i++)
        {
            var g = projection.Inverse(ring[i].X, ring[i].Y);
            result[i] = new Coordinate(g.Lon, g.Lat);
        }
        // Keep the ring closed bit-for-bit: the first and last planar points are equal, so are their inverses,
        // but say so rather than rely on it.
        result[^1] = result[0].Copy();
        return result;
    }
}

/// <summary>
/// The spherical azimuthal equidistant projection centred on a point, on the sphere of the walking
/// rules (R = <see cref="GeoPoint.EarthRadiusMeters"/>), x east and y north in metres.
/// </summary>
/// <remarks>
/// Distance and bearing from the centre are exact: the projected radius of a point is its haversine
/// distance. Elsewhere the radial scale is 1 and the tangential scale k = c / sin c ≥ 1 (c = ρ/R), so
/// the inverse never lengthens a path: a planar disc maps inside the spherical disc of the same radius
/// (the isochrone stays conservative). It may fall short by k − 1 ≈ ρ²/6R², which is 4.1 × 10⁻⁵ at
/// ρ = 100 km (2.5 cm on a 10-minute egress disc, far below the 0.48 % polygonisation error);
/// areas measured in the plane are too large by at most the same factor.
/// </remarks>
public sealed class AzimuthalEquidistant
{
    private const double ToRad = Math.PI / 180.0;
    private const double R = GeoPoint.EarthRadiusMeters;
    private readonly double _lat0;
    private readonly double _lon0;
    private readonly double _sinLat0;
    private readonly double _cosLat0;

    public AzimuthalEquidistant(GeoPoint centre)
    {
        Centre = centre;
        _lat0 = centre.Lat * ToRad;
        _lon0 = centre.Lon * ToRad;
        _sinLat0 = Math.Sin(_lat0);
        _cosLat0 = Math.Cos(_lat0);
    }

    public GeoPoint Centre { get; }

    public Coordinate Forward(GeoPoint p)
    {
        var rho = GeoPoint.HaversineMeters(Centre.Lat, Centre.Lon, p.Lat, p.Lon);
        if (rho == 0) return new Coordinate(0, 0);
        double lat = p.Lat * ToRad, dLon = p.Lon * ToRad - _lon0;
        var bearing = Math.Atan2(Math.Sin(dLon) * Math.Cos(lat), _cosLat0 * Math.Sin(lat) - _sinLat0 * Math.Cos(lat) * Math.Cos(dLon));
        return new Coordinate(rho * Math.Sin(bearing), rho * Math.Cos(bearing));
    }

    /// <summary>The point at bearing atan2(x, y) and great-circle distance hypot(x, y) from the centre.</summary>
    public GeoPoint Inverse(double x, double y)
    {
        var c = Math.Sqrt(x * x + y * y) / R;
        if (c == 0) return Centre;
        var bearing = Math.Atan2(x, y);
        double sinC = Math.Sin(c), cosC = Math.Cos(c);
        var lat = Math.Asin(Math.Clamp(_sinLat0 * cosC + _cosLat0 * sinC * Math.Cos(bearing), -1, 1));
        var lon = _lon0 + Math.Atan2(Math.Sin(bearing) * sinC * _cosLat0, cosC - _sinLat0 * Math.Sin(lat));
        var lonDeg = lon / ToRad;
        // Wrap to (−180, 180] for origins near the antimeridian.
        if (lonDeg > 180) lonDeg -= 360;
        else if (lonDeg <= -180) lonDeg += 360;
        return new GeoPoint(lat / ToRad, lonDeg);
    }
}
