using Lis.Geo.Data;
using Lis.Geo.Data.Importing;
using Lis.Geo.Data.Model;

namespace Lis.Geo.Cli.Commands;

/// <summary><c>lisgeo import</c>: loads GeoJSON/CSV files into the store, one transaction per file.</summary>
public sealed class ImportCommand : ICliCommand
{
    public string Name => "import";
    public string Summary => "Import GeoJSON/CSV boundaries, IMD, centres, corridors and sites (or a whole region manifest).";
    public string Help => $"""
        usage: lisgeo import DATASET FILE [options]
               lisgeo import region MANIFEST.json      (every file a manifest lists, in order)
               lisgeo import sample                    (the sample region in geodata/)
               lisgeo import gtfs FEED.zip [--name N] [--check-date YYYY-MM-DD]
                                                       (a GTFS timetable, stored for analyses; a TransXChange
                                                        .xml or zip of them is recognised by content and stored too)

        Datasets:
        {string.Join("\n", Datasets.All.Select(d => $"  {d.Name,-17} {d.Description}"))}

        Options:
          --zone-set ID       zone set for 'zones', 'centroids' and 'population' (e.g. lsoa11, lsoa21)
          --zone-set-name N   display name for a new zone set
          --srid N            CRS of CSV coordinates: 4326 (default, lon/lat) or 27700 (easting/northing)
          --code-field F      attribute holding the key, when not a usual name
          --name-field F      attribute holding the name, when not a usual name
          --edition E         imd: imd2019 or iod2025 (default: detected from the header)
          --column C          population: the column to import, any by name (default: population, usual_residents_2021, …)
          --approximate-centroids
                              centroids: the points are not ONS population-weighted centroids (a 'method'
                              column in the file marks them so too); the zone set and its runs say so
          --make-valid        repair invalid geometries (each repair is reported) instead of rejecting them
          --accept-partial    write the valid rows even if some are rejected (default: all or nothing)
          --name N            gtfs: the feed's display name (default: the file name)
          --check-date D      gtfs: the service day compiled for the issue report (default: the feed's first Wednesday)
          --json              print the import record as JSON
        {Connection.Help}

        An import is one transaction; re-importing the same file changes nothing. Every rejected
        row is listed with its reason. Exit code 0 = imported, 1 = rejected.
        """;
    public IReadOnlySet<string> Flags { get; } = new HashSet<string> { "make-valid", "accept-partial", "json", "approximate-centroids" };
    public IReadOnlySet<string> Options { get; } = new HashSet<string>
        { "zone-set", "zone-set-name", "srid", "code-field", "name-field", "make-valid", "accept-partial", "json", "connection", "name", "check-date", "edition", "column", "approximate-centroids" };

