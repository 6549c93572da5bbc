namespace Lis.Geo.Transit.Gtfs;

/// <summary>A stop as published in stops.txt, for maps of the network.</summary>
public readonly record struct FeedStop(string StopId, string Name, double Lat, double Lon, int LocationType);

/// <summary>
/// What a feed holds, read in one streaming pass and without compiling: its calendar's validity,
/// the row count of each table, and its stops. Used when a feed is stored, before any service
/// date is chosen.
/// </summary>
public sealed record FeedSummary(DateOnly? ValidFrom, DateOnly? ValidTo, IReadOnlyDictionary<string, long> RowCounts, IReadOnlyList<FeedStop> Stops)
{
    private static readonly string[] Tables = [GtfsFiles.Agency, GtfsFiles.Routes, GtfsFiles.Trips, GtfsFiles.StopTimes, GtfsFiles.Calendar, GtfsFiles.CalendarDates, GtfsFiles.Transfers, GtfsFiles.Shapes];

    public static FeedSummary Read(GtfsSource source)
    {
        DateOnly? from = null, to = null;
        void Widen(DateOnly d)
        {
            if (from is null || d < from) from = d;
            if (to is null || d > to) to = d;
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var name in Tables)
        {
            using var table = source.OpenTable(name);
            if (table is null) continue;
            int start = table.Column("start_date"), end = table.Column("end_date"), date = table.Column("date"), exception = table.Column("exception_type");
            long rows = 0;
            while (table.ReadRow())
            {
                rows++;
                if (name == GtfsFiles.Calendar && start >= 0 && end >= 0
                    && GtfsValues.TryParseDate(table.Row[start], out var s) && GtfsValues.TryParseDate(table.Row[end], out var e))
                {
                    Widen(s);
                    Widen(e);
                }
                // Only added service days widen the range; a removal cannot add a day of service.
                else if (name == GtfsFiles.CalendarDates && date >= 0 && exception >= 0 && table.Row[exception].SequenceEqual("1")
                         && GtfsValues.TryParseDate(table.Row[date], out var d))
                    Widen(d);
            }
            counts[name] = rows;
        }

        var stops = new List<FeedStop>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using (var table = source.OpenTable(GtfsFiles.Stops))
        {
            if (table is not null)
            {
                int id = table.Column("stop_id"), name = table.Column("stop_name"), lat = table.Column("stop_lat"), lon = table.Column("stop_lon"), type = table.Column("location_type");
                while (table.ReadRow())
                {
                    if (id < 0 || lat < 0 || lon < 0 || !GtfsValues.TryParseDouble(table.Row[lat], out var la) || !GtfsValues.TryParseDouble(table.Row[lon], out var lo))
                        continue; // the compiler reports bad stops; a summary only lists the usable ones
                    // A repeated stop_id (the compiler reports it) keeps its first row, as routing does; NUL cannot be stored.
                    if (!seen.Add(table.Row[id].ToString()) || table.Row[id].Contains('\0') || (name >= 0 && table.Row[name].Contains('\0')))
                        continue;
                    stops.Add(new FeedStop(table.Row[id].ToString(), name >= 0 ? table.Row[name].ToString() : "", la, lo,
                        type >= 0 && GtfsValues.TryParseInt(table.Row[type], out var t) ? t : 0));
                }
            }
            counts[GtfsFiles.Stops] = stops.Count;
        }
        return new FeedSummary(from, to, counts, stops);
    }
}
