using System.Text.Json;
using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Scenarios;
using Lis.Geo.Transit.Tests.Support;
using Lis.Geo.Transit.Timetables;
using static Lis.Geo.Transit.Tests.Support.TestFeed;

namespace Lis.Geo.Transit.Tests.Scenarios;

/// <summary>Scenario validation, hashing, caching and the route table the modifications select from.</summary>
public sealed class ScenarioFormTests
{
    private static readonly ScenarioIds Ids = new(id => id is "R" or "R9", id => id is "A" or "B" or "C");

    private static IReadOnlyList<ScenarioError> Errors(string json) => ScenarioValidator.Validate(Scenario.FromJson(json), Ids);

    [Fact]
    public void Each_validation_names_the_field_and_the_modification_index()
    {
        Assert.Equal([new ScenarioError("modifications[1].routes[0]", "unknown route 'Q'.")], Errors("""
            {"modifications":[{"type":"remove","routes":["R"]},{"type":"remove","routes":["Q"]}]}
            """));
        Assert.Equal([new ScenarioError("modifications[0].stops[1].stopId", "unknown stop 'Z'.")], Errors("""
            {"modifications":[{"type":"add-route","stops":[{"stopId":"A"},{"stopId":"Z"}],"hopSeconds":[60],"departures":["08:00"]}]}
            """));
        Assert.Equal([new ScenarioError("modifications[0].to", "empty time range: to (07:00) must be after from (07:00).")], Errors("""
            {"modifications":[{"type":"adjust-frequency","routes":["R"],"from":"07:00","to":"07:00","headwaySeconds":600}]}
            """));
        Assert.Equal([new ScenarioError("modifications[0].headwaySeconds", "must be > 0 (got 0).")], Errors("""
            {"modifications":[{"type":"adjust-frequency","routes":["R"],"from":"07:00","to":"08:00","headwaySeconds":0}]}
            """));
        Assert.Equal([new ScenarioError("modifications[0].frequencies[1].headwaySeconds", "must be > 0 (got -5).")], Errors("""
            {"modifications":[{"type":"add-route","stops":[{"stopId":"A"},{"stopId":"B"}],"speedKmh":20,
              "frequencies":[{"from":"07:00","to":"08:00","headwaySeconds":600},{"from":"08:00","to":"09:00","headwaySeconds":-5}]}]}
            """));
        Assert.Equal([new ScenarioError("modifications[0].fromStop", "unknown stop 'Y'.")], Errors("""
            {"modifications":[{"type":"adjust-speed","routeType":3,"fromStop":"Y","toStop":"A","runningTimeFactor":0.9}]}
            """));
        Assert.Equal([new ScenarioError("modifications[0].routes", "choose routes by id, agencyId or routeType.")], Errors("""
            {"modifications":[{"type":"adjust-speed","runningTimeFactor":0.9}]}
            """));
        Assert.Equal([new ScenarioError("modifications[0].routeId", "route 'R' already exists.")], Errors("""
            {"modifications":[{"type":"add-route","routeId":"R","stops":[{"stopId":"A"},{"stopId":"B"}],"hopSeconds":[60],"departures":["08:00"]}]}
            """));
        Assert.Equal([new ScenarioError("modifications[0].hopSeconds", "one per hop: 1 for 2 stops (got 2).")], Errors("""
            {"modifications":[{"type":"add-route","stops":[{"stopId":"A"},{"stopId":"B"}],"hopSeconds":[60,60],"departures":["08:00"]}]}
            """));
        Assert.Empty(Errors("""
            {"modifications":[{"type":"add-route","routeId":"N","stops":[{"stopId":"A"},{"lat":1,"lon":1,"stopId":"NEW"}],"hopSeconds":[60],"departures":["08:00"]},
              {"type":"adjust-frequency","routes":["N"],"from":"07:00","to":"09:00","factor":0.5},
              {"type":"remove","routes":["R"],"stops":["NEW"]}]}
            """));
    }

    [Fact]
    public void Unknown_types_and_misspelt_members_are_refused_when_parsed()
    {
        Assert.ThrowsAny<JsonException>(() => Scenario.FromJson("""{"modifications":[{"type":"teleport"}]}"""));
        Assert.ThrowsAny<JsonException>(() => Scenario.FromJson("""{"modifications":[{"type":"remove","route":["R"]}]}"""));
        // "type" need not come first.
        Assert.IsType<RemoveService>(Scenario.FromJson("""{"modifications":[{"routes":["R"],"type":"remove"}]}""").Modifications[0]);
    }

    [Fact]
    public void The_hash_ignores_spelling_and_follows_every_value()
    {
        var a = Scenario.FromJson("""{"modifications":[{"type":"remove","routes":["R"]}]}""");
        var b = Scenario.FromJson("""{ "modifications" : [ { "routes" : [ "R" ], "type" : "remove", "stops": null } ] }""");
        var c = Scenario.FromJson("""{"modifications":[{"type":"remove","routes":["R9"]}]}""");
        Assert.Equal(a.ComputeHash(), b.ComputeHash());
        Assert.NotEqual(a.ComputeHash(), c.ComputeHash());
        Assert.Equal(64, a.ComputeHash().Length);
        // Defaults written out or not are the same scenario.
        var d = Scenario.FromJson("""{"modifications":[{"type":"add-route","stops":[{"stopId":"A"},{"stopId":"B"}],"hopSeconds":[60],"departures":["08:00"]}]}""");
        var e = Scenario.FromJson("""{"modifications":[{"type":"add-route","stops":[{"stopId":"A"},{"stopId":"B"}],"hopSeconds":[60],"departures":["08:00"],"bidirectional":true,"routeType":3,"dwellSeconds":0}]}""");
        Assert.Equal(d.ComputeHash(), e.ComputeHash());
    }

