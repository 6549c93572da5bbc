using System.Security.Cryptography;
using Lis.Geo.Data.Model;
using Microsoft.EntityFrameworkCore;
using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Timetables;
using Npgsql;
using NpgsqlTypes;

namespace Lis.Geo.Data.Feeds;

/// <summary>A feed that cannot be stored at all (not a GTFS zip, no stops); the message says why.</summary>
public sealed class FeedRejectedException(string message) : Exception(message);

/// <summary>
/// Stores GTFS feeds: bytes (so every worker compiles the same timetable), validity dates, row
/// counts, stops for maps, and the reader's issue report from compiling one service day. The same
/// bytes stored twice give the same feed (keyed by SHA-256).
/// </summary>
public sealed class FeedStore(NpgsqlDataSource db)
{
    /// <summary>At most this many issues are kept with the feed; the count stays exact.</summary>
    public const int MaxStoredIssues = 500;

    public async Task<(TransitFeed Feed, bool Created)> ImportAsync(string name, string fileName, byte[] content, DateOnly? checkDate, CancellationToken ct)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        await using var ctx = LisGeoDb.CreateContext(db);
        if (await ctx.Feeds.AsNoTracking().FirstOrDefaultAsync(f => f.Sha256 == sha, ct) is { } existing)
            return (existing, false);

        var temp = Path.Combine(Path.GetTempPath(), $"lisgeo-feed-{Guid.NewGuid():N}.zip");
        await File.WriteAllBytesAsync(temp, content, ct);
        try
        {
            FeedSummary summary;
            GtfsSource source;
            try
            {
                source = GtfsSource.Open(temp);
                summary = FeedSummary.Read(source);
            }
            catch (InvalidDataException e)
            {
                throw new FeedRejectedException($"The file is not a readable GTFS zip: {e.Message}");
            }
            if (summary.Stops.Count == 0)
                throw new FeedRejectedException("The feed has no usable stops (stops.txt missing or without stop_id/stop_lat/stop_lon).");
            var date = checkDate ?? RepresentativeDate(summary);
            var timetable = TimetableCompiler.Compile(source, date, sha);

            var feed = new TransitFeed
            {
                Name = name,
                FileName = Path.GetFileName(fileName),
                Sha256 = sha,
                SizeBytes = content.LongLength,
                ValidFrom = summary.ValidFrom,
                ValidTo = summary.ValidTo,
                RowCounts = new Dictionary<string, long>(summary.RowCounts),
                CheckedDate = date,
                IssueCount = timetable.Issues.Count,
                Issues = timetable.Issues.Take(MaxStoredIssues)
                    .Select(i => new FeedIssueRecord(i.Severity.ToString().ToLowerInvariant(), i.Code, i.File, i.Line, i.Message)).ToList(),
                ImportedAt = DateTimeOffset.UtcNow,
            };
            await using var tx = await ctx.Database.BeginTransactionAsync(ct);
            ctx.Feeds.Add(feed);
            await ctx.SaveChangesAsync(ct);
            ctx.FeedFiles.Add(new TransitFeedFile { FeedId = feed.Id, Content = content });
            await ctx.SaveChangesAsync(ct);
            var conn = (NpgsqlConnection)ctx.Database.GetDbConnection();
            await using (var copy = await conn.BeginBinaryImportAsync("COPY transit_stop (feed_id, stop_id, name, location_type, geom) FROM STDIN (FORMAT BINARY)", ct))
            {
                foreach (var s in summary.Stops)
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(feed.Id, NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(s.StopId, NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(s.Name, NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(s.LocationType, NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(new NetTopologySuite.Geometries.Point(s.Lon, s.Lat) { SRID = LisGeoDbContext.StorageSrid }, NpgsqlDbType.Geometry, ct);
                }
                await copy.CompleteAsync(ct);
            }
            await tx.CommitAsync(ct);
            return (feed, true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

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

    /// <summary>Writes the feed's bytes to <paramref name="directory"/> (once) and returns the path, for compiling on this machine.</summary>
    public async Task<string> MaterialiseAsync(long feedId, string sha256, string directory, CancellationToken ct)
    {
        var path = Path.Combine(directory, $"{sha256}.zip");
        if (File.Exists(path)) return path;
        Directory.CreateDirectory(directory);
        await using var cmd = db.CreateCommand("SELECT content FROM transit_feed_file WHERE feed_id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = feedId });
        var bytes = (byte[]?)await cmd.ExecuteScalarAsync(ct) ?? throw new InvalidOperationException($"Feed {feedId} has no stored file.");
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllBytesAsync(temp, bytes, ct);
        File.Move(temp, path, overwrite: true);
        return path;
    }
}
