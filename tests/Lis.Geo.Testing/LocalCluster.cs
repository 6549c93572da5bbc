using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lis.Geo.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster made from the binaries installed on this machine (Debian's
/// postgresql-NN + postgresql-NN-postgis-3), for CI and developers without Docker.
/// </summary>
/// <remarks>
/// It lives in a fresh temp directory, listens on 127.0.0.1 only, on a free port, with its
/// unix socket inside that directory (so it never collides with a system cluster), and runs
/// with fsync off (its data dies with the test process anyway). TCP logins need a random
/// password: other users of a shared machine can reach 127.0.0.1 too, and a superuser session
/// can run programs as the server's OS user (COPY ... TO PROGRAM). initdb and postgres refuse to run as root, so as root the cluster runs
/// as the <c>postgres</c> OS user the Debian packages create.
/// </remarks>
internal sealed class LocalCluster
{
    /// <summary>Overrides the search for initdb/pg_ctl, e.g. /usr/lib/postgresql/16/bin.</summary>
    public const string BinDirVariable = "LISGEO_PG_BINDIR";

    private const string DirectoryPrefix = "lisgeo-pg-";
    private const string OwnerFileName = "owner.pid";
    private const string ServerUser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private readonly string _binDir;
    private readonly string _dataDir;
    private readonly bool _runAsServerUser;
    private int _stopped;

    private readonly string _password;

    private LocalCluster(string binDir, string root, bool runAsServerUser, int port, string password)
    {
        _password = password;
        _binDir = binDir;
        Root = root;
        _dataDir = Path.Combine(root, "data");
        _runAsServerUser = runAsServerUser;
        Port = port;
    }

    public string Root { get; }

    public int Port { get; }

    public string ConnectionString =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Password={_password};Database=postgres;Include Error Detail=true";

    public string Description => $"local cluster from {_binDir} at {Root}, port {Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Starts a cluster, or returns a null cluster and the reason.</summary>
    public static async Task<(LocalCluster? Cluster, string Detail)> TryStartAsync()
    {
        if (OperatingSystem.IsWindows())
        {
            return (null, "not supported on Windows; set LISGEO_TEST_PG instead");
        }

        var binDir = FindBinDir(out var searched);
        if (binDir is null)
        {
            return (null, $"no initdb/pg_ctl found (looked in {searched})");
        }

        var asRoot = Environment.UserName == "root";
        if (asRoot && !UserExists(ServerUser))
        {
            return (null, $"running as root, which initdb refuses, and there is no '{ServerUser}' OS user to run the server as");
        }

        // As root the server runs as postgres, which must be able to reach its directory:
        // TMPDIR may point under /root, which postgres cannot enter, while /tmp always works.
        var tempBase = asRoot ? "/tmp" : Path.GetTempPath();
        await SweepAbandonedAsync(tempBase, binDir, asRoot).ConfigureAwait(false);

        var root = Path.Combine(tempBase, DirectoryPrefix + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8]);
        // 0700: the unix socket inside trusts whoever can reach it, and the password file
        // passes through here during initdb.
        Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(root, OwnerFileName), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

        LocalCluster? cluster = null;
        try
        {
            if (asRoot)
            {
                await RunAsync("chown", [ServerUser, root], asServerUser: false, root).ConfigureAwait(false);
            }

            StartWatchdog(root, Path.Combine(binDir, "pg_ctl"), asRoot);

            var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
            var passwordFile = Path.Combine(root, "pwfile");
            File.WriteAllText(passwordFile, password + "\n");
            if (asRoot)
            {
                await RunAsync("chown", [ServerUser, passwordFile], asServerUser: false, root).ConfigureAwait(false);
            }

            var initdb = await RunAsync(Path.Combine(binDir, "initdb"),
                ["-D", Path.Combine(root, "data"), "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", $"--pwfile={passwordFile}",
                 "-E", "UTF8", "--no-locale", "--no-sync"],
                asRoot, root).ConfigureAwait(false);
            File.Delete(passwordFile);
            if (initdb.ExitCode != 0)
            {
                DeleteQuietly(root);
                return (null, $"initdb failed (exit {initdb.ExitCode}): {initdb.Output.Trim()}");
            }

            File.AppendAllText(Path.Combine(root, "data", "postgresql.conf"),
                "\n# Lis.Geo test cluster: reachable only from this machine, durability off for speed.\n"
                + "listen_addresses = '127.0.0.1'\n"
                + $"unix_socket_directories = '{root}'\n"
                + "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                // One pool per test-class database adds up across parallel test classes.
                + "max_connections = 300\n");

            // The free port we pick can be taken by someone else before the server binds it.
            var failures = new StringBuilder();
            for (var attempt = 1; attempt <= 3; attempt++)
            {
                var port = FreeLoopbackPort();
                var start = await RunAsync(Path.Combine(binDir, "pg_ctl"),
                    ["-D", Path.Combine(root, "data"), "-l", Path.Combine(root, "server.log"), "-w", "-t", "60", "-o", $"-p {port.ToString(CultureInfo.InvariantCulture)}", "start"],
                    asRoot, root).ConfigureAwait(false);
                if (start.ExitCode == 0)
                {
                    cluster = new LocalCluster(binDir, root, asRoot, port, password);
                    break;
                }

                failures.Append(CultureInfo.InvariantCulture, $"port {port}: pg_ctl exit {start.ExitCode}: {start.Output.Trim()} {TailOfLog(root)}\n");
            }

            if (cluster is null)
            {
                DeleteQuietly(root);
                return (null, "the server did not start:\n" + failures);
            }

            var started = cluster;
            AppDomain.CurrentDomain.ProcessExit += (_, _) => started.Stop();
            return (cluster, "started");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or TimeoutException)
        {
            cluster?.Stop();
            DeleteQuietly(root);
            return (null, $"could not set up a cluster in {root}: {e.Message}");
        }
    }

    /// <summary>
    /// Shuts the server down as an administrator's restart would (pg_ctl fast mode: every session is
    /// ended, new logins are refused), keeping its data directory for <see cref="StartServerAsync"/>.
    /// </summary>
    public async Task StopServerAsync()
    {
        var stop = await RunAsync(Path.Combine(_binDir, "pg_ctl"), ["-D", _dataDir, "-m", "fast", "-w", "-t", "60", "stop"], _runAsServerUser, Root).ConfigureAwait(false);
        if (stop.ExitCode != 0) throw new InvalidOperationException($"pg_ctl stop failed (exit {stop.ExitCode}): {stop.Output.Trim()} {TailOfLog(Root)}");
    }

    /// <summary>Starts the server stopped by <see cref="StopServerAsync"/> again, on the same port.</summary>
    public async Task StartServerAsync()
    {
        var start = await RunAsync(Path.Combine(_binDir, "pg_ctl"),
            ["-D", _dataDir, "-l", Path.Combine(Root, "server.log"), "-w", "-t", "60", "-o", $"-p {Port.ToString(CultureInfo.InvariantCulture)}", "start"],
            _runAsServerUser, Root).ConfigureAwait(false);
        if (start.ExitCode != 0) throw new InvalidOperationException($"pg_ctl start failed (exit {start.ExitCode}): {start.Output.Trim()} {TailOfLog(Root)}");
    }

    /// <summary>Stops the server immediately and deletes its directory; safe to call twice.</summary>
    /// <remarks>
    /// Runs at process exit, where the test platform may kill us within a fraction of a second
    /// (vstest does not wait long for its test host), so this signals instead of waiting for
    /// pg_ctl. SIGQUIT is PostgreSQL's immediate shutdown: the postmaster stops its backends
    /// and releases its shared memory, which a SIGKILL would leave behind.
    /// </remarks>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        var pidFile = Path.Combine(_dataDir, "postmaster.pid");
        try
        {
            if (File.Exists(pidFile)
                && int.TryParse(File.ReadLines(pidFile).FirstOrDefault()?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var postmaster)
                && postmaster > 0)
            {
                _ = NativeMethods.kill(postmaster, NativeMethods.SIGQUIT);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Process exit must not throw; the watchdog and the next run's sweep remain.
        }

        DeleteQuietly(Root);
    }

    /// <summary>
    /// A detached shell that stops the cluster and deletes it once this process is gone, however
    /// it went: killed by the test platform, by a CI timeout or by Ctrl+C twice. The postmaster
    /// is not our child (pg_ctl daemonises it), so nothing else would ever stop it.
    /// </summary>
    private static void StartWatchdog(string root, string pgCtl, bool asRoot)
    {
        // The pause lets an initdb or pg_ctl orphaned by the owner's death finish first, so we
        // neither miss a server it was starting nor delete files it is still writing.
        const string Script = """
            exec </dev/null >/dev/null 2>&1
            owner=$1; root=$2; shift 2
            alive() { kill -0 "$owner" && ! grep -q '^State:[[:space:]]*Z' "/proc/$owner/status"; }
            while alive; do sleep 1; done
            sleep 1
            [ -f "$root/data/postmaster.pid" ] && "$@" -D "$root/data" -m immediate -w -t 30 stop
            for attempt in 1 2 3 4 5; do rm -rf "$root"; [ -e "$root" ] || break; sleep 1; done
            """;
        var start = new ProcessStartInfo { FileName = "setsid", UseShellExecute = false, WorkingDirectory = root };
        foreach (var a in new[] { "-f", "sh", "-c", Script, "lisgeo-pg-watchdog", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), root })
        {
            start.ArgumentList.Add(a);
        }

        foreach (var a in asRoot ? new[] { "runuser", "-u", ServerUser, "--", pgCtl } : [pgCtl])
        {
            start.ArgumentList.Add(a);
        }

        try
        {
            using var watchdog = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No setsid (not util-linux): the exit handler and the next run's sweep still clean up.
        }
    }

    /// <summary>
    /// Newest installed PostgreSQL whose PostGIS is installed too; failing that the newest one
    /// (CREATE EXTENSION then says what is missing).
    /// </summary>
    internal static string? FindBinDir(out string searched)
    {
        var places = new List<string>();
        var overridden = Environment.GetEnvironmentVariable(BinDirVariable);
        if (!string.IsNullOrWhiteSpace(overridden))
        {
            searched = $"{BinDirVariable}={overridden}";
            return HasServerTools(overridden) ? overridden : null;
        }

        var candidates = new List<(string BinDir, int Major, bool HasPostgis)>();
        foreach (var pattern in new[] { ("/usr/lib/postgresql", ""), ("/usr", "pgsql-") })
        {
            places.Add($"{pattern.Item1}/{pattern.Item2}*/bin");
            if (!Directory.Exists(pattern.Item1))
            {
                continue;
            }

            foreach (var versionDir in Directory.EnumerateDirectories(pattern.Item1, pattern.Item2 + "*"))
            {
                var versionText = Path.GetFileName(versionDir)[pattern.Item2.Length..];
                var bin = Path.Combine(versionDir, "bin");
                if (int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var major) && HasServerTools(bin))
                {
                    var postgis = File.Exists($"/usr/share/postgresql/{major}/extension/postgis.control")
                        || File.Exists(Path.Combine(versionDir, "share", "extension", "postgis.control"));
                    candidates.Add((bin, major, postgis));
                }
            }
        }

        var best = candidates.OrderByDescending(c => c.HasPostgis).ThenByDescending(c => c.Major).FirstOrDefault();
        if (best.BinDir is not null)
        {
            searched = string.Join(", ", places);
            return best.BinDir;
        }

        places.Add("PATH");
        searched = string.Join(", ", places);
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (HasServerTools(dir))
            {
                return dir;
            }
        }

        return null;
    }

    private static bool HasServerTools(string dir) =>
        File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")) && File.Exists(Path.Combine(dir, "postgres"));

    /// <summary>
    /// Removes clusters left by test processes that were killed before their exit handler ran
    /// (a cancelled run, a crashed test host), so they do not pile up holding memory and ports.
    /// </summary>
    private static async Task SweepAbandonedAsync(string tempBase, string binDir, bool asRoot)
    {
        try
        {
            foreach (var dir in Directory.EnumerateDirectories(tempBase, DirectoryPrefix + "*"))
            {
                var ownerFile = Path.Combine(dir, OwnerFileName);
                if (!File.Exists(ownerFile)
                    || !int.TryParse(File.ReadAllText(ownerFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var owner)
                    || IsAlive(owner))
                {
                    continue;
                }

                if (File.Exists(Path.Combine(dir, "data", "postmaster.pid")))
                {
                    await RunAsync(Path.Combine(binDir, "pg_ctl"), ["-D", Path.Combine(dir, "data"), "-m", "immediate", "-w", "-t", "30", "stop"], asRoot, dir).ConfigureAwait(false);
                }

                DeleteQuietly(dir);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or TimeoutException)
        {
            // Sweeping is housekeeping; a failure here must not stop this run's tests.
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            // A zombie has finished (and run its exit handler) but is still listed until reaped.
            var status = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status";
            if (File.Exists(status) && File.ReadLines(status).Any(l => l.StartsWith("State:", StringComparison.Ordinal) && l.Contains('Z', StringComparison.Ordinal)))
            {
                return false;
            }

            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (IOException)
        {
            return false;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    // Debian's packages create postgres as a local system user, so /etc/passwd is enough.
    private static bool UserExists(string user) =>
        File.Exists("/etc/passwd") && File.ReadLines("/etc/passwd").Any(l => l.StartsWith(user + ":", StringComparison.Ordinal));

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string TailOfLog(string root)
    {
        var log = Path.Combine(root, "server.log");
        if (!File.Exists(log))
        {
            return "";
        }

        var lines = File.ReadAllLines(log);
        return "server.log: " + string.Join(" | ", lines.Skip(Math.Max(0, lines.Length - 5)));
    }

    private static void DeleteQuietly(string dir)
    {
        // Server processes still exiting can remove or write a file while we walk the tree,
        // which fails one pass but not the next.
        for (var attempt = 0; attempt < 5 && Directory.Exists(dir); attempt++)
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Thread.Sleep(100);
            }
        }
    }

    private sealed record CommandResult(int ExitCode, string Output);

    private static async Task<CommandResult> RunAsync(string fileName, IReadOnlyList<string> arguments, bool asServerUser, string workingDirectory)
    {
        var start = new ProcessStartInfo
        {
            FileName = asServerUser ? "runuser" : fileName,
            // The child inherits our working directory otherwise, which postgres may not be
            // allowed to enter (initdb then warns, pg_ctl fails).
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (asServerUser)
        {
            foreach (var a in new[] { "-u", ServerUser, "--", fileName })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        // initdb and the server read locale settings; a stray LC_ALL naming a locale that is
        // not installed makes initdb abort, and --no-locale covers the cluster itself.
        start.Environment["LC_ALL"] = "C";
        start.Environment.Remove("LANG");
        start.Environment.Remove("PGDATA");
        start.Environment.Remove("PGPORT");

        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Awaited, never blocked on: this runs while xunit's few worker threads are busy, and
        // a blocking wait here starves the thread pool that delivers the process's output.
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish within {CommandTimeout.TotalSeconds:0} s");
        }
        catch (OperationCanceledException)
        {
            // Exited, but a grandchild still holds its output open; what we have will do.
        }

        lock (output)
        {
            return new CommandResult(process.ExitCode, output.ToString());
        }
    }
}

internal static partial class NativeMethods
{
    public const int SIGQUIT = 3;

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
#pragma warning disable IDE1006, CA1401, SYSLIB1054 // the libc name; a one-int call needs no source-generated marshalling
    public static extern int kill(int pid, int sig);
#pragma warning restore IDE1006, CA1401, SYSLIB1054
}
