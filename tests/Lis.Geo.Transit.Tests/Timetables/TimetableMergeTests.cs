using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Tests.Support;
using Lis.Geo.Transit.Timetables;
using static Lis.Geo.Transit.Tests.Support.TestFeed;

namespace Lis.Geo.Transit.Tests.Timetables;

/// <summary>Several feeds merged into one timetable of a date: ids kept apart, walks generated across feeds.</summary>
public sealed class TimetableMergeTests
{
    /// <summary>
    /// Both feeds publish stops "1" and "2" and a trip "T". Bus feed: stop 1 at 0°, stop 2 at 0.02°,
    /// T 08:00 → 08:10. Rail feed: stop 1 (the station) at 0.021°, 0.001° = 112 s' walk from the bus
    /// stop 2; stop 2 at 0.05°; T 08:15 → 08:25.
    /// </summary>
    private static (TestFeed Bus, TestFeed Rail) Feeds() => (
        WithWeekdayTrips("stop_id,stop_name,stop_lat,stop_lon\n1,Bus 1,0,0\n2,Bus 2,0,0.02\n",
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT,08:00:00,08:00:00,1,1\nT,08:10:00,08:10:00,2,2\n"),
        WithWeekdayTrips("stop_id,stop_name,stop_lat,stop_lon\n1,Station 1,0,0.021\n2,Station 2,0,0.05\n",
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT,08:15:00,08:15:00,1,1\nT,08:25:00,08:25:00,2,2\n"));

    [Fact]
    public void Stop_ids_are_kept_apart_and_a_walk_links_a_bus_stop_to_a_station_of_the_other_feed()
    {
        // From 0° at 07:58: bus T at 08:00 (07:58 + 60 s slack ≤ 08:00), bus stop 2 at 08:10, walk 112 s
        // to the station (08:11:52), + 60 s slack ≤ 08:15, train to 0.05° at 08:25: 27 min = 1620 s.
        // The rail feed alone cannot be reached from 0° (2,335 m to its first station > 600 s of access).
        var (bus, rail) = Feeds();
        using (bus)
        using (rail)
        {
            Timetable busTimetable = bus.Compile(), railTimetable = rail.Compile();
            var merged = TimetableMerge.Merge([("bus", busTimetable), ("rail", railTimetable)]);
            Assert.Equal(["bus:1", "bus:2", "rail:1", "rail:2"], Enumerable.Range(0, merged.StopCount).Select(merged.StopId));
            Assert.Equal(2, merged.TripCount);
            Assert.Equal([("bus", busTimetable.FeedHash, 0, 2, 1), ("rail", railTimetable.FeedHash, 2, 2, 1)],
                merged.Feeds.Select(f => (f.Label, f.FeedHash, f.FirstStop, f.StopCount, f.TripCount)));
            Assert.Equal(1620, TravelTimeBetween(new TransitRouter(merged, Simple), East(0), East(0.05), "07:58:00"));
            Assert.Equal(TravelTime.Unreachable, TravelTimeBetween(new TransitRouter(railTimetable, Simple), East(0), East(0.05), "07:58:00"));
        }
    }

    [Fact]
    public void A_feed_without_service_on_the_date_is_reported_and_timetables_of_other_dates_are_refused()
    {
        var (bus, rail) = Feeds();
        using (bus)
        using (rail)
        {
            var saturday = TimetableCompiler.Compile(GtfsSource.Open(rail.Folder), new DateOnly(2026, 10, 24));
            var saturdayBus = TimetableCompiler.Compile(GtfsSource.Open(bus.Folder), new DateOnly(2026, 10, 24));
            var merged = TimetableMerge.Merge([("bus", saturdayBus), ("rail", saturday)]);
            Assert.Equal(0, merged.TripCount);
            Assert.Equal(["bus", "rail"], merged.Issues.Where(i => i.Code == IssueCodes.NoService).Select(i => i.File));
            Assert.Throws<ArgumentException>(() => TimetableMerge.Merge([("bus", bus.Compile()), ("rail", saturday)]));
            Assert.Throws<ArgumentException>(() => TimetableMerge.Merge([("x", bus.Compile()), ("x", rail.Compile())]));
        }
    }
}
