using System.Text.Json;
using Lis.Geo.Data.Importing;
using Lis.Geo.Testing;

namespace Lis.Geo.Api.Tests.Features.Ogc;

/// <summary>The real 2,438 LSOA 2011 zones of ../shared/data behind the API.</summary>
public sealed class SharedZonesFixture : ApiFixture
{
    protected override string? ManifestPath => null;

    protected override async Task LoadAsync(Importer importer)
    {
        var r = await importer.ImportAsync("zones", await SourceFile.ReadAsync(Path.Combine(RepoPaths.SharedData, "lsoa/lsoa11_wm3lep_bgc.geojson"), default),
            new ImportOptions { ZoneSet = "lsoa11" }, default);
        Assert.Equal("succeeded", r.Status);
    }
}

[Trait("Category", "SharedData")]
public sealed class PagingSharedDataTests(SharedZonesFixture api) : IClassFixture<SharedZonesFixture>
{
    [Fact]
    public async Task Paging_walks_all_2438_lsoas_exactly_once()
    {
        var seen = new HashSet<string>();
        string? url = "/collections/zones-lsoa11/items?limit=500&properties=code";
        while (url is not null)
        {
            var page = await api.GetJsonAsync(url);
            Assert.Equal(2438, page.GetProperty("numberMatched").GetInt32());
            foreach (var f in page.GetProperty("features").EnumerateArray())
                Assert.True(seen.Add(f.GetProperty("id").GetString()!), "a feature appeared twice");
            url = page.GetProperty("links").EnumerateArray().FirstOrDefault(l => l.GetProperty("rel").GetString() == "next") is { ValueKind: JsonValueKind.Object } next
                ? new Uri(next.GetProperty("href").GetString()!).PathAndQuery : null;
        }
        Assert.Equal(2438, seen.Count);
    }
}
