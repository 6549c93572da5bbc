using System.Runtime.InteropServices;
using System.Text;

namespace Lis.Geo.Transit.Timetables;

/// <summary>
/// The binary form of a <see cref="Timetable"/>: a header (magic, format version, feed hash, date),
/// then each array as a length and its raw little-endian bytes, so loading is a few bulk reads.
/// </summary>
public static class TimetableFile
{
    private const int Magic = 0x5454474C; // "LGTT"

    /// <summary>Bumped whenever the layout or the compilation rules change, so old files are recompiled.</summary>
    public const int FormatVersion = 5; // 5: the exact issue count is stored before the kept issues

    public static void Save(Timetable timetable, string path)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var w = new BinaryWriter(stream, Encoding.UTF8);
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Write(timetable.FeedHash);
        w.Write(timetable.ServiceDate.DayNumber);
        w.Write(timetable.StopIds.Length);
        foreach (var id in timetable.StopIds) w.Write(id);
        WriteArray(w, timetable.StopLat);
        WriteArray(w, timetable.StopLon);
        WriteArray(w, timetable.PatternStopStart);
        WriteArray(w, timetable.PatternStops);
        WriteArray(w, timetable.PatternStopRules);
        WriteArray(w, timetable.PatternTripStart);
        WriteArray(w, timetable.PatternTimesStart);
        WriteArray(w, timetable.Arrivals);
        WriteArray(w, timetable.Departures);
        w.Write(timetable.ScenarioHash ?? "");
        w.Write(timetable.Routes.Count);
        for (var r = 0; r < timetable.Routes.Count; r++)
        {
            w.Write(timetable.Routes.Ids[r]);
            w.Write(timetable.Routes.AgencyIds[r]);
        }
        WriteArray(w, timetable.Routes.Types);
        WriteArray(w, timetable.TripRoutes);
        w.Write(timetable.IssueCount);
        w.Write(timetable.Issues.Count);
        foreach (var issue in timetable.Issues)
        {
            w.Write((int)issue.Severity);
            w.Write(issue.Code);
            w.Write(issue.File);
            w.Write(issue.Line);
            w.Write(issue.Message);
        }
    }

    /// <summary>
    /// The timetable saved at <paramref name="path"/> when it loads and <paramref name="isWanted"/> says it is the
    /// one asked for (its hashes and date); otherwise <paramref name="build"/>'s, saved there for next time.
    /// <paramref name="progress"/> hears "loaded …" or "saved <paramref name="kind"/> timetable …".
    /// </summary>
    internal static Timetable LoadOrBuild(string path, Func<Timetable, bool> isWanted, Func<Timetable> build, string kind, IProgress<string>? progress)
    {
        if (File.Exists(path) && Load(path) is { } loaded && isWanted(loaded))
        {
            progress?.Report($"loaded {kind} timetable {path}");
            return loaded;
        }
        var timetable = build();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Written under a temporary name and moved, so a concurrent reader never sees half a file.
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        Save(timetable, temp);
        File.Move(temp, path, overwrite: true);
        progress?.Report($"saved {kind} timetable {path}");
        return timetable;
    }

    /// <summary>Loads a saved timetable, or returns null when the file is not one this version wrote or is damaged.</summary>
    public static Timetable? Load(string path)
    {
        try
        {
            return Read(path);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or OverflowException or OutOfMemoryException or ArgumentException)
        {
            return null;
        }
    }

    private static Timetable? Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var r = new BinaryReader(stream, Encoding.UTF8);
        if (stream.Length < 8 || r.ReadInt32() != Magic || r.ReadInt32() != FormatVersion) return null;
        var hash = r.ReadString();
        var date = DateOnly.FromDayNumber(r.ReadInt32());
        var stopIds = new string[r.ReadInt32()];
        for (var i = 0; i < stopIds.Length; i++) stopIds[i] = r.ReadString();
        var lat = ReadArray<double>(r);
        var lon = ReadArray<double>(r);
        var patternStopStart = ReadArray<int>(r);
        var patternStops = ReadArray<int>(r);
        var rules = ReadArray<byte>(r);
        var patternTripStart = ReadArray<int>(r);
        var patternTimesStart = ReadArray<int>(r);
        var arrivals = ReadArray<int>(r);
        var departures = ReadArray<int>(r);
        var scenarioHash = r.ReadString();
        var routeIds = new string[r.ReadInt32()];
        var agencyIds = new string[routeIds.Length];
        for (var i = 0; i < routeIds.Length; i++)
        {
            routeIds[i] = r.ReadString();
            agencyIds[i] = r.ReadString();
        }
        var routeTypes = ReadArray<int>(r);
        var tripRoutes = ReadArray<int>(r);
        var issueCount = r.ReadInt32();
        var issues = new FeedIssue[r.ReadInt32()];
        for (var i = 0; i < issues.Length; i++)
            issues[i] = new FeedIssue((IssueSeverity)r.ReadInt32(), r.ReadString(), r.ReadString(), r.ReadInt64(), r.ReadString());
        return new Timetable(hash, date, stopIds, lat, lon, patternStopStart, patternStops, rules,
            patternTripStart, patternTimesStart, arrivals, departures, FeedIssueLog.From(issues, issueCount),
            new RouteTable(routeIds, agencyIds, routeTypes), tripRoutes, scenarioHash.Length == 0 ? null : scenarioHash);
    }

    private static void WriteArray<T>(BinaryWriter w, T[] values) where T : unmanaged
    {
        w.Write(values.Length);
        w.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static T[] ReadArray<T>(BinaryReader r) where T : unmanaged
    {
        var values = new T[r.ReadInt32()];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }
}
