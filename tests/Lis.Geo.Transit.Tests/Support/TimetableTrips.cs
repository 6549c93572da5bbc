using System.Globalization;
using Lis.Geo.Transit.Timetables;

namespace Lis.Geo.Transit.Tests.Support;

/// <summary>
/// Reads a compiled timetable back as text, one line per trip ("A 07:00:00-07:00:00 B …", each stop
/// with its arrival and departure), sorted, so tests compare whole timetables with hand-written ones.
/// </summary>
internal static class TimetableTrips
{
    public static List<string> Of(Timetable timetable)
    {
        var lines = new List<string>();
        for (var p = 0; p < timetable.PatternCount; p++)
        {
            int first = timetable.PatternStopStart[p], n = timetable.PatternStopStart[p + 1] - first;
            int trips = timetable.PatternTripStart[p + 1] - timetable.PatternTripStart[p], times = timetable.PatternTimesStart[p];
            for (var t = 0; t < trips; t++)
            {
                var stops = new List<string>();
                for (var i = 0; i < n; i++)
                {
                    var arrival = timetable.Arrivals[times + t * n + i];
                    var departure = timetable.Departures[times + i * trips + t];
                    stops.Add($"{timetable.StopId(timetable.PatternStops[first + i])} {Clock(arrival)}-{Clock(departure)}");
                }
                lines.Add(string.Join(" ", stops));
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    public static string Clock(int seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:00}:{seconds / 60 % 60:00}:{seconds % 60:00}");
}
