using Lis.Geo.Transit.Timetables;

namespace Lis.Geo.Transit.Tests;

/// <summary>The engine stays BCL-only so any host (jobs, API, CLI) can embed it (as OTP's RaptorArchitectureTest).</summary>
public sealed class ArchitectureTests
{
    [Fact]
    public void Transit_references_only_base_class_library_assemblies()
    {
        var references = typeof(Timetable).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.NotEmpty(references);
        var foreign = references.Where(name =>
            !(name.StartsWith("System.", StringComparison.Ordinal) || name == "System" ||
              name.StartsWith("Microsoft.Win32.", StringComparison.Ordinal) || name is "netstandard" or "mscorlib")).ToList();
        Assert.Empty(foreign);
    }
}
