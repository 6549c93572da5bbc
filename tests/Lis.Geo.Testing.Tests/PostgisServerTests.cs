using System.Globalization;
using Npgsql;
using Xunit.Abstractions;

namespace Lis.Geo.Testing.Tests;

public sealed class PostgisServerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Server_starts_once_per_process_and_accepts_admin_connections()
    {
        var first = await PostgisServer.GetAsync();
        var second = await PostgisServer.GetAsync();
        output.WriteLine($"{first.Description}; started in {first.StartupTime.TotalMilliseconds:0} ms");

        Assert.Same(first, second);
        await using var connection = new NpgsqlConnection(first.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_setting('server_version_num')::int", connection);
        var versionNum = (int)(await command.ExecuteScalarAsync())!;
        Assert.True(versionNum >= 150000, $"PostgreSQL 15 or later expected, got {versionNum}");
    }

    [Fact]
    public async Task Databases_are_isolated_from_each_other()
    {
        var server = await PostgisServer.GetAsync();
        var a = await server.CreateDatabaseAsync("isolation_a");
        var b = await server.CreateDatabaseAsync("isolation_a");
        try
        {
            Assert.NotEqual(Database(a), Database(b));
            await ExecuteAsync(a, "CREATE TABLE site (id int PRIMARY KEY, geom geometry(Point, 27700)); INSERT INTO site VALUES (1, 'SRID=27700;POINT(406986 286661)')");

            Assert.Equal(1L, await ScalarAsync<long>(a, "SELECT count(*) FROM site"));
            Assert.Null(await ScalarAsync<string?>(b, "SELECT to_regclass('public.site')::text"));
        }
        finally
        {
            await server.DropDatabaseAsync(a);
            await server.DropDatabaseAsync(b);
        }
    }

    [Fact]
    public async Task Drop_removes_the_database_even_while_pooled_connections_are_open()
    {
        var server = await PostgisServer.GetAsync();
        var cs = await server.CreateDatabaseAsync("drop_me");
        // Leave one session open and one idle in the pool: FORCE must get past both.
        var held = new NpgsqlConnection(cs);
        await held.OpenAsync();
        await ExecuteAsync(cs, "SELECT 1");

        await server.DropDatabaseAsync(cs);

        Assert.Equal(0L, await ScalarAsync<long>(server.AdminConnectionString, $"SELECT count(*) FROM pg_database WHERE datname = '{Database(cs)}'"));
        var gone = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(cs, "SELECT 1"));
        Assert.Equal(PostgresErrorCodes.InvalidCatalogName, gone.SqlState);
        await held.DisposeAsync();
    }

    [Fact]
    public async Task Drop_refuses_the_admin_database()
    {
        var server = await PostgisServer.GetAsync();
        var admin = new NpgsqlConnectionStringBuilder(server.AdminConnectionString) { Database = "postgres" }.ConnectionString;

        await Assert.ThrowsAsync<ArgumentException>(() => server.DropDatabaseAsync(admin));
        Assert.Equal(1L, await ScalarAsync<long>(server.AdminConnectionString, "SELECT count(*) FROM pg_database WHERE datname = 'postgres'"));
    }

    [Fact]
    public async Task Databases_can_be_created_concurrently()
    {
        var server = await PostgisServer.GetAsync();
        var created = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => server.CreateDatabaseAsync("parallel")));
        try
        {
            Assert.Equal(4, created.Select(Database).Distinct().Count());
            foreach (var cs in created)
            {
                Assert.Equal("postgis", await ScalarAsync<string>(cs, "SELECT extname::text FROM pg_extension WHERE extname = 'postgis'"));
            }
        }
        finally
        {
            await Task.WhenAll(created.Select(cs => server.DropDatabaseAsync(cs)));
        }
    }

    [Theory]
    [InlineData("Lis.Geo.Api+SitesTests", "lis_geo_api_sitestests_")]
    [InlineData("9lives", "t_9lives_")]
    [InlineData("", "t__")]
    public void Database_names_are_safe_identifiers_with_a_unique_suffix(string prefix, string expectedStart)
    {
        var name = PostgisServer.UniqueDatabaseName(prefix);

        Assert.StartsWith(expectedStart, name, StringComparison.Ordinal);
        Assert.Matches("^[a-z_][a-z0-9_]*$", name);
        Assert.NotEqual(name, PostgisServer.UniqueDatabaseName(prefix));
    }

    [Fact]
    public void Database_names_fit_in_a_postgres_identifier()
    {
        var name = PostgisServer.UniqueDatabaseName(new string('x', 100));

        Assert.Equal(63, name.Length);
    }

    internal static string Database(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Database!;

    internal static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    internal static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default! : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture);
    }
}
