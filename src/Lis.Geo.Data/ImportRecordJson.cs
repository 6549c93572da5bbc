using System.Text.Json;

namespace Lis.Geo.Data;

/// <summary>The JSON form of an import record's options and issues, shared by EF and the bulk importer.</summary>
internal static class ImportRecordJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
