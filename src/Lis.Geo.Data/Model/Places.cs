namespace Lis.Geo.Data.Model;

/// <summary>A destination centre (city, town, strategic centre, interchange) for the accessibility indicators.</summary>
public sealed class Centre
{
    public long Id { get; set; }
    public required string Code { get; set; }
    public required string Name { get; set; }

    /// <summary>Free classification such as <c>city</c>, <c>strategic</c>, <c>town</c>, <c>interchange</c>.</summary>
    public string? Kind { get; set; }
    public required Point Geom { get; set; }
}

/// <summary>An inclusive growth corridor of the Local Industrial Strategy.</summary>
public sealed class Corridor
{
    public long Id { get; set; }
    public required string Code { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public required MultiPolygon Geom { get; set; }

    /// <summary>Optional spine of the corridor (a rail or rapid-transit line) for display and buffering.</summary>
    public MultiLineString? CentreLine { get; set; }
}

/// <summary>A housing site (allocation or brownfield register entry).</summary>
public sealed class HousingSite
{
    public long Id { get; set; }
    public required string Reference { get; set; }
    public string? Name { get; set; }
    public string? LadCode { get; set; }
    public int? MinDwellings { get; set; }
    public int? MaxDwellings { get; set; }
    public double? Hectares { get; set; }
    public string? Status { get; set; }
    public string? PlanningPermission { get; set; }

    /// <summary>Point or polygon; accessibility uses the point on surface.</summary>
    public required Geometry Geom { get; set; }
}

/// <summary>An employment site.</summary>
public sealed class EmploymentSite
{
    public long Id { get; set; }
    public required string Reference { get; set; }
    public string? Name { get; set; }
    public string? LadCode { get; set; }
    public double? Hectares { get; set; }
    public double? FloorspaceM2 { get; set; }
    public string? UseClass { get; set; }
    public int? JobsEstimate { get; set; }
    public string? Status { get; set; }
    public required Geometry Geom { get; set; }
}
