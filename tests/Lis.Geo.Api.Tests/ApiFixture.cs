using System.Net.Http.Json;
using System.Text.Json;
using Lis.Geo.Data;
using Lis.Geo.Data.Importing;
using Lis.Geo.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Lis.Geo.Api.Tests;

/// <summary>
/// A migrated database of its own, loaded with the sample region (geodata/), behind the real
/// ASP.NET Core pipeline. Writes use <see cref="ApiKey"/>; single-feature bodies are capped at
/// <see cref="MaxFeatureBytes"/> so the oversize path is cheap to exercise.
/// </summary>
public class ApiFixture : PostgisDatabaseFixture
{
    public const string ApiKey = "test-key-9f2c";
    public const int MaxFeatureBytes = 64 * 1024;

    private WebApplicationFactory<Program>? _factory;
    private NpgsqlDataSource? _db;

    public HttpClient Client { get; private set; } = null!;
    public NpgsqlDataSource Db => _db!;

    protected virtual string? ManifestPath => Path.Combine(RepoPaths.GeoData, "region.json");

    protected override async Task InitializeDatabaseAsync(string connectionString)
    {
        await LisGeoDb.MigrateAsync(connectionString);
        _db = LisGeoDb.CreateDataSource(connectionString);
        if (ManifestPath is { } manifest)
        {
            var records = await RegionManifest.Load(manifest).ImportAsync(new Importer(_db), Path.GetDirectoryName(manifest)!, null, default);
            Assert.All(records, r => Assert.Equal("succeeded", r.Status));
        }
        await LoadAsync(new Importer(_db));
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:LisGeo", connectionString)
             .UseSetting("Auth:ApiKey", ApiKey)
             .UseSetting("Api:MaxFeatureBytes", MaxFeatureBytes.ToString(System.Globalization.CultureInfo.InvariantCulture))
             .UseSetting("Jobs:CacheDirectory", CacheDirectory);
            foreach (var (key, value) in Settings) b.UseSetting(key, value);
        });
        if (RealServer)
        {
            // A real Kestrel on a loopback port, for a browser: TestServer answers only in-process clients.
            _factory.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
            _factory.StartServer();
            var addresses = _factory.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
                .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
            ServerAddress = new Uri(addresses.First());
        }
        Client = _factory.CreateClient();
    }

    /// <summary>True to host the API on a real loopback port (<see cref="ServerAddress"/>) as well.</summary>
    protected virtual bool RealServer => false;

    /// <summary>Where the real server listens, when <see cref="RealServer"/>.</summary>
    public Uri? ServerAddress { get; private set; }

    /// <summary>Feed files and compiled timetables of this fixture's host, deleted with it.</summary>
    public string CacheDirectory { get; } = Path.Combine(Path.GetTempPath(), $"lisgeo-test-cache-{Guid.NewGuid():N}");

    /// <summary>Extra configuration of the host (e.g. Jobs:RunServer=false to drive jobs by hand).</summary>
    protected virtual IEnumerable<(string Key, string Value)> Settings => [("Jobs:RunServer", "false")];

    /// <summary>The host's services, for driving jobs directly.</summary>
    public IServiceProvider Services => _factory!.Services;

    /// <summary>Extra data a derived fixture loads.</summary>
    protected virtual Task LoadAsync(Importer importer) => Task.CompletedTask;

    /// <summary>A client of its own that neither follows redirects nor keeps cookies, to look at both.</summary>
    public HttpClient RawClient() =>
        _factory!.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    public HttpClient Writer()
    {
        var c = _factory!.CreateClient();
        c.DefaultRequestHeaders.Add("X-API-Key", ApiKey);
        return c;
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var cmd = Db.CreateCommand(sql);
        foreach (var p in parameters) cmd.Parameters.Add(new NpgsqlParameter { Value = p });
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task<JsonElement> GetJsonAsync(string url)
    {
        var response = await Client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    protected override async Task DisposeDatabaseAsync()
    {
        Client?.Dispose();
        if (_factory is not null) await _factory.DisposeAsync();
        if (_db is not null) await _db.DisposeAsync();
        if (Directory.Exists(CacheDirectory)) Directory.Delete(CacheDirectory, recursive: true);
        await base.DisposeDatabaseAsync();
    }
}
