using System.Globalization;
using System.Net;
using System.Text;

namespace Lis.Geo.Analysis.Reports;

/// <summary>
/// The one-page corridor summary a policy officer attaches to a paper: key figures, the map, and the
/// tables behind them, as one self-contained HTML file (map inline, no scripts, no external assets)
/// with A4 print styles, so "Print → Save as PDF" gives the PDF.
/// </summary>
public static class CorridorReport
{
    /// <summary>Invariant: the hosts run in globalization-invariant mode; its N0 and month names match en-GB.</summary>
    private static readonly CultureInfo En = CultureInfo.InvariantCulture;

    public static string Render(CorridorFigures f, string mapSvg, CorridorChange? change, DateTimeOffset generatedAt)
    {
        var h = new StringBuilder();
        h.Append($"""
            <!DOCTYPE html>
            <html lang="en-GB"><head><meta charset="utf-8">
            <title>{E(f.Name)} — corridor analysis (run {f.RunId})</title>
            <style>{Style}</style></head><body>
            <h1>{E(f.Name)}</h1>
            <p class="sub">Inclusive growth corridor {E(f.Code)} · {N(f.AreaHectares, 0)} ha · public transport on {E(f.ServiceDate)}, {(f.Window.StartsWith(CorridorFigures.ArrivalPrefix, StringComparison.Ordinal) ? "" : "departures ")}{E(f.Window)},
            {f.ThresholdMinutes} min, target {f.MinCentres}+ centres (p{f.Percentile}) · analysis run {f.RunId}</p>
            <div class="cards">
            {Card(N(f.Residents.Population, 0), "residents")}
            {Card(P(f.Residents.MostDeprived20Share), "live in the 20% most deprived LSOAs" + (f.Residents.PopulationWithoutImd > 0 ? $" (of those with an IMD value; {N(f.Residents.PopulationWithoutImd, 0)} without)" : ""))}
            {Card(P(f.Access.Corridor.Share), $"reach {f.MinCentres}+ centres in {f.ThresholdMinutes} min (rest of region {P(f.Access.RestOfRegion.Share)})")}
            {Card(N(f.Housing.MaxDwellings, 0), $"homes planned (max), {N(f.Housing.MaxDwellingsPoorlyConnected, 0)} in poorly connected places")}
            {Card(N(f.EmploymentLand.Hectares, 1) + " ha", $"employment land, {N(f.EmploymentLand.Jobs, 0)} jobs")}
            </div>
            {mapSvg}
            <div class="cols"><div>
            <h2>Access: corridor against the rest of the region</h2>
            <table><tr><th></th><th>Zones</th><th>Population</th><th>Meets target</th><th>Time share</th><th>Mean centres</th></tr>
            {AccessRow("Corridor", f.Access.Corridor)}
            {AccessRow("Rest of region", f.Access.RestOfRegion)}
            <tr><td>Difference</td><td></td><td></td><td>{Pp(f.Access.ShareDifference)}</td><td></td><td>{Signed(f.Access.MeanCentresDifference, 2)}</td></tr>
            </table>
            <h2>Residents by IMD 2019 decile</h2>
            <table><tr><th>Decile (1 = most deprived)</th><th>Zones</th><th>Population</th><th>Share</th></tr>
            """);
        foreach (var d in f.Residents.ByImdDecile)
            h.Append($"<tr><td>{d.ImdDecile}</td><td>{d.Zones}</td><td>{N(d.Population, 0)}</td><td>{P(f.Residents.Population - f.Residents.PopulationWithoutImd is > 0 and var known ? d.Population / known : null)}</td></tr>\n");
        if (f.Residents.ZonesWithoutImd > 0)
            h.Append($"<tr><td>No IMD value</td><td>{f.Residents.ZonesWithoutImd}</td><td>{N(f.Residents.PopulationWithoutImd, 0)}</td><td></td></tr>\n");
        h.Append("</table></div><div>\n");
        h.Append($"""
            <h2>Housing</h2>
            <table><tr><th></th><th>Sites</th><th>Dwellings (min–max)</th><th>Hectares</th></tr>
            <tr><td>In the corridor</td><td>{f.Housing.Sites}</td><td>{N(f.Housing.MinDwellings, 0)}–{N(f.Housing.MaxDwellings, 0)}</td><td>{N(f.Housing.Hectares, 1)}</td></tr>
            <tr><td>of which poorly connected</td><td>{f.Housing.SitesPoorlyConnected}</td><td>up to {N(f.Housing.MaxDwellingsPoorlyConnected, 0)}</td><td></td></tr>
            </table>
            """);
        if (change is not null)
        {
            h.Append($"""
                <h2>Change since run {change.FromRunId}</h2>
                <table><tr><th>Measure</th><th>Change</th></tr>
                <tr><td>Share meeting the target (corridor)</td><td>{Pp(change.CorridorShare)}</td></tr>
                <tr><td>Gap to the rest of the region</td><td>{Pp(change.ShareDifference)}</td></tr>
                <tr><td>Homes planned (max)</td><td>{Signed(change.MaxDwellings, 0)}</td></tr>
                <tr><td>Employment land (ha)</td><td>{Signed(change.EmploymentHectares, 1)}</td></tr>
                </table>
                """);
            if (!change.ComparableRules)
                h.Append($"<p class=\"note\">The runs used different rules ({E(string.Join("; ", change.RuleDifferences))}); changes may reflect the rules rather than the place.</p>\n");
        }
        h.Append("</div></div>\n");
        h.Append($"""
            <h2>Employment sites in or within {N(f.NearMeters, 0)} m of the corridor</h2>
            <table><tr><th>Site</th><th>Where</th><th>Jobs</th><th>Catchment</th><th>Deprived catchment</th><th>Rank</th></tr>
            """);
        foreach (var s in f.EmploymentSites.Take(10))
            h.Append($"<tr><td>{E(s.Name ?? s.Reference)}</td><td>{(s.Inside ? "inside" : $"{N(s.DistanceMeters, 0)} m")}</td><td>{(s.Jobs is { } j ? N(j, 0) : "")}</td>" +
                     $"<td>{(s.CatchmentPopulation is { } c ? N(c, 0) : "n/a")}</td><td>{(s.DeprivedCatchmentPopulation is { } dc ? N(dc, 0) : "n/a")}</td><td>{s.DeprivedRank}</td></tr>\n");
        if (f.EmploymentSites.Count == 0) h.Append("<tr><td colspan=\"6\">None.</td></tr>\n");
        if (f.EmploymentSites.Count > 10) h.Append($"<tr><td colspan=\"6\">… and {f.EmploymentSites.Count - 10} more (full list in the figures JSON).</td></tr>\n");
        h.Append("</table>\n");
        h.Append($"""
            <p class="note">{E(f.Method)} Generated {generatedAt.ToString("d MMMM yyyy HH:mm 'UTC'", En)} by Lis.Geo. Contains OS data © Crown copyright and database right; IMD 2019 © MHCLG (OGL v3).</p>
            </body></html>
            """);
        return h.ToString();
    }

