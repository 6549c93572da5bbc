using Microsoft.EntityFrameworkCore;

namespace Lis.Geo.Data;

/// <summary>The one place that knows how to connect to the store, so API, worker, CLI and tests agree.</summary>
public static class LisGeoDb
{
    /// <summary>Configures EF Core for PostGIS with NetTopologySuite and snake_case names.</summary>
    public static DbContextOptionsBuilder<LisGeoDbContext> Configure(DbContextOptionsBuilder<LisGeoDbContext> builder, string connectionString) =>
        builder.UseNpgsql(connectionString, o => o.UseNetTopologySuite().MigrationsHistoryTable("__ef_migrations"))
               .UseSnakeCaseNamingConvention();

    /// <summary>A data source with the NetTopologySuite type mapping for hand-written SQL (COPY, spatial queries).</summary>
    /// <param name="connectionString">The store's connection string.</param>
    /// <param name="autoPrepare">
    /// Prepare statements that recur (unless the connection string sets <c>Max Auto Prepare</c> itself). The API's
    /// reads are a few SQL texts run over and over with new parameters (an items page, a tile), and unprepared
    /// each one pays PostgreSQL's parse and plan again: about 1 ms of planning for a page of zones.
    /// </param>
    public static NpgsqlDataSource CreateDataSource(string connectionString, bool autoPrepare = false)
    {
        var b = new NpgsqlDataSourceBuilder(connectionString);
        if (autoPrepare && b.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            b.ConnectionStringBuilder.MaxAutoPrepare = 64;
            b.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        }
        b.UseNetTopologySuite();
        b.EnableDynamicJson();
        return b.Build();
    }

    public static LisGeoDbContext CreateContext(string connectionString) =>
        new(Configure(new DbContextOptionsBuilder<LisGeoDbContext>(), connectionString).Options);

    /// <summary>
    /// A context on a data source's pool. (A data source's <c>ConnectionString</c> omits the
    /// password, so contexts are built from the source itself, never from that string.)
    /// </summary>
    public static LisGeoDbContext CreateContext(NpgsqlDataSource dataSource) =>
        new(new DbContextOptionsBuilder<LisGeoDbContext>()
            .UseNpgsql(dataSource, o => o.UseNetTopologySuite().MigrationsHistoryTable("__ef_migrations"))
            .UseSnakeCaseNamingConvention().Options);

    /// <summary>Applies every pending migration and returns their names. Safe to call on every start.</summary>
    public static async Task<IReadOnlyList<string>> MigrateAsync(string connectionString, CancellationToken ct = default)
    {
        await using var db = CreateContext(connectionString);
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        await db.Database.MigrateAsync(ct);
        return pending;
    }
}
