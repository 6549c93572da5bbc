namespace Lis.Geo.Data.Model;

/// <summary>A named set of statistical zones: LSOA 2011, LSOA 2021, a grid, Output Areas…</summary>
public sealed class ZoneSet
{
    /// <summary>Short key used in URLs and commands, e.g. <c>lsoa11</c>.</summary>
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }

    /// <summary>
    /// The geography the zone codes belong to (<c>lsoa11</c>, <c>lsoa21</c>, …). Each deprivation
    /// edition is published on one geography (IMD 2019 on LSOA 2011, IoD 2025 on LSOA 2021), so an
    /// edition joins by code only to sets of its geography (many 2021 codes equal 2011 ones, but
    /// split and merged areas do not).
    /// </summary>
    public required string CodeGeography { get; set; }

    /// <summary>
    /// True when the zones' points are not ONS population-weighted centroids (e.g. the approximate
    /// LSOA 2021 points derived from 2011 centroids and polygon centroids); <see cref="CentroidNote"/>
    /// says what they are, and every run starting from them carries that note in its record.
    /// </summary>
    public bool CentroidsApproximate { get; set; }
    public string? CentroidNote { get; set; }

    /// <summary>Where the zones' population came from (column and file of the last population import), e.g. Census 2021 usual residents.</summary>
    public string? PopulationSource { get; set; }
}

/// <summary>One zone of a <see cref="ZoneSet"/>: polygon, resident population, population-weighted centroid.</summary>
public sealed class Zone
{
    public long Id { get; set; }
    public required string ZoneSetId { get; set; }
    public required string Code { get; set; }
    public string? Name { get; set; }
    public string? LadCode { get; set; }
    public int? Population { get; set; }
    public MultiPolygon? Geom { get; set; }

    /// <summary>Population-weighted centroid (ONS PWC, unless the set says its points are approximate): the default accessibility origin.</summary>
    public Point? Centroid { get; set; }
}

/// <summary>The deprivation editions the store knows: each is published by MHCLG on one LSOA geography.</summary>
public static class DeprivationEditions
{
    public const string Imd2019 = "imd2019";
    public const string Iod2025 = "iod2025";

    public static readonly IReadOnlyList<string> All = [Imd2019, Iod2025];
}

/// <summary>
/// One edition of the English Indices of Deprivation (seeded by the schema): its geography and the
/// number of areas it ranks, so ranks are checked against the right maximum and an edition joins
/// only to zone sets of its geography.
/// </summary>
public sealed class DeprivationEdition
{
    /// <summary><c>imd2019</c> or <c>iod2025</c> (<see cref="DeprivationEditions"/>).</summary>
    public required string Id { get; set; }
    public required string Name { get; set; }
    public DateOnly Published { get; set; }

    /// <summary>The LSOA geography the edition ranks: <c>lsoa11</c> (IMD 2019) or <c>lsoa21</c> (IoD 2025).</summary>
    public required string CodeGeography { get; set; }

    /// <summary>Areas ranked: the largest valid rank (32,844 LSOA 2011; 33,755 LSOA 2021).</summary>
    public int AreaCount { get; set; }

    /// <summary>The mid-year the population denominators refer to (2015 for IMD 2019, 2022 for IoD 2025).</summary>
    public int DenominatorYear { get; set; }
}

