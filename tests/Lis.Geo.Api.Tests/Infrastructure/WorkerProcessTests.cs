using System.Diagnostics;
using Lis.Geo.Testing;

namespace Lis.Geo.Api.Tests.Infrastructure;

/// <summary>The built Worker, started as a real process: a missing connection string is a usage error (exit 2) with a message, not a crash (134).</summary>
public sealed class WorkerProcessTests
{
    [Fact]
    public async Task The_worker_without_a_connection_string_says_what_to_set_and_exits_2()
    {
        // This test assembly runs from tests/…/bin/{Configuration}/{tfm}/; the Worker was built beside it (a build-only project reference).
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var worker = Path.Combine(RepoPaths.RepoRoot, "src", "Lis.Geo.Worker", "bin", tfm.Parent!.Name, tfm.Name, "Lis.Geo.Worker.dll");
        Assert.True(File.Exists(worker), $"{worker} is not built");
        var start = new ProcessStartInfo("dotnet", [worker])
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(), // no appsettings.json with a connection string here
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ConnectionStrings", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(2, process.ExitCode);
        var message = await stderr;
        Assert.Contains("ConnectionStrings__LisGeo", message);
        Assert.DoesNotContain("Unhandled exception", message + await stdout);
    }
}
