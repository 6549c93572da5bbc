namespace Lis.Geo.Transit.Gtfs;

/// <summary>The GTFS files the engine reads or writes, named once for the reader, the compiler, the route lines and the checks.</summary>
public static class GtfsFiles
{
    public const string Agency = "agency.txt";
    public const string Stops = "stops.txt";
    public const string Routes = "routes.txt";
    public const string Trips = "trips.txt";
    public const string StopTimes = "stop_times.txt";
    public const string Calendar = "calendar.txt";
    public const string CalendarDates = "calendar_dates.txt";
    public const string Frequencies = "frequencies.txt";
    public const string Shapes = "shapes.txt";
    public const string Transfers = "transfers.txt";
}
