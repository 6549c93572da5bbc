using Lis.Geo.Analysis;
using Lis.Geo.Data.Analyses;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Walking;
using Microsoft.EntityFrameworkCore;

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
        int Percentile, int CentresReachable, int MinCentres, bool MeetsTarget, double TimeShare, IReadOnlyList<CentreAccess> Centres,
        string WindowKind, string Search)
    {
        /// <summary>The scenario routed with (id, name, hash), or null for the feed as it is.</summary>
        public ScenarioRef? Scenario { get; init; }
    }

    public static IEndpointRouteBuilder MapAccessibility(this IEndpointRouteBuilder app)
    {
        app.MapGet("/accessibility", (HttpRequest req, NpgsqlDataSource db, RouterCache routers, CancellationToken ct) =>
                Compute(QueryParameters.Coordinate(req, "lon", 180), QueryParameters.Coordinate(req, "lat", 90), null, req, db, routers, ct))
            .WithTags("Planner look-ups").WithProblems(400, 404, 429)
            .WithQuery([QueryParameters.Lon, QueryParameters.Lat, .. InteractiveRouting.AccessibilityQuery])
            .WithSummary("Travel times from a point to every centre over the window (synchronous)")
            .WithDescription("lon, lat (WGS84). Optional: feedId, scenario (a stored scenario's id: route with it applied), serviceDate (yyyy-MM-dd), window (07:00-10:00), windowKind (departure, or arrival: the window gives arrival minutes and each travel time is the time to set aside to be at the centre by then), thresholdMinutes (45), minCentres (3), centreKind.");

        app.MapGet("/sites/{collection}/{reference}/accessibility", async (string collection, string reference, HttpRequest req, NpgsqlDataSource db, RouterCache routers, CancellationToken ct) =>
            {
                var (lon, lat) = await InteractiveRouting.SitePointAsync(db, collection, reference, ct);
                return await Compute(lon, lat, reference, req, db, routers, ct);
            })
            .WithTags("Planner look-ups").WithProblems(400, 404, 429)
            .WithQuery(InteractiveRouting.AccessibilityQuery)
            .WithSummary("Travel times from a site to every centre over the window (synchronous)");
        return app;
    }

    private static async Task<IResult> Compute(double lon, double lat, string? site, HttpRequest req, NpgsqlDataSource db, RouterCache routers, CancellationToken ct)
    {
        var q = req.Query;
        var context = await InteractiveRouting.ResolveAsync(req, db, routers, new AnalysisRequest
        {
            ThresholdMinutes = QueryParameters.Int(q, "thresholdMinutes", Analysis.AccessParameters.DefaultThresholdMinutes,
                Analysis.AccessParameters.MinThresholdSeconds / 60, LimitsOptions.MaxInteractiveThresholdMinutes),
            MinCentres = QueryParameters.Int(q, "minCentres", Analysis.AccessParameters.DefaultMinCentres, 1, 1000),
            CentreKind = QueryParameters.Nonempty(q["centreKind"]),
        }, ct);
        var (feed, day, routing, router, request) = context;
        var access = request.Access();

        await using var ctx = LisGeoDb.CreateContext(db);
        var centres = await ctx.Centres.AsNoTracking().Where(c => request.CentreKind == null || c.Kind == request.CentreKind).OrderBy(c => c.Code).ToListAsync(ct);
        if (centres.Count == 0)
            return Problems.Result(Problems.NotFound, "No centres are stored (or none of that kind).", "centreKind");

        var matrix = TravelTimeMatrix.Compute(router, [new GeoPoint(lat, lon)], centres.Select(c => new GeoPoint(c.Geom.Y, c.Geom.X)).ToList(), null, ct);
        var o = ZoneAccess.Summarise(matrix, access)[0];
        var labels = routing.Percentiles.Select(p => $"p{p}").ToList();
        var list = centres.Select((c, d) => new CentreAccess(c.Code, c.Name,
            labels.Zip(o.Percentiles[d]).ToDictionary(x => x.First, x => x.Second == TravelTime.Unreachable ? (double?)null : Math.Round(x.Second / 60.0, 1)),
            o.DeparturesWithinThreshold[d],
            o.Percentiles[d][routing.Percentiles.ToList().IndexOf(access.Percentile)] <= access.ThresholdSeconds)).ToList();
        return Results.Ok(new AccessibilityResult(lon, lat, site, feed.Id, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), request.Window,
            request.ThresholdMinutes, access.Percentile, o.CentresReachable, access.MinCentres, o.CentresReachable >= access.MinCentres, Math.Round(o.TimeShare, 4), list,
            request.WindowKind, matrix.Search.ToString().ToLowerInvariant()) { Scenario = ScenarioRef.Of(context.Scenario) });
    }
}