/// <summary>
/// One LSOA's deprivation in one edition (<see cref="Edition"/>): rank 1 = most deprived of the
/// edition's areas; decile 1 = most deprived 10%. Columns a layout does not carry stay null (IMD 2019
/// here has no File 7, so no sub-domains; the IoD 2025 joined table has no denominators).
/// </summary>
public sealed class Deprivation
{
    /// <summary>The edition (<see cref="DeprivationEditions"/>); the code is of that edition's geography.</summary>
    public required string Edition { get; set; }
    public required string LsoaCode { get; set; }
    public double? ImdScore { get; set; }
    public int? ImdRank { get; set; }
    public int? ImdDecile { get; set; }
    public double? IncomeScore { get; set; }
    public int? IncomeRank { get; set; }
    public int? IncomeDecile { get; set; }
    public double? EmploymentScore { get; set; }
    public int? EmploymentRank { get; set; }
    public int? EmploymentDecile { get; set; }
    public double? EducationScore { get; set; }
    public int? EducationRank { get; set; }
    public int? EducationDecile { get; set; }
    public double? HealthScore { get; set; }
    public int? HealthRank { get; set; }
    public int? HealthDecile { get; set; }
    public double? CrimeScore { get; set; }
    public int? CrimeRank { get; set; }
    public int? CrimeDecile { get; set; }
    public double? BarriersScore { get; set; }
    public int? BarriersRank { get; set; }
    public int? BarriersDecile { get; set; }
    public double? LivingEnvironmentScore { get; set; }
    public int? LivingEnvironmentRank { get; set; }
    public int? LivingEnvironmentDecile { get; set; }

    /// <summary>Income Deprivation Affecting Children / Older People (supplementary indices of the Income domain).</summary>
    public double? IdaciScore { get; set; }
    public int? IdaciRank { get; set; }
    public int? IdaciDecile { get; set; }
    public double? IdaopiScore { get; set; }
    public int? IdaopiRank { get; set; }
    public int? IdaopiDecile { get; set; }

    /// <summary>Education sub-domains.</summary>
    public double? ChildrenYoungPeopleScore { get; set; }
    public int? ChildrenYoungPeopleRank { get; set; }
    public int? ChildrenYoungPeopleDecile { get; set; }
    public double? AdultSkillsScore { get; set; }
    public int? AdultSkillsRank { get; set; }
    public int? AdultSkillsDecile { get; set; }

    /// <summary>
    /// Barriers sub-domains. Geographical barriers measures road distance to a GP, food shop, primary
    /// school and post office: an accessibility measure made independently of any timetable, so a
    /// cross-check on the transit results.
    /// </summary>
    public double? GeographicalBarriersScore { get; set; }
    public int? GeographicalBarriersRank { get; set; }
    public int? GeographicalBarriersDecile { get; set; }
    public double? WiderBarriersScore { get; set; }
    public int? WiderBarriersRank { get; set; }
    public int? WiderBarriersDecile { get; set; }

    /// <summary>Living environment sub-domains.</summary>
    public double? IndoorsScore { get; set; }
    public int? IndoorsRank { get; set; }
    public int? IndoorsDecile { get; set; }
    public double? OutdoorsScore { get; set; }
    public int? OutdoorsRank { get; set; }
    public int? OutdoorsDecile { get; set; }

    /// <summary>
    /// Population denominators (excluding prisoners) of the edition's year: ONS mid-2015 for IMD 2019,
    /// mid-2022 for IoD 2025. Working age is 18–59/64 in 2019 and 18–66 in 2025.
    /// </summary>
    public int? PopTotal { get; set; }
    public int? Pop0To15 { get; set; }
    public int? Pop16To59 { get; set; }
    public int? Pop60Plus { get; set; }
    public int? PopWorkingAge { get; set; }
}

/// <summary>
/// One row of the ONS LSOA (2011) → LSOA (2021) exact-fit lookup: U unchanged, S the 2011 area was
/// split (one row per 2021 part), M merged (one row per 2011 part), X irregular. It lets a 2021-zone
/// run be compared with a 2011-zone run, and an edition be read on the other geography.
/// </summary>
public sealed class LsoaLookup
{
    public required string Lsoa11Code { get; set; }
    public string? Lsoa11Name { get; set; }
    public required string Lsoa21Code { get; set; }
    public string? Lsoa21Name { get; set; }

    /// <summary>U, S, M or X (ONS CHGIND).</summary>
    public required string ChangeCode { get; set; }
    public string? LadCode { get; set; }
}
