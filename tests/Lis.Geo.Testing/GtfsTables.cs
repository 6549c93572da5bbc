using System.IO.Compression;
using System.Text;

namespace Lis.Geo.Testing;

/// <summary>
/// GTFS feeds for tests, written from inline text tables into a folder or a zip: the one feed
/// builder of every test project (engine scenarios, analysis tests, API uploads), so a feed in a
/// test reads as the tables a planner would see.
/// </summary>
public static class GtfsTables
{
    /// <summary>Wednesday 21 October 2026: <see cref="WeekdayCalendar"/>'s service "WK" runs.</summary>
    public static readonly DateOnly ServiceDate = new(2026, 10, 21);

    /// <summary>calendar.txt with one service, "WK", Monday to Friday through 2026.</summary>
    public const string WeekdayCalendar = """
        service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date
        WK,1,1,1,1,1,0,0,20260101,20261231
        """;

    /// <summary>trips.txt listing every trip_id of a stop_times text (trip_id first) on route R, service WK.</summary>
    public static string TripsOf(string stopTimes)
    {
        var ids = stopTimes.Split('\n').Skip(1).Select(l => l.Split(',')[0].Trim()).Where(id => id.Length > 0).Distinct();
        return "route_id,service_id,trip_id\n" + string.Concat(ids.Select(id => $"R,WK,{id}\n"));
    }

    /// <summary>The tables of a weekday feed: the stops, <see cref="WeekdayCalendar"/>, the trips (default <see cref="TripsOf"/>) and the stop times.</summary>
    public static Dictionary<string, string> Weekday(string stops, string stopTimes, string? trips = null) => new()
    {
        ["stops.txt"] = stops,
        ["calendar.txt"] = WeekdayCalendar,
        ["trips.txt"] = trips ?? TripsOf(stopTimes),
        ["stop_times.txt"] = stopTimes,
    };

    /// <summary>Writes the tables into a new temporary folder and returns its path (the caller deletes it).</summary>
    public static string WriteFolder(IEnumerable<KeyValuePair<string, string>> tables)
    {
        var folder = Path.Combine(Path.GetTempPath(), "lisgeo-gtfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        foreach (var (file, text) in tables) File.WriteAllText(Path.Combine(folder, file), text, new UTF8Encoding(false));
        return folder;
    }

    /// <summary>The tables as the bytes of a zip, as a feed is uploaded.</summary>
    public static byte[] Zip(IEnumerable<KeyValuePair<string, string>> tables)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (file, text) in tables)
            {
                using var writer = new StreamWriter(zip.CreateEntry(file).Open(), new UTF8Encoding(false));
                writer.Write(text);
            }
        }
        return ms.ToArray();
    }
}
