using Npgsql;

namespace Lis.Geo.Testing;

/// <summary>
/// The one PostGIS server every database test in a test process shares. Each test class gets
/// its own database on it (<see cref="PostgisDatabaseFixture"/>), so classes run in parallel
/// without seeing each other's rows, and the server starts once per process, not per class.
/// </summary>
/// <remarks>
/// The server is found in this order:
/// <list type="number">
/// <item><c>LISGEO_TEST_PG</c>: an admin connection string to a server you run (a superuser,
/// or a role with CREATEDB on a server with PostGIS installed).</item>
/// <item>A Testcontainers <c>postgis/postgis:15-3.4</c> container, when a Docker engine answers
/// a ping within a second or two.</item>
/// <item>A throwaway cluster from the PostgreSQL binaries installed on this machine, deleted
/// when the process exits.</item>
/// </list>
/// If none works the first call throws, and so does every later one: a database test must
/// fail loudly on a machine without PostGIS, never pass by skipping.
/// </remarks>
public sealed class PostgisServer
{
    public const string ConnectionStringVariable = "LISGEO_TEST_PG";

    /// <summary>Set to 1 to leave test databases behind for inspection (useful with LISGEO_TEST_PG).</summary>
    public const string KeepDatabasesVariable = "LISGEO_TEST_KEEP_DB";

    /// <summary>Set to 1 to skip the Docker probe and go straight to the local binaries.</summary>
    public const string NoDockerVariable = "LISGEO_TEST_NO_DOCKER";

    // PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN - 1); we stay below it so the
    // name we return is the name the server stores.
    private const int MaxDatabaseNameLength = 63;

    private static readonly Lazy<Task<PostgisServer>> Instance =
        new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private PostgisServer(string adminConnectionString, string description)
    {
        AdminConnectionString = adminConnectionString;
        Description = description;
    }

    /// <summary>Connection string of a role that may create and drop databases.</summary>
    public string AdminConnectionString { get; }

    /// <summary>Where the server came from, for test output and error messages.</summary>
    public string Description { get; }

    /// <summary>How long finding or starting the server took (Docker probe, initdb, start).</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>A server over <paramref name="adminConnectionString"/> (a private cluster's), to create databases on it.</summary>
    internal static PostgisServer Over(string adminConnectionString, string description) => new(adminConnectionString, description);

    /// <summary>The process-wide server, started on first use.</summary>
    public static Task<PostgisServer> GetAsync() => Instance.Value;

    /// <summary>
    /// Creates a new database with a unique name starting with <paramref name="namePrefix"/>,
    /// installs PostGIS in it and returns a connection string to it.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string namePrefix, CancellationToken cancellationToken = default)
    {
        var name = UniqueDatabaseName(namePrefix);
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {QuoteIdentifier(name)}", admin);
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var connectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
        try
        {
            await using var db = new NpgsqlConnection(connectionString);
            await db.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var extension = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS postgis", db);
            await extension.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedFile)
        {
            await DropDatabaseAsync(connectionString, CancellationToken.None).ConfigureAwait(false);
            throw new InvalidOperationException(
                $"The PostgreSQL server ({Description}) has no PostGIS extension: {e.MessageText}. "
                + "Install it (Debian/Ubuntu: apt-get install postgresql-15-postgis-3, matching the server's major version) "
                + $"or point {ConnectionStringVariable} at a server that has it.", e);
        }

        return connectionString;
    }

    /// <summary>
    /// Drops the database named in <paramref name="connectionString"/>, closing any sessions
    /// still attached to it (ours from the connection pool, or a test's that leaked).
    /// </summary>
    public async Task DropDatabaseAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        if (string.IsNullOrEmpty(name) || IsProtectedDatabase(name, AdminConnectionString))
        {
            throw new ArgumentException($"Refusing to drop database '{name}': it is not a test database.", nameof(connectionString));
        }

