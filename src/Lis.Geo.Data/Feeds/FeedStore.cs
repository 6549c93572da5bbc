using Lis.Geo.Transit;
using System.Data;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Timetables;
using NpgsqlTypes;

namespace Lis.Geo.Data.Feeds;

/// <summary>A feed that cannot be stored at all (not a GTFS zip, no stops); the message says why.</summary>
public sealed class FeedRejectedException(string message) : Exception(message);

/// <summary>
/// Stores GTFS feeds (or TransXChange files and zips of them, recognised by content and read as their
/// GTFS conversion, <see cref="Lis.Geo.Transit.TransXChange.TransXChangeFeed"/>): bytes (so every worker compiles the same timetable), validity dates, row
/// counts, stops and route lines for maps, and the reader's issue report. The same bytes stored
/// twice give the same feed (keyed by SHA-256). Feeds are read from a file on disk and their bytes
/// streamed into the database, so memory does not grow with the size of the zip.
/// </summary>
public sealed class FeedStore(NpgsqlDataSource db)
{
    /// <summary>At most this many issues are kept with the feed; the count stays exact.</summary>
    public const int MaxStoredIssues = 500;

    private static readonly GeometryFactory Wgs84 = new(new PrecisionModel(), LisGeoDbContext.StorageSrid);

