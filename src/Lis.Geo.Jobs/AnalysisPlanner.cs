using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hangfire;
using Lis.Geo.Data;
using Lis.Geo.Data.Model;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Timetables;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lis.Geo.Jobs;

/// <summary>
/// Turns a request into a queued run: checks everything that can be checked before any job runs
/// (feed, service date, window with service, origins, destinations, parameters), freezes the origin
/// and destination sets, writes the reproducibility record, splits the origins into chunks and
/// enqueues one Hangfire job per chunk.
/// </summary>
public sealed class AnalysisPlanner(NpgsqlDataSource db, RouterCache routers, IBackgroundJobClient jobs, IOptions<JobsOptions> options)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string EngineVersion { get; } =
        $"Lis.Geo.Transit {typeof(TransitRouter).Assembly.GetName().Version}";

    public async Task<AnalysisRun> CreateAsync(AnalysisRequest request, long? scheduleId, CancellationToken ct)
    {
        if (!AnalysisTypes.Supported.Contains(request.Type))
            throw new AnalysisRequestException("type", $"Unknown analysis type '{request.Type}'. Supported: {string.Join(", ", AnalysisTypes.Supported)}.");
        var routing = request.Routing();
        var access = request.Access();

        await using var ctx = LisGeoDb.CreateContext(db);
        var feed = request.FeedId is { } id
            ? await ctx.Feeds.AsNoTracking().FirstOrDefaultAsync(f => f.Id == id, ct) ?? throw new AnalysisRequestException("feedId", $"No feed {id}; GET /feeds lists them.")
            : await ctx.Feeds.AsNoTracking().OrderByDescending(f => f.Id).FirstOrDefaultAsync(ct) ?? throw new AnalysisRequestException("feedId", "No transit feed is stored yet; upload one with POST /feeds.");
        var date = request.ParsedServiceDate() ?? feed.CheckedDate ?? throw new AnalysisRequestException("serviceDate", "Give a serviceDate.");
        if (feed.ValidFrom is { } from && feed.ValidTo is { } to && (date < from || date > to))
            throw new AnalysisRequestException("serviceDate", $"{date:yyyy-MM-dd} is outside the feed's validity ({from:yyyy-MM-dd} to {to:yyyy-MM-dd}).");

        var origins = await Points(ctx, """
            SELECT code, name, ST_X(centroid), ST_Y(centroid), coalesce(population, 0)::float8 FROM zone
            WHERE zone_set_id = $1 AND centroid IS NOT NULL ORDER BY code
            """, request.ZoneSet, ct);
        if (!await ctx.ZoneSets.AnyAsync(z => z.Id == request.ZoneSet, ct))
            throw new AnalysisRequestException("zoneSet", $"No zone set '{request.ZoneSet}'; import zones with --zone-set first.");
        if (origins.Count == 0)
            throw new AnalysisRequestException("zoneSet", $"Zone set '{request.ZoneSet}' has no population-weighted centroids to start from; import them with 'lisgeo import centroids'.");
        List<Point> destinations;
        string destinationSet;
        if (request.Type == AnalysisTypes.SiteAccess)
        {
            if (!AnalysisTypes.SiteTables.TryGetValue(request.SiteSet, out var table))
                throw new AnalysisRequestException("siteSet", $"Unknown site set '{request.SiteSet}'. Use {string.Join(" or ", AnalysisTypes.SiteTables.Keys)}.");
            // A polygon site is reached at its point on surface (ACCESSIBILITY.md, destinations).
            destinations = await Points(ctx, $"""
                SELECT reference, name, ST_X(p), ST_Y(p), 1.0 FROM (SELECT reference, name, ST_PointOnSurface(geom) p FROM {table}) s ORDER BY reference
                """, null, ct);
            if (destinations.Count == 0)
                throw new AnalysisRequestException("siteSet", $"No {request.SiteSet} are stored.");
            destinationSet = $"sites:{request.SiteSet}";
        }
        else
        {
            destinations = await Points(ctx, """
                SELECT code, name, ST_X(geom), ST_Y(geom), 1.0 FROM centre WHERE $1::text IS NULL OR kind = $1 ORDER BY code
                """, request.CentreKind, ct);
            if (destinations.Count == 0)
                throw new AnalysisRequestException("centreKind", request.CentreKind is null ? "No centres are stored." : $"No centres of kind '{request.CentreKind}'.");
            if (destinations.Count < access.MinCentres)
                throw new AnalysisRequestException("minCentres", $"minCentres {access.MinCentres} exceeds the {destinations.Count} centres available.");
            destinationSet = request.CentreKind is null ? "centres" : $"centres:kind={request.CentreKind}";
        }

        var router = await routers.GetAsync(feed.Id, feed.Sha256, date, routing, ct);
        if (router.Timetable.TripCount == 0)
            throw new AnalysisRequestException("serviceDate", $"The feed runs no trips on {date:yyyy-MM-dd} ({date.DayOfWeek}).");
        if (router.Timetable.DeparturesBetween(routing.Window.StartSeconds, routing.Window.EndSeconds + routing.MaxTripDuration) == 0)
            throw new AnalysisRequestException("window", $"No trip departs in or after the window {request.Window} on {date:yyyy-MM-dd}.");

        var chunkSize = options.Value.ChunkSize;
        var run = new AnalysisRun
        {
            Type = request.Type,
            Request = JsonSerializer.Serialize(request, Json),
            Parameters = JsonSerializer.Serialize(new { routing = RoutingRecord(routing), access }, Json),
            FeedId = feed.Id,
            FeedSha256 = feed.Sha256,
            ServiceDate = date,
            OriginSet = $"zones:{request.ZoneSet}",
            OriginVersion = Version(origins),
            OriginCount = origins.Count,
            DestinationSet = destinationSet,
            DestinationVersion = Version(destinations),
            DestinationCount = destinations.Count,
            EngineVersion = EngineVersion,
            ChunkSize = chunkSize,
            ChunkCount = (origins.Count + chunkSize - 1) / chunkSize,
            CreatedAt = DateTimeOffset.UtcNow,
            ScheduleId = scheduleId,
        };
        await using (var tx = await ctx.Database.BeginTransactionAsync(ct))
        {
            ctx.Runs.Add(run);
            await ctx.SaveChangesAsync(ct);
            ctx.RunPoints.AddRange(origins.Select((p, i) => p.ToPoint(run.Id, true, i)));
            ctx.RunPoints.AddRange(destinations.Select((p, i) => p.ToPoint(run.Id, false, i)));
            ctx.RunChunks.AddRange(Enumerable.Range(0, run.ChunkCount).Select(c => new RunChunk
            {
                RunId = run.Id, Index = c, OriginFrom = c * chunkSize, OriginTo = Math.Min(origins.Count, (c + 1) * chunkSize),
            }));
            await ctx.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        for (var c = 0; c < run.ChunkCount; c++)
        {
            var chunk = c;
            jobs.Enqueue<AnalysisJobs>(j => j.RunChunkAsync(run.Id, chunk, CancellationToken.None));
        }
        return run;
    }

    /// <summary>Every routing rule by name, the window as clock times, for the run record.</summary>
    public static object RoutingRecord(RoutingParameters p) => new
    {
        p.WalkSpeed, p.Circuity, p.MaxAccessWalk, p.BoardSlack, p.MaxTransferWalk, p.MaxEgressWalk, p.MaxDirectWalk, p.MaxRides, p.MaxTripDuration,
        window = new { start = DepartureWindow.FormatClock(p.Window.StartSeconds), end = DepartureWindow.FormatClock(p.Window.EndSeconds), stepSeconds = p.Window.StepSeconds, departures = p.Window.Count },
        p.Percentiles,
        earthRadiusMeters = 6_371_008.8,
    };

    private sealed record Point(string Code, string? Name, double Lon, double Lat, double Weight)
    {
        public RunPoint ToPoint(long runId, bool origin, int index) =>
            new() { RunId = runId, IsOrigin = origin, Index = index, Code = Code, Name = Name, Lon = Lon, Lat = Lat, Weight = Weight };
    }

    /// <summary>Points from <paramref name="sql"/>; <paramref name="parameter"/> is bound as $1 (text) when the query uses it.</summary>
    private static async Task<List<Point>> Points(LisGeoDbContext ctx, string sql, string? parameter, CancellationToken ct)
    {
        var list = new List<Point>();
        var conn = (NpgsqlConnection)ctx.Database.GetDbConnection();
        if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        if (sql.Contains("$1", StringComparison.Ordinal))
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)parameter ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new Point(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4)));
        return list;
    }

    /// <summary>SHA-256 over the points as used (code, coordinates, weight): equal versions mean equal inputs.</summary>
    private static string Version(IEnumerable<Point> points)
    {
        var text = new StringBuilder();
        foreach (var p in points)
            text.Append(CultureInfo.InvariantCulture, $"{p.Code},{p.Lon:R},{p.Lat:R},{p.Weight:R}\n");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }
}
