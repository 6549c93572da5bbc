using System.Collections.Concurrent;

namespace Lis.Geo.Api.Features.Ogc;

/// <summary>
/// The layer list, extents and feature counts, kept between requests: GDAL and QGIS fetch
/// <c>/collections</c> on every open and <c>numberMatched</c> on every page, and recomputing extents and
/// counts made both slow down with every layer and every page.
/// <para>
/// What invalidates what: a successful write through this API (<see cref="Invalidate"/>, called by the
/// pipeline after every POST/PUT/PATCH/DELETE) drops everything; the list is re-read when the set of
/// zone sets or succeeded runs changes (one small query per list); results of finished runs never change,
/// so their extents and counts are kept; other extents and counts, and every layer found by id, are re-read
/// after <see cref="MutableLifetime"/> at the latest, for writes made outside this process (the CLI importing).
/// </para>
/// </summary>
public sealed class OgcCatalogue(NpgsqlDataSource db)
{
    public static readonly TimeSpan MutableLifetime = TimeSpan.FromSeconds(30);
    private const int MaxCachedCounts = 4_096;

    private long _version;
    private (string Key, IReadOnlyList<Layer> Layers)? _list;
    private readonly ConcurrentDictionary<string, Cached<double[]?>> _extents = new();
    private readonly ConcurrentDictionary<string, Cached<long>> _counts = new();
    private readonly ConcurrentDictionary<string, Cached<Layer>> _layers = new();

    private sealed record Cached<T>(long Version, DateTime At, T Value);

    /// <summary>Bumped by every write; also the part of ETags that only this process can know.</summary>
    public long Version => Interlocked.Read(ref _version);

    public void Invalidate()
    {
        Interlocked.Increment(ref _version);
        _counts.Clear();
        _extents.Clear();
        _layers.Clear();
    }

    /// <summary>Run results are written once, when the run succeeds, and only ever deleted with the run.</summary>
    public static bool IsImmutable(Layer layer) => layer.Id.StartsWith("analysis-", StringComparison.Ordinal);

    public async Task<IReadOnlyList<Layer>> ListAsync(CancellationToken ct)
    {
        var key = $"{await CatalogueQueries.ListVersionAsync(db, ct)}|{Version}";
        if (_list is { } cached && cached.Key == key) return cached.Layers;
        var layers = await LayerCatalog.ListAsync(db, ct);
        _list = (key, layers);
        return layers;
    }

    /// <summary>
    /// What <c>/collections</c> lists: every layer but run results, and the results of the
    /// <paramref name="listedRuns"/> newest succeeded runs only, so the list stays short however many runs
    /// there are (older runs' collections stay reachable by id and under <c>/analyses/{id}/collections</c>).
    /// </summary>
    public static IEnumerable<Layer> Listed(IReadOnlyList<Layer> layers, int listedRuns)
    {
        var newest = layers.Select(RunOf).OfType<long>().Distinct().OrderDescending().Take(listedRuns).ToHashSet();
        return layers.Where(l => RunOf(l) is not { } run || newest.Contains(run));
    }

    /// <summary>The run id of a result layer (<c>analysis-{id}-{kind}</c>), null for other layers.</summary>
    public static long? RunOf(Layer layer) =>
        layer.Id.Split('-') is ["analysis", var run, _] && long.TryParse(run, out var id) ? id : null;

    /// <summary>
    /// One layer by id, kept like the counts: every items, tile and schema request starts here, and building a
    /// zone layer asks PostgreSQL for the zone set's default deprivation edition (a count over all its zones
    /// joined to every edition), which was a query as costly as the page itself. Only found layers are kept,
    /// so a run that succeeds or a zone set imported since is seen at once; a write through this API drops
    /// them, and after <see cref="MutableLifetime"/> they are rebuilt for changes made by other processes.
    /// </summary>
    public async Task<Layer?> FindAsync(string id, CancellationToken ct, string? deprivation = null)
    {
        var key = id + "\n" + deprivation;
        if (_layers.TryGetValue(key, out var c) && c.Version == Version && DateTime.UtcNow - c.At < MutableLifetime) return c.Value;
        var version = Version;
        var layer = await LayerCatalog.FindAsync(db, id, ct, deprivation);
        if (layer is null) return null;
        if (_layers.Count >= MaxCachedCounts) _layers.Clear();
        _layers[key] = new(version, DateTime.UtcNow, layer);
        return layer;
    }

    private bool Fresh<T>(Layer layer, Cached<T> c) =>
        c.Version == Version && (IsImmutable(layer) || DateTime.UtcNow - c.At < MutableLifetime);

    /// <summary>minx, miny, maxx, maxy in WGS84, or null for a layer without geometries.</summary>
    public async Task<double[]?> ExtentAsync(Layer layer, CancellationToken ct)
    {
        if (_extents.TryGetValue(layer.Id, out var c) && Fresh(layer, c)) return c.Value;
        var version = Version;
        var extent = await CatalogueQueries.ExtentAsync(db, layer, ct);
        _extents[layer.Id] = new(version, DateTime.UtcNow, extent);
        return extent;
    }

    /// <summary>numberMatched of a request: the same selection (filters, bbox, datetime; not the page) counts once.</summary>
    public async Task<long> CountAsync(Layer layer, FeatureRequest request, CancellationToken ct)
    {
        var (sql, values) = FeatureQuery.Selection(layer, request);
        var key = layer.Id + "\n" + sql + "\n" + string.Join("\n", values.Select(v => $"{v.GetType().Name}:{Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)}"));
        if (_counts.TryGetValue(key, out var c) && Fresh(layer, c)) return c.Value;
        var version = Version;
        var count = await FeatureQuery.CountAsync(db, layer, request, ct);
        if (_counts.Count >= MaxCachedCounts) _counts.Clear();
        _counts[key] = new(version, DateTime.UtcNow, count);
        return count;
    }
}
