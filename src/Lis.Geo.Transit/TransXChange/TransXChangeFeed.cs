using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Lis.Geo.Transit.TransXChange;

/// <summary>
/// TransXChange documents (the format the Bus Open Data Service publishes for every English bus
/// service) converted to the GTFS tables the rest of the engine reads, so a TXC file or a zip of
/// them is a feed like any other: stored, compiled, checked and routed the same way.
/// <list type="bullet">
/// <item><b>stops.txt</b>: <c>StopPoints</c> (<c>StopPoint</c> and <c>AnnotatedStopPointRef</c>), stop_id the ATCO code;
/// position from <c>Location</c> longitude/latitude, else its British National Grid easting/northing
/// (<see cref="BritishNationalGrid"/>). A stop without a position is reported and left out.</item>
/// <item><b>agency.txt</b>: <c>Operators</c>; <b>routes.txt</b>: one route per <c>Service/Lines/Line</c>
/// (route_short_name <c>LineName</c>, route_type from <c>Mode</c>).</item>
/// <item><b>trips.txt, stop_times.txt</b>: one trip per <c>VehicleJourney</c> (trip_id its
/// <c>VehicleJourneyCode</c>) along its <c>JourneyPattern</c>'s <c>JourneyPatternSection</c>s. Times
/// start at <c>DepartureTime</c> (+ 24 h per <c>DepartureDayShift</c>) and add each timing link's
/// <c>RunTime</c> and the <c>WaitTime</c>s at its ends; a <c>VehicleJourneyTimingLink</c> overrides the
/// link's run and wait times. <c>Activity</c> sets pickup_type/drop_off_type (pickUp: no set-down,
/// setDown: no pick-up, pass: neither). A journey may take its pattern from the journey its
/// <c>VehicleJourneyRef</c> names.</item>
/// <item><b>calendar.txt, calendar_dates.txt</b>: each distinct operating profile (the journey's, else
/// its service's; none at all means every day) over the service's <c>OperatingPeriod</c> is one
/// service: its regular days as the weekday flags, and every date where <see cref="OperatingProfile.RunsOn"/>
/// differs from them (special days, bank holidays) as an exception. An open-ended operating period
/// is closed two years after its start (reported).</item>
/// </list>
/// In a zip of several files, route, trip and service ids are prefixed with the file's name
/// (ids are only unique within a document); stops are shared by ATCO code. Not read: frequent-service
/// journeys (<c>Frequency</c>), serviced-organisation days and periodic day types (reported, and
/// the regular days used alone).
/// </summary>
public sealed class TransXChangeFeed
{
    /// <summary>How long an operating period without an EndDate is taken to last.</summary>
    public const int OpenEndedYears = 2;

    private readonly StringBuilder _agency = new("agency_id,agency_name,agency_url,agency_timezone\n");
    private readonly StringBuilder _stops = new("stop_id,stop_name,stop_lat,stop_lon\n");
    private readonly StringBuilder _routes = new("route_id,agency_id,route_short_name,route_long_name,route_type\n");
    private readonly StringBuilder _trips = new("route_id,service_id,trip_id,direction_id\n");
    private readonly StringBuilder _stopTimes = new("trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type\n");
    private readonly StringBuilder _calendar = new("service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n");
    private readonly StringBuilder _calendarDates = new("service_id,date,exception_type\n");
    private readonly HashSet<string> _stopIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _agencyIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _tripIds = new(StringComparer.Ordinal);
    private readonly FeedIssueLog _issues = new();
    private int _serviceCount;

    private TransXChangeFeed() { }

    /// <summary>The converted tables by GTFS file name.</summary>
    public IReadOnlyDictionary<string, string> Tables { get; private set; } = new Dictionary<string, string>();

    /// <summary>Problems found while converting; File is the TXC document's name, Line its XML line.</summary>
    public IReadOnlyList<FeedIssue> Issues => _issues.Kept;

