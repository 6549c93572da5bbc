using System.Net;
using System.Text.Json;
using Lis.Geo.Api.Tests.Features.Analyses;
using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Timetables;
using Lis.Geo.Transit.Walking;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace Lis.Geo.Api.Tests.Features.Isochrones;

/// <summary>
/// Isochrones through HTTP against the sample feed (a tram line T01 Wolverhampton → T11 Grand Central
/// every 8 minutes, and three bus routes), checked against hand-derived discs and against the engine's
/// own travel times computed directly.
/// </summary>
public sealed class IsochronesApiTests(AnalysisFixture api) : IClassFixture<AnalysisFixture>
{
    private const double WalkSpeed = 1.33, Circuity = 1.3;
    private const int Vertices = 4 * Lis.Geo.Analysis.Isochrones.QuadrantSegments;

    /// <summary>50 m north-east of T01, Wolverhampton St George's (52.5835, −2.1226).</summary>
    private static readonly GeoPoint NearT01 = new(52.5838, -2.1221);

    /// <summary>Open country south-west of Wolverhampton, over 10 km from every sample stop.</summary>
    private static readonly GeoPoint Remote = new(52.50, -2.30);

    private static readonly JsonSerializerOptions GeoJson = new() { Converters = { new GeoJsonConverterFactory() } };

    private async Task<FeatureCollection> GetAsync(string url)
    {
        var response = await api.Client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
        return JsonSerializer.Deserialize<FeatureCollection>(body, GeoJson)!;
    }

    private static string Url(GeoPoint p, string extra = "") =>
        FormattableString.Invariant($"/isochrones?lon={p.Lon}&lat={p.Lat}&serviceDate=2026-11-25{extra}");

    private static double Num(IFeature f, string name) => Convert.ToDouble(f.Attributes[name], System.Globalization.CultureInfo.InvariantCulture);

    private Timetable CompileDirectly(string name)
    {
        var zip = Path.Combine(api.CacheDirectory, name);
        Directory.CreateDirectory(api.CacheDirectory);
        File.WriteAllBytes(zip, SampleFeed.Zip());
        return TimetableCompiler.Compile(GtfsSource.Open(zip), SampleFeed.ServiceDate);
    }

    [Fact]
    public async Task Far_from_every_stop_the_isochrone_is_the_direct_walk_disc()
    {
        var timetable = CompileDirectly("remote.zip");
        for (var s = 0; s < timetable.StopCount; s++)
            Assert.True(timetable.StopLocation(s).DistanceMeters(Remote) > 3000, $"stop {timetable.StopId(s)} is near the remote point");

        var features = (await GetAsync(Url(Remote))).ToList();
        Assert.Equal([45, 30, 15], features.Select(f => (int)Num(f, "cutoff_minutes")));
        foreach (var f in features)
        {
            var cutoff = (int)Num(f, "cutoff_minutes");
            // Walk seconds ≤ T ⇔ great circle × 1.3 / 1.33 ≤ T; the direct walk stops at 1,800 s.
            var r = Math.Min(cutoff * 60, 1800) * WalkSpeed / Circuity;
            var polygon = Assert.IsType<Polygon>(Assert.Single(((MultiPolygon)f.Geometry).Geometries));
            Assert.Empty(polygon.InteriorRings);
            // A regular 32-gon inscribed in the circle: every vertex on it (to the 1e-7° of the output),
            // area (n/2) r² sin(2π/n), which is π r² less at most 1 − (n/2π) sin(2π/n) = 0.64 %.
            Assert.Equal(Vertices + 1, polygon.ExteriorRing.NumPoints);
            foreach (var c in polygon.ExteriorRing.Coordinates)
                Assert.InRange(GeoPoint.HaversineMeters(Remote.Lat, Remote.Lon, c.Y, c.X), r - 0.02, r + 0.02);
            var inscribed = Vertices / 2.0 * r * r * Math.Sin(2 * Math.PI / Vertices) / 1e6;
            Assert.Equal(inscribed, Num(f, "area_km2"), 5);
            Assert.InRange(Num(f, "area_km2"), Math.PI * r * r / 1e6 * (1 - 0.0065), Math.PI * r * r / 1e6);
            Assert.Equal(50, Num(f, "percentile"));
            Assert.Equal("2026-11-25", f.Attributes["service_date"]);
            Assert.Equal("07:00-10:00", f.Attributes["window"]);
            Assert.Equal(api.FeedId, (long)Num(f, "feed_id"));
        }
    }

