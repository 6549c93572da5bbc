using System.Globalization;
using System.IO.Compression;
using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Tests.Support;
using Lis.Geo.Transit.Timetables;

namespace Lis.Geo.Transit.Tests.TransXChange;

/// <summary>
/// The real West Midlands Trains Stourbridge Shuttle TransXChange file against its GTFS conversion
/// (rail/PROVENANCE.md, made by another program): the same trips and times on every date around the
/// operating period's changes.
/// </summary>
[Trait("Category", "SharedData")]
public sealed class TransXChangeSharedDataTests
{
    [Theory]
    [InlineData("2022-05-20", 0)]   // before the operating period
    [InlineData("2022-05-21", 213)] // first day, a Saturday
    [InlineData("2022-06-15", 214)] // Wednesday (PROVENANCE: 214)
    [InlineData("2022-06-18", 213)] // Saturday
    [InlineData("2022-06-19", 87)]  // Sunday
    [InlineData("2022-08-29", 214)] // Late Summer bank holiday: no bank-holiday rule in the file, so the Monday timetable
    [InlineData("2022-12-09", 214)] // last Friday before DaysOfNonOperation
    [InlineData("2022-12-10", 213)] // Saturday: the Saturday journeys stop from 12-11
    [InlineData("2022-12-11", 0)]   // Sunday: stopped from 12-05
    [InlineData("2022-12-14", 0)]   // Wednesday after the non-operation date (PROVENANCE: 0)
    [InlineData("2022-12-24", 0)]   // after the operating period
    public void The_file_compiles_to_its_gtfs_conversions_trips_and_times(string date, int trips)
    {
        var day = DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var txc = GtfsSource.Open(SharedData.Require(SharedData.RailTxc));
        Assert.True(txc.IsTransXChange);
        var fromTxc = TimetableCompiler.Compile(txc, day);
        var fromGtfs = TimetableCompiler.Compile(GtfsSource.Open(SharedData.Require(SharedData.RailGtfsZip)), day);
        Assert.Equal(trips, fromGtfs.TripCount);
        Assert.Equal(TimetableTrips.Of(fromGtfs), TimetableTrips.Of(fromTxc));
        Assert.Empty(fromTxc.Issues);
    }

    [Fact]
    public void Stop_grid_references_convert_to_the_published_positions()
    {
        // The file gives easting/northing only; the GTFS conversion took the stations' latitude/longitude
        // from the TIPLOC table (NaPTAN). Stourbridge Town's agree to well under a metre, which checks the
        // conversion. Stourbridge Junction's latitude agrees as closely, but its published longitude is
        // 20 m west of its own grid reference: the two NaPTAN fields disagree, not the conversion.
        var gtfs = TimetableCompiler.Compile(GtfsSource.Open(SharedData.Require(SharedData.RailGtfsZip)), new DateOnly(2022, 6, 15));
        var txc = TimetableCompiler.Compile(GtfsSource.Open(SharedData.Require(SharedData.RailTxc)), new DateOnly(2022, 6, 15));
        Assert.True(gtfs.TryGetStop("9100STRBDGT0", out var town));
        Assert.True(txc.TryGetStop("9100STRBDGT0", out var townTxc));
        Assert.True(gtfs.StopLocation(town).DistanceMeters(txc.StopLocation(townTxc)) < 1);
        Assert.True(gtfs.TryGetStop("9100STRBDGJ0", out var junction));
        Assert.True(txc.TryGetStop("9100STRBDGJ0", out var junctionTxc));
        Assert.True(Math.Abs(gtfs.StopLocation(junction).Lat - txc.StopLocation(junctionTxc).Lat) * 111_195 < 1);
        var east = (gtfs.StopLocation(junction).Lon - txc.StopLocation(junctionTxc).Lon) * 111_195 * Math.Cos(52.45 * Math.PI / 180);
        Assert.InRange(east, 19, 21);
    }

    [Fact]
    public void A_zip_of_the_file_is_the_same_feed_with_ids_of_one_document_unprefixed()
    {
        var zipPath = Path.Combine(Path.GetTempPath(), $"lisgeo-txc-{Guid.NewGuid():N}.zip");
        try
        {
            using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
                zip.CreateEntryFromFile(SharedData.Require(SharedData.RailTxc), "nrc_90-72-_-r08-1.xml");
            var source = GtfsSource.Open(zipPath);
            Assert.True(source.IsTransXChange);
            var day = new DateOnly(2022, 6, 15);
            Assert.Equal(TimetableTrips.Of(TimetableCompiler.Compile(GtfsSource.Open(SharedData.RailGtfsZip), day)),
                TimetableTrips.Of(TimetableCompiler.Compile(source, day)));
        }
        finally
        {
            File.Delete(zipPath);
        }
    }
}
