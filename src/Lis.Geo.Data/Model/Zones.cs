using NetTopologySuite.Geometries;

namespace Lis.Geo.Data.Model;

/// <summary>A named set of statistical zones: LSOA 2011, LSOA 2021, a grid, Output Areas…</summary>
public sealed class ZoneSet
{
    /// <summary>Short key used in URLs and commands, e.g. <c>lsoa11</c>.</summary>
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }

    /// <summary>
    /// The geography the zone codes belong to (<c>lsoa11</c>, <c>lsoa21</c>, …). IMD 2019 is published
    /// on LSOA 2011 codes, so deprivation joins only to sets whose geography is <c>lsoa11</c>
    /// (many 2021 codes equal 2011 ones but not all areas are the same).
    /// </summary>
    public required string CodeGeography { get; set; }
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

    /// <summary>Population-weighted centroid (ONS PWC): the default accessibility origin.</summary>
    public Point? Centroid { get; set; }
}

/// <summary>
/// English Indices of Deprivation 2019 for one LSOA 2011. Rank 1 = most deprived of 32,844;
/// decile 1 = most deprived 10%. Domain scores are null where the source layout has none.
/// </summary>
public sealed class Deprivation
{
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

    /// <summary>IoD2019 population denominators (ONS mid-2015, excluding prisoners).</summary>
    public int? PopTotal { get; set; }
    public int? Pop0To15 { get; set; }
    public int? Pop16To59 { get; set; }
    public int? Pop60Plus { get; set; }
    public int? PopWorkingAge { get; set; }
}