    [Fact]
    public async Task Next_to_a_tram_stop_the_isochrone_holds_what_the_engine_reaches_and_nothing_it_does_not()
    {
        var features = (await GetAsync(Url(NearT01))).ToDictionary(f => (int)Num(f, "cutoff_minutes"), f => f.Geometry);
        var timetable = CompileDirectly("tram.zip");

        // Destinations: every stop, and a 50 × 50 grid over the tram corridor (about 450 m × 380 m cells).
        var points = Enumerable.Range(0, timetable.StopCount).Select(timetable.StopLocation).ToList();
        for (var i = 0; i < 50; i++)
            for (var j = 0; j < 50; j++)
                points.Add(new GeoPoint(52.46 + i * 0.0030, -2.15 + j * 0.0060));
        var matrix = TravelTimeMatrix.Compute(timetable, [NearT01], points, new RoutingParameters());
        var p50 = points.Select((_, d) => matrix.PercentilesOf(0, d, [50])[0]).ToList();

        // Reached by tram within 45 minutes at the median: West Bromwich Central (T06, about 27 min on
        // board plus the wait); not Grand Central (T11, 47 min on board alone).
        timetable.TryGetStop("T06", out var t06);
        timetable.TryGetStop("T11", out var t11);
        Assert.InRange(p50[t06], 1, 45 * 60);
        Assert.True(p50[t11] > 45 * 60, $"T11 p50 {p50[t11]} s");
        Assert.True(features[45].Covers(Point(points[t06])), "T06 is reached within 45 min but outside the polygon");
        Assert.False(features[45].Intersects(Point(points[t11])), "T11 is beyond 45 min but inside the polygon");

        // Every point the polygon claims (clear of its edge by more than the output's rounding) is
        // reached by the engine within the cutoff at the median: the isochrone never over-promises.
        foreach (var (cutoff, geometry) in features)
        {
            var boundary = geometry.Boundary;
            var inside = 0;
            for (var d = 0; d < points.Count; d++)
            {
                var pt = Point(points[d]);
                if (!geometry.Contains(pt) || boundary.Distance(pt) < 1e-6) continue;
                inside++;
                Assert.True(p50[d] <= cutoff * 60, $"{points[d]} is inside the {cutoff}-minute isochrone but its p50 is {p50[d]} s");
            }
            Assert.True(inside > 1, $"the {cutoff}-minute isochrone should hold more than the origin's neighbourhood");
        }
        // And it does reach beyond the walk: points more than 1,842 m (30 min walk) away lie inside.
        Assert.Contains(points, p => p.DistanceMeters(NearT01) > 1842 && features[30].Contains(Point(p)));
    }

    [Fact]
    public async Task Smaller_cutoffs_nest_inside_larger_ones()
    {
        var features = (await GetAsync(Url(NearT01, "&cutoffs=15,30,45,60"))).ToList();
        Assert.Equal([60, 45, 30, 15], features.Select(f => (int)Num(f, "cutoff_minutes")));
        for (var i = 0; i + 1 < features.Count; i++)
        {
            Geometry larger = features[i].Geometry, smaller = features[i + 1].Geometry;
            // Nothing of the smaller lies outside the larger beyond the 1e-7° rounding of the output.
            Assert.True(smaller.Difference(larger).Area < 1e-12, $"{Num(features[i + 1], "cutoff_minutes")} min is not inside {Num(features[i], "cutoff_minutes")} min");
            Assert.True(Num(features[i], "area_km2") > Num(features[i + 1], "area_km2"), "the tram should grow every larger cutoff");
        }
        // A lower percentile of the travel times can only widen the area (each stop's time is no later).
        var p5 = (await GetAsync(Url(NearT01, "&cutoffs=45&percentile=5"))).Single();
        var p95 = (await GetAsync(Url(NearT01, "&cutoffs=45&percentile=95"))).Single();
        Assert.True(p95.Geometry.Difference(p5.Geometry).Area < 1e-12);
        Assert.True(Num(p5, "area_km2") >= Num(p95, "area_km2"));
    }

