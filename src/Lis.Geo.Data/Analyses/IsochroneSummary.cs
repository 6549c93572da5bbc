namespace Lis.Geo.Data.Analyses;

/// <summary>The run-level figure of an isochrone run: per cutoff, how many isochrones and their mean, smallest and largest area.</summary>
public static class IsochroneSummary
{
    public sealed record Cutoff(int CutoffMinutes, int Isochrones, double MeanAreaKm2, double MinAreaKm2, double MaxAreaKm2);
    public sealed record Summary(IReadOnlyList<Cutoff> ByCutoff);

    /// <summary>Areas are rounded to 4 decimals (100 m²): the summary is for reading; the isochrones keep their exact areas.</summary>
    public static async Task<Summary> ComputeAsync(NpgsqlDataSource db, long runId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT cutoff_minutes, count(*)::int, avg(area_km2), min(area_km2), max(area_km2) FROM analysis_isochrone WHERE run_id = $1 GROUP BY cutoff_minutes ORDER BY cutoff_minutes
            """);
        cmd.Parameters.Add(new() { Value = runId });
        var rows = new List<Cutoff>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new Cutoff(r.GetInt32(0), r.GetInt32(1), Math.Round(r.GetDouble(2), 4), Math.Round(r.GetDouble(3), 4), Math.Round(r.GetDouble(4), 4)));
        return new Summary(rows);
    }
}