    /// <summary>A4 print styles; plain CSS, so it lives outside the interpolated template.</summary>
    private const string Style = """
            @page { size: A4; margin: 10mm; }
            body { font: 9.5pt/1.3 Helvetica, Arial, sans-serif; color: #222; max-width: 190mm; margin: 0 auto; }
            h1 { font-size: 16pt; margin: 0 0 2pt; } h2 { font-size: 10.5pt; margin: 8pt 0 3pt; border-bottom: 1px solid #ccc; }
            .sub { color: #555; margin: 0 0 8pt; }
            .cards { display: flex; gap: 6pt; flex-wrap: wrap; }
            .card { flex: 1 1 0; min-width: 28mm; border: 1px solid #ddd; border-radius: 3pt; padding: 4pt 6pt; }
            .card b { display: block; font-size: 13pt; } .card span { color: #555; font-size: 8.5pt; }
            table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
            th, td { border-bottom: 1px solid #e3e3e3; padding: 2pt 4pt; text-align: right; }
            th:first-child, td:first-child { text-align: left; }
            .cols { display: flex; gap: 10pt; } .cols > div { flex: 1; }
            svg { width: 100%; height: auto; border: 1px solid #ddd; margin-top: 6pt; }
            .note { color: #555; font-size: 8pt; }
            @media print { h2 { break-after: avoid; } table, svg { break-inside: avoid; } }
        """;

    private static string Card(string value, string label) => $"<div class=\"card\"><b>{E(value)}</b><span>{E(label)}</span></div>";

    private static string AccessRow(string name, AccessGroup g) =>
        $"<tr><td>{name}</td><td>{g.Zones}</td><td>{N(g.Population, 0)}</td><td>{P(g.Share)}</td><td>{P(g.TimeShare)}</td><td>{N(g.MeanCentresReachable, 2)}</td></tr>";

    private static string E(string s) => WebUtility.HtmlEncode(s);
    private static string N(double v, int decimals) => v.ToString("N" + decimals, En);
    private static string N(double? v, int decimals) => v is { } x ? N(x, decimals) : "n/a";

    /// <summary>A share as a percentage; "n/a" where there was nobody to share among.</summary>
    private static string P(double? share) => share is { } s ? (s * 100).ToString("0.0", En) + "%" : "n/a";

    /// <summary>A change of a share, in percentage points.</summary>
    private static string Pp(double? delta) => delta is { } d ? (d >= 0 ? "+" : "−") + Math.Abs(d * 100).ToString("0.0", En) + " pp" : "n/a";
    private static string Signed(double? v, int decimals) => v is { } x ? (x >= 0 ? "+" : "−") + Math.Abs(x).ToString("N" + decimals, En) : "n/a";
}
