namespace Lis.Geo.Transit.Routing;

/// <summary>
/// Travel times from one origin to every stop at every departure of a window (by any means: access
/// walk, ride or transfer walk), stored [departure, stop].
/// </summary>
public sealed class StopTravelTimes
{
    private readonly int[] _travelTimes;

    private StopTravelTimes(int stopCount, DepartureWindow window)
    {
        StopCount = stopCount;
        Window = window;
        _travelTimes = new int[stopCount * window.Count];
    }

    public int StopCount { get; }
    public DepartureWindow Window { get; }

    /// <summary>Runs range RAPTOR from <paramref name="origin"/> over <paramref name="window"/> on <paramref name="worker"/>.</summary>
    public static StopTravelTimes Compute(RaptorWorker worker, GeoPoint origin, DepartureWindow window)
    {
        var result = new StopTravelTimes(worker.StopCount, window);
        worker.RouteWindow(origin, window, (i, _) => worker.TravelTimesToStops(result._travelTimes.AsSpan(i * result.StopCount, result.StopCount)));
        return result;
    }

    /// <summary>Travel times to every stop for the departure at <paramref name="departureIndex"/>.</summary>
    public ReadOnlySpan<int> AtDeparture(int departureIndex) => _travelTimes.AsSpan(departureIndex * StopCount, StopCount);

    /// <summary>The nearest-rank percentile of one stop's travel times over the window.</summary>
    public int Percentile(int stop, int percentile)
    {
        var values = new int[Window.Count];
        for (var i = 0; i < values.Length; i++) values[i] = _travelTimes[i * StopCount + stop];
        Array.Sort(values);
        return Percentiles.NearestRank(values, percentile);
    }
}
