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

    /// <summary>
    /// The report of <paramref name="f"/>; with <paramref name="scenario"/> (the same corridor from a run that
    /// differs only in its scenario) it gains a "with scenario" column beside the baseline figures.
    /// </summary>
    public static string Render(CorridorFigures f, string mapSvg, CorridorChange? change, DateTimeOffset generatedAt, ScenarioColumn? scenario = null)
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
            """);
        if (scenario is not null) h.Append(ScenarioTable(f, scenario));
        h.Append(HousingTable(f));
        h.Append("</div><div>\n");
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
        h.Append(DecileTable(f));
        h.Append($"""
            <h2>Employment sites in or within {N(f.NearMeters, 0)} m of the corridor</h2>
            <table><tr><th>Site</th><th>Where</th><th>Jobs</th><th>Catchment</th><th>Deprived catchment</th><th>Rank</th></tr>
            """);
        foreach (var s in f.EmploymentSites.Take(10))
            h.Append($"<tr><td class=\"site\" title=\"{E(s.Name ?? s.Reference)}\">{E(s.Name ?? s.Reference)}</td><td>{(s.Inside ? "inside" : $"{N(s.DistanceMeters, 0)} m")}</td><td>{(s.Jobs is { } j ? N(j, 0) : "")}</td>" +
                     $"<td>{(s.CatchmentPopulation is { } c ? N(c, 0) : "n/a")}</td><td>{(s.DeprivedCatchmentPopulation is { } dc ? N(dc, 0) : "n/a")}</td><td>{s.DeprivedRank}</td></tr>\n");
        if (f.EmploymentSites.Count == 0) h.Append("<tr><td colspan=\"6\">None.</td></tr>\n");
        if (f.EmploymentSites.Count > 10) h.Append($"<tr><td colspan=\"6\">… and {f.EmploymentSites.Count - 10} more (full list in the figures JSON).</td></tr>\n");
        h.Append("</table>\n");
        h.Append($"""
            <p class="note">{E(f.Method)} Generated {generatedAt.ToString("d MMMM yyyy HH:mm 'UTC'", En)} by Lis.Geo. Contains OS data © Crown copyright and database right; {E(f.DeprivationName)} © MHCLG (OGL v3).</p>
            </body></html>
            """);
        return h.ToString();
    }

    /// <summary>A scenario run's figures for the same corridor, and the scenario's name, for the "with scenario" column.</summary>
    public sealed record ScenarioColumn(CorridorFigures Figures, string Name);

    /// <summary>Baseline against "with scenario" for the access and connection figures a scenario can change.</summary>
    private static string ScenarioTable(CorridorFigures b, ScenarioColumn column)
    {
        var s = column.Figures;
        static double? Deprived(CorridorFigures x) => x.EmploymentSites.Count == 0 ? null : x.EmploymentSites.Sum(e => e.DeprivedCatchmentPopulation ?? 0);
        string Row(string name, double? before, double? after, Func<double?, string> value, Func<double?, string> delta) =>
            $"<tr><td>{name}</td><td>{value(before)}</td><td>{value(after)}</td><td>{delta(before is { } x && after is { } y ? y - x : null)}</td></tr>\n";
        return $"""
            <h2>With scenario: {E(column.Name)} (run {s.RunId})</h2>
            <table><tr><th>Measure</th><th>Baseline (run {b.RunId})</th><th>With scenario</th><th>Change</th></tr>
            {Row("Corridor share meeting the target", b.Access.Corridor.Share, s.Access.Corridor.Share, P, Pp)}
            {Row("Rest of region share", b.Access.RestOfRegion.Share, s.Access.RestOfRegion.Share, P, Pp)}
            {Row("Gap to the rest of the region", b.Access.ShareDifference, s.Access.ShareDifference, Pp, Pp)}
            {Row("Corridor time share", b.Access.Corridor.TimeShare, s.Access.Corridor.TimeShare, P, Pp)}
            {Row("Mean centres reachable (corridor)", b.Access.Corridor.MeanCentresReachable, s.Access.Corridor.MeanCentresReachable, v => N(v, 2), v => Signed(v, 2))}
            {Row("Homes planned in poorly connected places", b.Housing.MaxDwellingsPoorlyConnected, s.Housing.MaxDwellingsPoorlyConnected, v => N(v, 0), v => Signed(v, 0))}
            {Row("Deprived residents reaching the nearby employment sites (sum over sites)", Deprived(b), Deprived(s), v => N(v, 0), v => Signed(v, 0))}
            </table>

            """;
    }

    private static string HousingTable(CorridorFigures f) => $"""
        <h2>Housing</h2>
        <table><tr><th></th><th>Sites</th><th>Dwellings (min–max)</th><th>Hectares</th></tr>
        <tr><td>In the corridor</td><td>{f.Housing.Sites}</td><td>{N(f.Housing.MinDwellings, 0)}–{N(f.Housing.MaxDwellings, 0)}</td><td>{N(f.Housing.Hectares, 1)}</td></tr>
        <tr><td>of which poorly connected</td><td>{f.Housing.SitesPoorlyConnected}</td><td>up to {N(f.Housing.MaxDwellingsPoorlyConnected, 0)}</td><td></td></tr>
        </table>

        """;

    /// <summary>Residents by IMD decile across the page (deciles as columns): at most four rows, however many deciles there are.</summary>
    private static string DecileTable(CorridorFigures f)
    {
        var r = f.Residents;
        var known = r.Population - r.PopulationWithoutImd;
        var columns = r.ByImdDecile.Select(d => (Head: d.ImdDecile.ToString(En), d.Zones, d.Population, Share: known > 0 ? d.Population / known : (double?)null)).ToList();
        if (r.ZonesWithoutImd > 0) columns.Add(("No IMD", r.ZonesWithoutImd, r.PopulationWithoutImd, null));
        string Row(string name, Func<(string Head, int Zones, double Population, double? Share), string> cell) =>
            $"<tr><td>{name}</td>{string.Concat(columns.Select(c => $"<td>{cell(c)}</td>"))}</tr>\n";
        return $"<h2>Residents by {E(f.DeprivationName)} decile (1 = most deprived)</h2>\n<table class=\"deciles\">"
               + Row("Decile", c => E(c.Head)).Replace("<td>", "<th>").Replace("</td>", "</th>")
               + Row("Zones", c => c.Zones.ToString(En)) + Row("Population", c => N(c.Population, 0))
               + Row("Share", c => c.Share is null ? "" : P(c.Share)) + "</table>\n";
    }

    /// <summary>A4 print styles; plain CSS, so it lives outside the interpolated template.</summary>
    /// <remarks>
    /// Sized for the fullest report (ten employment sites and a "more" row, ten deciles and a no-IMD
    /// column, a change table with a rule warning) to fit 281 mm: the map is wide and short with its
    /// legend beside it, deciles run across the page, tables are compact, and a long site name ends in an
    /// ellipsis on the page (whole in its tooltip and in the figures JSON). A test prints it with Chromium.
    /// </remarks>
    private const string Style = """
            @page { size: A4; margin: 8mm 10mm; }
            body { font: 8.5pt/1.25 Helvetica, Arial, sans-serif; color: #222; max-width: 190mm; margin: 0 auto; }
            h1 { font-size: 13pt; margin: 0 0 1pt; } h2 { font-size: 9.5pt; margin: 4pt 0 2pt; border-bottom: 1px solid #ccc; }
            .sub { color: #555; margin: 0 0 4pt; font-size: 8pt; }
            .cards { display: flex; gap: 4pt; }
            .card { flex: 1 1 0; border: 1px solid #ddd; border-radius: 3pt; padding: 2pt 5pt; line-height: 1.2; }
            .card b { display: block; font-size: 11.5pt; } .card span { color: #555; font-size: 7pt; }
            table { border-collapse: collapse; width: 100%; font-size: 8pt; line-height: 1.2; }
            th, td { border-bottom: 1px solid #e3e3e3; padding: 0.8pt 3pt; text-align: right; }
            td { white-space: nowrap; } td:first-child { white-space: normal; }
            td.site { max-width: 95mm; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
            th:first-child, td:first-child { text-align: left; }
            .cols { display: flex; gap: 10pt; } .cols > div { flex: 1; }
            svg { display: block; width: 100%; height: auto; border: 1px solid #ddd; margin-top: 4pt; }
            .note { color: #555; font-size: 7pt; line-height: 1.2; margin: 3pt 0 0; }
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
