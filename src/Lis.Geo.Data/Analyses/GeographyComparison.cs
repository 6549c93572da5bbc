namespace Lis.Geo.Data.Analyses;

/// <summary>
/// Two zone runs on different LSOA geographies (one on 2011 codes, one on 2021 codes) compared through the
/// stored ONS 2011 → 2021 lookup. The lookup cuts both runs' zones into units that cover the same ground:
/// an unchanged LSOA pairs with itself; a split 2011 LSOA with all its 2021 parts; the 2011 LSOAs merged
/// into one 2021 LSOA with it. Each side of a unit is summarised by population weighting over its zones
/// (each run's own weights and target), so a split or merge compares like with like. A zone is unmatched
/// when the lookup does not have it, when its unit is not whole in the other run (a part outside its
/// zones), or when the change is irregular (<c>X</c>, many to many); unmatched zones are counted and listed,
/// never guessed.
/// </summary>
public static class GeographyComparison
{
    /// <summary>One side of a unit: its zones' population, share meeting the run's target and mean centres reachable (population-weighted).</summary>
    public sealed record Side(IReadOnlyList<string> Codes, double Population, double? Share, double? MeanCentresReachable);

    /// <summary>A unit: <c>U</c> (unchanged), <c>S</c> (one 2011 → several 2021) or <c>M</c> (several 2011 → one 2021); differences are other − run.</summary>
    public sealed record Unit(string Change, Side Run, Side Other, double? ShareDifference, double? MeanCentresDifference);

    public sealed record Counts(int Unchanged, int Split, int Merged, int UnmatchedRunZones, int UnmatchedOtherZones);

    public sealed record Result(long RunId, string RunGeography, long OtherRunId, string OtherGeography, string Method, Counts Counts,
        Side RunMatched, Side OtherMatched, IReadOnlyList<Unit> Units, IReadOnlyList<string> UnmatchedRunZones, IReadOnlyList<string> UnmatchedOtherZones);

    public const string MethodText =
        "Units from the ONS LSOA 2011 → 2021 lookup: U pairs an unchanged LSOA with itself, S a split 2011 LSOA with all its 2021 parts, " +
        "M the 2011 LSOAs merged into one 2021 LSOA with it. Each side: population-weighted share meeting its run's target and mean centres reachable, " +
        "over its zones with its run's weights. Unmatched: not in the lookup, a unit not whole in the other run, or an irregular (X) change.";

    private sealed record Zone(string Code, double Weight, int Centres, bool Meets);

    /// <summary>Compares <paramref name="run"/> with <paramref name="other"/>; throws a <see cref="Transit.RuleViolation"/> on <c>other</c> when they are not one 2011 and one 2021 run.</summary>
    public static async Task<Result> CompareAsync(NpgsqlDataSource db, AnalysisRun run, AnalysisRun other, CancellationToken ct)
    {
        var a = await ZonesAsync(db, run, ct);
        var b = await ZonesAsync(db, other, ct);
        var lookup = new List<(string L11, string L21, string Change)>();
        await using (var cmd = db.CreateCommand("SELECT lsoa11_code, lsoa21_code, change_code FROM lsoa_lookup WHERE lsoa11_code = ANY($1) OR lsoa21_code = ANY($1) ORDER BY 1, 2"))
        {
            cmd.Parameters.Add(new() { Value = a.Keys.Concat(b.Keys).Distinct().ToArray() });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) lookup.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
        }
        var runGeography = Geography(a.Keys, lookup);
        var otherGeography = Geography(b.Keys, lookup);
        if (runGeography is not null && runGeography == otherGeography)
            throw new Transit.RuleViolation("other", Transit.RuleKind.Conflict,
                $"Runs {run.Id} and {other.Id} are both on {runGeography} codes; compare-geography compares a 2011-zone run with a 2021-zone run.");
        runGeography ??= otherGeography is null ? null : otherGeography == "lsoa11" ? "lsoa21" : "lsoa11";
        otherGeography ??= runGeography is null ? null : runGeography == "lsoa11" ? "lsoa21" : "lsoa11";
        if (runGeography is null || otherGeography is null)
            throw new Transit.RuleViolation("other", Transit.RuleKind.Unavailable,
                "Neither run's zone codes tell LSOA 2011 from 2021 through the stored lookup (import it with 'lisgeo import lsoa-lookup').");
        var (z11, z21) = runGeography == "lsoa11" ? (a, b) : (b, a);

