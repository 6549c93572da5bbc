using System.Reflection;
using System.Text.RegularExpressions;
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

    /// <summary>What sends SQL text to PostgreSQL: Npgsql commands, batches and COPY, and EF's raw SQL.</summary>
    private static readonly Regex SqlCall = new(
        @"\b(CreateCommand|NpgsqlCommand|NpgsqlBatch|Begin(Text|Binary|RawBinary)(Import|Export|Copy)\w*|ExecuteSql\w*|SqlQuery\w*|FromSql\w*)\b",
        RegexOptions.Compiled);

    /// <summary>
    /// The store's SQL is in Lis.Geo.Data (README "Layout"): no other project sends a statement of its own —
    /// the Api maps HTTP, Jobs orchestrates, the CLI and the worker call the store, Analysis and Transit know no
    /// database. Since issue 9 there is no exception, so a file anywhere else that sends SQL fails here.
    /// </summary>
    [Fact]
    public void Only_the_store_sends_sql()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Lis.Geo.sln"))) root = root.Parent ?? throw new InvalidOperationException("no Lis.Geo.sln above the test's folder");
        var src = Path.Combine(root.FullName, "src");
        var found = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root.FullName, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("src/Lis.Geo.Data/", StringComparison.Ordinal))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .Where(f => SqlCall.IsMatch(File.ReadAllText(Path.Combine(root.FullName, f))))
            .Order(StringComparer.Ordinal).ToList();
        Assert.True(found.Count == 0, $"SQL sent outside src/Lis.Geo.Data (move it into the store): {string.Join(", ", found)}");
        // The pattern is not blind: it finds the store's own statements.
        Assert.Contains(Directory.EnumerateFiles(Path.Combine(src, "Lis.Geo.Data", "Analyses"), "*.cs"), f => SqlCall.IsMatch(File.ReadAllText(f)));
        // The scan saw the projects it guards (a moved folder must not make it pass by finding nothing).
        Assert.All(new[] { "Lis.Geo.Api", "Lis.Geo.Jobs", "Lis.Geo.Cli", "Lis.Geo.Worker" },
            d => Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(src, d), "*.cs", SearchOption.AllDirectories)));
    }
}