    public async Task<int> RunAsync(CliArgs args, TextWriter output, TextWriter progress, CancellationToken ct)
    {
        var connection = Connection.Resolve(args);
        await using var dataSource = LisGeoDb.CreateDataSource(connection);
        var importer = new Importer(dataSource);
        switch (args.Positionals)
        {
            case ["sample"]:
            {
                var geodata = FindGeoData();
                var status = await ImportRegion(importer, Path.Combine(geodata, "region.json"), output, progress, ct);
                return status != 0 ? status : await ImportSampleFeed(dataSource, Path.Combine(geodata, "gtfs"), output, progress, ct);
            }
            case ["region", var manifest]:
                return await ImportRegion(importer, manifest, output, progress, ct);
            case ["gtfs", var feedPath]:
                return await ImportFeed(dataSource, feedPath, args, output, progress, ct);
            case [var dataset, var path]:
                if (!File.Exists(path)) throw new CliUsageException($"file not found: {path}");
                var options = new ImportOptions
                {
                    ZoneSet = args.Get("zone-set"),
                    ZoneSetName = args.Get("zone-set-name"),
                    Srid = args.Get<int?>("srid", null, s => Crs.ParseSrid(s) ?? throw new FormatException("use 4326 or 27700")),
                    CodeField = args.Get("code-field"),
                    NameField = args.Get("name-field"),
                    MakeValid = args.Has("make-valid"),
                    AcceptPartial = args.Has("accept-partial"),
                    Edition = args.Get("edition"),
                    Column = args.Get("column"),
                    ApproximateCentroids = args.Has("approximate-centroids"),
                };
                ImportRecord record;
                try { record = await importer.ImportAsync(dataset, await SourceFile.ReadAsync(path, ct), options, ct); }
                catch (ImportRequestException e) { throw new CliUsageException(e.Message); }
                if (args.Has("json")) output.WriteLine(JsonSerializer.Serialize(record, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
                else Print(record, output);
                return record.Status == "succeeded" ? 0 : 1;
            default:
                throw new CliUsageException("expected DATASET FILE, 'region MANIFEST' or 'sample'.");
        }
    }

    private static async Task<int> ImportRegion(Importer importer, string manifestPath, TextWriter output, TextWriter progress, CancellationToken ct)
    {
        if (!File.Exists(manifestPath)) throw new CliUsageException($"manifest not found: {manifestPath}");
        var manifest = RegionManifest.Load(manifestPath);
        progress.WriteLine($"Importing {manifest.Name} ({manifest.Imports.Count} files)…");
        var records = await manifest.ImportAsync(importer, Path.GetDirectoryName(Path.GetFullPath(manifestPath))!, new Progress<string>(progress.WriteLine), ct);
        foreach (var r in records.Where(r => r.Status != "succeeded"))
            Print(r, output);
        var ok = records.Count == manifest.Imports.Count && records.All(r => r.Status == "succeeded");
        output.WriteLine(ok ? $"{manifest.Name}: all {records.Count} files imported." : $"{manifest.Name}: stopped at a rejected file (see above).");
        return ok ? 0 : 1;
    }

    private static async Task<int> ImportFeed(Npgsql.NpgsqlDataSource db, string path, CliArgs args, TextWriter output, TextWriter progress, CancellationToken ct)
    {
        if (!File.Exists(path)) throw new CliUsageException($"file not found: {path}");
        var checkDate = args.Get<DateOnly?>("check-date", null, s => DateOnly.ParseExact(s, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        progress.WriteLine($"Reading and compiling {path}…");
        try
        {
            // Read from where it lies, as the API reads its uploads: hashed in one pass, bytes streamed to the store.
            var file = await Lis.Geo.Data.Feeds.FeedFile.FromPathAsync(path, ct);
            var (feed, created) = await new Lis.Geo.Data.Feeds.FeedStore(db).ImportAsync(args.Get("name") ?? Path.GetFileNameWithoutExtension(path), file, checkDate, ct);
            output.WriteLine($"feed #{feed.Id} {feed.Name} (sha256 {feed.Sha256[..12]}…): {(created ? "stored" : "already stored")}");
            output.WriteLine($"  valid {feed.ValidFrom:yyyy-MM-dd} to {feed.ValidTo:yyyy-MM-dd}; {string.Join(", ", feed.RowCounts.Select(kv => $"{kv.Key} {kv.Value:N0}"))}");
            output.WriteLine($"  {feed.IssueCount} issue(s) when compiled for {feed.CheckedDate:yyyy-MM-dd} and drawing its routes");
            foreach (var i in feed.Issues.Take(20))
                output.WriteLine($"  {i.Severity}: {i.File}:{i.Line}: {i.Message} [{i.Code}]");
            return 0;
        }
        catch (Lis.Geo.Data.Feeds.FeedRejectedException e)
        {
            output.WriteLine($"rejected: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// The sample region's timetable (geodata/gtfs) zipped as a planner would upload it, so that after
    /// <c>import sample</c> an analysis can be started at once. Entries are written in name order with a
    /// fixed timestamp, so the same folder gives the same bytes and a re-import finds the stored feed.
    /// </summary>
    private static async Task<int> ImportSampleFeed(Npgsql.NpgsqlDataSource db, string folder, TextWriter output, TextWriter progress, CancellationToken ct)
    {
        var zipPath = Path.Combine(Path.GetTempPath(), $"lisgeo-sample-gtfs-{Guid.NewGuid():N}.zip");
        try
        {
            using (var zip = System.IO.Compression.ZipFile.Open(zipPath, System.IO.Compression.ZipArchiveMode.Create))
                foreach (var file in Directory.EnumerateFiles(folder, "*.txt").Order(StringComparer.Ordinal))
                {
                    var entry = zip.CreateEntry(Path.GetFileName(file));
                    entry.LastWriteTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
                    await using var to = await entry.OpenAsync(ct);
                    await using var from = File.OpenRead(file);
                    await from.CopyToAsync(to, ct);
                }
            progress.WriteLine("Storing the sample timetable (geodata/gtfs)…");
            var sample = await Lis.Geo.Data.Feeds.FeedFile.FromPathAsync(zipPath, ct);
            var (feed, created) = await new Lis.Geo.Data.Feeds.FeedStore(db).ImportAsync("sample-gtfs", sample with { FileName = "sample-gtfs.zip" }, null, ct);
            output.WriteLine($"feed #{feed.Id} {feed.Name}: {(created ? "stored" : "already stored")}, valid {feed.ValidFrom:yyyy-MM-dd} to {feed.ValidTo:yyyy-MM-dd}; analyses default to {feed.CheckedDate:yyyy-MM-dd}");
            return 0;
        }
        finally
        {
            File.Delete(zipPath);
        }
    }

    private static void Print(ImportRecord r, TextWriter output)
    {
        output.WriteLine($"import #{r.Id} {r.Dataset} from {r.Source} (sha256 {r.FileSha256[..12]}…): {r.Status}");
        output.WriteLine($"  rows read {r.RowsRead}, written {r.RowsWritten}, rejected {r.RowsRejected}");
        if (r.Options.TryGetValue("zonesMatched", out var matched)) output.WriteLine($"  zones matched per zone set: {matched}");
        foreach (var i in r.Issues.Take(50))
            output.WriteLine($"  {i.Severity}: {(i.Row is null ? "" : $"row {i.Row}: ")}{(i.Field is null ? "" : $"{i.Field}: ")}{i.Message} [{i.Code}]");
        if (r.Issues.Count > 50) output.WriteLine($"  … {r.Issues.Count - 50} more (use --json for all)");
    }

    /// <summary>geodata/ next to the repository root, found from the working directory or the executable.</summary>
    private static string FindGeoData()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "geodata", "region.json")))
                    return Path.Combine(d.FullName, "geodata");
        throw new CliUsageException("geodata/region.json not found; run from the repository or use 'import region PATH'.");
    }
}