        // The units: U by pair, S by its 2011 LSOA, M by its 2021 LSOA; X is never a unit.
        var units = new List<(string Change, List<string> C11, List<string> C21)>();
        units.AddRange(lookup.Where(l => l.Change == "U").Select(l => ("U", new List<string> { l.L11 }, new List<string> { l.L21 })));
        units.AddRange(lookup.Where(l => l.Change == "S").GroupBy(l => l.L11).Select(g => ("S", new List<string> { g.Key }, g.Select(l => l.L21).ToList())));
        units.AddRange(lookup.Where(l => l.Change == "M").GroupBy(l => l.L21).Select(g => ("M", g.Select(l => l.L11).ToList(), new List<string> { g.Key })));
        var whole = units.Where(u => u.C11.All(z11.ContainsKey) && u.C21.All(z21.ContainsKey)).ToList();
        var matched11 = whole.SelectMany(u => u.C11).ToHashSet();
        var matched21 = whole.SelectMany(u => u.C21).ToHashSet();

        Side Of(IEnumerable<string> codes, Dictionary<string, Zone> zones)
        {
            var list = codes.Order(StringComparer.Ordinal).Select(c => zones[c]).ToList();
            var population = list.Sum(z => z.Weight);
            return new Side(list.Select(z => z.Code).ToList(), population,
                population > 0 ? list.Where(z => z.Meets).Sum(z => z.Weight) / population : null,
                population > 0 ? list.Sum(z => z.Weight * z.Centres) / population : null);
        }
        var result = whole.OrderBy(u => u.C11[0], StringComparer.Ordinal).ThenBy(u => u.C21[0], StringComparer.Ordinal).Select(u =>
        {
            var (s11, s21) = (Of(u.C11, z11), Of(u.C21, z21));
            var (mine, theirs) = runGeography == "lsoa11" ? (s11, s21) : (s21, s11);
            return new Unit(u.Change, mine, theirs, Minus(theirs.Share, mine.Share), Minus(theirs.MeanCentresReachable, mine.MeanCentresReachable));
        }).ToList();
        var unmatched11 = z11.Keys.Where(c => !matched11.Contains(c)).Order(StringComparer.Ordinal).ToList();
        var unmatched21 = z21.Keys.Where(c => !matched21.Contains(c)).Order(StringComparer.Ordinal).ToList();
        var (all11, all21) = (Of(matched11, z11), Of(matched21, z21));
        var (unmatchedRun, unmatchedOther) = runGeography == "lsoa11" ? (unmatched11, unmatched21) : (unmatched21, unmatched11);
        return new Result(run.Id, runGeography, other.Id, otherGeography, MethodText,
            new Counts(whole.Count(u => u.Change == "U"), whole.Count(u => u.Change == "S"), whole.Count(u => u.Change == "M"), unmatchedRun.Count, unmatchedOther.Count),
            runGeography == "lsoa11" ? all11 : all21, runGeography == "lsoa11" ? all21 : all11, result, unmatchedRun, unmatchedOther);
    }

    private static double? Minus(double? b, double? a) => b is { } x && a is { } y ? x - y : null;

    /// <summary>
    /// lsoa11 when more of the codes are only 2011 codes in the lookup than only 2021 codes, lsoa21 the other
    /// way round, null when the lookup cannot tell (every code unchanged, or none in it).
    /// </summary>
    private static string? Geography(IEnumerable<string> codes, List<(string L11, string L21, string Change)> lookup)
    {
        var as11 = lookup.Select(l => l.L11).ToHashSet();
        var as21 = lookup.Select(l => l.L21).ToHashSet();
        var list = codes.ToList();
        var only11 = list.Count(c => as11.Contains(c) && !as21.Contains(c));
        var only21 = list.Count(c => as21.Contains(c) && !as11.Contains(c));
        return only11 > only21 ? "lsoa11" : only21 > only11 ? "lsoa21" : null;
    }

    private static async Task<Dictionary<string, Zone>> ZonesAsync(NpgsqlDataSource db, AnalysisRun run, CancellationToken ct)
    {
        var zones = new Dictionary<string, Zone>(StringComparer.Ordinal);
        await using var cmd = db.CreateCommand($"""
            SELECT p.code, p.weight, r.centres_reachable FROM {RunOrigins.PointsWithResults}
            WHERE {RunOrigins.AreZoneOrigins("$1")} ORDER BY p.index
            """);
        cmd.Parameters.Add(new() { Value = run.Id });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            zones[r.GetString(0)] = new Zone(r.GetString(0), r.GetDouble(1), r.GetInt32(2), r.GetInt32(2) >= run.Spec.Access.MinCentres);
        return zones;
    }
}
