namespace Lis.Geo.Analysis.Reports;

/// <summary>
/// What one corridor run says about one inclusive growth corridor: who lives there and how deprived
/// they are, the homes and employment land planned in it, its public-transport access against the rest
/// of the region, and how many people from the most deprived places can reach each employment site in
/// or near it. Stored as JSON per run, so a corridor's analyses form a history.
/// </summary>
public sealed record CorridorFigures(
    string Code, string Name, double AreaHectares, long RunId, string ServiceDate, string Window, int ThresholdMinutes, int MinCentres, int Percentile,
    int NearMeters, string ZoneSet, string FeedSha256, string Centres, string RoutingRules, Residents Residents, Housing Housing, EmploymentLand EmploymentLand, AccessComparison Access,
    IReadOnlyList<EmploymentSiteCatchment> EmploymentSites, string Method)
{
    /// <summary>
    /// The deprivation edition of the residents' deciles and the deprived catchments (<c>imd2019</c>, <c>iod2025</c>;
    /// null in figures stored before editions were named, which were IMD 2019), and its printed name.
    /// </summary>
    public string? Deprivation { get; init; }

    /// <summary>"IMD 2019" or "IoD 2025": how the report names <see cref="Deprivation"/>.</summary>
    public string DeprivationName { get; init; } = "IMD 2019";

    /// <summary>Starts <see cref="Window"/> when the run's window gives arrival minutes (a departure window is just the clock times).</summary>
    public const string ArrivalPrefix = "arrive by ";

    public const string MethodText =
        "Residents: zones whose population-weighted centroid lies in the corridor (ONS best fit), weighted by population. " +
        "Access: centres reachable at the run's percentile within the threshold; a zone meets the target with at least minCentres. " +
        "Housing and employment land: sites intersecting the corridor. Poorly connected: the zone a site stands in misses the target. " +
        "Employment sites: those within nearMeters of the corridor; catchment = population of zones reaching the site within the threshold; " +
        "deprived = living in the 20% most deprived LSOAs (deciles 1–2 of the deprivation edition named in the figures); shares of the deprived are of residents whose zone has an IMD value, " +
        "and residents of zones without one are reported apart. Shares are null where there is nobody to share among.";
}

public sealed record DecileCount(int ImdDecile, int Zones, double Population);

/// <summary>
/// Zones without an IMD value are counted apart, never as least (or most) deprived: the deprived share is
/// of the population whose zone has a decile, and null when no zone has one.
/// </summary>
public sealed record Residents(int Zones, double Population, IReadOnlyList<DecileCount> ByImdDecile, double MostDeprived20Population, double? MostDeprived20Share,
    int ZonesWithoutImd, double PopulationWithoutImd)
{
    /// <summary>
    /// IMD deciles 1 to this are "the most deprived 20%": the same number as Data's <c>Indicators.MostDeprivedDeciles</c>,
    /// which the store's SQL uses (Analysis cannot reference Data; a Jobs test holds the two equal).
    /// </summary>
    public const int MostDeprivedDeciles = 2;

    /// <summary>From zone groups by IMD decile (null = no IMD value).</summary>
    public static Residents From(IReadOnlyCollection<(int? Decile, int Zones, double Population)> groups)
    {
        var known = groups.Where(g => g.Decile is not null).ToList();
        var unknown = groups.Where(g => g.Decile is null).ToList();
        var deprived = known.Where(g => g.Decile <= MostDeprivedDeciles).Sum(g => g.Population);
        var knownPopulation = known.Sum(g => g.Population);
        return new Residents(groups.Sum(g => g.Zones), groups.Sum(g => g.Population),
            known.GroupBy(g => g.Decile!.Value).OrderBy(g => g.Key).Select(g => new DecileCount(g.Key, g.Sum(x => x.Zones), g.Sum(x => x.Population))).ToList(),
            deprived, knownPopulation > 0 ? deprived / knownPopulation : null, unknown.Sum(g => g.Zones), unknown.Sum(g => g.Population));
    }
}

public sealed record Housing(int Sites, long MinDwellings, long MaxDwellings, double Hectares, int SitesPoorlyConnected, long MaxDwellingsPoorlyConnected);

public sealed record EmploymentLand(int Sites, double Hectares, long Jobs);

/// <summary>Population-weighted access of a group of zones; the shares and mean are null for a group with no residents.</summary>
public sealed record AccessGroup(int Zones, double Population, double? Share, double? TimeShare, double? MeanCentresReachable)
{
    /// <summary>From sums over the group: population meeting the target, Σ w·timeShare, Σ w·centres.</summary>
    public static AccessGroup Of(int zones, double population, double meeting, double weightedTimeShare, double weightedCentres) =>
        population > 0
            ? new(zones, population, meeting / population, weightedTimeShare / population, weightedCentres / population)
            : new(zones, population, null, null, null);
}

