using Npgsql;

namespace Lis.Geo.Testing.Tests;

public sealed class PostgisDatabaseFixtureTests(PostgisDatabaseFixture fixture) : IClassFixture<PostgisDatabaseFixture>
{
    [Fact]
    public async Task PostGIS_library_is_version_3_or_later()
    {
        var version = await PostgisServerTests.ScalarAsync<string>(fixture.ConnectionString, "SELECT postgis_lib_version()");

        Assert.True(Version.TryParse(version, out var parsed), $"unparseable PostGIS version '{version}'");
        Assert.True(parsed.Major >= 3, $"PostGIS 3 or later expected, got {version}");
    }

    /// <summary>
    /// Birmingham New Street (WGS84 lon -1.898575, lat 52.477829) in British National Grid.
    /// Expected value derived outside PostGIS with PROJ 9.1.1 (Debian proj-bin), both ways agreeing:
    /// <code>
    /// echo "52.477829 -1.898575" | cs2cs -d 3 EPSG:4326 EPSG:27700
    ///   → 406985.729 286660.518   (PROJ reports "Inverse of OSGB36 to WGS 84 (6) + British National Grid")
    /// echo "-1.898575 52.477829 0 0" | cct -d 3 +proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad
    ///   +step +proj=cart +ellps=WGS84 +step +inv +proj=helmert +x=446.448 +y=-125.157 +z=542.06 +rx=0.15 +ry=0.247
    ///   +rz=0.842 +s=-20.489 +convention=position_vector +step +inv +proj=cart +ellps=airy
    ///   +step +proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy
    ///   → 406985.729 286660.518
    /// </code>
    /// The 3 m tolerance admits a server that has the OSTN15 grid (then PROJ uses it instead of
    /// the 7-parameter Helmert, whose stated accuracy is 2 m) yet still fails the mistakes that
    /// matter: swapped axes (kilometres off) and a missing datum shift (PROJ's "ballpark"
    /// fallback gives 406887.840 286701.604, about 106 m away).
    /// </summary>
    [Fact]
    public async Task Transform_of_a_WGS84_point_to_British_National_Grid_matches_PROJ()
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT ST_X(p), ST_Y(p) FROM ST_Transform(ST_SetSRID(ST_MakePoint(-1.898575, 52.477829), 4326), 27700) AS p", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var (easting, northing) = (reader.GetDouble(0), reader.GetDouble(1));

        Assert.InRange(easting, 406985.729 - 3, 406985.729 + 3);
        Assert.InRange(northing, 286660.518 - 3, 286660.518 + 3);
    }

    [Fact]
    public async Task Fixture_database_is_its_own_and_not_the_admin_database()
    {
        var admin = new NpgsqlConnectionStringBuilder(fixture.Server.AdminConnectionString).Database;

        Assert.NotEqual(admin, PostgisServerTests.Database(fixture.ConnectionString));
        Assert.StartsWith("postgisdatabasefixture_", PostgisServerTests.Database(fixture.ConnectionString), StringComparison.Ordinal);
        Assert.Equal(1L, await PostgisServerTests.ScalarAsync<long>(fixture.ConnectionString, "SELECT count(*) FROM pg_extension WHERE extname = 'postgis'"));
    }
}

/// <summary>A derived fixture as the data tests will write one: schema applied once per class.</summary>
public sealed class SeededFixture : PostgisDatabaseFixture
{
    public int InitializeCalls { get; private set; }

    protected override string DatabaseNamePrefix => "seeded";

    protected override async Task InitializeDatabaseAsync(string connectionString)
    {
        InitializeCalls++;
        await PostgisServerTests.ExecuteAsync(connectionString,
            "CREATE TABLE stop (id text PRIMARY KEY, geom geometry(Point, 4326) NOT NULL); INSERT INTO stop VALUES ('43000210501', 'SRID=4326;POINT(-1.898575 52.477829)')");
    }
}

public sealed class DerivedFixtureTests(SeededFixture fixture) : IClassFixture<SeededFixture>
{
    [Fact]
    public async Task Initialize_hook_runs_once_before_the_tests_against_the_new_database()
    {
        Assert.Equal(1, fixture.InitializeCalls);
        Assert.StartsWith("seeded_", PostgisServerTests.Database(fixture.ConnectionString), StringComparison.Ordinal);
        Assert.Equal(1L, await PostgisServerTests.ScalarAsync<long>(fixture.ConnectionString, "SELECT count(*) FROM stop"));
    }
}

public sealed class FailedFixtureTests
{
    private sealed class BrokenMigrationFixture : PostgisDatabaseFixture
    {
        protected override Task InitializeDatabaseAsync(string connectionString) =>
            PostgisServerTests.ExecuteAsync(connectionString, "CREATE TABLE broken (id int REFERENCES no_such_table (id))");
    }

    [Fact]
    public async Task Database_is_dropped_when_initialisation_fails()
    {
        var fixture = new BrokenMigrationFixture();

        var error = await Assert.ThrowsAsync<PostgresException>(fixture.InitializeAsync);

        Assert.Equal(PostgresErrorCodes.UndefinedTable, error.SqlState);
        var name = PostgisServerTests.Database(fixture.ConnectionString);
        Assert.Equal(0L, await PostgisServerTests.ScalarAsync<long>(fixture.Server.AdminConnectionString, $"SELECT count(*) FROM pg_database WHERE datname = '{name}'"));
    }
}
