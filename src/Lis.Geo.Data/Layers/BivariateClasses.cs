using Lis.Geo.Data.Analyses;

namespace Lis.Geo.Data.Layers;

/// <summary>
/// The deprivation × accessibility classes of the overlay: IMD bands of the layer's edition (most deprived 20%,
/// middle 60%, least deprived 20%, or no IMD value) crossed with whether a zone meets the run's
/// target (at least minCentres centres within the threshold). One definition feeds both the SQL
/// that classifies zones and the legend served with them.
/// </summary>
public static class BivariateClasses
{
    public sealed record Band(string Key, string Label, string Sql);
    public sealed record Entry(string Class, string Deprivation, string Access, string Label, string Colour);

    public static readonly IReadOnlyList<Band> DeprivationBands =
    [
        new("most-deprived-20", "Most deprived 20% (IMD deciles 1–2)", Indicators.MostDeprived20("d")),
        new("middle-60", "Middle 60% (deciles 3–8)", "d.imd_decile BETWEEN 3 AND 8"),
        new("least-deprived-20", "Least deprived 20% (deciles 9–10)", "d.imd_decile >= 9"),
        new("no-imd", "No IMD value in the edition", "d.imd_decile IS NULL"),
    ];

    /// <summary>
    /// Colours from a diverging scheme: red where deprivation and poor access coincide. They stay here, by the
    /// band keys the SQL emits, rather than with the report styling in Analysis: Data may not reference Analysis
    /// nor Analysis Data, so a legend there would need its own copy of the keys. The corridor map takes them from
    /// <see cref="Legend"/> (through Jobs) and styles everything else itself.
    /// </summary>
    private static readonly Dictionary<(string, bool), string> Colours = new()
    {
        [("most-deprived-20", false)] = "#b2182b", [("most-deprived-20", true)] = "#ef8a62",
        [("middle-60", false)] = "#fddbc7", [("middle-60", true)] = "#d1e5f0",
        [("least-deprived-20", false)] = "#67a9cf", [("least-deprived-20", true)] = "#2166ac",
        [("no-imd", false)] = "#bdbdbd", [("no-imd", true)] = "#878787",
    };

    public static string DeprivationSql =>
        "CASE " + string.Join(" ", DeprivationBands.Select(b => $"WHEN {b.Sql} THEN '{b.Key}'")) + " END";

    public static string AccessSql(int minCentres) => $"CASE WHEN {Indicators.MeetsTarget("r", minCentres)} THEN 'meets-target' ELSE 'below-target' END";

    public static string ClassSql(int minCentres) => $"({DeprivationSql}) || '/' || ({AccessSql(minCentres)})";

    public static IReadOnlyList<Entry> Legend(int minCentres, int thresholdMinutes) =>
        DeprivationBands.SelectMany(b => new[] { false, true }.Select(meets => new Entry(
            $"{b.Key}/{(meets ? "meets-target" : "below-target")}", b.Key, meets ? "meets-target" : "below-target",
            $"{b.Label}; {(meets ? $"{minCentres} or more" : $"fewer than {minCentres}")} centres within {thresholdMinutes} min",
            Colours[(b.Key, meets)]))).ToList();
}
