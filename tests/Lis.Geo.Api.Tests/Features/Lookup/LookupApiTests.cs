using System.Net;
using NetTopologySuite.Geometries;

namespace Lis.Geo.Api.Tests.Features.Lookup;

public sealed class LookupApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task A_point_resolves_to_its_lep_authority_zone_and_imd_decile()
    {
        // Each sample zone's population-weighted centroid lies in that zone (geodata/README.md), so looking it up must find the zone.
        var imd = SampleRegion.Csv("imd2019.csv").ToDictionary(r => r["lsoa11cd"]);
        foreach (var row in SampleRegion.Csv("lsoa11_pwc.csv").Take(6))
        {
            var hit = await api.GetJsonAsync($"/lookup?lon={row["lon"]}&lat={row["lat"]}");
            var zone = hit.GetProperty("zones").EnumerateArray().Single(z => z.GetProperty("zoneSet").GetString() == "lsoa11");
            Assert.Equal(row["lsoa11cd"], zone.GetProperty("code").GetString());
            Assert.Equal(int.Parse(imd[row["lsoa11cd"]]["imd_decile"]), zone.GetProperty("imdDecile").GetInt32());
            Assert.Equal(row["lad19cd"], hit.GetProperty("localAuthority").GetProperty("code").GetString());
            Assert.Equal(imd[row["lsoa11cd"]]["lep1_cd"], hit.GetProperty("leps")[0].GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task A_point_on_a_corridor_names_it()
    {
        var corridor = SampleRegion.Read("corridors.geojson")[0];
        var p = corridor.Geometry.InteriorPoint;
        var hit = await api.GetJsonAsync($"/lookup?lon={p.X.ToString(System.Globalization.CultureInfo.InvariantCulture)}&lat={p.Y.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        Assert.Contains(hit.GetProperty("corridors").EnumerateArray(), c => c.GetProperty("code").GetString() == (string)corridor.Attributes["code"]);
    }

    [Fact]
    public async Task A_point_outside_the_region_says_so()
    {
        var hit = await api.GetJsonAsync("/lookup?lon=-0.1276&lat=51.5072");
        Assert.Empty(hit.GetProperty("zones").EnumerateArray());
        Assert.Contains("outside", hit.GetProperty("note").GetString());
    }

    [Theory]
    [InlineData("/lookup?lat=52.5", "lon")]
    [InlineData("/lookup?lon=406984&lat=286657", "lon")]
    [InlineData("/lookup?lon=-1.9&lat=north", "lat")]
    public async Task Bad_coordinates_are_400_problems(string url, string field) =>
        await Problem.AssertAsync(api.Client.GetAsync(url), HttpStatusCode.BadRequest, field);
}
