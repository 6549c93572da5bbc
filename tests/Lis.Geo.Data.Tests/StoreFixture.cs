using Lis.Geo.Testing;
using Npgsql;

namespace Lis.Geo.Data.Tests;

/// <summary>A fresh database per test class with the schema migrated, and helpers to query it.</summary>
public class StoreFixture : PostgisDatabaseFixture
{
    private NpgsqlDataSource? _dataSource;

    public NpgsqlDataSource DataSource => _dataSource ??= LisGeoDb.CreateDataSource(ConnectionString);

    protected override Task InitializeDatabaseAsync(string connectionString) => LisGeoDb.MigrateAsync(connectionString);

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        foreach (var p in parameters) cmd.Parameters.Add(new NpgsqlParameter { Value = p });
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    protected override async Task DisposeDatabaseAsync()
    {
        if (_dataSource is not null) await _dataSource.DisposeAsync();
        await base.DisposeDatabaseAsync();
    }
}
