namespace Lis.Geo.Cli.Commands;

/// <summary><c>lisgeo route</c>: earliest arrival from one point at one departure time.</summary>
public sealed class RouteCommand : ICliCommand
{
    public string Name => "route";

    public string Summary => "earliest arrival from a point at a departure time (RAPTOR)";

    public string Help =>
        $"""
        usage: lisgeo route --gtfs PATH --date YYYYMMDD --from LAT,LON --depart HH:MM[:SS] [--to LAT,LON]... [--json] [--all-stops]

        Earliest arrival and travel time to each --to point (direct walk, or access walk, rides with
        transfers, egress walk), leaving --from at --depart or later, per the accessibility rules (ACCESSIBILITY.md).

          --from LAT,LON           origin (required)
          --depart HH:MM[:SS]      departure time on the service date; hours may exceed 23 (required)
          --to LAT,LON             a destination; repeat for several
          --json                   write JSON instead of text
          --all-stops              also give the travel time to every stop, keyed by GTFS stop_id (JSON)
        {RoutingOptions.TimetableHelp}
        {RoutingOptions.ParameterHelp}
        Travel times above --max-trip-duration are reported as unreachable (null in JSON).
        """;

    public IReadOnlySet<string> Flags { get; } = new HashSet<string> { "json", "all-stops" };

    public IReadOnlySet<string> Options { get; } = new HashSet<string>(
        ["from", "depart", "to", "json", "all-stops", .. RoutingOptions.TimetableNames, .. RoutingOptions.ParameterNames]);

    public Task<int> RunAsync(CliArgs args, TextWriter output, TextWriter progress, CancellationToken cancellationToken)
    {
        var from = args.Get("from", default(GeoPoint), RoutingOptions.ParsePoint);
        if (!args.Has("from")) throw new CliUsageException("--from is required.");
        var depart = args.Get("depart", -1, DepartureWindow.ParseClock);
        if (depart < 0) throw new CliUsageException("--depart is required.");
        var destinations = args.GetAll("to").Select(t =>
        {
            try { return RoutingOptions.ParsePoint(t); }
            catch (FormatException e) { throw new CliUsageException("--to: " + e.Message); }
        }).ToList();
        var parameters = RoutingOptions.Parse(args);
        var timetable = RoutingOptions.LoadTimetable(args, progress);
        cancellationToken.ThrowIfCancellationRequested();

        var router = new TransitRouter(timetable, parameters);
        var worker = router.CreateWorker();
        worker.Route(from, depart);
        var travelTimes = new int[destinations.Count];
        worker.TravelTimesTo(router.PrepareDestinations(destinations), travelTimes);

        if (args.Has("json") || args.Has("all-stops"))
        {
            var buffer = new MemoryStream();
            using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteString("from", from.ToString());
            json.WriteString("departure", DepartureWindow.FormatClock(depart));
            json.WriteString("serviceDate", timetable.ServiceDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteStartArray("destinations");
            for (var d = 0; d < destinations.Count; d++)
            {
                json.WriteStartObject();
                json.WriteString("to", destinations[d].ToString());
                WriteTime(json, "travelTimeSeconds", travelTimes[d]);
                if (travelTimes[d] == TravelTime.Unreachable) json.WriteNull("arrival");
                else json.WriteString("arrival", DepartureWindow.FormatClock(depart + travelTimes[d]));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (args.Has("all-stops"))
            {
                json.WriteStartObject("stops");
                for (var s = 0; s < timetable.StopCount; s++) WriteTime(json, timetable.StopId(s), worker.TravelTimeToStop(s));
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.Flush();
            output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            return Task.FromResult(0);
        }

        output.WriteLine($"from {from} leaving {DepartureWindow.FormatClock(depart)}");
        for (var d = 0; d < destinations.Count; d++)
        {
            output.WriteLine(travelTimes[d] == TravelTime.Unreachable
                ? $"  to {destinations[d]}: unreachable"
                : $"  to {destinations[d]}: arrive {DepartureWindow.FormatClock(depart + travelTimes[d])}, travel time {travelTimes[d]} s ({travelTimes[d] / 60.0:0.0} min)");
        }
        return Task.FromResult(0);
    }

    private static void WriteTime(Utf8JsonWriter json, string name, int travelTime)
    {
        if (travelTime == TravelTime.Unreachable) json.WriteNull(name);
        else json.WriteNumber(name, travelTime);
    }
}
