using Lis.Geo.Transit.Routing;

namespace Lis.Geo.Transit.Quality;

/// <summary>What a quality report checks and how much it lists.</summary>
public sealed record FeedQualityOptions
{
    /// <summary>Two boardable stops (location_type 0) closer than this are reported as likely duplicates.</summary>
    public double DuplicateStopMeters { get; init; } = 5;

    /// <summary>Hours reported in <see cref="FeedQualityReport.DeparturesPerHour"/>: [FromSeconds, ToSeconds), default the whole service day (0–48 h).</summary>
    public int FromSeconds { get; init; }

    public int ToSeconds { get; init; } = 48 * 3600;

    /// <summary>Each finding lists at most this many items; its count stays exact.</summary>
    public int MaxListed { get; init; } = 100;
}

/// <summary>A finding: the exact number of items and the first <see cref="FeedQualityOptions.MaxListed"/> of them.</summary>
public sealed record Listed<T>(int Count, IReadOnlyList<T> Items)
{
    public bool Truncated => Count > Items.Count;
}

/// <summary>A service_id that exists only in calendar_dates.txt (no calendar.txt row): R5 and r5py users meet these in BODS feeds, where each date is listed one by one.</summary>
public sealed record CalendarDatesOnlyService(string ServiceId, int DatesAdded, DateOnly? FirstDate, DateOnly? LastDate, int Trips, bool RunsOnDate);

public sealed record LongTrip(string TripId, string? RouteId, int FirstDeparture, int LastArrival)
{
    public int DurationSeconds => LastArrival - FirstDeparture;
}

public sealed record UnservedStop(string StopId, string Name, double Lat, double Lon);

public sealed record DuplicateStops(string StopId, string OtherStopId, string Name, string OtherName, double Meters);

/// <summary>
/// A route with trips along the same stops where a trip that leaves the first stop later is ahead of
/// an earlier one at some stop (a faster trip passing a slower one, or a timetable error).
/// </summary>
/// <param name="OvertakingTrips">Trips ahead of some earlier-leaving trip of the same stops at some stop.</param>
public sealed record OvertakingRoute(string? RouteId, int StopCount, int Trips, int OvertakingTrips, string EarlierTripId, string LaterTripId, string AtStopId, int EarlierTime, int LaterTime);

/// <summary>Departures (boardable stop events) and trips leaving their first stop, in the hour starting at <paramref name="Hour"/> (may exceed 23).</summary>
public sealed record HourCount(int Hour, int Departures, int TripsStarting);

/// <summary>
/// Zones (origin points) where, at every sampled departure, no stop is reached by a ride sooner than by
/// walking straight to it (crow-fly × circuity at walk speed, without any walk limit).
/// </summary>
public sealed record ZoneWalkFindings(int Zones, int DeparturesSampled, Listed<string> TransitNeverFaster);

/// <summary>
/// A feed's quality report for one service date: the problems R5 and r5py users hit with Bus Open
/// Data Service feeds, found on the feed as compiled for that day.
/// </summary>
public sealed record FeedQualityReport(
    DateOnly Date,
    int Trips,
    int ServedStops,
    Listed<CalendarDatesOnlyService> CalendarDatesOnlyServices,
    Listed<LongTrip> TripsLongerThan24Hours,
    Listed<UnservedStop> StopsWithoutService,
    Listed<DuplicateStops> DuplicateStops,
    Listed<OvertakingRoute> OvertakingRoutes,
    IReadOnlyList<HourCount> DeparturesPerHour,
    ZoneWalkFindings? Zones,
    int IssueCount);

