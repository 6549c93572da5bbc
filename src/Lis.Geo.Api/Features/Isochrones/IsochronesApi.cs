using Lis.Geo.Analysis;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Walking;
using Microsoft.EntityFrameworkCore;
using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;

namespace Lis.Geo.Api.Features.Isochrones;

/// <summary>
/// Interactive isochrones: the area reachable from a site or any point within each cutoff at a
/// travel-time percentile over the window, answered synchronously from the cached router (one origin
/// is a single range-RAPTOR search plus a union of discs). The rules are <see cref="Analysis.Isochrones"/>'s.
/// </summary>
public static class IsochronesApi
{
    /// <summary>OGC CRS84: WGS84 with longitude first, the RFC 7946 axis order written below.</summary>
    private const string Crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

    private const string Parameters =
        "Optional: cutoffs (minutes, increasing, 1–240; default 15,30,45), percentile (1–100, default 50), feedId, scenario (a stored scenario's id), serviceDate (yyyy-MM-dd), window (07:00-10:00). " +
        "One Feature per cutoff, largest first so smaller ones draw on top; area_km2 is the area on the sphere to within 0.01 %.";

    public static IEndpointRouteBuilder MapIsochrones(this IEndpointRouteBuilder app)
    {
        app.MapGet("/isochrones", (HttpRequest req, NpgsqlDataSource db, RouterCache routers, CancellationToken ct) =>
                Compute(QueryParameters.Coordinate(req, "lon", 180), QueryParameters.Coordinate(req, "lat", 90), null, req, db, routers, ct))
            .Produces<GeoJsonFeatureCollection>(StatusCodes.Status200OK, GeoJsonResult.MediaType)
            .WithTags("Planner look-ups").WithProblems(400, 404, 429)
            .WithQuery([QueryParameters.Lon, QueryParameters.Lat, .. InteractiveRouting.IsochroneQuery])
            .WithSummary("Areas reachable from a point within each cutoff (GeoJSON, synchronous)")
            .WithDescription("lon, lat (WGS84). " + Parameters);

        app.MapGet("/sites/{collection}/{reference}/isochrones", async (string collection, string reference, HttpRequest req, NpgsqlDataSource db, RouterCache routers, CancellationToken ct) =>
            {
                var (lon, lat) = await InteractiveRouting.SitePointAsync(db, collection, reference, ct);
                return await Compute(lon, lat, reference, req, db, routers, ct);
            })
            .Produces<GeoJsonFeatureCollection>(StatusCodes.Status200OK, GeoJsonResult.MediaType)
            .WithTags("Planner look-ups").WithProblems(400, 404, 429)
            .WithQuery(InteractiveRouting.IsochroneQuery)
            .WithSummary("Areas reachable from a site within each cutoff (GeoJSON, synchronous)")
            .WithDescription("A polygon site starts from its point on surface. " + Parameters);
        return app;
    }

    /// <summary>"15,30,45" → [15, 30, 45]; whole minutes 1–240, strictly increasing.</summary>
    internal static int[] ParseCutoffs(string? raw)
    {
        if (raw is null) return [.. Analysis.Isochrones.DefaultCutoffs];
        var parts = raw.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length > LimitsOptions.MaxInteractiveCutoffs)
            throw new Problems.BadParameterException("cutoffs", $"At most {LimitsOptions.MaxInteractiveCutoffs} cutoffs (got {parts.Length}).");
        var result = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out result[i]))
                throw new Problems.BadParameterException("cutoffs", $"'{parts[i]}' is not a whole number of minutes; give cutoffs like 15,30,45.");
        }
        // Only the cutoffs are checked here (the percentile is read on its own), so any valid percentile will do.
        return Analysis.Isochrones.Check(result, Analysis.AccessParameters.DefaultPercentile) is { } violation ? throw violation : result;
    }

    private static async Task<IResult> Compute(double lon, double lat, string? site, HttpRequest req, NpgsqlDataSource db, RouterCache routers, CancellationToken ct)
    {
        var q = req.Query;
        var cutoffs = ParseCutoffs(QueryParameters.Nonempty(q["cutoffs"]));
        var percentile = QueryParameters.Int(q, "percentile", Analysis.AccessParameters.DefaultPercentile, 1, 100);
        var context = await InteractiveRouting.ResolveAsync(req, db, routers, new AnalysisRequest(), ct);
        var (feed, day, routing, router, request) = context;
        if (routing.WindowKind == WindowKind.Arrival)
            throw new Problems.BadParameterException("windowKind", "Isochrones take a departure window; arrival windows are for the accessibility endpoints.");
        var isochrones = Analysis.Isochrones.Compute(router, new GeoPoint(lat, lon), routing.Window, cutoffs, percentile, ct);

        var properties = new Common(percentile, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), request.Window, feed.Id, site, lon, lat, context.Scenario?.Id);
        var json = Write(isochrones, properties);
        return new GeoJsonResult((body, token) => body.WriteAsync(json, token).AsTask(), Crs84);
    }

    private sealed record Common(int Percentile, string ServiceDate, string Window, long FeedId, string? Site, double Lon, double Lat, long? Scenario);

    /// <summary>
    /// The FeatureCollection, largest cutoff first. Written by hand rather than by reflection over NTS
    /// types; rings follow RFC 7946 (exterior counter-clockwise, holes clockwise), coordinates to 7
    /// decimals (about 1 cm).
    /// </summary>
    private static byte[] Write(IReadOnlyList<Isochrone> isochrones, Common c)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", "FeatureCollection");
            w.WriteStartArray("features");
            foreach (var iso in isochrones.OrderByDescending(i => i.CutoffMinutes))
            {
                w.WriteStartObject();
                w.WriteString("type", "Feature");
                w.WriteNumber("id", iso.CutoffMinutes);
                w.WriteStartObject("geometry");
                w.WriteString("type", "MultiPolygon");
                w.WriteStartArray("coordinates");
                foreach (var polygon in iso.Geometry.Geometries.Cast<Polygon>())
                {
                    w.WriteStartArray();
                    WriteRing(w, polygon.ExteriorRing.Coordinates, counterClockwise: true);
                    foreach (var hole in polygon.InteriorRings) WriteRing(w, hole.Coordinates, counterClockwise: false);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteStartObject("properties");
                w.WriteNumber("cutoff_minutes", iso.CutoffMinutes);
                w.WriteNumber("percentile", c.Percentile);
                w.WriteNumber("area_km2", Math.Round(iso.AreaKm2, 6));
                w.WriteString("service_date", c.ServiceDate);
                w.WriteString("window", c.Window);
                w.WriteNumber("feed_id", c.FeedId);
                if (c.Scenario is { } scenario) w.WriteNumber("scenario_id", scenario);
                if (c.Site is not null) w.WriteString("site", c.Site);
                w.WriteNumber("origin_lon", c.Lon);
                w.WriteNumber("origin_lat", c.Lat);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void WriteRing(Utf8JsonWriter w, Coordinate[] ring, bool counterClockwise)
    {
        var reverse = Orientation.IsCCW(ring) != counterClockwise;
        w.WriteStartArray();
        for (var i = 0; i < ring.Length; i++)
        {
            var p = ring[reverse ? ring.Length - 1 - i : i];
            w.WriteStartArray();
            w.WriteNumberValue(Math.Round(p.X, 7));
            w.WriteNumberValue(Math.Round(p.Y, 7));
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }
}
