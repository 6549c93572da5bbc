using Lis.Geo.Analysis;
using Lis.Geo.Testing;
using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Timetables;
using Lis.Geo.Transit.Walking;
using NetTopologySuite.Geometries;

namespace Lis.Geo.Analysis.Tests;

/// <summary>
/// Isochrones on a feed small enough to derive by hand. Stops lie on the equator, where 0.001° of
/// longitude is 111.195 m; walking is 1 m/s with circuity 1, so a radius in metres equals the walk
/// seconds; board slack 60 s, egress cap 600 s, direct-walk cap 1,800 s (the defaults).
/// </summary>
/// <remarks>
/// A (0°, 0°) is the origin. B is at 0.1° east (11.1 km: never walkable from A). C is 0.002° (222 m,
/// 223 s) east of B, so it is reached only by a transfer walk from B. Trips A → B leave 08:01, 08:06 and
/// 08:11 and take 10 minutes. Over the window 08:00–08:10 (ten departures), the travel time to alight
/// at B is 660, 900, 840, 780, 720 for 08:00…08:04 and 660, 900, 840, 780, 720 for 08:05…08:09
/// (wait until departure + 60 s, then the next trip). Sorted: 660 660 720 720 780 780 840 840 900 900,
/// so by nearest rank p50 = index ⌈5⌉ − 1 = 4 → 780 s, p25 = index 2 → 720 s, p100 → 900 s.
/// </remarks>
public sealed class IsochronesTests : IDisposable
{
    private static readonly RoutingParameters Unit = new() { WalkSpeed = 1.0, Circuity = 1.0 };
    private static readonly DepartureWindow EightToTen = new(8 * 3600, 8 * 3600 + 600);
    private static readonly GeoPoint A = new(0, 0);
    private const double B = 0.1, MetersPerDegree = GeoPoint.EarthRadiusMeters * Math.PI / 180;
    private const int N = 4 * Isochrones.QuadrantSegments;

    private readonly string _folder;
    private readonly TransitRouter _router;

    public IsochronesTests()
    {
        // N1 serves C late at night only so that C is a stop of the timetable; it plays no part in the window.
        _folder = GtfsTables.WriteFolder(GtfsTables.Weekday(
            "stop_id,stop_name,stop_lat,stop_lon\nA,A,0,0\nB,B,0,0.1\nC,C,0,0.102\n",
            """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            T1,08:01:00,08:01:00,A,1
            T1,08:11:00,08:11:00,B,2
            T2,08:06:00,08:06:00,A,1
            T2,08:16:00,08:16:00,B,2
            T3,08:11:00,08:11:00,A,1
            T3,08:21:00,08:21:00,B,2
            N1,23:00:00,23:00:00,C,1
            N1,23:30:00,23:30:00,A,2
            """));
        _router = new TransitRouter(TimetableCompiler.Compile(GtfsSource.Open(_folder), GtfsTables.ServiceDate), Unit);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private int Stop(string id) => _router.Timetable.TryGetStop(id, out var s) ? s : throw new InvalidOperationException(id);

    /// <summary>Area of the regular n-gon inscribed in a circle of radius r: (n/2) r² sin(2π/n).</summary>
    private static double Inscribed(double r) => N / 2.0 * r * r * Math.Sin(2 * Math.PI / N) / 1e6;

    [Theory]
    [InlineData(1, 660)]
    [InlineData(25, 720)]
    [InlineData(50, 780)]
    [InlineData(100, 900)]
    public void Each_stop_takes_the_nearest_rank_percentile_of_its_ride_arrivals(int percentile, int expected)
    {
        var times = Isochrones.StopTravelTimePercentile(_router, A, EightToTen, percentile);
        Assert.Equal(expected, times[Stop("B")]);
        // A is reached only by the (empty) access walk and C only by a transfer walk: no egress walk may start there.
        Assert.Equal(TravelTime.Unreachable, times[Stop("A")]);
        Assert.Equal(TravelTime.Unreachable, times[Stop("C")]);
    }

    [Theory]
    // cutoff, origin radius = min(cutoff, 1800), B radius = min(cutoff − 780, 600) when positive
    [InlineData(10, 600, 0)]
    [InlineData(13, 780, 0)]
    [InlineData(20, 1200, 420)]
    [InlineData(30, 1800, 600)]
    [InlineData(60, 1800, 600)]
    public void Discs_are_the_direct_walk_and_the_egress_walk_of_the_time_left(int cutoff, double originRadius, double bRadius)
    {
        var iso = Assert.Single(Isochrones.Compute(_router, A, EightToTen, [cutoff]));
        Assert.Equal(bRadius > 0 ? 2 : 1, iso.Geometry.NumGeometries);
        Assert.Equal(Inscribed(originRadius) + Inscribed(bRadius), iso.AreaKm2, 9);
        // The egress disc ends 600 m east of B at most, not 600 m east of C: walks do not chain.
        var east = iso.Geometry.Coordinates.Max(c => c.X);
        var expectedEast = bRadius > 0 ? B + bRadius / MetersPerDegree : originRadius / MetersPerDegree;
        Assert.Equal(expectedEast, east, 9);
    }

    [Fact]
    public void The_polygon_agrees_with_the_engines_own_median_travel_times_east_of_B()
    {
        // Points 0–700 m east of B: p50 TT = 780 + ceil(d) while the egress walk d ≤ 600 s, unreachable beyond.
        var iso = Isochrones.Compute(_router, A, EightToTen, [20, 30]);
        // Half metres, so that ceil is not at the mercy of the last bit of the haversine.
        var distances = new[] { 10.5, 199.5, 399.5, 414.5, 425.5, 589.5, 610.5, 700.5 };
        var points = distances.Select(d => new GeoPoint(0, B + d / MetersPerDegree)).ToList();
        var matrix = TravelTimeMatrix.Compute(_router.Timetable, [A], points, Unit with { Window = EightToTen });
        for (var i = 0; i < points.Count; i++)
        {
            var p50 = matrix.PercentilesOf(0, i, [50])[0];
            Assert.Equal(distances[i] <= 600 ? 780 + (int)Math.Ceiling(distances[i]) : TravelTime.Unreachable, p50);
            foreach (var cutoff in iso)
            {
                // 414.5 m is inside the 20-minute disc of 420 m (0.48 % short of it is 418 m, clear of the chords);
                // 425.5 m is outside it.
                var inside = cutoff.Geometry.Contains(new Point(points[i].Lon, points[i].Lat));
                Assert.Equal(p50 <= cutoff.CutoffMinutes * 60, inside);
            }
        }
    }

    [Fact]
    public void Larger_cutoffs_contain_smaller_ones_exactly()
    {
        var iso = Isochrones.Compute(_router, A, EightToTen, [5, 13, 14, 20, 45]);
        for (var i = 1; i < iso.Count; i++)
        {
            Assert.True(iso[i].Geometry.Covers(iso[i - 1].Geometry), $"{iso[i - 1].CutoffMinutes} min is not inside {iso[i].CutoffMinutes} min");
            Assert.True(iso[i].AreaKm2 > iso[i - 1].AreaKm2);
        }
    }

    [Fact]
    public void Bad_cutoffs_and_percentiles_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Isochrones.Validate([], 50));
        Assert.Throws<ArgumentException>(() => Isochrones.Validate([0], 50));
        Assert.Throws<ArgumentException>(() => Isochrones.Validate([241], 50));
        Assert.Throws<ArgumentException>(() => Isochrones.Validate([30, 15], 50));
        Assert.Throws<ArgumentException>(() => Isochrones.Validate([15, 15], 50));
        Assert.Throws<ArgumentOutOfRangeException>(() => Isochrones.Validate([15], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Isochrones.Compute(_router, A, EightToTen, [15], 101));
    }
}

