using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Lis.Geo.Jobs;

/// <summary>The one place that wires Hangfire and the job classes, shared by the API host and the worker host.</summary>
public static class JobsSetup
{
    /// <summary>
    /// Hangfire.PostgreSql's invisibility timeout: a job not finished by then is handed to another
    /// worker. Chunks are sized to take minutes at most (<see cref="JobsOptions.ChunkSize"/>).
    /// </summary>
    public static readonly TimeSpan InvisibilityTimeout = TimeSpan.FromMinutes(30);

    public static IServiceCollection AddLisGeoJobs(this IServiceCollection services, IConfiguration configuration, string connectionString, bool runServer)
    {
        services.AddOptions<JobsOptions>().Bind(configuration.GetSection(JobsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RouterCache>();
        services.AddTransient<AnalysisPlanner>();
        services.AddTransient<AnalysisJobs>();
        services.AddTransient<ScheduleJobs>();
        // The storage is this host's own DI singleton, not Hangfire's process-wide JobStorage.Current
        // (which UsePostgreSqlStorage would set): two hosts in one process — the API's test hosts, or an
        // embedding application — then never enqueue into, or work from, each other's database.
        var storageOptions = new PostgreSqlStorageOptions
        {
            SchemaName = "hangfire",
            InvisibilityTimeout = InvisibilityTimeout,
            QueuePollInterval = TimeSpan.FromMilliseconds(500),
            PrepareSchemaIfNecessary = true,
        };
        services.AddSingleton<JobStorage>(_ => new PostgreSqlStorage(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(connectionString, storageOptions), storageOptions));
        services.AddHangfire(c => c
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        if (runServer)
        {
            var workers = configuration.GetValue<int?>($"{JobsOptions.Section}:{nameof(JobsOptions.WorkerCount)}") ?? new JobsOptions().WorkerCount;
            services.AddHangfireServer(o =>
            {
                o.WorkerCount = workers;
                o.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
                o.SchedulePollingInterval = TimeSpan.FromSeconds(5);
            });
        }
        return services;
    }
}
