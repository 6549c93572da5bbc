namespace Lis.Geo.Transit.Walking;

/// <summary>
/// A uniform latitude/longitude grid over the stops: the spatial index behind access, egress and
/// transfer walks. Queries look at the cells covering a bounding box that provably contains every
/// point within the radius, then filter by exact walk time, so results equal a full scan.
/// </summary>
internal sealed class StopGrid
{
    private const double MetersPerDegree = GeoPoint.EarthRadiusMeters * Math.PI / 180.0;

    private readonly double[] _lat;
    private readonly double[] _lon;
    private readonly double _cellDegrees;
    private readonly Dictionary<long, (int Start, int End)> _cells = [];
    private readonly int[] _stopsByCell;

    public StopGrid(double[] lat, double[] lon, double cellMeters)
    {
        _lat = lat;
        _lon = lon;
        _cellDegrees = Math.Max(cellMeters, 50) / MetersPerDegree;
        var keys = new long[lat.Length];
        _stopsByCell = new int[lat.Length];
        for (var i = 0; i < lat.Length; i++)
        {
            keys[i] = Key(CellY(lat[i]), CellX(lon[i]));
            _stopsByCell[i] = i;
        }
        Array.Sort(keys, _stopsByCell);
        for (var i = 0; i < keys.Length;)
        {
            var j = i;
            while (j < keys.Length && keys[j] == keys[i]) j++;
            _cells[keys[i]] = (i, j);
            i = j;
        }
    }

    /// <summary>Adds (stop, walk seconds) for every stop within <paramref name="maxSeconds"/> of the point.</summary>
    public void Within(double lat, double lon, int maxSeconds, WalkModel walk, List<(int Stop, int Seconds)> into)
    {
        into.Clear();
        // A point within r metres differs by at most r/R radians in latitude; in longitude by at
        // most r/(R cos φmax) with φmax the box's highest |latitude|. The 1% and 1 m pad absorbs
        // the small-angle approximation; exact distances decide below.
        var radius = walk.ReachMeters(maxSeconds) * 1.01 + 1;
        var dLat = radius / MetersPerDegree;
        var maxAbsLat = Math.Min(89.0, Math.Abs(lat) + dLat);
        var dLon = Math.Min(180.0, dLat / Math.Cos(maxAbsLat * Math.PI / 180.0));
        int y0 = CellY(lat - dLat), y1 = CellY(lat + dLat), x0 = CellX(lon - dLon), x1 = CellX(lon + dLon);
        for (var y = y0; y <= y1; y++)
        {
            for (var x = x0; x <= x1; x++)
            {
                if (!_cells.TryGetValue(Key(y, x), out var cell)) continue;
                for (var k = cell.Start; k < cell.End; k++)
                {
                    var stop = _stopsByCell[k];
                    var seconds = walk.Seconds(lat, lon, _lat[stop], _lon[stop]);
                    if (seconds <= maxSeconds) into.Add((stop, seconds));
                }
            }
        }
    }

    private int CellY(double lat) => (int)Math.Floor(lat / _cellDegrees);
    private int CellX(double lon) => (int)Math.Floor(lon / _cellDegrees);
    private static long Key(int y, int x) => ((long)y << 32) | (uint)x;
}
