using Testcontainers.PostgreSql;

namespace Lis.Geo.Testing;

/// <summary>PostGIS in a container, for machines with a Docker engine.</summary>
internal sealed class PostgisContainer
{
    /// <summary>Same image as docker/compose.yaml, so tests and the local stack agree on versions.</summary>
    public const string Image = "postgis/postgis:15-3.4";

    private PostgisContainer(string connectionString) => ConnectionString = connectionString;

    public string ConnectionString { get; }

    public static async Task<PostgisContainer> StartAsync()
    {
        var container = new PostgreSqlBuilder(Image)
            .WithDatabase("postgres")
            .WithUsername("postgres")
            .WithPassword("postgres")
            // Durability is worthless for a throwaway test server and costs seconds per run.
            .WithCommand("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=300")
            .Build();

        await container.StartAsync().ConfigureAwait(false);

        // Testcontainers' reaper (Ryuk) removes the container if we die abruptly; this is the
        // orderly path, so the container does not outlive a normal test run by a reaper timeout.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                container.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
            }
            catch (Exception e) when (e is AggregateException or ObjectDisposedException)
            {
                // Shutting down: the reaper will clean up what we could not.
            }
        };

        return new PostgisContainer(container.GetConnectionString());
    }
}
