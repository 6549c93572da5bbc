using System.Globalization;
using System.Text;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Walking;

namespace Lis.Geo.Transit.Tests.Support;

/// <summary>
/// Seeded random GTFS feeds for property tests: a jittered grid of stops (with close pairs, so
/// transfer walks exist, and far ones, so some do not), lines that wander over the grid (some loop
/// back through a stop), several trips per line with uneven running times so later trips overtake
/// earlier ones, zero-length hops, random pickup_type/drop_off_type = 1, and service that runs past
/// midnight (GTFS hours ≥ 24). Stops lie near the equator: 0.001° ≈ 111 m, 112 s at 1 m/s.
/// </summary>
internal static class SyntheticFeed
{
    public sealed record Case(TestFeed Feed, RoutingParameters Parameters, GeoPoint[] Origins, GeoPoint[] Destinations, string Description);

    /// <summary>One random feed and routing rules; <paramref name="arrival"/> makes the window an arrival window.</summary>
    public static Case Create(int seed, bool arrival = false)
    {
        var random = new Random(seed);
        var columns = random.Next(3, 7);
        var rows = random.Next(2, 6);
        var spacing = 0.002 + random.NextDouble() * 0.004;
        var stops = new List<(string Id, double Lat, double Lon)>();
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                var lat = r * spacing + (random.NextDouble() - 0.5) * spacing * 0.6;
                var lon = c * spacing + (random.NextDouble() - 0.5) * spacing * 0.6;
                stops.Add(($"S{r}_{c}", lat, lon));
                // A twin a few metres away: a short transfer walk (sometimes 0 s apart).
                if (random.NextDouble() < 0.25)
                    stops.Add(($"S{r}_{c}b", lat + random.Next(0, 3) * 0.0002, lon));
            }
        }

        // Service starts mid-morning or late evening (then it runs past 24:00).
        var late = random.NextDouble() < 0.3;
        var serviceStart = late ? 22 * 3600 + random.Next(0, 3600) : 7 * 3600 + random.Next(0, 3600);
        var stopTimes = new StringBuilder("trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type\n");
        var lineCount = random.Next(3, 9);
        var tripNumber = 0;
        for (var line = 0; line < lineCount; line++)
        {
            var path = new List<int> { random.Next(stops.Count) };
            var length = random.Next(2, 9);
            while (path.Count < length)
            {
                var next = random.NextDouble() < 0.08 && path.Count > 2 ? path[random.Next(path.Count - 1)] : random.Next(stops.Count);
                if (next != path[^1]) path.Add(next);
            }
            var baseHop = random.Next(60, 600);
            var trips = random.Next(2, 9);
            var headway = random.Next(120, 1200);
            for (var t = 0; t < trips; t++)
            {
                var id = $"T{tripNumber++}";
                var time = serviceStart + t * headway + random.Next(-120, 120);
                // Express or slow trips: a per-trip speed factor makes later trips overtake earlier ones.
                var factor = random.NextDouble() < 0.3 ? 0.3 + random.NextDouble() * 0.5 : 0.9 + random.NextDouble() * 0.6;
                for (var i = 0; i < path.Count; i++)
                {
                    if (i > 0) time += random.NextDouble() < 0.05 ? 0 : (int)(baseHop * factor * (0.7 + random.NextDouble() * 0.6));
                    var dwell = random.NextDouble() < 0.5 ? 0 : random.Next(0, 90);
                    var pickup = random.NextDouble() < 0.1 ? 1 : 0;
                    var dropOff = random.NextDouble() < 0.1 ? 1 : 0;
                    stopTimes.Append(CultureInfo.InvariantCulture,
                        $"{id},{Clock(time)},{Clock(time + dwell)},{stops[path[i]].Id},{i + 1},{pickup},{dropOff}\n");
                    time += dwell;
                }
            }
        }

        var stopsText = new StringBuilder("stop_id,stop_name,stop_lat,stop_lon\n");
        foreach (var s in stops) stopsText.Append(CultureInfo.InvariantCulture, $"{s.Id},{s.Id},{s.Lat:0.0000000},{s.Lon:0.0000000}\n");
        var feed = TestFeed.WithWeekdayTrips(stopsText.ToString(), stopTimes.ToString());

        var windowStart = serviceStart - random.Next(0, 1800);
        var windowLength = random.Next(5, 90) * 60;
        var step = random.NextDouble() < 0.7 ? 60 : random.Next(1, 200);
        if (arrival) windowStart += random.Next(600, 3600);
        var parameters = new RoutingParameters
        {
            WalkSpeed = 1.0,
            Circuity = random.NextDouble() < 0.5 ? 1.0 : 1.3,
            BoardSlack = new[] { 1, 30, 60, 60, 120 }[random.Next(5)],
            MaxAccessWalk = random.Next(100, 900),
            MaxTransferWalk = random.Next(0, 500),
            MaxEgressWalk = random.Next(100, 900),
            MaxDirectWalk = random.Next(0, 2400),
            MaxTripDuration = random.Next(600, 5400),
            Window = new DepartureWindow(windowStart, windowStart + windowLength, step),
            WindowKind = arrival ? WindowKind.Arrival : WindowKind.Departure,
        };

        double maxLat = rows * spacing, maxLon = columns * spacing;
        GeoPoint RandomPoint() => random.NextDouble() < 0.6
            ? Near(stops[random.Next(stops.Count)], random, spacing)
            : new GeoPoint(random.NextDouble() * maxLat, random.NextDouble() * maxLon);
        var origins = Enumerable.Range(0, random.Next(3, 10)).Select(_ => RandomPoint()).ToArray();
        var destinations = Enumerable.Range(0, random.Next(2, 7)).Select(_ => RandomPoint()).ToArray();
        // Walk-only shortcuts: a destination right next to an origin.
        destinations[0] = new GeoPoint(origins[0].Lat + (random.NextDouble() - 0.5) * 0.01, origins[0].Lon + (random.NextDouble() - 0.5) * 0.01);
        var description = $"seed {seed}: {stops.Count} stops, {tripNumber} trips, {parameters.Window} ({parameters.WindowKind}), slack {parameters.BoardSlack}, " +
                          $"access {parameters.MaxAccessWalk}, transfer {parameters.MaxTransferWalk}, egress {parameters.MaxEgressWalk}, direct {parameters.MaxDirectWalk}, max trip {parameters.MaxTripDuration}";
        return new Case(feed, parameters, origins, destinations, description);
    }

    private static GeoPoint Near((string Id, double Lat, double Lon) stop, Random random, double spacing) =>
        new(stop.Lat + (random.NextDouble() - 0.5) * spacing, stop.Lon + (random.NextDouble() - 0.5) * spacing);

    private static string Clock(int seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:00}:{seconds / 60 % 60:00}:{seconds % 60:00}");
}
