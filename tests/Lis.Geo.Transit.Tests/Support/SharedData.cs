using Lis.Geo.Testing;

namespace Lis.Geo.Transit.Tests.Support;

/// <summary>
/// The engine tests' files in the shared data folder and the repository, found through
/// <see cref="RepoPaths"/> (so <c>LISGEO_SHARED</c> names the same folder, <c>../shared/data</c>, for every test
/// project). Tests using them carry [Trait("Category","SharedData")] and fail when they are missing.
/// </summary>
internal static class SharedData
{
    public static string NycGtfsZip => Path.Combine(RepoPaths.SharedData, "gtfs", "nyc_mta_weekday", "gtfs.zip");

    /// <summary>The real West Midlands Trains Stourbridge Shuttle timetable: the TransXChange file as found and its GTFS conversion (rail/PROVENANCE.md).</summary>
    public static string RailTxc => Path.Combine(RepoPaths.SharedData, "rail", "stourbridge_shuttle_gtfs", "nrc_90-72-_-r08-1.xml");

    public static string RailGtfsZip => Path.Combine(RepoPaths.SharedData, "rail", "stourbridge_shuttle_gtfs", "gtfs.zip");

    /// <summary>The repository's synthetic sample feed (geodata/gtfs, a folder).</summary>
    public static string SampleGtfsFolder => Path.Combine(RepoPaths.GeoData, "gtfs");

    /// <summary>The feed's only service date (PROVENANCE.md).</summary>
    public static readonly DateOnly NycServiceDate = new(2026, 10, 21);

    public static string Require(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"Shared test data missing: {path} (set {RepoPaths.SharedDataVariable} to the shared data folder).", path);
}
