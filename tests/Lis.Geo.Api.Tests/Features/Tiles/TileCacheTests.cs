using System.Net;
using System.Text;
using Lis.Geo.Api.Features.Tiles;
using Lis.Geo.Api.Tests.Features.Analyses;
using Lis.Geo.Data.Importing;
using Lis.Geo.Data.Layers;
using Lis.Geo.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Lis.Geo.Api.Tests.Features.Tiles;

/// <summary>The cache on its own: bounded by bytes with the least recently used evicted, and a tile served only at the version it was rendered at.</summary>
public sealed class TileCacheTests
{
    private static TileCache.Tile Tile(int bytes, string etag = "\"e\"") => new(new byte[bytes], etag);
    private static TileCache.Key Key(int x) => new("zones-lsoa11", 8, x, 0);

    [Fact]
    public void The_cache_holds_at_most_its_budget_and_evicts_the_least_recently_used()
    {
        // Room for three 1,000-byte tiles (each counted with the per-entry overhead), not four.
        var cache = new TileCache(3 * (1_000 + TileCache.EntryOverhead) + 10);
        Assert.False(cache.TryGet("v1", Key(9), out _)); // the endpoint reads before it writes: this adopts v1
        for (var x = 0; x < 3; x++) cache.Set("v1", Key(x), Tile(1_000));
        Assert.Equal(3, cache.Count);
        Assert.True(cache.TryGet("v1", Key(0), out _)); // 0 is now the most recently used; 1 the least
        cache.Set("v1", Key(3), Tile(1_000));
        Assert.Equal(3, cache.Count);
        Assert.Equal(3 * (1_000 + TileCache.EntryOverhead), cache.Bytes);
        Assert.False(cache.TryGet("v1", Key(1), out _));
        Assert.True(cache.TryGet("v1", Key(0), out _));
        Assert.True(cache.TryGet("v1", Key(2), out _));
        Assert.True(cache.TryGet("v1", Key(3), out _));

        // A tile bigger than the whole budget is not kept, and evicts nothing.
        cache.Set("v1", Key(4), Tile(10_000));
        Assert.Equal(3, cache.Count);
        Assert.False(cache.TryGet("v1", Key(4), out _));
    }

    [Fact]
    public void A_new_version_empties_the_cache_and_a_tile_rendered_at_the_old_one_is_not_kept()
    {
        var cache = new TileCache(1 << 20);
        Assert.False(cache.TryGet("v1", Key(0), out _));
        cache.Set("v1", Key(0), Tile(10, "\"old\""));
        Assert.True(cache.TryGet("v1", Key(0), out var hit));
        Assert.Equal("\"old\"", hit.ETag);

        // An import commits: the next request reads v2, and nothing rendered at v1 is served any more.
        Assert.False(cache.TryGet("v2", Key(0), out _));
        Assert.Equal((0, 0L), (cache.Count, cache.Bytes));
        // A request that read v1 before the import finishes rendering after it: its tile is not kept.
        cache.Set("v1", Key(0), Tile(10, "\"old\""));
        Assert.False(cache.TryGet("v2", Key(0), out _));
        cache.Set("v2", Key(0), Tile(10, "\"new\""));
        Assert.True(cache.TryGet("v2", Key(0), out hit));
        Assert.Equal("\"new\"", hit.ETag);
    }

    [Fact]
    public void Only_layers_that_change_by_imports_and_feeds_are_cacheable()
    {
        foreach (var id in new[] { "zones-lsoa11", "centroids-lsoa11", "leps", "local-authorities", "transit-stops", "transit-routes", "analysis-7-zones", "analysis-7-isochrones", "analysis-8-vs-7" })
            Assert.True(TileCache.IsCacheable(id), id);
        // Editable through the API (or joining what is), so always rendered.
        foreach (var layer in LayerCatalog.Fixed.Where(l => l.IsEditable))
            Assert.False(TileCache.IsCacheable(layer.Id), layer.Id);
        foreach (var id in new[] { "analysis-7-housing", "analysis-7-sites", "zones-" })
            Assert.False(TileCache.IsCacheable(id), id);
        Assert.False(new TileCache(0).Enabled);
    }
}

