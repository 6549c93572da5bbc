using System.Net;
using NetTopologySuite.Geometries;

namespace Lis.Geo.Api.Tests.Features.Corridors;

/// <summary>"What lies in this corridor", checked against the sample files with NetTopologySuite.</summary>
public sealed class CorridorsApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    /// <summary>The register rows given in British National Grid, converted by `gdaltransform -s_srs EPSG:27700 -t_srs EPSG:4326`.</summary>
    private static readonly Dictionary<string, (double Lon, double Lat)> Osgb36Sites = new()
    {
        ["SMP-W-002"] = (-2.071003, 52.563996),
        ["SMP-S-003"] = (-1.968996, 52.494998),
        ["SMP-B-003"] = (-1.873995, 52.473504),
    };

    [Theory]
    [InlineData("wolverhampton-birmingham-metro")]
    [InlineData("east-birmingham-north-solihull")]
    public async Task Totals_are_the_sums_over_what_the_corridor_contains(string code)
    {
        var corridor = SampleRegion.Read("corridors.geojson").Single(f => (string)f.Attributes["code"] == code).Geometry;
        var factory = corridor.Factory;

        var centroids = SampleRegion.Csv("lsoa11_pwc.csv");
        var inside = centroids.Where(r => corridor.Contains(factory.CreatePoint(new Coordinate(SampleRegion.Num(r["lon"]), SampleRegion.Num(r["lat"]))))).ToList();
        var expectedPopulation = inside.Sum(r => long.Parse(r["pop_total_mid2015"]));
        var intersecting = SampleRegion.Read("lsoa11.geojson").Where(f => f.Geometry.Intersects(corridor)).Select(f => (string)f.Attributes["lsoa11cd"]).Order().ToList();

        var sites = SampleRegion.Csv("housing_sites.csv").Where(r =>
        {
            var (lon, lat) = r["CoordinateReferenceSystem"] == "OSGB36" ? Osgb36Sites[r["SiteReference"]] : (SampleRegion.Num(r["GeoX"]), SampleRegion.Num(r["GeoY"]));
            return corridor.Intersects(factory.CreatePoint(new Coordinate(lon, lat)));
        }).ToList();
        var expectedMaxDwellings = sites.Sum(r => long.Parse(r["NetDwellingsRangeTo"]));
        var employment = SampleRegion.Read("employment_sites.geojson").Where(f => f.Geometry.Intersects(corridor)).ToList();
        var expectedJobs = employment.Sum(f => Convert.ToInt64(f.Attributes["jobs_estimate"], System.Globalization.CultureInfo.InvariantCulture));

        var c = await api.GetJsonAsync($"/corridors/{code}/contents");
        var totals = c.GetProperty("totals");
        Assert.Equal(expectedPopulation, totals.GetProperty("population").GetInt64());
        Assert.Equal(inside.Count, totals.GetProperty("zonesByCentroid").GetInt32());
        Assert.Equal(intersecting, c.GetProperty("zones").EnumerateArray().Select(z => z.GetProperty("code").GetString()!).ToList());
        Assert.Equal(sites.Count, c.GetProperty("housingSites").GetArrayLength());
        Assert.Equal(expectedMaxDwellings, totals.GetProperty("maxDwellings").GetInt64());
        Assert.Equal(expectedJobs, totals.GetProperty("jobs").GetInt64());
        Assert.Equal(employment.Count, c.GetProperty("employmentSites").GetArrayLength());
        Assert.True(sites.Count > 0 && employment.Count > 0, "each sample corridor should hold sites");
    }

    [Fact]
    public async Task An_unknown_corridor_is_a_404_problem() =>
        await Problem.AssertAsync(api.Client.GetAsync("/corridors/nowhere/contents"), HttpStatusCode.NotFound, "code");
}