/// <summary>Builds <see cref="FeedQualityReport"/>s.</summary>
public static class FeedQuality
{
    /// <summary>Compiles the feed for the date (keeping trip and route ids) and checks it.</summary>
    /// <param name="zones">Optional origin points with their codes for the walking check, routed with <paramref name="routing"/> at every departure of its window.</param>
    public static FeedQualityReport Check(GtfsSource source, DateOnly date, FeedQualityOptions? options = null,
        IReadOnlyList<(string Code, GeoPoint Point)>? zones = null, RoutingParameters? routing = null, CancellationToken ct = default)
    {
        options ??= new FeedQualityOptions();
        var timetable = TimetableCompiler.Compile(source, date);
        var summary = FeedSummary.Read(source);
        return new FeedQualityReport(
            date, timetable.TripCount, timetable.StopCount,
            CalendarDatesOnly(source, timetable, date, options),
            LongTrips(timetable, options),
            Unserved(summary, timetable, options),
            Duplicates(summary, options),
            Overtaking(timetable, options),
            PerHour(timetable, options),
            zones is null ? null : ZonesWhereWalkingWins(timetable, zones, routing ?? new RoutingParameters(), options, ct),
            timetable.IssueCount);
    }

    private static Listed<T> List<T>(List<T> all, FeedQualityOptions options) => new(all.Count, all.Take(options.MaxListed).ToList());

