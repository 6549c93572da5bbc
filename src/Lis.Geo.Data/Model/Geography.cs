namespace Lis.Geo.Data.Model;

/// <summary>A Local Enterprise Partnership, e.g. E37000001 Black Country.</summary>
public sealed class Lep
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    public required MultiPolygon Geom { get; set; }
}

/// <summary>A local authority district (LAD), e.g. E08000025 Birmingham.</summary>
public sealed class LocalAuthority
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    public required MultiPolygon Geom { get; set; }
    public List<LepMembership> Leps { get; set; } = [];
}

/// <summary>
/// LAD ↔ LEP. Many-to-many because, 2017–2020, some districts (Bromsgrove, Lichfield, …) sat in two
/// LEPs; <see cref="IsPrimary"/> marks the first-listed one so population is never double counted.
/// The LEP need not be loaded (a district's second LEP is often outside the study area), so the
/// row carries the LEP's name and has no foreign key to <see cref="Lep"/>.
/// </summary>
public sealed class LepMembership
{
    public required string LadCode { get; set; }
    public required string LepCode { get; set; }
    public required string LepName { get; set; }
    public bool IsPrimary { get; set; }
    public LocalAuthority? Lad { get; set; }
}
