using Hangfire.Common;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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
        services.AddTransient<RunOutbox>();
        // The run-failure filter is this host's (it writes to this host's database), so it joins Hangfire's
        // global filters through the host's own IJobFilterProvider, which AddHangfire keeps if registered first.
        services.AddSingleton<RunFailureFilter>();
        services.AddSingleton<IJobFilterProvider>(sp => new HostJobFilters(sp.GetRequiredService<RunFailureFilter>()));
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
            var serverTimeout = TimeSpan.FromSeconds(configuration.GetValue<int?>($"{JobsOptions.Section}:{nameof(JobsOptions.ServerTimeoutSeconds)}") ?? new JobsOptions().ServerTimeoutSeconds);
            services.AddHangfireServer(o =>
            {
                o.WorkerCount = workers;
                o.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
                o.SchedulePollingInterval = TimeSpan.FromSeconds(5);
                // Heartbeats every fifth of the timeout, so a dead server leaves the list (and the
                // watchdog's view) within the timeout rather than Hangfire's default 5 minutes.
                o.HeartbeatInterval = serverTimeout / 5;
                o.ServerTimeout = serverTimeout;
                o.ServerCheckInterval = serverTimeout / 4;
            });
            services.AddHostedService<RunWatchdog>();
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
            // Hangfire's locks are rows held for milliseconds (a job's state change); one left behind by a
            // session cut mid-release (a database restart, a killed worker) blocks that job's state changes,
            // and with them a worker thread, until it expires: one minute instead of the default ten.
            DistributedLockTimeout = TimeSpan.FromMinutes(1),
            QueuePollInterval = TimeSpan.FromMilliseconds(500),
            PrepareSchemaIfNecessary = true,
        };
        return new PostgreSqlStorage(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(connectionString, options), options);
    }

    /// <summary>Hangfire's global filters (AutomaticRetry, …) plus this host's <see cref="RunFailureFilter"/>.</summary>
    private sealed class HostJobFilters(RunFailureFilter runFailures) : IJobFilterProvider
    {
        public IEnumerable<JobFilter> GetFilters(Hangfire.Common.Job job) =>
            JobFilterProviders.Providers.GetFilters(job).Append(new JobFilter(runFailures, JobFilterScope.Global, null));
    }
}
