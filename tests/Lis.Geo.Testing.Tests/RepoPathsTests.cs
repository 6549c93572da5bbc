namespace Lis.Geo.Testing.Tests;

public sealed class RepoPathsTests
{
    [Fact]
    public void Repo_root_is_the_folder_with_the_solution()
    {
        Assert.True(File.Exists(Path.Combine(RepoPaths.RepoRoot, "Lis.Geo.sln")));
        Assert.True(Directory.Exists(Path.Combine(RepoPaths.RepoRoot, "tests", "Lis.Geo.Testing")));
    }

    [Fact]
    public void Shared_data_is_found_beside_the_repository()
    {
        // CI and every developer machine have shared/ beside the clone; its README describes the data sets.
        Assert.True(File.Exists(Path.Combine(RepoPaths.SharedData, "README.md")), $"no README.md in {RepoPaths.SharedData}");
    }

    [Fact]
    public void Shared_data_honours_the_override_and_fails_loudly_when_it_is_missing()
    {
        var existing = Path.GetTempPath();
        var missing = Path.Combine(Path.GetTempPath(), "lisgeo-no-such-" + Guid.NewGuid().ToString("N"));

        Assert.Equal(Path.GetFullPath(existing), RepoPaths.ResolveSharedData(existing, "/nowhere"));
        var error = Assert.Throws<DirectoryNotFoundException>(() => RepoPaths.ResolveSharedData(missing, RepoPaths.RepoRoot));
        Assert.Contains(RepoPaths.SharedDataVariable, error.Message, StringComparison.Ordinal);
        Assert.Throws<DirectoryNotFoundException>(() => RepoPaths.ResolveSharedData(null, Path.Combine(missing, "repo")));
    }

    [Fact]
    public void Repo_root_search_walks_up_and_gives_null_outside_a_checkout()
    {
        Assert.Equal(RepoPaths.RepoRoot, RepoPaths.FindRepoRoot(Path.Combine(RepoPaths.RepoRoot, "tests", "Lis.Geo.Testing")));
        Assert.Null(RepoPaths.FindRepoRoot(Path.GetPathRoot(RepoPaths.RepoRoot)!));
    }
}
