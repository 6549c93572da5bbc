namespace Lis.Geo.Testing;

/// <summary>
/// Where tests find the repository and the data beside it. Missing data is an error, never a
/// reason to skip: a test that silently skips on CI tests nothing.
/// </summary>
public static class RepoPaths
{
    /// <summary>Overrides the location of the shared data folder (default: RepoRoot/../shared/data).</summary>
    public const string SharedDataVariable = "LISGEO_SHARED";

    private const string SolutionFileName = "Lis.Geo.sln";

    private static readonly Lazy<string> Root = new(() =>
        FindRepoRoot(AppContext.BaseDirectory) ?? FindRepoRoot(Directory.GetCurrentDirectory())
        ?? throw new InvalidOperationException(
            $"Cannot find the repository root: no {SolutionFileName} in {AppContext.BaseDirectory} or any folder above it."));

    /// <summary>The folder holding Lis.Geo.sln.</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>The shared data folder (LISGEO_SHARED, else RepoRoot/../shared/data); throws if it does not exist.</summary>
    public static string SharedData => ResolveSharedData(Environment.GetEnvironmentVariable(SharedDataVariable), RepoRoot);

    /// <summary>The repository's small sample region, RepoRoot/geodata; throws if it does not exist.</summary>
    public static string GeoData => RequireDirectory(Path.Combine(RepoRoot, "geodata"), "the sample region (geodata/ in the repository)");

    internal static string? FindRepoRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFileName)))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    internal static string ResolveSharedData(string? fromEnvironment, string repoRoot)
    {
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return RequireDirectory(Path.GetFullPath(fromEnvironment), $"the shared data folder named by {SharedDataVariable}");
        }

        return RequireDirectory(
            Path.GetFullPath(Path.Combine(repoRoot, "..", "shared", "data")),
            $"the shared data folder (expected beside the repository, or set {SharedDataVariable})");
    }

    private static string RequireDirectory(string path, string what) =>
        Directory.Exists(path) ? path : throw new DirectoryNotFoundException($"Cannot find {what}: {path} does not exist.");
}