    [Fact]
    public async Task A_site_isochrone_starts_from_the_sites_point_on_surface()
    {
        var site = SampleRegion.Read("employment_sites.geojson")[0];
        var reference = (string)site.Attributes["reference"];
        var fromSite = (await GetAsync($"/sites/employment-sites/{reference}/isochrones?serviceDate=2026-11-25&cutoffs=20,40")).ToList();
        var origin = new GeoPoint(Num(fromSite[0], "origin_lat"), Num(fromSite[0], "origin_lon"));
        Assert.True(site.Geometry.Covers(Point(origin)), "the origin should lie on the site polygon");
        Assert.Equal(reference, fromSite[0].Attributes["site"]);

        var fromPoint = (await GetAsync(Url(origin, "&cutoffs=20,40"))).ToList();
        Assert.Equal(fromPoint.Count, fromSite.Count);
        for (var i = 0; i < fromSite.Count; i++)
        {
            Assert.True(fromSite[i].Geometry.EqualsExact(fromPoint[i].Geometry), $"cutoff {Num(fromSite[i], "cutoff_minutes")} differs");
            Assert.Equal(Num(fromPoint[i], "area_km2"), Num(fromSite[i], "area_km2"));
        }
    }

    [Theory]
    [InlineData("lat=52.58&cutoffs=15", "lon")]
    [InlineData("lon=-2.1&lat=95", "lat")]
    [InlineData("lon=-2.1&lat=52.58&cutoffs=0", "cutoffs")]
    [InlineData("lon=-2.1&lat=52.58&cutoffs=241", "cutoffs")]
    [InlineData("lon=-2.1&lat=52.58&cutoffs=30,15", "cutoffs")]
    [InlineData("lon=-2.1&lat=52.58&cutoffs=15,15", "cutoffs")]
    [InlineData("lon=-2.1&lat=52.58&cutoffs=quarter", "cutoffs")]
    [InlineData("lon=-2.1&lat=52.58&percentile=0", "percentile")]
    [InlineData("lon=-2.1&lat=52.58&percentile=101", "percentile")]
    [InlineData("lon=-2.1&lat=52.58&window=ten till eleven", "window")]
    [InlineData("lon=-2.1&lat=52.58&serviceDate=2026-13-01", "serviceDate")]
    [InlineData("lon=-2.1&lat=52.58&serviceDate=2031-01-01", "serviceDate")]
    [InlineData("lon=-2.1&lat=52.58&serviceDate=2026-11-28", "serviceDate")]
    public async Task Bad_parameters_are_400_naming_the_field(string query, string field) =>
        await Problem.AssertAsync(api.Client.GetAsync($"/isochrones?{query}"), HttpStatusCode.BadRequest, field);

    [Fact]
    public async Task Unknown_sites_and_feeds_are_404()
    {
        await Problem.AssertAsync(api.Client.GetAsync("/sites/castles/X/isochrones"), HttpStatusCode.NotFound, "collection");
        await Problem.AssertAsync(api.Client.GetAsync("/sites/employment-sites/NO-SUCH-SITE/isochrones"), HttpStatusCode.NotFound, "reference");
        await Problem.AssertAsync(api.Client.GetAsync("/isochrones?lon=-2.1&lat=52.58&feedId=424242"), HttpStatusCode.NotFound, "feedId");
    }

    private static Point Point(GeoPoint p) => new(p.Lon, p.Lat);
}