    [Fact]
    public void The_compiled_day_knows_each_trips_route_agency_and_type_and_the_file_keeps_them()
    {
        using var feed = new TestFeed(
            ("stops.txt", "stop_id,stop_lat,stop_lon\nA,0,0\nB,0,0.1\n"),
            ("calendar.txt", WeekdayCalendar),
            ("routes.txt", "route_id,agency_id,route_type\nBUS,NXB,3\nTRAM,MM,0\n"),
            ("trips.txt", "route_id,service_id,trip_id\nTRAM,WK,t1\nBUS,WK,b1\n"),
            ("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nt1,08:00:00,08:00:00,A,1\nt1,08:10:00,08:10:00,B,2\nb1,08:05:00,08:05:00,A,1\nb1,08:25:00,08:25:00,B,2\n"));
        var timetable = feed.Compile();
        Assert.Equal(2, timetable.RouteCount);
        Assert.True(timetable.TryGetRoute("BUS", out var bus));
        Assert.Equal(("NXB", 3), (timetable.RouteAgencyId(bus), timetable.RouteType(bus)));
        Assert.True(timetable.TryGetRoute("TRAM", out var tram));
        Assert.Equal(("MM", 0), (timetable.RouteAgencyId(tram), timetable.RouteType(tram)));
        // One pattern (same stops), trips by departure: t1 (TRAM) then b1 (BUS).
        Assert.Equal([tram, bus], timetable.TripRoutes);

        // Removing by route_type keeps the bus only; the saved file keeps routes and the scenario hash.
        var scenario = Scenario.FromJson("""{"modifications":[{"type":"remove","routeType":0}]}""");
        var dir = Path.Combine(feed.Folder, "cache");
        var applied = new ScenarioCache(dir).LoadOrApply(timetable, scenario);
        Assert.Equal([bus], applied.TripRoutes);
        var file = Assert.Single(Directory.GetFiles(dir));
        var loaded = TimetableFile.Load(file)!;
        ScenarioTests.AssertSameDay(applied, loaded);
        Assert.Equal(scenario.ComputeHash(), loaded.ScenarioHash);
        var again = new ScenarioCache(dir).LoadOrApply(timetable, scenario);
        ScenarioTests.AssertSameDay(applied, again);
        Assert.NotSame(applied, again);
    }

    [Fact]
    public void A_merged_day_keeps_routes_apart_per_feed_and_a_scenario_keeps_its_feeds()
    {
        const string stops = "stop_id,stop_lat,stop_lon\nA,0,0\nB,0,0.1\n";
        const string times = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT,08:00:00,08:00:00,A,1\nT,08:10:00,08:10:00,B,2\n";
        using var a = WithWeekdayTrips(stops, times);
        using var b = WithWeekdayTrips(stops, times);
        var merged = TimetableMerge.Merge([("a", a.Compile()), ("b", b.Compile())]);
        Assert.True(merged.TryGetRoute("a:R", out var ra));
        Assert.True(merged.TryGetRoute("b:R", out var rb));
        Assert.Equal([ra, rb], merged.TripRoutes);
        var applied = ScenarioApplier.Apply(merged, Scenario.FromJson("""{"modifications":[{"type":"remove","routes":["a:R"]}]}""")).Timetable;
        Assert.Equal([rb], applied.TripRoutes);
        Assert.Equal(merged.Feeds, applied.Feeds);
    }

    [Fact]
    public void Applying_an_unvalidated_scenario_throws_with_every_error()
    {
        using var feed = WithWeekdayTrips("stop_id,stop_lat,stop_lon\nA,0,0\nB,0,0.1\n",
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT,08:00:00,08:00:00,A,1\nT,08:10:00,08:10:00,B,2\n");
        var e = Assert.Throws<ScenarioException>(() => ScenarioApplier.Apply(feed.Compile(), Scenario.FromJson("""
            {"modifications":[{"type":"adjust-frequency","routes":["R"],"from":"9:00","to":"08:00","factor":-1}]}
            """)));
        Assert.Equal(["modifications[0].to", "modifications[0].factor"], e.Errors.Select(x => x.Field));
    }
}

/// <summary>The New York MTA weekday: a scenario that changes nothing rebuilds the compiled day exactly.</summary>
public sealed class ScenarioSharedDataTests
{
    [Fact]
    [Trait("Category", "SharedData")]
    public void Nyc_day_unpacked_and_laid_out_again_is_identical()
    {
        var baseline = TimetableCompiler.Compile(GtfsSource.Open(SharedData.Require(SharedData.NycGtfsZip)), SharedData.NycServiceDate);
        Assert.True(baseline.RouteCount > 100);
        var applied = ScenarioApplier.Apply(baseline, Scenario.FromJson("""
            {"modifications":[{"type":"adjust-speed","routes":["NO-SUCH-ROUTE"],"runningTimeFactor":0.5}]}
            """));
        ScenarioTests.AssertSameDay(baseline, applied.Timetable);
    }
}
