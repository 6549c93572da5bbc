using Lis.Geo.Transit.Routing;

namespace Lis.Geo.Transit.Tests.Reference;

/// <summary>
/// An independent earliest-arrival router: a plain Connection Scan (Dibbelt et al. 2013) over the
/// <see cref="PlainFeed"/>, written straight from ACCESSIBILITY.md with no pruning beyond the trip
/// duration limit. Walks are computed here from its own haversine; transfers by a plain latitude sweep.
/// Needs board slack > 0 (the scan order relies on a boarding being strictly after the arrival that enables it).
/// </summary>
internal sealed class ConnectionScanReference
{
    private const double EarthRadius = 6_371_008.8;
    private const int Infinity = int.MaxValue;

    private readonly PlainFeed _feed;
    private readonly RoutingParameters _p;
    private readonly Connection[] _connections;
    private readonly List<(int To, int Seconds)>[] _transfers;

    public ConnectionScanReference(PlainFeed feed, RoutingParameters parameters)
    {
        if (parameters.BoardSlack <= 0 || parameters.MaxRides is not null) throw new ArgumentException("the reference needs slack > 0 and no ride cap");
        _feed = feed;
        _p = parameters;
        var connections = new List<Connection>();
        for (var t = 0; t < feed.Trips.Count; t++)
        {
            var trip = feed.Trips[t];
            for (var i = 0; i + 1 < trip.Count; i++)
                connections.Add(new Connection(t, i, trip[i].Stop, trip[i + 1].Stop, trip[i].Departure, trip[i + 1].Arrival, trip[i].CanBoard, trip[i + 1].CanAlight));
        }
        connections.Sort((a, b) => (a.Departure, a.Trip, a.Index).CompareTo((b.Departure, b.Trip, b.Index)));
        _connections = [.. connections];
        _transfers = BuildTransfers();
    }

    public int WalkSeconds(double lat1, double lon1, double lat2, double lon2)
    {
        // The semantics fix the formula; its floating-point operations are spelled out in the same
        // order as any faithful implementation so ceil() sees the same double.
        double ToRad(double d) => d * (Math.PI / 180.0);
        double sinLat = Math.Sin(ToRad(lat2 - lat1) / 2), sinLon = Math.Sin(ToRad(lon2 - lon1) / 2);
        var a = sinLat * sinLat + Math.Cos(ToRad(lat1)) * Math.Cos(ToRad(lat2)) * sinLon * sinLon;
        var meters = 2 * EarthRadius * Math.Asin(Math.Sqrt(Math.Min(1.0, a)));
        return (int)Math.Ceiling(meters * _p.Circuity / _p.WalkSpeed);
    }

    /// <summary>Result of one query: travel times by stop (any means / alighting) and to each destination; <see cref="TravelTime.Unreachable"/> when none within the limit.</summary>
    public sealed record Result(int[] ToStop, int[] ToStopByRide, int[] ToDestination);

    public Result Query(double lat, double lon, int departure, IReadOnlyList<(double Lat, double Lon)> destinations)
    {
        var n = _feed.StopIds.Count;
        var ready = new int[n];
        var ride = new int[n];
        Array.Fill(ready, Infinity);
        Array.Fill(ride, Infinity);
        for (var s = 0; s < n; s++)
        {
            var w = WalkSeconds(lat, lon, _feed.Lat[s], _feed.Lon[s]);
            if (w <= _p.MaxAccessWalk) ready[s] = departure + w;
        }
        var onTrip = new bool[_feed.Trips.Count];
        var limit = departure + _p.MaxTripDuration;
        var first = 0;
        for (int hi = _connections.Length; first < hi;)
        {
            var mid = (first + hi) / 2;
            if (_connections[mid].Departure < departure) first = mid + 1;
            else hi = mid;
        }
        for (var k = first; k < _connections.Length; k++)
        {
            var c = _connections[k];
            if (c.Departure > limit) break;
            if (!onTrip[c.Trip] && c.CanBoard && ready[c.From] != Infinity && ready[c.From] + _p.BoardSlack <= c.Departure) onTrip[c.Trip] = true;
            if (!onTrip[c.Trip] || !c.CanAlight || c.Arrival >= ride[c.To]) continue;
            ride[c.To] = c.Arrival;
            ready[c.To] = Math.Min(ready[c.To], c.Arrival);
            foreach (var (to, seconds) in _transfers[c.To]) ready[to] = Math.Min(ready[to], c.Arrival + seconds);
        }

        int ToTravelTime(int arrival) => arrival != Infinity && arrival - departure <= _p.MaxTripDuration ? arrival - departure : TravelTime.Unreachable;
        var toDestination = new int[destinations.Count];
        for (var d = 0; d < destinations.Count; d++)
        {
            var best = Infinity;
            var direct = WalkSeconds(lat, lon, destinations[d].Lat, destinations[d].Lon);
            if (direct <= _p.MaxDirectWalk) best = departure + direct;
            for (var s = 0; s < n; s++)
            {
                if (ride[s] == Infinity) continue;
                var w = WalkSeconds(_feed.Lat[s], _feed.Lon[s], destinations[d].Lat, destinations[d].Lon);
                if (w <= _p.MaxEgressWalk) best = Math.Min(best, ride[s] + w);
            }
            toDestination[d] = ToTravelTime(best);
        }
        return new Result(ready.Select(ToTravelTime).ToArray(), ride.Select(ToTravelTime).ToArray(), toDestination);
    }

    private List<(int, int)>[] BuildTransfers()
    {
        var n = _feed.StopIds.Count;
        var result = new List<(int, int)>[n];
        var byLat = Enumerable.Range(0, n).OrderBy(s => _feed.Lat[s]).ToArray();
        // Any stop within the walk limit is within this many degrees of latitude (1 m/degree margin).
        var band = _p.MaxTransferWalk * _p.WalkSpeed / _p.Circuity / (EarthRadius * Math.PI / 180.0) + 1e-5;
        for (var i = 0; i < n; i++)
        {
            var s = byLat[i];
            result[s] = [];
            for (var dir = -1; dir <= 1; dir += 2)
            {
                for (var j = i + dir; j >= 0 && j < n && Math.Abs(_feed.Lat[byLat[j]] - _feed.Lat[s]) <= band; j += dir)
                {
                    var u = byLat[j];
                    var w = WalkSeconds(_feed.Lat[s], _feed.Lon[s], _feed.Lat[u], _feed.Lon[u]);
                    if (w <= _p.MaxTransferWalk) result[s].Add((u, w));
                }
            }
        }
        return result;
    }

    private readonly record struct Connection(int Trip, int Index, int From, int To, int Departure, int Arrival, bool CanBoard, bool CanAlight);
}
