namespace Lis.Geo.Transit.Timetables;

/// <summary>Facts about a compiled day that callers check before routing (e.g. "is there any service in this window?").</summary>
public static class TimetableStatistics
{
    /// <summary>Trip departures (any stop) at or after <paramref name="fromSeconds"/> and before <paramref name="toSeconds"/>.</summary>
    public static long DeparturesBetween(this Timetable timetable, int fromSeconds, int toSeconds)
    {
        long count = 0;
        foreach (var d in timetable.Departures)
            if (d >= fromSeconds && d < toSeconds) count++;
        return count;
    }
}