/// <summary>
/// The cache behind the real tile endpoint, over the sample region in its own database (it re-imports the IMD
/// and deletes a centre): a repeated tile is the cached bytes, equal to a fresh PostGIS render, and an import
/// changes the tile at the same URL at once.
/// </summary>
public sealed class TileCacheApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private const string Zone = "E01999001"; // IMD decile 2 in geodata/imd2019.csv

    [Fact]
    public async Task A_cached_zone_tile_is_the_rendered_tile_and_changes_after_a_reimport()
    {
        var cache = api.Services.GetRequiredService<TileCache>();
        Assert.True(cache.Enabled);
        var (z, x, y) = Mvt.TileOfSampleRegion();
        var url = $"/collections/zones-lsoa11/tiles/WebMercatorQuad/{z}/{y}/{x}";
        async Task<(byte[] Bytes, string ETag)> Get()
        {
            var response = await api.Client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadAsByteArrayAsync(), response.Headers.ETag!.Tag);
        }
        long? Decile(byte[] tile) => (long?)Mvt.Read(tile).Single().Features.Single(f => (string?)f["code"] == Zone)["imd_decile"];

        var first = await Get();
        Assert.True(cache.TryGet((await TileQuery.DataVersionAsync(api.Db, default)).Key, new("zones-lsoa11", z, x, y), out var held));
        Assert.Equal(first.Bytes, held.Bytes);
        var second = await Get();
        Assert.Equal(first.Bytes, second.Bytes);
        Assert.Equal(first.ETag, second.ETag);
        // Byte for byte what PostGIS renders for the tile now.
        var layer = (await LayerCatalog.FindAsync(api.Db, "zones-lsoa11", default))!;
        Assert.Equal(await TileQuery.RenderAsync(api.Db, layer, z, x, y, default), second.Bytes);
        Assert.Equal(2L, Decile(second.Bytes));

        // A corrected IMD file (the zone's decile 2 → 3) is imported: the same URL now has the new decile.
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.GeoData, "imd2019.csv"));
        var column = Array.IndexOf(lines[0].Split(','), "imd_decile");
        var corrected = lines.Select(l => l.Split(',') is var f && f[0] == Zone ? string.Join(',', f.Select((v, i) => i == column ? "3" : v)) : l);
        var record = await new Importer(api.Db).ImportAsync("imd", new SourceFile("imd2019.csv", Encoding.UTF8.GetBytes(string.Join('\n', corrected) + "\n")), new ImportOptions(), default);
        Assert.Equal("succeeded", record.Status);

        var after = await Get();
        Assert.Equal(3L, Decile(after.Bytes));
        Assert.NotEqual(first.ETag, after.ETag);
        Assert.Equal(await TileQuery.RenderAsync(api.Db, layer, z, x, y, default), after.Bytes);
    }

    [Fact]
    public async Task An_edited_layer_is_never_served_from_the_cache()
    {
        var (z, x, y) = Mvt.TileOfSampleRegion();
        var url = $"/collections/centres/tiles/WebMercatorQuad/{z}/{y}/{x}";
        async Task<List<string>> Codes() => Mvt.Read(await (await api.Client.GetAsync(url)).Content.ReadAsByteArrayAsync()).Single().Features.Select(f => (string)f["code"]!).ToList();
        var before = await Codes();
        var gone = before[0];
        Assert.Equal(before, await Codes());
        Assert.Equal(HttpStatusCode.NoContent, (await api.Writer().DeleteAsync($"/collections/centres/items/{gone}")).StatusCode);
        Assert.Equal(before.Where(c => c != gone).Order(), (await Codes()).Order());
    }
}

/// <summary>Stops tiles are cached under the stored feeds: deleting the feed empties the tile at the same URL.</summary>
public sealed class StopTileCacheTests(AnalysisFixture api) : IClassFixture<AnalysisFixture>
{
    [Fact]
    public async Task A_deleted_feeds_stops_leave_the_cached_tile()
    {
        var (z, x, y) = Mvt.TileOfSampleRegion();
        var url = $"/collections/transit-stops/tiles/WebMercatorQuad/{z}/{y}/{x}";
        // The feed's stops inside the tile and its 64-unit buffer.
        var stops = await api.ScalarAsync<long>($"SELECT count(*) FROM transit_stop WHERE feed_id = {api.FeedId} " +
            $"AND ST_Intersects(geom, ST_Transform(ST_TileEnvelope({z}, {x}, {y}, margin => 64.0 / 4096), 4326))");
        Assert.True(stops > 0);
        for (var i = 0; i < 2; i++)
        {
            var response = await api.Client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var layer = Mvt.Read(await response.Content.ReadAsByteArrayAsync()).Single();
            Assert.Equal(stops, layer.Features.Count);
        }
        Assert.Equal(HttpStatusCode.NoContent, (await api.Writer().DeleteAsync($"/feeds/{api.FeedId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.Client.GetAsync(url)).StatusCode);
    }
}