    /// <summary>How many problems were found, counting those <see cref="Issues"/> leaves out (see <see cref="FeedIssueLog"/>).</summary>
    public int IssueCount => _issues.Total;

    /// <summary>Converts documents given as (name, stream); <paramref name="prefixIds"/> for several documents.</summary>
    /// <exception cref="InvalidDataException">A document is not XML or not TransXChange.</exception>
    public static TransXChangeFeed Convert(IEnumerable<(string Name, Func<Stream> Open)> documents, bool prefixIds)
    {
        var feed = new TransXChangeFeed();
        foreach (var (name, open) in documents)
        {
            XDocument doc;
            try
            {
                using var stream = open();
                doc = XDocument.Load(stream, LoadOptions.SetLineInfo);
            }
            catch (XmlException e)
            {
                throw new InvalidDataException($"{name} is not well-formed XML: {e.Message}", e);
            }
            if (doc.Root?.Name.LocalName != "TransXChange")
                throw new InvalidDataException($"{name}'s root element is <{doc.Root?.Name.LocalName}>, not <TransXChange>.");
            feed.AddDocument(name, doc.Root, prefixIds ? name + ":" : "");
        }
        feed.Tables = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [GtfsFiles.Agency] = feed._agency.ToString(),
            [GtfsFiles.Stops] = feed._stops.ToString(),
            [GtfsFiles.Routes] = feed._routes.ToString(),
            [GtfsFiles.Trips] = feed._trips.ToString(),
            [GtfsFiles.StopTimes] = feed._stopTimes.ToString(),
            [GtfsFiles.Calendar] = feed._calendar.ToString(),
            [GtfsFiles.CalendarDates] = feed._calendarDates.ToString(),
        };
        return feed;
    }

    private sealed record TimingLink(string Id, string FromStop, string? FromActivity, int FromWait, string ToStop, string? ToActivity, int ToWait, int RunTime, long Line);

    private sealed record Pattern(string Id, string? Direction, List<TimingLink> Links, string ServiceCode);

    private sealed record ServiceInfo(string Code, DateOnly From, DateOnly To, XElement? Profile, string AgencyId, List<string> Lines);

    private void AddDocument(string file, XElement root, string prefix)
    {
        AddStops(file, root);
        var operators = AddOperators(root, prefix);
        var sections = ReadSections(file, root);
        var services = new Dictionary<string, ServiceInfo>(StringComparer.Ordinal);
        var patterns = new Dictionary<string, Pattern>(StringComparer.Ordinal);
        foreach (var service in Txc.Path(root, "Services", "Service"))
        {
            var code = Txc.Child(service, "ServiceCode") ?? "";
            var period = Txc.Element(service, "OperatingPeriod");
            var from = Txc.Date(Txc.Child(period, "StartDate"));
            if (from is null)
            {
                Issue(IssueSeverity.Error, IssueCodes.BadValue, file, service, $"service '{code}' has no valid OperatingPeriod/StartDate; its journeys are left out.");
                continue;
            }
            var to = Txc.Date(Txc.Child(period, "EndDate"));
            if (to is null)
            {
                to = from.Value.AddYears(OpenEndedYears).AddDays(-1);
                Issue(IssueSeverity.Warning, IssueCodes.BadValue, file, service, $"service '{code}' has an open-ended operating period; taken to end on {to:yyyy-MM-dd} ({OpenEndedYears} years).");
            }
            var operatorRef = Txc.Child(service, "RegisteredOperatorRef");
            var agency = operatorRef is not null && operators.Contains(operatorRef) ? prefix + operatorRef : operators.FirstOrDefault() is { } first ? prefix + first : EnsureAgency(prefix + "unknown", "Unknown operator");
            var routeType = RouteType(Txc.Child(service, "Mode"));
            var lines = new List<string>();
            foreach (var line in Txc.Path(service, "Lines", "Line"))
            {
                var id = prefix + ((string?)line.Attribute("id") ?? code);
                lines.Add(id);
                _routes.Append(Csv(id)).Append(',').Append(Csv(agency)).Append(',').Append(Csv(Txc.Child(line, "LineName") ?? "")).Append(',')
                    .Append(Csv(Txc.Child(service, "Description") ?? "")).Append(',').Append(routeType).Append('\n');
            }
            if (lines.Count == 0)
            {
                lines.Add(prefix + code);
                _routes.Append(Csv(prefix + code)).Append(',').Append(Csv(agency)).Append(',').Append(Csv(code)).Append(",,").Append(routeType).Append('\n');
            }
            services[code] = new ServiceInfo(code, from.Value, to.Value, Txc.Element(service, "OperatingProfile"), agency, lines);
            foreach (var jp in Txc.Path(service, "StandardService", "JourneyPattern"))
            {
                var id = (string?)jp.Attribute("id") ?? "";
                var links = new List<TimingLink>();
                foreach (var sectionRef in jp.Elements().Where(e => e.Name.LocalName == "JourneyPatternSectionRefs"))
                {
                    if (sections.TryGetValue(sectionRef.Value.Trim(), out var section)) links.AddRange(section);
                    else Issue(IssueSeverity.Error, IssueCodes.BadValue, file, sectionRef, $"journey pattern '{id}' names the unknown section '{sectionRef.Value.Trim()}'.");
                }
                patterns[id] = new Pattern(id, Txc.Child(jp, "Direction"), links, code);
            }
        }

        var journeys = Txc.Path(root, "VehicleJourneys", "VehicleJourney").ToList();
        var patternOfJourney = journeys.Where(j => Txc.Child(j, "VehicleJourneyCode") is not null && Txc.Child(j, "JourneyPatternRef") is not null)
            .GroupBy(j => Txc.Child(j, "VehicleJourneyCode")!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Txc.Child(g.First(), "JourneyPatternRef")!, StringComparer.Ordinal);
        var serviceIds = new Dictionary<string, string>(StringComparer.Ordinal);
        var n = 0;
        foreach (var vj in journeys)
        {
            n++;
            var code = Txc.Child(vj, "VehicleJourneyCode") ?? Txc.Child(vj, "PrivateCode") ?? n.ToString(CultureInfo.InvariantCulture);
            var tripId = prefix + code;
            if (Txc.Element(vj, "Frequency") is not null)
                Issue(IssueSeverity.Warning, IssueCodes.BadValue, file, vj, $"journey '{code}' is a frequent service (Frequency); only its DepartureTime is used.");
            var patternRef = Txc.Child(vj, "JourneyPatternRef")
                             ?? (Txc.Child(vj, "VehicleJourneyRef") is { } other ? patternOfJourney.GetValueOrDefault(other) : null);
            if (patternRef is null || !patterns.TryGetValue(patternRef, out var pattern) || pattern.Links.Count == 0)
            {
                Issue(IssueSeverity.Error, IssueCodes.BadValue, file, vj, $"journey '{code}' has no known journey pattern with timing links ('{patternRef}'); left out.");
                continue;
            }
            var serviceCode = Txc.Child(vj, "ServiceRef") ?? pattern.ServiceCode;
            if (!services.TryGetValue(serviceCode, out var service))
            {
                Issue(IssueSeverity.Error, IssueCodes.BadValue, file, vj, $"journey '{code}' names the unknown or unusable service '{serviceCode}'; left out.");
                continue;
            }
            if (!TryTime(Txc.Child(vj, "DepartureTime"), out var departure))
            {
                Issue(IssueSeverity.Error, IssueCodes.BadValue, file, vj, $"journey '{code}' has no valid DepartureTime (HH:MM:SS); left out.");
                continue;
            }
            if (int.TryParse(Txc.Child(vj, "DepartureDayShift"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var shift)) departure += shift * 86_400;
            if (!_tripIds.Add(tripId))
            {
                Issue(IssueSeverity.Error, IssueCodes.DuplicateId, file, vj, $"journey code '{code}' repeats; the first journey is used.");
                continue;
            }
            var lineRef = Txc.Child(vj, "LineRef") is { } l && service.Lines.Contains(prefix + l) ? prefix + l : service.Lines[0];
            var profileElement = Txc.Element(vj, "OperatingProfile") ?? service.Profile;
            var key = $"{service.From}|{service.To}|{profileElement?.ToString(SaveOptions.DisableFormatting)}";
            if (!serviceIds.TryGetValue(key, out var serviceId))
                serviceIds[key] = serviceId = AddCalendar(file, vj, prefix, profileElement, service.From, service.To);
            var direction = pattern.Direction switch { "outbound" or "clockwise" => "0", "inbound" or "antiClockwise" => "1", _ => "" };
            _trips.Append(Csv(lineRef)).Append(',').Append(Csv(serviceId)).Append(',').Append(Csv(tripId)).Append(',').Append(direction).Append('\n');
            AddStopTimes(tripId, departure, pattern, Overrides(vj));
        }
    }

    /// <summary>VehicleJourneyTimingLink overrides by JourneyPatternTimingLinkRef: run time and wait times, each null when not given.</summary>
    private static Dictionary<string, (int? Run, int? FromWait, int? ToWait)> Overrides(XElement vj)
    {
        var result = new Dictionary<string, (int?, int?, int?)>(StringComparer.Ordinal);
        foreach (var link in vj.Elements().Where(e => e.Name.LocalName == "VehicleJourneyTimingLink"))
        {
            if (Txc.Child(link, "JourneyPatternTimingLinkRef") is not { } id) continue;
            result[id] = (Txc.Duration(Txc.Child(link, "RunTime")), Txc.Duration(Txc.Child(Txc.Element(link, "From"), "WaitTime")),
                Txc.Duration(Txc.Child(Txc.Element(link, "To"), "WaitTime")));
        }
        return result;
    }

    private void AddStopTimes(string tripId, int departure, Pattern pattern, Dictionary<string, (int? Run, int? FromWait, int? ToWait)> overrides)
    {
        // (stop, arrival, departure, activity) per call: a link's From is the previous link's To.
        var calls = new List<(string Stop, int Arrival, int Departure, string? Activity)>();
        var t = departure;
        for (var i = 0; i < pattern.Links.Count; i++)
        {
            var link = pattern.Links[i];
            overrides.TryGetValue(link.Id, out var o);
            var fromWait = o.FromWait ?? link.FromWait;
            if (i == 0) calls.Add((link.FromStop, t, t + fromWait, link.FromActivity));
            else
            {
                var last = calls[^1];
                calls[^1] = (last.Stop, last.Arrival, last.Departure + fromWait, link.FromActivity ?? last.Activity);
            }
            t = calls[^1].Departure + (o.Run ?? link.RunTime);
            // The wait at the far end counts only when another link leaves from there.
            var toWait = i + 1 < pattern.Links.Count ? o.ToWait ?? link.ToWait : 0;
            calls.Add((link.ToStop, t, t + toWait, link.ToActivity));
        }
        for (var k = 0; k < calls.Count; k++)
        {
            var (stop, arrival, dep, activity) = calls[k];
            var noPickup = activity is "setDown" or "pass";
            var noSetDown = activity is "pickUp" or "pass";
            _stopTimes.Append(Csv(tripId)).Append(',').Append(Clock(arrival)).Append(',').Append(Clock(dep)).Append(',').Append(Csv(stop)).Append(',')
                .Append(k + 1).Append(',').Append(noPickup ? '1' : '0').Append(',').Append(noSetDown ? '1' : '0').Append('\n');
        }
    }

    private string AddCalendar(string file, XElement at, string prefix, XElement? profileElement, DateOnly from, DateOnly to)
    {
        var serviceId = $"{prefix}S{++_serviceCount}";
        OperatingProfile profile;
        if (profileElement is null)
        {
            profile = OperatingProfile.EveryDay();
            Issue(IssueSeverity.Warning, IssueCodes.BadValue, file, at, "neither the journey nor its service has an OperatingProfile; taken to run every day (the schema's default).");
        }
        else profile = OperatingProfile.Read(profileElement);
        foreach (var ignored in profile.Ignored.Distinct())
            Issue(IssueSeverity.Warning, IssueCodes.BadValue, file, profileElement ?? at, $"operating profile: {ignored} is not applied; the rest of the profile is.");
        _calendar.Append(Csv(serviceId));
        foreach (var d in profile.Days) _calendar.Append(',').Append(d ? '1' : '0');
        _calendar.Append(',').Append(Ymd(from)).Append(',').Append(Ymd(to)).Append('\n');
        for (var d = from; d <= to; d = d.AddDays(1))
        {
            bool runs = profile.RunsOn(d), regular = profile.RegularOn(d);
            if (runs != regular) _calendarDates.Append(Csv(serviceId)).Append(',').Append(Ymd(d)).Append(',').Append(runs ? '1' : '2').Append('\n');
        }
        return serviceId;
    }

    private void AddStops(string file, XElement root)
    {
        foreach (var stop in Txc.Elements(root, "StopPoints"))
        {
            var isRef = stop.Name.LocalName == "AnnotatedStopPointRef";
            if (!isRef && stop.Name.LocalName != "StopPoint") continue;
            var id = isRef ? Txc.Child(stop, "StopPointRef") : Txc.Child(stop, "AtcoCode");
            if (string.IsNullOrEmpty(id) || _stopIds.Contains(id)) continue;
            var name = isRef ? Txc.Child(stop, "CommonName") : Txc.Child(Txc.Element(stop, "Descriptor"), "CommonName");
            var location = isRef ? Txc.Element(stop, "Location") : Txc.Element(Txc.Element(stop, "Place"), "Location");
            if (Position(location) is not { } p)
            {
                Issue(IssueSeverity.Error, IssueCodes.BadValue, file, stop, $"stop '{id}' has no Location (longitude/latitude or easting/northing); left out, so journeys calling there lose that call. Stop positions are in NaPTAN.");
                continue;
            }
            _stopIds.Add(id);
            _stops.Append(Csv(id)).Append(',').Append(Csv(name ?? id)).Append(',')
                .Append(p.Lat.ToString("0.0000000", CultureInfo.InvariantCulture)).Append(',').Append(p.Lon.ToString("0.0000000", CultureInfo.InvariantCulture)).Append('\n');
        }
    }

    /// <summary>Longitude/Latitude (directly or under Translation), else Easting/Northing converted from the British National Grid.</summary>
    private static Walking.GeoPoint? Position(XElement? location)
    {
        if (location is null) return null;
        foreach (var place in new[] { location, Txc.Element(location, "Translation") })
        {
            if (place is null) continue;
            if (Txc.Number(Txc.Child(place, "Latitude")) is { } lat && Txc.Number(Txc.Child(place, "Longitude")) is { } lon) return new Walking.GeoPoint(lat, lon);
        }
        foreach (var place in new[] { location, Txc.Element(location, "Translation") })
        {
            if (place is null) continue;
            if (Txc.Number(Txc.Child(place, "Easting")) is { } e && Txc.Number(Txc.Child(place, "Northing")) is { } n) return BritishNationalGrid.ToWgs84(e, n);
        }
        return null;
    }

    private HashSet<string> AddOperators(XElement root, string prefix)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var op in Txc.Elements(root, "Operators"))
        {
            var id = (string?)op.Attribute("id") ?? Txc.Child(op, "OperatorCode");
            if (id is null) continue;
            ids.Add(id);
            EnsureAgency(prefix + id, Txc.Child(op, "TradingName") ?? Txc.Child(op, "OperatorShortName") ?? Txc.Child(op, "OperatorNameOnLicence") ?? Txc.Child(op, "OperatorCode") ?? id);
        }
        return ids;
    }

    private string EnsureAgency(string id, string name)
    {
        if (_agencyIds.Add(id)) _agency.Append(Csv(id)).Append(',').Append(Csv(name)).Append(",,Europe/London\n");
        return id;
    }

    private Dictionary<string, List<TimingLink>> ReadSections(string file, XElement root)
    {
        var sections = new Dictionary<string, List<TimingLink>>(StringComparer.Ordinal);
        foreach (var section in Txc.Elements(root, "JourneyPatternSections"))
        {
            var links = new List<TimingLink>();
            foreach (var link in section.Elements().Where(e => e.Name.LocalName == "JourneyPatternTimingLink"))
            {
                XElement? from = Txc.Element(link, "From"), to = Txc.Element(link, "To");
                string? fromStop = Txc.Child(from, "StopPointRef"), toStop = Txc.Child(to, "StopPointRef");
                var run = Txc.Duration(Txc.Child(link, "RunTime"));
                if (fromStop is null || toStop is null || run is null)
                {
                    Issue(IssueSeverity.Error, IssueCodes.BadValue, file, link, "timing link without From/To StopPointRef or a valid RunTime; journeys on its pattern are left out.");
                    links.Clear();
                    break;
                }
                links.Add(new TimingLink((string?)link.Attribute("id") ?? "", fromStop, Txc.Child(from, "Activity"), Txc.Duration(Txc.Child(from, "WaitTime")) ?? 0,
                    toStop, Txc.Child(to, "Activity"), Txc.Duration(Txc.Child(to, "WaitTime")) ?? 0, run.Value, Txc.LineOf(link)));
            }
            sections[(string?)section.Attribute("id") ?? ""] = links;
        }
        return sections;
    }

    private void Issue(IssueSeverity severity, string code, string file, XElement at, string message) =>
        _issues.Add(new FeedIssue(severity, code, file, Txc.LineOf(at), message));

    /// <summary>GTFS route_type for a TransXChange Mode (bus when absent).</summary>
    private static int RouteType(string? mode) => mode switch
    {
        "tram" => 0,
        "underground" or "metro" => 1,
        "rail" => 2,
        "ferry" => 4,
        "cableCar" => 5,
        "telecabine" => 6,
        "funicular" => 7,
        "trolleyBus" => 11,
        _ => 3, // bus, coach, and anything unlisted
    };

    private static bool TryTime(string? value, out int seconds)
    {
        seconds = 0;
        return value is not null && GtfsValues.TryParseTime(value.Length == 5 ? value + ":00" : value, out seconds);
    }

    private static string Clock(int s) => string.Create(CultureInfo.InvariantCulture, $"{s / 3600:00}:{s / 60 % 60:00}:{s % 60:00}");

    private static string Ymd(DateOnly d) => d.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
}

/// <summary>Namespace-agnostic reading of TransXChange elements (files use the TXC namespace, or none).</summary>
internal static class Txc
{
    public static XElement? Element(XElement? parent, string name) => parent?.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    public static string? Child(XElement? parent, string name) => Element(parent, name)?.Value.Trim() is { Length: > 0 } v ? v : null;

    /// <summary>The children of the first <paramref name="container"/> under the root.</summary>
    public static IEnumerable<XElement> Elements(XElement root, string container) => Element(root, container)?.Elements() ?? [];

    public static IEnumerable<XElement> Path(XElement root, string container, string name) =>
        Elements(root, container).Where(e => e.Name.LocalName == name);

    public static DateOnly? Date(string? value) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    public static double? Number(string? value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;

    /// <summary>An ISO 8601 duration (PT3M, PT1H2M30S) in whole seconds, or null.</summary>
    public static int? Duration(string? value)
    {
        if (value is null) return null;
        try
        {
            return (int)Math.Round(XmlConvert.ToTimeSpan(value).TotalSeconds);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public static long LineOf(XElement e) => e is IXmlLineInfo info && info.HasLineInfo() ? info.LineNumber : 0;
}