/// <summary>The local projection: exact from the centre, a contraction elsewhere by at most ρ²/6R².</summary>
public sealed class AzimuthalEquidistantTests
{
    private static readonly GeoPoint Birmingham = new(52.48, -1.90);

    /// <summary>Points 100 km from the centre in 8 directions, by the spherical destination formula.</summary>
    private static IEnumerable<GeoPoint> Ring(GeoPoint centre, double meters)
    {
        var projection = new AzimuthalEquidistant(centre);
        for (var k = 0; k < 8; k++)
        {
            var bearing = k * Math.PI / 4;
            yield return projection.Inverse(meters * Math.Sin(bearing), meters * Math.Cos(bearing));
        }
    }

    [Fact]
    public void Distance_from_the_centre_is_the_haversine_distance_and_the_inverse_undoes_the_forward()
    {
        var projection = new AzimuthalEquidistant(Birmingham);
        foreach (var p in Ring(Birmingham, 100_000))
        {
            Assert.Equal(100_000, Birmingham.DistanceMeters(p), 6);
            var xy = projection.Forward(p);
            Assert.Equal(100_000, Math.Sqrt(xy.X * xy.X + xy.Y * xy.Y), 6);
            var back = projection.Inverse(xy.X, xy.Y);
            Assert.Equal(p.Lat, back.Lat, 10);
            Assert.Equal(p.Lon, back.Lon, 10);
        }
        // Due north is +y, due east (on the centre's great circle) is +x.
        var north = projection.Forward(new GeoPoint(Birmingham.Lat + 0.1, Birmingham.Lon));
        Assert.Equal(0, north.X, 9);
        Assert.True(north.Y > 0);
    }

    [Fact]
    public void A_disc_100_km_out_maps_inside_the_true_disc_and_within_the_stated_bound()
    {
        // k − 1 ≈ ρ²/6R² = 1e10 / (6 × 6371008.8²) = 4.1e-5: a 614 m disc may shrink by 2.5 cm, never grow.
        const double r = 600 * 1.33 / 1.3;
        var bound = 100_000.0 * 100_000 / (6 * GeoPoint.EarthRadiusMeters * GeoPoint.EarthRadiusMeters);
        var projection = new AzimuthalEquidistant(Birmingham);
        foreach (var stop in Ring(Birmingham, 100_000))
        {
            var disc = new Point(projection.Forward(stop)).Buffer(r, Isochrones.QuadrantSegments);
            foreach (var c in disc.Coordinates)
            {
                var back = projection.Inverse(c.X, c.Y);
                Assert.InRange(stop.DistanceMeters(back), r * (1 - bound * 1.01), r + 1e-6);
            }
        }
    }
}
