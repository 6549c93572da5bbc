using System.Reflection;
using Lis.Geo.Analysis;
using Lis.Geo.Data;
using Lis.Geo.Jobs;
using Lis.Geo.Transit.Timetables;

namespace Lis.Geo.Jobs.Tests;

/// <summary>
/// One test per arrow of the layout (README "Layout"): what each library may and may not reference,
/// read from the compiled assemblies, so a wall broken by a new using or package fails here.
/// </summary>
public sealed class ArchitectureTests
{
    private static List<string> References(Assembly a) => a.GetReferencedAssemblies().Select(r => r.Name!).ToList();

    private static void Refuses(Assembly a, params string[] prefixes)
    {
        var bad = References(a).Where(r => prefixes.Any(p => r.StartsWith(p, StringComparison.Ordinal))).ToList();
        Assert.True(bad.Count == 0, $"{a.GetName().Name} references {string.Join(", ", bad)}");
    }

    [Fact]
    public void Transit_is_bcl_only()
    {
        var others = References(typeof(Timetable).Assembly).Where(r => !(r.StartsWith("System", StringComparison.Ordinal) || r is "netstandard" or "mscorlib")).ToList();
        Assert.True(others.Count == 0, $"Lis.Geo.Transit references {string.Join(", ", others)}");
    }

    [Fact]
    public void Analysis_has_no_ef_npgsql_or_aspnet_and_no_store() =>
        Refuses(typeof(AccessParameters).Assembly, "Microsoft.EntityFrameworkCore", "Npgsql", "Microsoft.AspNetCore", "Lis.Geo.Data", "Lis.Geo.Jobs", "Lis.Geo.Api");

    [Fact]
    public void Data_references_neither_jobs_nor_analysis() =>
        Refuses(typeof(LisGeoDb).Assembly, "Lis.Geo.Jobs", "Lis.Geo.Analysis", "Lis.Geo.Api", "Microsoft.AspNetCore", "Hangfire");

    [Fact]
    public void Jobs_has_no_aspnet()
    {
        Refuses(typeof(AnalysisJobs).Assembly, "Microsoft.AspNetCore", "Lis.Geo.Api");
        // And nothing of ASP.NET is loaded to run it: no framework reference hides one.
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), x => x.GetName().Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }
}
