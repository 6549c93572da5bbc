using System.IO.Compression;
using Lis.Geo.Testing;

namespace Lis.Geo.Api.Tests.Features.Analyses;

/// <summary>The sample region's synthetic GTFS (geodata/gtfs) as the zip a planner would upload.</summary>
public static class SampleFeed
{
    /// <summary>A Wednesday inside the sample feed's calendar.</summary>
    public static readonly DateOnly ServiceDate = new(2026, 11, 25);

    public static byte[] Zip()
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoPaths.GeoData, "gtfs"), "*.txt").Order(StringComparer.Ordinal))
                zip.CreateEntryFromFile(file, Path.GetFileName(file));
        return ms.ToArray();
    }
}
