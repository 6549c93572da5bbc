namespace Lis.Geo.Data.Importing;

/// <summary>
/// One feature or CSV record, format-neutral: its row number in the file, its attributes by
/// (case-insensitive) name, and its geometry when the source carries one. A geometry that could
/// not be parsed leaves <see cref="Geometry"/> null and explains why in <see cref="GeometryError"/>.
/// </summary>
public sealed record SourceRow(int Row, IReadOnlyDictionary<string, string?> Fields, Geometry? Geometry, string? GeometryError)
{
    /// <summary>The first non-blank value among <paramref name="names"/> (aliases of one field).</summary>
    public string? Get(IEnumerable<string> names)
    {
        foreach (var n in names)
            if (Fields.TryGetValue(n, out var v) && !string.IsNullOrWhiteSpace(v))
                return v.Trim();
        return null;
    }

    public string? Get(params string[] names) => Get((IEnumerable<string>)names);
}