    private static Listed<CalendarDatesOnlyService> CalendarDatesOnly(GtfsSource source, Timetable timetable, DateOnly date, FeedQualityOptions options)
    {
        var inCalendar = new HashSet<string>(StringComparer.Ordinal);
        using (var calendar = source.OpenTable(GtfsFiles.Calendar))
        {
            var id = calendar?.Column("service_id") ?? -1;
            while (calendar is not null && id >= 0 && calendar.ReadRow()) inCalendar.Add(calendar.Row[id].ToString());
        }
        var added = new Dictionary<string, (int Count, DateOnly? First, DateOnly? Last, bool OnDate)>(StringComparer.Ordinal);
        using (var dates = source.OpenTable(GtfsFiles.CalendarDates))
        {
            int id = dates?.Column("service_id") ?? -1, day = dates?.Column("date") ?? -1, type = dates?.Column("exception_type") ?? -1;
            while (dates is not null && id >= 0 && day >= 0 && type >= 0 && dates.ReadRow())
            {
                var serviceId = dates.Row[id].ToString();
                if (inCalendar.Contains(serviceId) || !dates.Row[type].SequenceEqual("1") || !GtfsValues.TryParseDate(dates.Row[day], out var d)) continue;
                var a = added.GetValueOrDefault(serviceId);
                added[serviceId] = (a.Count + 1, a.First is { } f && f < d ? f : d, a.Last is { } l && l > d ? l : d, a.OnDate || d == date);
            }
        }
        var trips = new Dictionary<string, int>(StringComparer.Ordinal);
        using (var table = source.OpenTable(GtfsFiles.Trips))
        {
            var service = table?.Column("service_id") ?? -1;
            while (table is not null && service >= 0 && table.ReadRow())
            {
                var s = table.Row[service].ToString();
                if (added.ContainsKey(s)) trips[s] = trips.GetValueOrDefault(s) + 1;
            }
        }
        return List(added.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new CalendarDatesOnlyService(p.Key, p.Value.Count, p.Value.First, p.Value.Last, trips.GetValueOrDefault(p.Key), p.Value.OnDate)).ToList(), options);
    }

    private static Listed<LongTrip> LongTrips(Timetable t, FeedQualityOptions options)
    {
        var found = new List<LongTrip>();
        ForEachTrip(t, (p, trip, n, times) =>
        {
            int first = t.Departures[times + trip], last = t.Arrivals[times + trip * n + n - 1];
            if (last - first > 86_400) found.Add(new LongTrip(TripId(t, p, trip), RouteId(t, p, trip), first, last));
        });
        return List(found, options);
    }

    private static Listed<UnservedStop> Unserved(FeedSummary summary, Timetable t, FeedQualityOptions options) =>
        List(summary.Stops.Where(s => s.LocationType == 0 && !t.TryGetStop(s.StopId, out _))
            .Select(s => new UnservedStop(s.StopId, s.Name, s.Lat, s.Lon)).ToList(), options);

    /// <summary>Stops bucketed in cells of the threshold; each pair is looked for in its own and neighbouring cells.</summary>
    private static Listed<DuplicateStops> Duplicates(FeedSummary summary, FeedQualityOptions options)
    {
        var stops = summary.Stops.Where(s => s.LocationType == 0).ToList();
        var cell = Math.Max(options.DuplicateStopMeters, 1) / 111_195.0;
        var cells = new Dictionary<(long, long), List<int>>();
        (long, long) Key(double lat, double lon) => ((long)Math.Floor(lat / cell), (long)Math.Floor(lon * Math.Cos(lat * Math.PI / 180) / cell));
        for (var i = 0; i < stops.Count; i++)
        {
            var k = Key(stops[i].Lat, stops[i].Lon);
            if (!cells.TryGetValue(k, out var list)) cells[k] = list = [];
            list.Add(i);
        }
        var found = new List<DuplicateStops>();
        for (var i = 0; i < stops.Count; i++)
        {
            var (y, x) = Key(stops[i].Lat, stops[i].Lon);
            for (var dy = -1; dy <= 1; dy++)
            for (var dx = -1; dx <= 1; dx++)
            {
                if (!cells.TryGetValue((y + dy, x + dx), out var list)) continue;
                foreach (var j in list)
                {
                    if (j <= i) continue;
                    var m = GeoPoint.HaversineMeters(stops[i].Lat, stops[i].Lon, stops[j].Lat, stops[j].Lon);
                    if (m < options.DuplicateStopMeters)
                        found.Add(new DuplicateStops(stops[i].StopId, stops[j].StopId, stops[i].Name, stops[j].Name, Math.Round(m, 2)));
                }
            }
        }
        return List(found.OrderBy(d => d.StopId, StringComparer.Ordinal).ThenBy(d => d.OtherStopId, StringComparer.Ordinal).ToList(), options);
    }

    /// <summary>
    /// Trips of one route along identical stops, in order of their departure times (compared stop by
    /// stop): a trip is overtaking when at some stop its arrival or departure is earlier than that of
    /// a trip before it in this order. The compiler keeps routing exact by splitting such trips into
    /// separate patterns; the finding says where the timetable has them.
    /// </summary>
    private static Listed<OvertakingRoute> Overtaking(Timetable t, FeedQualityOptions options)
    {
        var groups = new Dictionary<string, List<(int P, int Trip)>>(StringComparer.Ordinal);
        ForEachTrip(t, (p, trip, n, _) =>
        {
            var key = RouteId(t, p, trip) + "|" + string.Join(',', t.PatternStops.AsSpan(t.PatternStopStart[p], n).ToArray());
            if (!groups.TryGetValue(key, out var list)) groups[key] = list = [];
            list.Add((p, trip));
        });
        var found = new List<OvertakingRoute>();
        foreach (var (key, trips) in groups.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var p0 = trips[0].P;
            var n = t.PatternStopStart[p0 + 1] - t.PatternStopStart[p0];
            int Dep((int P, int Trip) x, int i) => t.Departures[t.PatternTimesStart[x.P] + i * (t.PatternTripStart[x.P + 1] - t.PatternTripStart[x.P]) + x.Trip];
            int Arr((int P, int Trip) x, int i) => t.Arrivals[t.PatternTimesStart[x.P] + x.Trip * n + i];
            trips.Sort((a, b) =>
            {
                for (var i = 0; i < n; i++)
                {
                    var c = Dep(a, i).CompareTo(Dep(b, i));
                    if (c != 0) return c;
                }
                return 0;
            });
            var overtaking = 0;
            (int Earlier, int Later, int Stop, int EarlierTime, int LaterTime)? example = null;
            var maxDep = new int[n];
            var maxArr = new int[n];
            var argDep = new int[n];
            var argArr = new int[n];
            Array.Fill(maxDep, int.MinValue);
            Array.Fill(maxArr, int.MinValue);
            for (var j = 0; j < trips.Count; j++)
            {
                var ahead = false;
                for (var i = 0; i < n; i++)
                {
                    int d = Dep(trips[j], i), a = Arr(trips[j], i);
                    if (!ahead && d < maxDep[i]) { ahead = true; example ??= (argDep[i], j, i, maxDep[i], d); }
                    else if (!ahead && a < maxArr[i]) { ahead = true; example ??= (argArr[i], j, i, maxArr[i], a); }
                    if (d > maxDep[i]) (maxDep[i], argDep[i]) = (d, j);
                    if (a > maxArr[i]) (maxArr[i], argArr[i]) = (a, j);
                }
                if (ahead) overtaking++;
            }
            if (example is { } e)
            {
                var stop = t.StopId(t.PatternStops[t.PatternStopStart[p0] + e.Stop]);
                found.Add(new OvertakingRoute(RouteId(t, trips[0].P, trips[0].Trip), n, trips.Count, overtaking,
                    TripId(t, trips[e.Earlier].P, trips[e.Earlier].Trip), TripId(t, trips[e.Later].P, trips[e.Later].Trip), stop, e.EarlierTime, e.LaterTime));
            }
        }
        return List(found, options);
    }

    private static List<HourCount> PerHour(Timetable t, FeedQualityOptions options)
    {
        int from = options.FromSeconds / 3600, to = (options.ToSeconds + 3599) / 3600;
        var departures = new int[Math.Max(to - from, 0)];
        var starting = new int[departures.Length];
        ForEachTrip(t, (p, trip, n, times) =>
        {
            var tripCount = t.PatternTripStart[p + 1] - t.PatternTripStart[p];
            for (var i = 0; i < n - 1; i++)
            {
                if ((t.PatternStopRules[t.PatternStopStart[p] + i] & Timetable.CanBoard) == 0) continue;
                var d = t.Departures[times + i * tripCount + trip];
                if (d < options.FromSeconds || d >= options.ToSeconds) continue;
                departures[d / 3600 - from]++;
            }
            var first = t.Departures[times + trip];
            if (first >= options.FromSeconds && first < options.ToSeconds) starting[first / 3600 - from]++;
        });
        // Trailing hours without any departure are dropped (the default window runs to 48 h).
        var last = departures.Length - 1;
        while (last >= 0 && departures[last] == 0 && starting[last] == 0) last--;
        return Enumerable.Range(0, last + 1).Select(h => new HourCount(from + h, departures[h], starting[h])).ToList();
    }

    private static ZoneWalkFindings ZonesWhereWalkingWins(Timetable t, IReadOnlyList<(string Code, GeoPoint Point)> zones, RoutingParameters routing, FeedQualityOptions options, CancellationToken ct)
    {
        var router = new TransitRouter(t, routing);
        var window = routing.Window;
        var never = new bool[zones.Count];
        Parallel.For(0, zones.Count, new ParallelOptions { CancellationToken = ct }, router.CreateWorker, (z, _, worker) =>
        {
            var origin = zones[z].Point;
            for (var k = 0; k < window.Count; k++)
            {
                worker.Route(origin, window.DepartureAt(k));
                for (var s = 0; s < t.StopCount; s++)
                {
                    var ride = worker.RideTravelTimeToStop(s);
                    if (ride != TravelTime.Unreachable && ride < routing.Walk.Seconds(origin.Lat, origin.Lon, t.StopLat[s], t.StopLon[s])) return worker;
                }
            }
            never[z] = true;
            return worker;
        }, _ => { });
        return new ZoneWalkFindings(zones.Count, window.Count,
            List(Enumerable.Range(0, zones.Count).Where(z => never[z]).Select(z => zones[z].Code).ToList(), options));
    }

    private static void ForEachTrip(Timetable t, Action<int, int, int, int> visit)
    {
        for (var p = 0; p < t.PatternCount; p++)
        {
            int n = t.PatternStopStart[p + 1] - t.PatternStopStart[p], trips = t.PatternTripStart[p + 1] - t.PatternTripStart[p];
            for (var trip = 0; trip < trips; trip++) visit(p, trip, n, t.PatternTimesStart[p]);
        }
    }

    private static string TripId(Timetable t, int p, int trip) => t.TripIds?[t.PatternTripStart[p] + trip] ?? $"pattern {p} trip {trip}";

    private static string? RouteId(Timetable t, int p, int trip) => t.RouteCount == 0 ? null : t.RouteId(t.TripRoutes[t.PatternTripStart[p] + trip]);
}
