namespace Lis.Geo.Testing;

/// <summary>
/// A PostgreSQL/PostGIS cluster of one fixture's own (never the shared test server), made from the
/// local binaries as <see cref="PostgisServer"/>'s fallback is, so a test may stop and restart it —
/// a real database restart — without touching any other test class's database.
/// </summary>
public sealed class PrivatePostgisServer : IAsyncDisposable
{
    private readonly LocalCluster _cluster;

    private PrivatePostgisServer(LocalCluster cluster)
    {
        _cluster = cluster;
        Server = PostgisServer.Over(cluster.ConnectionString, "private " + cluster.Description);
    }

    /// <summary>The cluster as a server to create (and drop) databases on.</summary>
    public PostgisServer Server { get; }

    /// <summary>How long initdb and the first start took.</summary>
    public TimeSpan StartupTime { get; private init; }

    /// <summary>Starts a new cluster; throws (with the reason) on a machine without the PostgreSQL server binaries.</summary>
    public static async Task<PrivatePostgisServer> StartAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (cluster, detail) = await LocalCluster.TryStartAsync().ConfigureAwait(false);
        if (cluster is null)
            throw new InvalidOperationException($"A private PostgreSQL cluster could not be started: {detail}. Install postgresql and postgresql-NN-postgis-3 (or set {LocalCluster.BinDirVariable}).");
        return new PrivatePostgisServer(cluster) { StartupTime = clock.Elapsed };
    }

    /// <summary>Shuts the server down (fast: sessions ended, logins refused) and keeps its data.</summary>
    public Task StopAsync() => _cluster.StopServerAsync();

    /// <summary>Starts it again on the same port with the same data.</summary>
    public async Task StartAgainAsync()
    {
        await _cluster.StartServerAsync().ConfigureAwait(false);
        // The admin pool's idle sessions died with the server; creating or dropping a database would meet one.
        using var admin = new Npgsql.NpgsqlConnection(Server.AdminConnectionString);
        Npgsql.NpgsqlConnection.ClearPool(admin);
    }

    public ValueTask DisposeAsync()
    {
        _cluster.Stop();
        return ValueTask.CompletedTask;
    }
}
