namespace Lis.Geo.Transit.Timetables;

public static partial class TimetableCompiler
{
    /// <summary>
    /// Replaces every trip named in frequencies.txt by the trips its headways define. The trip's
    /// stop_times are a template: each stop keeps its offset from the first stop's departure, and the
    /// copies leave the first stop at <c>start_time</c>, <c>start_time + headway_secs</c>, … while
    /// before <c>end_time</c> (GTFS: end_time is after the last start, exclusive).
    /// <para>
    /// <c>exact_times = 1</c> is exactly that schedule. <c>exact_times = 0</c> (frequency-based
    /// service, the vehicle comes "about every headway") is compiled to the same scheduled departures
    /// from start_time: an approximation of R5, which instead draws a random offset within the
    /// headway for each Monte Carlo schedule. Times from a single fixed phase can differ from R5's
    /// averages by up to one headway of waiting per boarding.
    /// </para>
    /// </summary>
    private static TripList ExpandFrequencies(GtfsSource source, TripList trips, TripTable table, FeedIssueLog issues)
    {
        using var freq = source.OpenTable(GtfsFiles.Frequencies);
        if (freq is null || !freq.RequireColumns(issues, "trip_id", "start_time", "end_time", "headway_secs")) return trips;
        int tripCol = freq.Column("trip_id"), startCol = freq.Column("start_time"), endCol = freq.Column("end_time"),
            headwayCol = freq.Column("headway_secs"), exactCol = freq.Column("exact_times");
        // Active trip number → its headway periods (start, end, headway), in file order.
        var periods = new Dictionary<int, List<(int Start, int End, int Headway)>>();
        var row = freq.Row;
        while (freq.ReadRow())
        {
            var tripId = row[tripCol].ToString();
            if (!table.Index.TryGetValue(tripId, out var trip))
            {
                issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.UnknownTrip, GtfsFiles.Frequencies, row.Line, $"trip_id '{tripId}' is not in trips.txt; row skipped."));
                continue;
            }
            if (!GtfsValues.TryParseTime(row[startCol], out var start) || !GtfsValues.TryParseTime(row[endCol], out var end) ||
                !GtfsValues.TryParseInt(row[headwayCol], out var headway) || headway <= 0 || end <= start ||
                !(exactCol < 0 || row[exactCol].IsEmpty || row[exactCol] is "0" or "1"))
            {
                issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.BadValue, GtfsFiles.Frequencies, row.Line,
                    $"trip '{tripId}': start_time '{row[startCol]}', end_time '{row[endCol]}', headway_secs '{row[headwayCol]}' or exact_times is invalid (times HH:MM:SS with end after start, headway a positive integer, exact_times 0 or 1); row skipped."));
                continue;
            }
            if (trip < 0) continue; // the trip does not run on the date
            if (!periods.TryGetValue(trip, out var list)) periods[trip] = list = [];
            list.Add((start, end, headway));
        }
        if (periods.Count == 0) return trips;

        var expanded = new TripList();
        for (var t = 0; t < trips.Count; t++)
        {
            if (!periods.TryGetValue(trips.Source[t], out var list))
            {
                expanded.AddCopy(trips, t, 0);
                continue;
            }
            var templateStart = trips.Departure[trips.Start[t]];
            foreach (var (start, end, headway) in list)
                for (var departure = start; departure < end; departure += headway)
                    expanded.AddCopy(trips, t, departure - templateStart);
        }
        return expanded;
    }
}
