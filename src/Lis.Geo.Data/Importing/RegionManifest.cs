using System.Text.Json;

namespace Lis.Geo.Data.Importing;

/// <summary>
/// A list of files to import in order (boundaries before the tables that refer to them), as in
/// <c>geodata/region.json</c>. Paths are relative to the manifest's folder.
/// </summary>
public sealed record RegionManifest(string Name, IReadOnlyList<RegionManifest.Entry> Imports)
{
    public sealed record Entry(string Dataset, string File, ImportOptions? Options);

    public static RegionManifest Load(string path)
    {
        var manifest = JsonSerializer.Deserialize<RegionManifest>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web))
            ?? throw new InvalidDataException($"{path} is empty.");
        return manifest;
    }

    /// <summary>Imports every entry; stops at the first rejected one so later tables are not loaded against missing data.</summary>
    public async Task<IReadOnlyList<ImportRecord>> ImportAsync(Importer importer, string baseDirectory, IProgress<string>? progress, CancellationToken ct)
    {
        var records = new List<ImportRecord>();
        foreach (var e in Imports)
        {
            var file = await SourceFile.ReadAsync(Path.Combine(baseDirectory, e.File), ct);
            var record = await importer.ImportAsync(e.Dataset, file, e.Options ?? new ImportOptions(), ct);
            records.Add(record);
            progress?.Report($"{e.Dataset,-16} {e.File}: {record.Status}, {record.RowsWritten} of {record.RowsRead} rows");
            if (record.Status != "succeeded") break;
        }
        return records;
    }
}
