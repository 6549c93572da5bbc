namespace Lis.Geo.Transit.Tests.Support;

/// <summary>
/// Locates /work/shared data: $LISGEO_SHARED when set, else ../shared next to the folder holding
/// Lis.Geo.sln. Tests using it carry [Trait("Category","SharedData")] and fail when it is missing.
/// </summary>
internal static class SharedData
{
    public static string NycGtfsZip => Path.Combine(Root, "data", "gtfs", "nyc_mta_weekday", "gtfs.zip");

    /// <summary>The real West Midlands Trains Stourbridge Shuttle timetable: the TransXChange file as found and its GTFS conversion (rail/PROVENANCE.md).</summary>
    public static string RailTxc => Path.Combine(Root, "data", "rail", "stourbridge_shuttle_gtfs", "nrc_90-72-_-r08-1.xml");

    public static string RailGtfsZip => Path.Combine(Root, "data", "rail", "stourbridge_shuttle_gtfs", "gtfs.zip");

    /// <summary>The repository's synthetic sample feed (geodata/gtfs, a folder).</summary>
    public static string SampleGtfsFolder => Path.Combine(RepositoryRoot, "geodata", "gtfs");

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Lis.Geo.sln"))) return dir.FullName;
            throw new DirectoryNotFoundException("Lis.Geo.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The feed's only service date (PROVENANCE.md).</summary>
    public static readonly DateOnly NycServiceDate = new(2026, 10, 21);

    public static string Root
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("LISGEO_SHARED");
            if (!string.IsNullOrEmpty(env)) return env;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Lis.Geo.sln")))
                    return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
            }
            throw new DirectoryNotFoundException("Lis.Geo.sln not found above " + AppContext.BaseDirectory + "; set LISGEO_SHARED.");
        }
    }

    public static string Require(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"Shared test data missing: {path} (set LISGEO_SHARED to the shared folder).", path);
}
