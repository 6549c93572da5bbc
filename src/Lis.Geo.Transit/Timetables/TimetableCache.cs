using System.Globalization;

namespace Lis.Geo.Transit.Timetables;

/// <summary>
/// Compiled timetables on disk, one file per (feed hash, service date), so a feed is parsed once
/// and every later run loads it in well under a second.
/// </summary>
public sealed class TimetableCache(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>A per-user default: $XDG_CACHE_HOME/lisgeo, else ~/.cache/lisgeo.</summary>
    public static string DefaultDirectory
    {
        get
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var root = string.IsNullOrEmpty(xdg)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
                : xdg;
            return Path.Combine(root, "lisgeo");
        }
    }

    /// <summary>Loads the compiled timetable for the feed and date, compiling and saving it first when absent.</summary>
    /// <param name="progress">Receives a line per step (hashing, loading or compiling), for a command's stderr.</param>
    /// <param name="feedHash">
    /// The feed's <see cref="GtfsSource.ComputeHash"/> when the caller already knows it (a stored feed
    /// whose bytes were checked against it); null to hash the feed here.
    /// </param>
    public Timetable LoadOrCompile(string gtfsPath, DateOnly serviceDate, IProgress<string>? progress = null, string? feedHash = null)
    {
        var source = GtfsSource.Open(gtfsPath);
        var hash = feedHash ?? source.ComputeHash();
        var file = Path.Combine(Directory, $"{hash[..16]}-{serviceDate.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}-v{TimetableFile.FormatVersion}.lgtt");
        return TimetableFile.LoadOrBuild(file, loaded => loaded.FeedHash == hash && loaded.ServiceDate == serviceDate, () =>
        {
            progress?.Report($"compiling {gtfsPath} for {serviceDate:yyyy-MM-dd}");
            return TimetableCompiler.Compile(source, serviceDate, hash);
        }, "compiled", progress);
    }
}
