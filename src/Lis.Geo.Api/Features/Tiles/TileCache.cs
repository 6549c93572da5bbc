using System.Text.RegularExpressions;

namespace Lis.Geo.Api.Features.Tiles;

/// <summary>Section "Tiles": the server-side tile cache.</summary>
public sealed class TileCacheOptions
{
    public const string Section = "Tiles";

    /// <summary>Most megabytes of rendered tiles kept in memory (least recently used go first); 0 turns the cache off.</summary>
    public int CacheMegabytes { get; set; } = 64;
}

/// <summary>
/// Rendered tiles kept in memory, so a tile asked again (the region's few low-zoom tiles, asked by every map
/// that opens) is not rendered again by PostGIS. Only layers whose rows change with an import or a feed
/// upload or deletion are cached (<see cref="IsCacheable"/>), each under the store's data version read before
/// it was rendered (<c>TileQuery.DataVersionAsync</c>): a tile is served only at the version it was rendered
/// at, and the first request that sees a new version empties the cache, so an import never leaves a stale tile.
/// Layers a client can edit (centres, corridors, sites, and the run layers joining sites) are always rendered.
/// Bounded by bytes (<see cref="TileCacheOptions.CacheMegabytes"/>): the tiles' bytes plus a fixed
/// <see cref="EntryOverhead"/> each, least recently used evicted first.
/// </summary>
public sealed partial class TileCache(long budgetBytes)
{
    /// <summary>Bytes counted per entry on top of the tile (key, ETag, list node, dictionary slot), so many empty tiles are bounded too.</summary>
    public const int EntryOverhead = 256;

    public readonly record struct Key(string Layer, int Z, int X, int Y);

    /// <summary>A rendered tile (empty: no feature touches it) and its ETag.</summary>
    public sealed record Tile(byte[] Bytes, string ETag);

    private sealed record Entry(Key Key, Tile Tile)
    {
        public long Size => Tile.Bytes.Length + EntryOverhead;
    }

    private readonly Lock _gate = new();
    private readonly Dictionary<Key, LinkedListNode<Entry>> _index = [];
    private readonly LinkedList<Entry> _recent = new(); // most recently used first
    private string? _version;
    private long _bytes;

    public bool Enabled => budgetBytes > 0;

    /// <summary>Bytes held, as counted against the budget.</summary>
    public long Bytes { get { lock (_gate) return _bytes; } }

    public int Count { get { lock (_gate) return _index.Count; } }

    /// <summary>
    /// Import- and feed-derived layers: the store's zones, centroids, boundaries and transit stops and routes,
    /// and a finished run's zones, isochrones and comparisons (run results never change; what they join is imported).
    /// </summary>
    public static bool IsCacheable(string layerId) => CacheableLayer().IsMatch(layerId);

    [GeneratedRegex(@"^((zones|centroids)-[A-Za-z0-9_-]+|leps|local-authorities|transit-stops|transit-routes|analysis-\d+-(zones|isochrones)|analysis-\d+-vs-\d+)$")]
    private static partial Regex CacheableLayer();

    /// <summary>The tile rendered at <paramref name="version"/>, if held; a different version empties the cache first.</summary>
    public bool TryGet(string version, Key key, out Tile tile)
    {
        lock (_gate)
        {
            Adopt(version);
            if (_index.TryGetValue(key, out var node))
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
                tile = node.Value.Tile;
                return true;
            }
        }
        tile = null!;
        return false;
    }

    /// <summary>
    /// Keeps a tile rendered at <paramref name="version"/>, evicting the least recently used until it fits. A
    /// tile rendered at a version the cache has since left (an import committed meanwhile) is not kept.
    /// </summary>
    public void Set(string version, Key key, Tile tile)
    {
        var entry = new Entry(key, tile);
        if (entry.Size > budgetBytes) return;
        lock (_gate)
        {
            if (_version != version) return;
            if (_index.Remove(key, out var old))
            {
                _recent.Remove(old);
                _bytes -= old.Value.Size;
            }
            while (_bytes + entry.Size > budgetBytes && _recent.Last is { } last)
            {
                _recent.RemoveLast();
                _index.Remove(last.Value.Key);
                _bytes -= last.Value.Size;
            }
            _index[key] = _recent.AddFirst(entry);
            _bytes += entry.Size;
        }
    }

    private void Adopt(string version)
    {
        if (_version == version) return;
        _index.Clear();
        _recent.Clear();
        _bytes = 0;
        _version = version;
    }
}
