using Xunit;

namespace Lis.Geo.Testing;

/// <summary>
/// xunit class fixture giving a test class its own fresh PostGIS database, dropped when the
/// class is done. Use it as <c>IClassFixture&lt;PostgisDatabaseFixture&gt;</c>, or derive
/// from it and override <see cref="InitializeDatabaseAsync"/> to apply migrations or seed data
/// once per class.
/// </summary>
public class PostgisDatabaseFixture : IAsyncLifetime
{
    private string? _connectionString;
    private PostgisServer? _server;
    private PrivatePostgisServer? _private;

    /// <summary>Connection string of this fixture's database; valid once xunit has initialised the fixture.</summary>
    public string ConnectionString =>
        _connectionString ?? throw new InvalidOperationException("The fixture has not been initialised: xunit calls InitializeAsync before the first test.");

    /// <summary>The shared server this fixture's database lives on.</summary>
    public PostgisServer Server =>
        _server ?? throw new InvalidOperationException("The fixture has not been initialised: xunit calls InitializeAsync before the first test.");

    /// <summary>
    /// Start of the database name, to tell whose database is whose when you look at the server.
    /// Defaults to the fixture's type name, so derived fixtures name their databases.
    /// </summary>
    protected virtual string DatabaseNamePrefix => GetType().Name;

    /// <summary>
    /// True to put the database on a cluster of this fixture's own (<see cref="PrivateServer"/>), which its
    /// tests may stop and restart; it costs an initdb and a server start (a few seconds) and is stopped with the fixture.
    /// </summary>
    protected virtual bool OwnCluster => false;

    /// <summary>The fixture's own cluster, when <see cref="OwnCluster"/>.</summary>
    public PrivatePostgisServer PrivateServer =>
        _private ?? throw new InvalidOperationException("This fixture uses the shared server (OwnCluster is false), or is not initialised yet.");

    public async Task InitializeAsync()
    {
        if (OwnCluster) _private = await PrivatePostgisServer.StartAsync().ConfigureAwait(false);
        _server = _private?.Server ?? await PostgisServer.GetAsync().ConfigureAwait(false);
        _connectionString = await _server.CreateDatabaseAsync(DatabaseNamePrefix).ConfigureAwait(false);
        try
        {
            await InitializeDatabaseAsync(_connectionString).ConfigureAwait(false);
        }
        catch
        {
            // Do not rely on the runner disposing a fixture whose start-up threw: on a server
            // of your own (LISGEO_TEST_PG) the half-built database would stay behind. Dropping
            // twice is harmless (IF EXISTS).
            await DisposeDatabaseAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs once, after the database exists with PostGIS and before the first test.</summary>
    protected virtual Task InitializeDatabaseAsync(string connectionString) => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await DisposeDatabaseAsync().ConfigureAwait(false);
        if (_private is not null) await _private.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Drops the database unless LISGEO_TEST_KEEP_DB=1 asks to keep it for inspection.</summary>
    protected virtual async Task DisposeDatabaseAsync()
    {
        if (_server is null || _connectionString is null
            || Environment.GetEnvironmentVariable(PostgisServer.KeepDatabasesVariable) == "1")
        {
            return;
        }

        await _server.DropDatabaseAsync(_connectionString).ConfigureAwait(false);
    }
}