    /// <summary>For callers that already hold the bytes (tests, small feeds): written to a temporary file and imported from it.</summary>
    public async Task<(TransitFeed Feed, bool Created)> ImportAsync(string name, string fileName, byte[] content, DateOnly? checkDate, CancellationToken ct)
    {
        var temp = Path.Combine(Path.GetTempPath(), $"lisgeo-feed-{Guid.NewGuid():N}.zip");
        await File.WriteAllBytesAsync(temp, content, ct);
        try
        {
            return await ImportAsync(name, new FeedFile(temp, Path.GetFileName(fileName), Convert.ToHexStringLower(SHA256.HashData(content)), content.LongLength), checkDate, ct);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// Reads, checks and stores the feed in <paramref name="file"/> in one transaction, or returns the
    /// feed already stored with the same SHA-256. The issue report is the compiler's for
    /// <paramref name="checkDate"/> (default <see cref="RepresentativeDate"/>) followed by the route
    /// reader's (routes.txt, shapes.txt, trips naming unknown routes or shapes).
    /// </summary>
    public async Task<(TransitFeed Feed, bool Created)> ImportAsync(string name, FeedFile file, DateOnly? checkDate, CancellationToken ct)
    {
        if (await FindAsync(file.Sha256, ct) is { } existing) return (existing, false);

        FeedSummary summary;
        GtfsSource source;
        Timetable timetable;
        FeedRoutes routes;
        DateOnly date;
        try
        {
            source = GtfsSource.Open(file.Path);
            summary = FeedSummary.Read(source);
            if (summary.Stops.Count == 0)
                throw new FeedRejectedException("The feed has no usable stops (stops.txt missing or without stop_id/stop_lat/stop_lon).");
            date = checkDate ?? RepresentativeDate(summary);
            timetable = TimetableCompiler.Compile(source, date, file.Sha256);
            routes = FeedRoutes.Read(source);
        }
        catch (InputLimitException e)
        {
            throw new FeedRejectedException($"The feed passes a size limit: {e.Message}");
        }
        catch (InvalidDataException e)
        {
            // Also a zip entry that is not deflate data, or a table that is not UTF-8.
            throw new FeedRejectedException($"The file is not a readable GTFS zip or TransXChange document: {e.Message}");
        }
        // The readers keep the first 1,000 issues of each file and code and count them all
        // (FeedIssueLog.KeptPerKind ≥ MaxStoredIssues), so the stored first issues and the count are
        // the same as if every issue had been kept.
        var issues = timetable.Issues.Concat(routes.Issues);

        var feed = new TransitFeed
        {
            Name = name,
            FileName = Path.GetFileName(file.FileName),
            Sha256 = file.Sha256,
            SizeBytes = file.Length,
            ValidFrom = summary.ValidFrom,
            ValidTo = summary.ValidTo,
            RowCounts = new Dictionary<string, long>(summary.RowCounts),
            CheckedDate = date,
            IssueCount = checked(timetable.IssueCount + routes.IssueCount),
            NotRoutableReason = NotRoutableReason(summary),
            Issues = issues.Take(MaxStoredIssues)
                .Select(i => new FeedIssueRecord(i.Severity.ToString().ToLowerInvariant(), i.Code, i.File, i.Line, i.Message)).ToList(),
            ImportedAt = DateTimeOffset.UtcNow,
        };
        await using var ctx = LisGeoDb.CreateContext(db);
        await using var tx = await ctx.Database.BeginTransactionAsync(ct);
        ctx.Feeds.Add(feed);
        try
        {
            await ctx.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // The same bytes uploaded twice at once: the other request stored them first.
            await tx.RollbackAsync(ct);
            return (await FindAsync(file.Sha256, ct) ?? throw new InvalidOperationException("A feed with this SHA-256 was stored and then vanished."), false);
        }
        var conn = (NpgsqlConnection)ctx.Database.GetDbConnection();
        await StoreBytesAsync(conn, feed.Id, file, ct);
        await CopyStopsAsync(conn, feed.Id, summary.Stops, ct);
        await CopyRoutesAsync(conn, feed.Id, routes.Routes, ct);
        await tx.CommitAsync(ct);
        if (feed.NotRoutableReason is null) feed.IsDefault = await BecomeFirstDefaultAsync(feed.Id, ct);
        return (feed, true);
    }

    /// <summary>
    /// Why nothing can be routed on a feed with this summary (no trips, no stop times, no day of service), or
    /// null. Such a feed is stored, for its stops and issue report, but never becomes the default, and runs
    /// and look-ups on it are refused naming <c>feedId</c>: refusing the upload would hide what the reader
    /// found, and a stop-only feed (the TfWM partial feed) is still a useful map layer.
    /// </summary>
    public static string? NotRoutableReason(FeedSummary summary) =>
        summary.RowCounts.GetValueOrDefault(GtfsFiles.Trips) == 0 ? "The feed has no trips (trips.txt is missing or empty); nothing can be routed on it."
        : summary.RowCounts.GetValueOrDefault(GtfsFiles.StopTimes) == 0 ? "The feed has no stop times (stop_times.txt is missing or empty); nothing can be routed on it."
        : summary.ValidFrom is null ? "The feed's calendar (calendar.txt, calendar_dates.txt) has no day of service; nothing can be routed on it."
        : null;

    /// <summary>
    /// Makes the feed the default if no feed is: only the first routable feed stored becomes the default by
    /// being stored; later uploads leave it alone. Two first uploads at once: the unique index lets one win.
    /// </summary>
    private async Task<bool> BecomeFirstDefaultAsync(long feedId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("UPDATE transit_feed SET is_default = true WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM transit_feed WHERE is_default)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = feedId });
        try
        {
            return await cmd.ExecuteNonQueryAsync(ct) == 1;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return false;
        }
    }

    /// <summary>
    /// The feed a request names, or the default feed when it names none: the one answer to "which feed",
    /// for runs, schedules, scenarios and interactive look-ups. <c>FromDefault</c> says the default was
    /// used (the run record keeps it). Throws a <see cref="RuleViolation"/> on <c>feedId</c>: no such feed,
    /// no default, or a feed nothing can be routed on.
    /// </summary>
    public async Task<(TransitFeed Feed, bool FromDefault)> ResolveAsync(long? feedId, CancellationToken ct)
    {
        await using var ctx = LisGeoDb.CreateContext(db);
        var feed = (feedId is { } id
                ? await ctx.Feeds.AsNoTracking().FirstOrDefaultAsync(f => f.Id == id, ct)
                : await ctx.Feeds.AsNoTracking().FirstOrDefaultAsync(f => f.IsDefault, ct))
            ?? throw new RuleViolation("feedId", RuleKind.NotFound,
                feedId is not null ? $"No feed {feedId}; GET /feeds lists them."
                : await ctx.Feeds.AnyAsync(ct) ? "No feed is the default (none stored can be routed on, or the default was deleted); give a feedId or set one with PUT /feeds/{id}/default."
                : "No transit feed is stored yet; upload one with POST /feeds.");
        RequireRoutable(feed);
        return (feed, feedId is null);
    }

    /// <summary>Refuses a feed nothing can be routed on, naming <paramref name="field"/> and the reason.</summary>
    public static void RequireRoutable(TransitFeed feed, string field = "feedId")
    {
        if (feed.NotRoutableReason is { } why)
            throw new RuleViolation(field, RuleKind.Unavailable, $"Feed {feed.Id} cannot be routed on: {why}");
    }

    /// <summary>The default feed, or null when none is set.</summary>
    public async Task<TransitFeed?> DefaultAsync(CancellationToken ct)
    {
        await using var ctx = LisGeoDb.CreateContext(db);
        return await ctx.Feeds.AsNoTracking().FirstOrDefaultAsync(f => f.IsDefault, ct);
    }

    /// <summary>
    /// Makes feed <paramref name="feedId"/> the default, clearing the old one in the same transaction.
    /// Throws a <see cref="RuleViolation"/> on <c>id</c>: no such feed, or one nothing can be routed on.
    /// </summary>
    public async Task<TransitFeed> SetDefaultAsync(long feedId, CancellationToken ct)
    {
        await using var ctx = LisGeoDb.CreateContext(db);
        await using var tx = await ctx.Database.BeginTransactionAsync(ct);
        var feed = await ctx.Feeds.AsNoTracking().FirstOrDefaultAsync(f => f.Id == feedId, ct)
            ?? throw new RuleViolation("id", RuleKind.NotFound, $"No feed {feedId}; GET /feeds lists them.");
        RequireRoutable(feed, "id");
        if (!feed.IsDefault)
        {
            await ctx.Feeds.Where(f => f.IsDefault).ExecuteUpdateAsync(u => u.SetProperty(f => f.IsDefault, false), ct);
            await ctx.Feeds.Where(f => f.Id == feedId).ExecuteUpdateAsync(u => u.SetProperty(f => f.IsDefault, true), ct);
            feed.IsDefault = true;
        }
        await tx.CommitAsync(ct);
        return feed;
    }

    /// <summary>What <see cref="DeleteAsync"/> did: <c>Found</c> false when there is no such feed; <c>KeptBecause</c> set when it was kept.</summary>
    public sealed record DeleteOutcome(bool Found, string? KeptBecause);

    /// <summary>
    /// Deletes a feed with its bytes, stops and routes, unless something depends on it: a run (its record
    /// names the feed, so deleting it would leave the run unreproducible), a scenario or a schedule; or it
    /// is the default while another routable feed exists (set another default first, so the default never
    /// changes as a side effect). The last routable feed may be deleted; then no feed is the default.
    /// </summary>
    public async Task<DeleteOutcome> DeleteAsync(long feedId, CancellationToken ct)
    {
        await using var ctx = LisGeoDb.CreateContext(db);
        await using var tx = await ctx.Database.BeginTransactionAsync(IsolationLevel.Serializable, ct);
        var feed = await ctx.Feeds.AsNoTracking().FirstOrDefaultAsync(f => f.Id == feedId, ct);
        if (feed is null) return new DeleteOutcome(false, null);
        var conn = (NpgsqlConnection)ctx.Database.GetDbConnection();
        await using var cmd = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM analysis_run WHERE feed_id = $1 OR spec->'feeds' @> jsonb_build_array(jsonb_build_object('id', $1))),
                   (SELECT count(*) FROM scenario WHERE feed_id = $1),
                   (SELECT count(*) FROM analysis_schedule WHERE request->'feedId' = to_jsonb($1) OR request->'feeds' @> jsonb_build_array($1))
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = feedId, NpgsqlDbType = NpgsqlDbType.Bigint });
        long runs, scenarios, schedules;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            (runs, scenarios, schedules) = (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2));
        }
        if (runs + scenarios + schedules > 0)
            return new DeleteOutcome(true, $"Feed {feedId} is used by {runs} run(s), {scenarios} scenario(s) and {schedules} schedule(s); "
                + "a run's record names the feed it routed on, so the feed is kept. Delete those first.");
        if (feed.IsDefault && await ctx.Feeds.AnyAsync(f => f.Id != feedId && f.NotRoutableReason == null, ct))
            return new DeleteOutcome(true, $"Feed {feedId} is the default; make another feed the default (PUT /feeds/{{id}}/default) before deleting it.");
        await ctx.Feeds.Where(f => f.Id == feedId).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
        return new DeleteOutcome(true, null);
    }

    /// <summary>
    /// The day a query on <paramref name="feed"/> means when it names none: the day the feed was checked
    /// against on import, else <paramref name="fallback"/> (interactive look-ups: today); null when neither.
    /// </summary>
    public static DateOnly? DefaultDay(TransitFeed feed, DateOnly? fallback = null) => feed.CheckedDate ?? fallback;

    /// <summary>The feed's validity when <paramref name="day"/> lies outside it (a feed routes nothing there); null when the day is inside or the feed states none.</summary>
    public static (DateOnly From, DateOnly To)? ValidityMissing(TransitFeed feed, DateOnly day) =>
        feed.ValidFrom is { } from && feed.ValidTo is { } to && (day < from || day > to) ? (from, to) : null;

    /// <summary>
    /// The service day of a query on <paramref name="feeds"/>, resolved the same way for runs and interactive
    /// look-ups: <paramref name="date"/>, else the first feed's <see cref="DefaultDay"/>, inside every feed's
    /// validity (a merged feed outside it would silently add nothing). <paramref name="listed"/>: the request
    /// listed its feeds, so a refusal names the feed. Throws a <see cref="RuleViolation"/> on <c>serviceDate</c>.
    /// </summary>
    public static DateOnly ServiceDay(IReadOnlyList<TransitFeed> feeds, DateOnly? date, DateOnly? fallback, bool listed)
    {
        var day = date ?? DefaultDay(feeds[0], fallback) ?? throw new RuleViolation("serviceDate", RuleKind.Missing, "Give a serviceDate.");
        foreach (var feed in feeds)
            if (ValidityMissing(feed, day) is (var from, var to))
                throw new RuleViolation("serviceDate", RuleKind.Unavailable, listed
                    ? $"{day:yyyy-MM-dd} is outside the validity of feed {feed.Id} ({from:yyyy-MM-dd} to {to:yyyy-MM-dd})."
                    : $"{day:yyyy-MM-dd} is outside the feed's validity ({from:yyyy-MM-dd} to {to:yyyy-MM-dd}).");
        return day;
    }

    /// <summary>
    /// The feed a request names by <paramref name="feedId"/>, or the default feed when it names none:
    /// <see cref="ResolveAsync"/> without saying which, for callers that need only the feed.
    /// </summary>
    /// <exception cref="RuleViolation"><c>feedId</c>: no such feed, no default, or a feed nothing can be routed on.</exception>
    public async Task<TransitFeed> FeedAsync(long? feedId, CancellationToken ct) => (await ResolveAsync(feedId, ct)).Feed;

    /// <summary>Refuses a day on which the compiled timetable runs nothing: it would quietly give walk-only answers.</summary>
    public static void RequireService(Lis.Geo.Transit.Timetables.Timetable timetable, DateOnly day)
    {
        if (timetable.TripCount == 0)
            throw new RuleViolation("serviceDate", RuleKind.Unavailable, $"The feed runs no trips on {day:yyyy-MM-dd} ({day.DayOfWeek}).");
    }

    private async Task<TransitFeed?> FindAsync(string sha256, CancellationToken ct)
    {
        await using var ctx = LisGeoDb.CreateContext(db);
        return await ctx.Feeds.AsNoTracking().FirstOrDefaultAsync(f => f.Sha256 == sha256, ct);
    }

    /// <summary>The zip's bytes go from the file to the bytea column as a stream: Npgsql sends a Stream parameter in chunks rather than as one array.</summary>
    private static async Task StoreBytesAsync(NpgsqlConnection conn, long feedId, FeedFile file, CancellationToken ct)
    {
        await using var content = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        if (content.Length != file.Length)
            throw new InvalidOperationException($"{file.Path} is {content.Length} bytes, not the {file.Length} that were hashed; it changed while being stored.");
        await using var cmd = new NpgsqlCommand("INSERT INTO transit_feed_file (feed_id, content) VALUES ($1, $2)", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = feedId, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter { Value = content, NpgsqlDbType = NpgsqlDbType.Bytea });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static Task<ulong> CopyStopsAsync(NpgsqlConnection conn, long feedId, IReadOnlyList<FeedStop> stops, CancellationToken ct) =>
        BinaryCopy.WriteAsync(conn, "transit_stop", "feed_id, stop_id, name, location_type, geom", stops, (copy, s) =>
        {
            copy.Write(feedId, NpgsqlDbType.Bigint);
            copy.Write(s.StopId, NpgsqlDbType.Text);
            copy.Write(s.Name, NpgsqlDbType.Text);
            copy.Write(s.LocationType, NpgsqlDbType.Integer);
            copy.Write(new Point(s.Lon, s.Lat) { SRID = LisGeoDbContext.StorageSrid }, NpgsqlDbType.Geometry);
        }, ct);

    private static Task<ulong> CopyRoutesAsync(NpgsqlConnection conn, long feedId, IReadOnlyList<FeedRoute> routes, CancellationToken ct) =>
        BinaryCopy.WriteAsync(conn, "transit_route",
            "feed_id, route_id, agency_id, agency_name, short_name, long_name, route_type, color, text_color, trip_count, geometry_source, geom",
            routes, (copy, r) =>
        {
            copy.Write(feedId, NpgsqlDbType.Bigint);
            copy.Write(r.RouteId, NpgsqlDbType.Text);
            copy.Write(r.AgencyId, NpgsqlDbType.Text);
            copy.Write(r.AgencyName, NpgsqlDbType.Text);
            copy.Write(r.ShortName, NpgsqlDbType.Text);
            copy.Write(r.LongName, NpgsqlDbType.Text);
            copy.Write(r.RouteType, NpgsqlDbType.Integer);
            copy.Write(r.Color, NpgsqlDbType.Text);
            copy.Write(r.TextColor, NpgsqlDbType.Text);
            copy.Write(r.TripCount, NpgsqlDbType.Integer);
            copy.Write(r.Source.ToString().ToLowerInvariant(), NpgsqlDbType.Text);
            copy.Write(Wgs84.CreateMultiLineString(
                r.Lines.Select(l => Wgs84.CreateLineString(l.Select(p => new Coordinate(p.Lon, p.Lat)).ToArray())).ToArray()), NpgsqlDbType.Geometry);
        }, ct);

    /// <summary>
    /// The first Wednesday of the feed's validity (a mid-week day, as DfT JTS uses), else its first day,
    /// else today: the day whose compilation gives the issue report at import.
    /// </summary>
    public static DateOnly RepresentativeDate(FeedSummary summary)
    {
        if (summary.ValidFrom is not { } from) return DateOnly.FromDateTime(DateTime.UtcNow);
        for (var d = from; d <= (summary.ValidTo ?? from) && d < from.AddDays(7); d = d.AddDays(1))
            if (d.DayOfWeek == DayOfWeek.Wednesday) return d;
        return from;
    }

    /// <summary>
    /// Writes the feed's bytes to <paramref name="directory"/> (once) and returns the path, for compiling
    /// on this machine. The bytes stream from the database to the file and are hashed on the way, so a
    /// truncated copy is never mistaken for the feed.
    /// </summary>
    public async Task<string> MaterialiseAsync(long feedId, string sha256, string directory, CancellationToken ct)
    {
        var path = Path.Combine(directory, $"{sha256}.zip");
        if (File.Exists(path)) return path;
        Directory.CreateDirectory(directory);
        await using var cmd = db.CreateCommand("SELECT content FROM transit_feed_file WHERE feed_id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = feedId });
        await using var reader = await cmd.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        if (!await reader.ReadAsync(ct)) throw new InvalidOperationException($"Feed {feedId} has no stored file.");
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var source = await reader.GetStreamAsync(0, ct))
            await using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                var buffer = new byte[1 << 16];
                int n;
                while ((n = await source.ReadAsync(buffer, ct)) > 0)
                {
                    hash.AppendData(buffer, 0, n);
                    await target.WriteAsync(buffer.AsMemory(0, n), ct);
                }
            }
            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (actual != sha256) throw new InvalidOperationException($"Feed {feedId}'s stored bytes hash to {actual}, not {sha256}.");
            File.Move(temp, path, overwrite: true);
            return path;
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