/// <summary>The corridor's zones against every other zone of the run (the rest of the region); differences are corridor minus rest.</summary>
public sealed record AccessComparison(AccessGroup Corridor, AccessGroup RestOfRegion, double? ShareDifference, double? MeanCentresDifference)
{
    public static AccessComparison Of(AccessGroup corridor, AccessGroup rest) =>
        new(corridor, rest, CorridorChange.Minus(corridor.Share, rest.Share), CorridorChange.Minus(corridor.MeanCentresReachable, rest.MeanCentresReachable));
}

/// <summary>An employment site in or near the corridor; catchment figures are null when the site was added after the run was created.</summary>
public sealed record EmploymentSiteCatchment(string Reference, string? Name, bool Inside, double DistanceMeters, double? Hectares, int? Jobs,
    double? CatchmentPopulation, double? DeprivedCatchmentPopulation, int? DeprivedRank, int? CentresReachable);

/// <summary>
/// How a corridor's figures moved between two of its analyses (later minus earlier). When the two runs
/// used different rules (service date, window, threshold, target, percentile, zones, feed, centres, routing
/// or walking rules, the "near" distance), <see cref="ComparableRules"/> is false and <see cref="RuleDifferences"/>
/// says which, because then a change may reflect the rules rather than the place.
/// </summary>
public sealed record CorridorChange(long FromRunId, long ToRunId, bool ComparableRules, IReadOnlyList<string> RuleDifferences,
    double Population, double? MostDeprived20Share, long MaxDwellings, long MaxDwellingsPoorlyConnected, double EmploymentHectares, long Jobs,
    double? CorridorShare, double? RestOfRegionShare, double? ShareDifference, double? CorridorMeanCentres,
    IReadOnlyList<SiteChange> EmploymentSites)
{
    /// <summary>b − a, or null when either is unknown.</summary>
    public static double? Minus(double? b, double? a) => b is { } x && a is { } y ? x - y : null;

    public static CorridorChange Between(CorridorFigures from, CorridorFigures to)
    {
        var rules = new List<string>();
        void Rule(string name, object a, object b)
        {
            if (!Equals(a, b)) rules.Add($"{name}: {a} → {b}");
        }
        Rule("serviceDate", from.ServiceDate, to.ServiceDate);
        Rule("window", from.Window, to.Window);
        Rule("thresholdMinutes", from.ThresholdMinutes, to.ThresholdMinutes);
        Rule("minCentres", from.MinCentres, to.MinCentres);
        Rule("percentile", from.Percentile, to.Percentile);
        Rule("zoneSet", from.ZoneSet, to.ZoneSet);
        Rule("nearMeters", from.NearMeters, to.NearMeters);
        Rule("centres", from.Centres, to.Centres);
        Rule("deprivation", from.Deprivation ?? "imd2019", to.Deprivation ?? "imd2019");
        if (from.FeedSha256 != to.FeedSha256) rules.Add($"feed: {Short(from.FeedSha256)} → {Short(to.FeedSha256)}");
        if (from.RoutingRules != to.RoutingRules) rules.Add("routing and walking rules (see each run's record)");
        var before = from.EmploymentSites.ToDictionary(s => s.Reference);
        var sites = to.EmploymentSites
            .Where(s => before.ContainsKey(s.Reference))
            .Select(s => new SiteChange(s.Reference, s.Name,
                Minus(s.DeprivedCatchmentPopulation, before[s.Reference].DeprivedCatchmentPopulation),
                Minus(s.CatchmentPopulation, before[s.Reference].CatchmentPopulation)))
            .ToList();
        return new CorridorChange(from.RunId, to.RunId, rules.Count == 0, rules,
            to.Residents.Population - from.Residents.Population,
            Minus(to.Residents.MostDeprived20Share, from.Residents.MostDeprived20Share),
            to.Housing.MaxDwellings - from.Housing.MaxDwellings,
            to.Housing.MaxDwellingsPoorlyConnected - from.Housing.MaxDwellingsPoorlyConnected,
            to.EmploymentLand.Hectares - from.EmploymentLand.Hectares,
            to.EmploymentLand.Jobs - from.EmploymentLand.Jobs,
            Minus(to.Access.Corridor.Share, from.Access.Corridor.Share),
            Minus(to.Access.RestOfRegion.Share, from.Access.RestOfRegion.Share),
            Minus(to.Access.ShareDifference, from.Access.ShareDifference),
            Minus(to.Access.Corridor.MeanCentresReachable, from.Access.Corridor.MeanCentresReachable),
            sites);
    }

    /// <summary>Each feed's hash shortened (several feeds' hashes are joined by '+').</summary>
    private static string Short(string sha) => string.Join("+", sha.Split('+').Select(h => h.Length > 12 ? h[..12] : h));
}

/// <summary>A site present in both analyses; null where either lacked catchment figures.</summary>
public sealed record SiteChange(string Reference, string? Name, double? DeprivedCatchmentPopulation, double? CatchmentPopulation);