        // Idle pooled connections would otherwise be killed by FORCE and then surface as
        // broken connections in whatever reuses the pool next.
        await using (var pooled = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {QuoteIdentifier(name)} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static string UniqueDatabaseName(string namePrefix)
    {
        ArgumentNullException.ThrowIfNull(namePrefix);
        var prefix = new string(namePrefix.ToLowerInvariant()
            .Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '_')
            .ToArray()).Trim('_');
        if (prefix.Length == 0 || char.IsDigit(prefix[0]))
        {
            prefix = "t_" + prefix;
        }

        var suffix = "_" + Guid.NewGuid().ToString("N")[..12];
        if (prefix.Length + suffix.Length > MaxDatabaseNameLength)
        {
            prefix = prefix[..(MaxDatabaseNameLength - suffix.Length)];
        }

        return prefix + suffix;
    }

    internal static string QuoteIdentifier(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static bool IsProtectedDatabase(string name, string adminConnectionString)
    {
        var adminDatabase = new NpgsqlConnectionStringBuilder(adminConnectionString).Database ?? "postgres";
        return name is "postgres" or "template0" or "template1"
            || string.Equals(name, adminDatabase, StringComparison.Ordinal);
    }

    private static async Task<PostgisServer> StartAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var server = await FindOrStartAsync().ConfigureAwait(false);
        server.StartupTime = clock.Elapsed;
        return server;
    }

    private static async Task<PostgisServer> FindOrStartAsync()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            var server = new PostgisServer(fromEnvironment, $"{ConnectionStringVariable} ({Describe(fromEnvironment)})");
            await server.CheckReachableAsync().ConfigureAwait(false);
            return server;
        }

        var attempts = new List<string>();

        if (Environment.GetEnvironmentVariable(NoDockerVariable) == "1")
        {
            attempts.Add($"Docker: skipped ({NoDockerVariable}=1)");
        }
        else
        {
            var probe = await DockerProbe.ProbeAsync().ConfigureAwait(false);
            if (probe.Answered)
            {
                try
                {
                    var container = await PostgisContainer.StartAsync().ConfigureAwait(false);
                    return new PostgisServer(container.ConnectionString, $"Testcontainers {PostgisContainer.Image} via {probe.Endpoint}");
                }
#pragma warning disable CA1031 // An engine that answers but cannot pull or run the image (offline, no space) is a reason to try the local binaries, whatever it threw.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    attempts.Add($"Docker: engine at {probe.Endpoint} answered but {PostgisContainer.Image} did not start: {e.Message}");
                }
            }
            else
            {
                attempts.Add("Docker: " + probe.Detail);
            }
        }

        var (local, localDetail) = await LocalCluster.TryStartAsync().ConfigureAwait(false);
        if (local is not null)
        {
            var server = new PostgisServer(local.ConnectionString, local.Description);
            await server.CheckReachableAsync().ConfigureAwait(false);
            return server;
        }

        attempts.Add("Local PostgreSQL: " + localDetail);

        throw new InvalidOperationException(
            "Database tests need PostgreSQL with PostGIS, and none could be found or started.\n"
            + string.Join("\n", attempts.Select(a => "  - " + a)) + "\n"
            + "Fix one of:\n"
            + "  - install it: sudo apt-get install -y postgresql-15-postgis-3 (or run scripts/test, which does this);\n"
            + $"  - or set {ConnectionStringVariable} to an admin connection string of a server with PostGIS, e.g.\n"
            + $"    {ConnectionStringVariable}='Host=127.0.0.1;Port=5432;Username=postgres;Password=...';\n"
            + "  - or start a Docker engine (Testcontainers will run postgis/postgis:15-3.4).");
    }

    private async Task CheckReachableAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(AdminConnectionString);
            await connection.OpenAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new InvalidOperationException($"Cannot connect to the PostgreSQL server from {Description}: {e.Message}", e);
        }
    }

    private static string Describe(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{b.Host}:{b.Port}";
    }
}
