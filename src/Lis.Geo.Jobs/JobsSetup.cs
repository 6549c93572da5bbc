using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Lis.Geo.Jobs;

/// <summary>The one place that wires Hangfire and the job classes, shared by the API host and the worker host.</summary>
public static class JobsSetup
{
    public static IServiceCollection AddLisGeoJobs(this IServiceCollection services, IConfiguration configuration, string connectionString, bool runServer)
    {
        services.AddOptions<JobsOptions>().Bind(configuration.GetSection(JobsOptions.Section))
            .PostConfigure(o => o.MaxDestinations = configuration.GetValue<int?>("Limits:MaxDestinations") ?? o.MaxDestinations)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RouterCache>();
        services.AddTransient<AnalysisPlanner>();
        services.AddTransient<AnalysisJobs>();
        services.AddTransient<ScheduleJobs>();
        services.AddHostedService<DefaultFeedBanner>();
        // The storage is this host's own DI singleton, not Hangfire's process-wide JobStorage.Current
        // (which UsePostgreSqlStorage would set): two hosts in one process — the API's test hosts, or an
        // embedding application — then never enqueue into, or work from, each other's database.
        var invisibility = configuration.GetValue<int?>($"{JobsOptions.Section}:{nameof(JobsOptions.InvisibilityTimeoutSeconds)}") ?? new JobsOptions().InvisibilityTimeoutSeconds;
        services.AddSingleton<JobStorage>(_ => CreateStorage(connectionString, TimeSpan.FromSeconds(invisibility)));
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

    /// <summary>
    /// Hangfire's storage in the analyses' database (schema <c>hangfire</c>). The invisibility timeout
    /// slides: a live worker keeps its job invisible however long it runs, and a job whose worker died
    /// (SIGKILL, power loss) is handed to another worker <paramref name="invisibilityTimeout"/> after the
    /// last sign of life, instead of after a fixed timeout that must exceed the longest chunk.
    /// </summary>
    public static PostgreSqlStorage CreateStorage(string connectionString, TimeSpan invisibilityTimeout)
    {
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = "hangfire",
            InvisibilityTimeout = invisibilityTimeout,
            UseSlidingInvisibilityTimeout = true,
            QueuePollInterval = TimeSpan.FromMilliseconds(500),
            PrepareSchemaIfNecessary = true,
        };
        return new PostgreSqlStorage(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(connectionString, options), options);
    }
}
