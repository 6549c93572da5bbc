namespace Lis.Geo.Data.Analyses;

/// <summary>
/// What a run's equity summary is computed from: each origin zone's chosen population weight, centres
/// reachable, and rank and decile in one deprivation edition (<see cref="DeprivationJoin"/>), with how the
/// zone found them. The arithmetic (deciles, the gap, concentration indices) is Jobs' <c>RunEquity</c>.
/// </summary>
public static class EquityRows
{
    /// <summary>Weights that can be chosen, and their SQL over the run's origin point p and deprivation row d.</summary>
    public static readonly IReadOnlyDictionary<string, string> Weights = new Dictionary<string, string>
    {
        ["population"] = "p.weight",
        ["pop_0_15"] = "d.pop0to15",
        ["pop_16_59"] = "d.pop16to59",
        ["pop_60plus"] = "d.pop60plus",
        ["pop_working_age"] = "d.pop_working_age",
    };

    /// <summary>An origin zone; <see cref="Match"/> is null when it found no row in the edition (then rank and decile are null too).</summary>
    public sealed record Row(double Weight, int Centres, int? Rank, int? Decile, string Code, string? Match);

    /// <summary>
    /// The run's origin zones in origin order, so sums over them add in the same order for two runs with the
    /// same record (bit-identical figures). <paramref name="population"/> is a key of <see cref="Weights"/>.
    /// </summary>
    public static async Task<List<Row>> ReadAsync(NpgsqlDataSource db, long runId, string population, string? edition, CancellationToken ct)
    {
        var rows = new List<Row>();
        await using var cmd = db.CreateCommand($"""
            SELECT coalesce({Weights[population]}, 0)::float8, r.centres_reachable, d.imd_rank, d.imd_decile, p.code, d.match
            FROM {RunOrigins.PointsWithResults}
            {DeprivationJoin.Sql(edition, "p.code")}
            WHERE {RunOrigins.AreZoneOrigins("$1")}
            ORDER BY p.index
            """);
        cmd.Parameters.Add(new() { Value = runId });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new Row(r.GetDouble(0), r.GetInt32(1), r.IsDBNull(2) ? null : r.GetInt32(2), r.IsDBNull(3) ? null : r.GetInt32(3),
                r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5)));
        return rows;
    }
}
