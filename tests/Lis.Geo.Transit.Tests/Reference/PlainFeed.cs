using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Lis.Geo.Transit.Tests.Reference;

/// <summary>
/// A deliberately plain GTFS loader for the reference router: whole lines, a small quote-aware
/// split, strings everywhere. It shares no code with the engine's reader and compiler.
/// </summary>
internal sealed class PlainFeed
{
    public List<string> StopIds { get; } = [];
    public List<double> Lat { get; } = [];
    public List<double> Lon { get; } = [];
    public Dictionary<string, int> StopIndex { get; } = [];

    /// <summary>Active trips: for each, its stop times in stop_sequence order.</summary>
    public List<List<PlainStopTime>> Trips { get; } = [];

    public static PlainFeed LoadZip(string zipPath, DateOnly date)
    {
        using var zip = ZipFile.OpenRead(zipPath);
        return Load(name => zip.GetEntry(name)?.Open(), date);
    }

    /// <summary>A feed unpacked in a folder (the synthetic property-test feeds).</summary>
    public static PlainFeed LoadFolder(string folder, DateOnly date) =>
        Load(name => File.Exists(Path.Combine(folder, name)) ? File.OpenRead(Path.Combine(folder, name)) : null, date);

    /// <summary>Reads the tables through <paramref name="open"/> (null when the table is absent).</summary>
    private static PlainFeed Load(Func<string, Stream?> open, DateOnly date)
    {
        List<Dictionary<string, string>> Table(string name)
        {
            using var stream = open(name);
            if (stream is null) return [];
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return ReadTable(reader);
        }

        var feed = new PlainFeed();
        foreach (var row in Table("stops.txt"))
        {
            if (!double.TryParse(row.GetValueOrDefault("stop_lat"), CultureInfo.InvariantCulture, out var lat)) continue;
            feed.StopIndex[row["stop_id"]] = feed.StopIds.Count;
            feed.StopIds.Add(row["stop_id"]);
            feed.Lat.Add(lat);
            feed.Lon.Add(double.Parse(row["stop_lon"], CultureInfo.InvariantCulture));
        }

        var active = new HashSet<string>();
        var day = date.DayOfWeek.ToString().ToLowerInvariant();
        var ymd = date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        foreach (var row in Table("calendar.txt"))
        {
            if (row[day] == "1" && string.CompareOrdinal(row["start_date"], ymd) <= 0 && string.CompareOrdinal(ymd, row["end_date"]) <= 0)
                active.Add(row["service_id"]);
        }
        foreach (var row in Table("calendar_dates.txt"))
        {
            if (row["date"] != ymd) continue;
            if (row["exception_type"] == "1") active.Add(row["service_id"]);
            else active.Remove(row["service_id"]);
        }

        var tripIndex = new Dictionary<string, int>();
        foreach (var row in Table("trips.txt"))
        {
            if (!active.Contains(row["service_id"])) continue;
            tripIndex[row["trip_id"]] = feed.Trips.Count;
            feed.Trips.Add([]);
        }

        using (var reader = new StreamReader(open("stop_times.txt")!, Encoding.UTF8))
        {
            var header = Split(reader.ReadLine()!);
            int trip = header.IndexOf("trip_id"), stop = header.IndexOf("stop_id"), seq = header.IndexOf("stop_sequence"),
                arr = header.IndexOf("arrival_time"), dep = header.IndexOf("departure_time"),
                pickup = header.IndexOf("pickup_type"), dropOff = header.IndexOf("drop_off_type");
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                var f = Split(line);
                if (!tripIndex.TryGetValue(f[trip], out var t)) continue;
                feed.Trips[t].Add(new PlainStopTime(
                    int.Parse(f[seq], CultureInfo.InvariantCulture), feed.StopIndex[f[stop]],
                    Seconds(f[arr]), Seconds(f[dep]),
                    CanBoard: pickup < 0 || f[pickup] != "1", CanAlight: dropOff < 0 || f[dropOff] != "1"));
            }
        }
        foreach (var t in feed.Trips) t.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        return feed;
    }

    private static int Seconds(string hms)
    {
        var parts = hms.Split(':');
        return int.Parse(parts[0], CultureInfo.InvariantCulture) * 3600 + int.Parse(parts[1], CultureInfo.InvariantCulture) * 60 + int.Parse(parts[2], CultureInfo.InvariantCulture);
    }

    private static List<Dictionary<string, string>> ReadTable(StreamReader reader)
    {
        var rows = new List<Dictionary<string, string>>();
        var header = Split(reader.ReadLine()!.TrimStart('\uFEFF'));
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            // A quoted field may hold a line break: keep reading until the quotes balance.
            while (line.Count(c => c == '"') % 2 == 1) line += "\n" + reader.ReadLine();
            var fields = Split(line);
            var row = new Dictionary<string, string>();
            for (var i = 0; i < header.Count; i++) row[header[i]] = i < fields.Count ? fields[i].Trim() : "";
            rows.Add(row);
        }
        return rows;
    }

    private static List<string> Split(string line)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
            else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        fields.Add(current.ToString());
        return fields;
    }
}

internal readonly record struct PlainStopTime(int Sequence, int Stop, int Arrival, int Departure, bool CanBoard, bool CanAlight);
