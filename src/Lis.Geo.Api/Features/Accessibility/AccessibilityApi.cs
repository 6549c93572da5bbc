using System.Globalization;
using Lis.Geo.Analysis;
using Lis.Geo.Api.Infrastructure;
using Lis.Geo.Data;
using Lis.Geo.Jobs;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Walking;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Lis.Geo.Api.Features.Accessibility;

/// <summary>
/// Interactive accessibility: travel times from a site or any point to every centre over the
/// window, answered synchronously from the cached router (one origin × the centres is a single
/// range-RAPTOR search).
/// </summary>
public static class AccessibilityApi
{
    public sealed record CentreAccess(string Code, string Name, IReadOnlyDictionary<string, double?> Minutes, int DeparturesWithinThreshold, bool Reachable);
    public sealed record AccessibilityResult(double Lon, double Lat, string? Site, long FeedId, string ServiceDate, string Window, int ThresholdMinutes,
        int Percentile, int CentresReachable, int MinCentres, bool MeetsTarget, double TimeShare, IReadOnlyList<CentreAccess> Centres);

    private static readonly Dictionary<string, string> SiteTables = new()
    {
        ["housing-sites"] = "housing_site",
        ["employment-sites"] = "employment_site",
        ["centres"] = "centre",
    };

    public static IEndpointRouteBuilder MapAccessibility(this IEndpointRouteBuilder app)
    {
        app.MapGet("/accessibility", (HttpRequest req, NpgsqlDataSource db, RouterCache routers, CancellationToken ct) =>
                Compute(Body.Coordinate(req, "lon", 180), Body.Coordinate(req, "lat", 90), null, req, db, routers, ct))
            .WithTags("Planner look-ups")
            .WithSummary("Travel times from a point to every centre over the window (synchronous)")
            .WithDescription("lon, lat (WGS84). Optional: feedId, serviceDate (yyyy-MM-dd), window (07:00-10:00), thresholdMinutes (45), minCentres (3), centreKind.");

        app.MapGet("/sites/{collection}/{reference}/accessibility", async (string collection, string reference, HttpRequest req, NpgsqlDataSource db, RouterCache routers, CancellationToken ct) =>
            {
                if (!SiteTables.TryGetValue(collection, out var table))
                    return Problems.Result(Problems.NotFound, $"'{collection}' is not a site collection; use {string.Join(", ", SiteTables.Keys)}.", "collection");
                // A polygon site is represented by its point on surface (ACCESSIBILITY.md, destinations).
                await using var cmd = db.CreateCommand($"SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM {table} WHERE {(table == "centre" ? "code" : "reference")} = $1) x");
                cmd.Parameters.Add(new() { Value = reference });
                await using var r = await cmd.ExecuteReaderAsync(ct);
                if (!await r.ReadAsync(ct))
                    return Problems.Result(Problems.NotFound, $"No site '{reference}' in {collection}.", "reference");
                return await Compute(r.GetDouble(0), r.GetDouble(1), reference, req, db, routers, ct);
            })
            .WithTags("Planner look-ups")
            .WithSummary("Travel times from a site to every centre over the window (synchronous)");
        return app;
    }

    private static async Task<IResult> Compute(double lon, double lat, string? site, HttpRequest req, NpgsqlDataSource db, RouterCache routers, CancellationToken ct)
    {
        var q = req.Query;
        var request = new AnalysisRequest
        {
            FeedId = Body.Nonempty(q["feedId"]) is { } f ? long.TryParse(f, CultureInfo.InvariantCulture, out var id) ? id : throw new Problems.BadParameterException("feedId", $"'{f}' is not a feed id.") : null,
            ServiceDate = Body.Nonempty(q["serviceDate"]),
            Window = Body.Nonempty(q["window"]) ?? "07:00-10:00",
            ThresholdMinutes = Ogc.ItemsQuery.Int(q, "thresholdMinutes", 45, 1, 240),
            MinCentres = Ogc.ItemsQuery.Int(q, "minCentres", 3, 1, 1000),
            CentreKind = Body.Nonempty(q["centreKind"]),
        };
        RoutingParameters routing;
        AccessParameters access;
        DateOnly? date;
        try
        {
            routing = request.Routing();
            access = request.Access();
            date = request.ParsedServiceDate();
        }
        catch (AnalysisRequestException e) { throw new Problems.BadParameterException(e.Field, e.Message); }

        await using var ctx = LisGeoDb.CreateContext(db);
        var feed = request.FeedId is { } fid
            ? await ctx.Feeds.AsNoTracking().FirstOrDefaultAsync(x => x.Id == fid, ct)
            : await ctx.Feeds.AsNoTracking().OrderByDescending(x => x.Id).FirstOrDefaultAsync(ct);
        if (feed is null)
            return Problems.Result(Problems.NotFound, request.FeedId is null ? "No transit feed is stored; upload one with POST /feeds." : $"No feed {request.FeedId}.", "feedId");
        var day = date ?? feed.CheckedDate ?? DateOnly.FromDateTime(DateTime.UtcNow);
        var centres = await ctx.Centres.AsNoTracking().Where(c => request.CentreKind == null || c.Kind == request.CentreKind).OrderBy(c => c.Code).ToListAsync(ct);
        if (centres.Count == 0)
            return Problems.Result(Problems.NotFound, "No centres are stored (or none of that kind).", "centreKind");

        var router = await routers.GetAsync(feed.Id, feed.Sha256, day, routing, ct);
        var matrix = TravelTimeMatrix.Compute(router, [new GeoPoint(lat, lon)], centres.Select(c => new GeoPoint(c.Geom.Y, c.Geom.X)).ToList(), null, ct);
        var o = ZoneAccess.Summarise(matrix, access)[0];
        var labels = routing.Percentiles.Select(p => $"p{p}").ToList();
        var list = centres.Select((c, d) => new CentreAccess(c.Code, c.Name,
            labels.Zip(o.Percentiles[d]).ToDictionary(x => x.First, x => x.Second == TravelTime.Unreachable ? (double?)null : Math.Round(x.Second / 60.0, 1)),
            o.DeparturesWithinThreshold[d],
            o.Percentiles[d][routing.Percentiles.ToList().IndexOf(access.Percentile)] <= access.ThresholdSeconds)).ToList();
        return Results.Ok(new AccessibilityResult(lon, lat, site, feed.Id, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), request.Window,
            request.ThresholdMinutes, access.Percentile, o.CentresReachable, access.MinCentres, o.CentresReachable >= access.MinCentres, Math.Round(o.TimeShare, 4), list));
    }
}
