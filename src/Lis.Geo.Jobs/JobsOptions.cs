using System.ComponentModel.DataAnnotations;

namespace Lis.Geo.Jobs;

/// <summary>Section "Jobs": how analyses are split and where compiled timetables are cached.</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>
    /// Origins per chunk. Each chunk is one Hangfire job; at ~0.1 s per origin over the AM peak, 100
    /// origins take seconds to a few minutes, so a cancelled or failed chunk costs little to redo.
    /// </summary>
    [Range(1, 10_000)] public int ChunkSize { get; set; } = 100;

    /// <summary>
    /// Destinations (centres and sites) one run may route to: each costs every origin a column of the
    /// matrix. Read from <c>Limits:MaxDestinations</c>, the key that also bounds <c>minCentres</c>, so
    /// the API and the workers firing schedules check the same number before any job is queued.
    /// </summary>
    [Range(1, 1_000_000)] public int MaxDestinations { get; set; } = 10_000;

    /// <summary>
    /// Destinations per chunk of a profile run. The profile search scans each destination once for
    /// every origin, so its runs are split by destination groups (splitting the origins would repeat
    /// the scans); a run with no more destinations than this is one chunk, which writes its origins'
    /// rows itself. Every extra group costs its parts of every origin's indicators (written, then read
    /// back and merged by the aggregation) and a chunk boundary: with 10, a 30-centre run spent about 1.5 s
    /// of CPU on them, 15 % of its routing's (bench/jobs/README.md). 30 keeps a regional run to ~30
    /// centres in one chunk of a few seconds on two cores (≈ 0.2 s of scan and merge per destination for
    /// 2,500 origins on the New York feed) with a matrix of 4 B × origins × 30 × departures (54 MB at
    /// 2,500 origins over 180 minutes, 270 MB at 12,500). Lower it to spread a run over several worker machines.
    /// </summary>
    [Range(1, 10_000)] public int DestinationGroupSize { get; set; } = 30;

    /// <summary>Run a Hangfire server inside this process (the API does by default, so one command starts everything).</summary>
    public bool RunServer { get; set; } = true;

    /// <summary>
    /// Hangfire worker threads. A chunk already routes its origins on every core, so one is enough:
    /// a second only runs another chunk on the same cores — no faster (bench/jobs/README.md measures
    /// both) — while holding a second matrix and set of router labels in memory and cache.
    /// </summary>
    [Range(1, 64)] public int WorkerCount { get; set; } = 1;

    /// <summary>
    /// How long a job taken by a worker that has died stays invisible before another worker takes it
    /// over. The timeout slides (Hangfire.PostgreSql refreshes it every fifth of it while the worker is
    /// alive), so it bounds the wait after a killed worker, not the length of a chunk: 30 s hands a
    /// SIGKILLed worker's chunk on within about half a minute.
    /// </summary>
    [Range(5, 86_400)] public int InvisibilityTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// After how long without a heartbeat (sent every fifth of it) a Hangfire server counts as dead, in
    /// the dashboard and for the <see cref="RunWatchdog"/>.
    /// </summary>
    [Range(10, 3_600)] public int ServerTimeoutSeconds { get; set; } = 60;

    /// <summary>How often the <see cref="RunWatchdog"/> dispatches left-over work and looks for runs without live work.</summary>
    [Range(1, 3_600)] public int WatchdogSeconds { get; set; } = 10;

    /// <summary>How many Hangfire jobs one chunk (or aggregation) may be given before its run fails as undoable.</summary>
    [Range(1, 100)] public int MaxDispatches { get; set; } = 3;

    /// <summary>How long work may stay unscheduled (Hangfire failing to create its job) before its run fails.</summary>
    [Range(10, 86_400)] public int ScheduleGiveUpSeconds { get; set; } = 600;

    /// <summary>Folder for feed files and compiled timetables on this machine; empty for ~/.cache/lisgeo.</summary>
    public string CacheDirectory { get; set; } = "";
}
