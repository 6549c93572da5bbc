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
    /// Files of the Api and Jobs that still send their own SQL, each with why it is not in the store yet
    /// (README "Layout": the store's SQL is in Lis.Geo.Data). A new file with SQL fails here; so does a
    /// listed one that no longer has any, so the list only shrinks.
    /// </summary>
    private static readonly Dictionary<string, string> SqlOutsideTheStore = new()
    {
        // Empty since issue 9: every statement of the Api and Jobs is in Lis.Geo.Data.
    };

    [Fact]
    public void Api_and_jobs_send_sql_only_from_the_listed_files()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Lis.Geo.sln"))) root = root.Parent ?? throw new InvalidOperationException("no Lis.Geo.sln above the test's folder");
        var found = new[] { "src/Lis.Geo.Api", "src/Lis.Geo.Jobs" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root.FullName, d), "*.cs", SearchOption.AllDirectories))
            .Select(f => Path.GetRelativePath(root.FullName, f).Replace('\\', '/'))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .Where(f => SqlCall.IsMatch(File.ReadAllText(Path.Combine(root.FullName, f))))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(SqlOutsideTheStore.Keys.Order(StringComparer.Ordinal), found);
    }
}
