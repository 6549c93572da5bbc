using System.Net;
using System.Text;
using Lis.Geo.Data.Feeds;
using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Quality;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Walking;
using Microsoft.EntityFrameworkCore;

namespace Lis.Geo.Api.Features.Feeds;

/// <summary>
/// A stored feed's quality report for a run date (<see cref="FeedQuality"/>), as JSON or as a page:
/// services defined only by calendar_dates, trips longer than 24 h, stops without service that day,
/// duplicate stops, routes whose trips overtake, departures per hour, and (given a zone set) the
/// zones where transit never beats walking. Computed on request from the stored bytes.
/// </summary>
public static class FeedQualityApi
{
    /// <summary>Zones × sampled departures routed for the walking check at most (each is one RAPTOR search).</summary>
    public const int MaxZoneSearches = 20_000;

    public static IEndpointRouteBuilder MapFeedQuality(this IEndpointRouteBuilder app)
    {
        app.MapGet("/feeds/{id:long}/qa", async (long id, HttpRequest req, NpgsqlDataSource db, RouterCache routers, CancellationToken ct) =>
            {
                var q = req.Query;
                var html = QueryParameters.Nonempty(q["f"]) switch
                {
                    null or "json" => false,
                    "html" => true,
                    var f => throw new Problems.BadParameterException("f", $"'{f}' is not a format; use json or html."),
                };
                await using var ctx = LisGeoDb.CreateContext(db);
                var feed = await ctx.Feeds.AsNoTracking().FirstOrDefaultAsync(f => f.Id == id, ct)
                           ?? throw new Problems.ProblemException(Problems.NotFound, $"No feed {id}.", "id");
                var date = QueryParameters.Nonempty(q["date"]) is { } d
                    ? DateOnly.TryParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) ? parsed
                        : throw new Problems.BadParameterException("date", $"'{d}' is not a date (yyyy-MM-dd).")
                    : FeedStore.DefaultDay(feed) ?? throw new Problems.BadParameterException("date", "Give ?date=yyyy-MM-dd: the feed has no checked date.");
                var duplicateMeters = QueryParameters.Nonempty(q["duplicateMeters"]) is { } m
                    ? double.TryParse(m, NumberStyles.Float, CultureInfo.InvariantCulture, out var meters) && meters is > 0 and <= 100 ? meters
                        : throw new Problems.BadParameterException("duplicateMeters", $"'{m}' is not a distance in metres between 0 and 100.")
                    : 5;
                var windowText = QueryParameters.Nonempty(q["window"]);
                DepartureWindow? window = null;
                if (windowText is not null)
                {
                    try { window = DepartureWindow.Parse(windowText); }
                    catch (Exception e) when (e is FormatException or ArgumentException)
                    {
                        throw new Problems.BadParameterException("window", $"'{windowText}' is not a window HH:MM-HH:MM with the end after the start.");
                    }
                }
                var options = new FeedQualityOptions
                {
                    DuplicateStopMeters = duplicateMeters,
                    FromSeconds = window?.StartSeconds ?? 0,
                    ToSeconds = window?.EndSeconds ?? 48 * 3600,
                };
                List<(string Code, GeoPoint Point)>? zones = null;
                RoutingParameters? routing = null;
                if (QueryParameters.Nonempty(q["zoneSet"]) is { } zoneSet)
                {
                    var step = QueryParameters.Nonempty(q["stepMinutes"]) is { } s
                        ? int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var st) && st is >= 1 and <= 180 ? st
                            : throw new Problems.BadParameterException("stepMinutes", $"'{s}' is not a whole number of minutes from 1 to 180.")
                        : 10;
                    var w = window ?? DepartureWindow.AmPeak;
                    routing = new RoutingParameters { Window = new DepartureWindow(w.StartSeconds, w.EndSeconds, step * 60) };
                    zones = await ZonePointsAsync(db, zoneSet, ct);
                    if ((long)zones.Count * routing.Window.Count > MaxZoneSearches)
                        throw new Problems.BadParameterException("stepMinutes",
                            $"{zones.Count:N0} zones × {routing.Window.Count} departures is more than {MaxZoneSearches:N0} searches; give a larger stepMinutes or a shorter window.");
                }
                var path = await new FeedStore(db).MaterialiseAsync(feed.Id, feed.Sha256, Path.Combine(routers.Directory, "feeds"), ct);
                var report = await Task.Run(() => FeedQuality.Check(GtfsSource.Open(path), date, options, zones, routing, ct), ct);
                var body = new FeedQualityView(feed.Id, feed.Name, feed.Sha256, report);
                return html ? Results.Content(Page(body), "text/html; charset=utf-8") : Results.Ok(body);
            })
            .WithTags("Transit feeds")
            .Produces<FeedQualityView>()
            .WithSummary("A feed's quality report for a run date (JSON, or ?f=html for a page)")
            .WithDescription("?date=yyyy-MM-dd (default the feed's checked date); ?window=HH:MM-HH:MM limits departures per hour (and sets the walking check's window, default 07:00-10:00); " +
                             "?duplicateMeters= (default 5) is the distance under which two stops are reported as duplicates; ?zoneSet=lsoa11 adds the zones where transit never beats walking " +
                             "(each zone's centroid routed every ?stepMinutes= minutes, default 10, at most 20,000 searches). Lists hold at most 100 items each; counts are exact.");
        return app;
    }

    /// <summary>The report with the feed it belongs to.</summary>
    public sealed record FeedQualityView(long FeedId, string FeedName, string Sha256, FeedQualityReport Report);

    private static async Task<List<(string, GeoPoint)>> ZonePointsAsync(NpgsqlDataSource db, string zoneSet, CancellationToken ct) =>
        await Lis.Geo.Data.Layers.PointLookup.ZoneCentroidsAsync(db, zoneSet, ct) is { Count: > 0 } zones ? zones
            : throw new Problems.BadParameterException("zoneSet", $"Zone set '{zoneSet}' has no zones with centroids.");

    private static string Clock(int s) => string.Create(CultureInfo.InvariantCulture, $"{s / 3600:00}:{s / 60 % 60:00}:{s % 60:00}");

    private static string Page(FeedQualityView v)
    {
        var r = v.Report;
        var h = new StringBuilder();
        string E(object? o) => WebUtility.HtmlEncode(Convert.ToString(o, CultureInfo.InvariantCulture) ?? "");
        void Section<T>(string title, string why, Listed<T> found, string[] columns, Func<T, object?[]> row)
        {
            h.Append($"<h2>{E(title)}: {found.Count:N0}</h2><p class=why>{E(why)}</p>");
            if (found.Count == 0) return;
            h.Append("<table><tr>").Append(string.Concat(columns.Select(c => $"<th>{E(c)}</th>"))).Append("</tr>");
            foreach (var item in found.Items) h.Append("<tr>").Append(string.Concat(row(item).Select(c => $"<td>{E(c)}</td>"))).Append("</tr>");
            h.Append("</table>");
            if (found.Truncated) h.Append($"<p>The first {found.Items.Count:N0} of {found.Count:N0} are listed; the JSON has the same.</p>");
        }
        h.Append($"<!doctype html><html lang=en><meta charset=utf-8><title>Feed {v.FeedId} quality {r.Date:yyyy-MM-dd}</title>")
            .Append("<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}.why{color:#555}.bar{background:#4a7;height:10px;display:inline-block}</style>")
            .Append($"<h1>Feed {v.FeedId} “{E(v.FeedName)}” on {r.Date:yyyy-MM-dd} ({r.Date.DayOfWeek})</h1>")
            .Append($"<p>{r.Trips:N0} trips, {r.ServedStops:N0} stops served, {r.IssueCount:N0} reader issues (<a href=\"issues\">issue report</a>). SHA-256 <code>{E(v.Sha256)}</code>.</p>");
        Section("Services defined only by calendar_dates", "No calendar.txt row: every date is listed one by one, as in many BODS feeds; check the date you route on is among them.",
            r.CalendarDatesOnlyServices, ["service_id", "dates added", "first", "last", "trips", "runs on the date"],
            s => [s.ServiceId, s.DatesAdded, s.FirstDate, s.LastDate, s.Trips, s.RunsOnDate ? "yes" : "no"]);
        Section("Trips longer than 24 hours", "Usually a times-past-midnight error; R5 refuses such trips.", r.TripsLongerThan24Hours,
            ["trip_id", "route_id", "first departure", "last arrival", "hours"], t => [t.TripId, t.RouteId, Clock(t.FirstDeparture), Clock(t.LastArrival), (t.DurationSeconds / 3600.0).ToString("0.0", CultureInfo.InvariantCulture)]);
        Section("Stops with no service on the date", "Boardable stops (location_type 0) that no trip of the date calls at.", r.StopsWithoutService,
            ["stop_id", "name", "lat", "lon"], s => [s.StopId, s.Name, s.Lat, s.Lon]);
        Section("Duplicate stops", "Stops closer together than the threshold: often the same stop published twice.", r.DuplicateStops,
            ["stop_id", "other stop_id", "name", "other name", "metres"], d => [d.StopId, d.OtherStopId, d.Name, d.OtherName, d.Meters]);
        Section("Routes whose trips overtake", "A later trip along the same stops is ahead of an earlier one somewhere; routing stays exact (they are split), but check the timetable.",
            r.OvertakingRoutes, ["route_id", "stops", "trips", "overtaking trips", "earlier trip", "later trip", "at stop", "earlier", "later"],
            o => [o.RouteId, o.StopCount, o.Trips, o.OvertakingTrips, o.EarlierTripId, o.LaterTripId, o.AtStopId, Clock(o.EarlierTime), Clock(o.LaterTime)]);
        if (r.Zones is { } z)
            Section($"Zones where transit never beats walking ({z.Zones:N0} zones, {z.DeparturesSampled} departures each)",
                "At no sampled departure does a ride reach any stop sooner than walking straight there.", z.TransitNeverFaster, ["zone"], c => [c]);
        var max = Math.Max(1, r.DeparturesPerHour.Select(x => x.Departures).DefaultIfEmpty().Max());
        h.Append("<h2>Departures per hour</h2><table><tr><th>hour</th><th>departures</th><th>trips starting</th><th></th></tr>");
        foreach (var x in r.DeparturesPerHour)
            h.Append($"<tr><td>{x.Hour:00}:00</td><td>{x.Departures:N0}</td><td>{x.TripsStarting:N0}</td><td><span class=bar style=\"width:{300.0 * x.Departures / max:0}px\"></span></td></tr>");
        h.Append("</table></html>");
        return h.ToString();
    }
}
