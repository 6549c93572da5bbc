using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Tests.Support;
using Lis.Geo.Transit.Timetables;
using Lis.Geo.Transit.TransXChange;

namespace Lis.Geo.Transit.Tests.TransXChange;

/// <summary>TransXChange read as a feed: timing links, waits, activities, day shifts, operating profiles and bank holidays, by hand.</summary>
public sealed class TransXChangeTests
{
    /// <summary>
    /// Stops A, B, C. Pattern P: A → B run 5 min (From A activity pickUp), B waits 1 min (From wait of
    /// the second link), B → C run 4 min, C setDown. Service S runs 2026-01-01 … 2026-12-31.
    /// <list type="bullet">
    /// <item>V1 07:00 Monday–Friday, not on Spring Bank, and not 3–4 June (special days), but on Boxing Day
    /// (Saturday 26 Dec 2026): A 07:00, B 07:05–07:06, C 07:10.</item>
    /// <item>V2 00:10 with DepartureDayShift 1, Sundays (the service's own profile): A 24:10, B 24:15–24:16, C 24:20.</item>
    /// <item>V3 08:00 takes V1's pattern through VehicleJourneyRef, its first link runs 10 min
    /// (VehicleJourneyTimingLink), HolidaysOnly with AllBankHolidays: A 08:00, B 08:10–08:11, C 08:15,
    /// only on bank holidays (the named days and their displacement days).</item>
    /// </list>
    /// </summary>
    private const string Document = """
        <?xml version="1.0" encoding="utf-8"?>
        <TransXChange xmlns="http://www.transxchange.org.uk/">
          <StopPoints>
            <AnnotatedStopPointRef><StopPointRef>A</StopPointRef><CommonName>Stop A</CommonName><Location><Longitude>0</Longitude><Latitude>0</Latitude></Location></AnnotatedStopPointRef>
            <AnnotatedStopPointRef><StopPointRef>B</StopPointRef><CommonName>Stop B</CommonName><Location><Translation><Longitude>0.01</Longitude><Latitude>0</Latitude></Translation></Location></AnnotatedStopPointRef>
            <StopPoint><AtcoCode>C</AtcoCode><Descriptor><CommonName>Stop C</CommonName></Descriptor><Place><Location><Longitude>0.02</Longitude><Latitude>0</Latitude></Location></Place></StopPoint>
          </StopPoints>
          <JourneyPatternSections>
            <JourneyPatternSection id="JPS1">
              <JourneyPatternTimingLink id="L1">
                <From><Activity>pickUp</Activity><StopPointRef>A</StopPointRef></From>
                <To><StopPointRef>B</StopPointRef></To>
                <RunTime>PT5M</RunTime>
              </JourneyPatternTimingLink>
            </JourneyPatternSection>
            <JourneyPatternSection id="JPS2">
              <JourneyPatternTimingLink id="L2">
                <From><StopPointRef>B</StopPointRef><WaitTime>PT1M</WaitTime></From>
                <To><Activity>setDown</Activity><StopPointRef>C</StopPointRef></To>
                <RunTime>PT4M</RunTime>
              </JourneyPatternTimingLink>
            </JourneyPatternSection>
          </JourneyPatternSections>
          <Operators><Operator id="O1"><OperatorCode>OP</OperatorCode><TradingName>Test Buses</TradingName></Operator></Operators>
          <Services>
            <Service>
              <ServiceCode>S</ServiceCode>
              <Lines><Line id="LINE1"><LineName>1</LineName></Line></Lines>
              <OperatingPeriod><StartDate>2026-01-01</StartDate><EndDate>2026-12-31</EndDate></OperatingPeriod>
              <OperatingProfile><RegularDayType><DaysOfWeek><Sunday /></DaysOfWeek></RegularDayType></OperatingProfile>
              <RegisteredOperatorRef>O1</RegisteredOperatorRef>
              <Mode>bus</Mode>
              <StandardService>
                <JourneyPattern id="P"><Direction>outbound</Direction><JourneyPatternSectionRefs>JPS1</JourneyPatternSectionRefs><JourneyPatternSectionRefs>JPS2</JourneyPatternSectionRefs></JourneyPattern>
              </StandardService>
            </Service>
          </Services>
          <VehicleJourneys>
            <VehicleJourney>
              <OperatingProfile>
                <RegularDayType><DaysOfWeek><MondayToFriday /></DaysOfWeek></RegularDayType>
                <SpecialDaysOperation><DaysOfNonOperation><DateRange><StartDate>2026-06-03</StartDate><EndDate>2026-06-04</EndDate></DateRange></DaysOfNonOperation></SpecialDaysOperation>
                <BankHolidayOperation>
                  <DaysOfOperation><BoxingDay /></DaysOfOperation>
                  <DaysOfNonOperation><SpringBank /></DaysOfNonOperation>
                </BankHolidayOperation>
              </OperatingProfile>
              <VehicleJourneyCode>V1</VehicleJourneyCode>
              <ServiceRef>S</ServiceRef><LineRef>LINE1</LineRef><JourneyPatternRef>P</JourneyPatternRef>
              <DepartureTime>07:00:00</DepartureTime>
            </VehicleJourney>
            <VehicleJourney>
              <VehicleJourneyCode>V2</VehicleJourneyCode>
              <ServiceRef>S</ServiceRef><LineRef>LINE1</LineRef><JourneyPatternRef>P</JourneyPatternRef>
              <DepartureTime>00:10:00</DepartureTime>
              <DepartureDayShift>1</DepartureDayShift>
            </VehicleJourney>
            <VehicleJourney>
              <OperatingProfile>
                <RegularDayType><HolidaysOnly /></RegularDayType>
                <BankHolidayOperation><DaysOfOperation><AllBankHolidays /></DaysOfOperation></BankHolidayOperation>
              </OperatingProfile>
              <VehicleJourneyCode>V3</VehicleJourneyCode>
              <ServiceRef>S</ServiceRef><LineRef>LINE1</LineRef><VehicleJourneyRef>V1</VehicleJourneyRef>
              <DepartureTime>08:00:00</DepartureTime>
              <VehicleJourneyTimingLink><JourneyPatternTimingLinkRef>L1</JourneyPatternTimingLinkRef><RunTime>PT10M</RunTime></VehicleJourneyTimingLink>
            </VehicleJourney>
          </VehicleJourneys>
        </TransXChange>
        """;

    private const string V1 = "A 07:00:00-07:00:00 B 07:05:00-07:06:00 C 07:10:00-07:10:00";
    private const string V2 = "A 24:10:00-24:10:00 B 24:15:00-24:16:00 C 24:20:00-24:20:00";
    private const string V3 = "A 08:00:00-08:00:00 B 08:10:00-08:11:00 C 08:15:00-08:15:00";

    [Theory]
    [InlineData("2026-05-27", new[] { V1 })]        // Wednesday
    [InlineData("2026-05-25", new[] { V3 })]        // Spring Bank (last Monday of May): V1 excluded, V3 runs
    [InlineData("2026-06-03", new string[0])]       // Wednesday, special day of non-operation
    [InlineData("2026-05-31", new[] { V2 })]        // Sunday
    [InlineData("2026-04-03", new[] { V1, V3 })]    // Good Friday: V1 has no rule for it (its regular Friday)
    [InlineData("2026-12-26", new[] { V1, V3 })]    // Boxing Day, a Saturday: V1 by its bank-holiday rule, V3 as BoxingDay is in AllBankHolidays
    [InlineData("2026-12-28", new[] { V1, V3 })]    // Boxing Day's displacement Monday
    public void Journeys_run_on_the_hand_derived_dates(string date, string[] expected)
    {
        var path = Path.Combine(Path.GetTempPath(), $"lisgeo-txc-{Guid.NewGuid():N}.xml");
        File.WriteAllText(path, Document);
        try
        {
            var source = GtfsSource.Open(path);
            Assert.True(source.IsTransXChange);
            var timetable = TimetableCompiler.Compile(source, DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Empty(timetable.Issues);
            var trips = TimetableTrips.Of(timetable);
            Assert.Equal(expected.Order(StringComparer.Ordinal), trips);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Activities_become_pickup_and_drop_off_rules()
    {
        // A is pickUp (no set-down), C setDown (no pick-up), B both.
        var path = Path.Combine(Path.GetTempPath(), $"lisgeo-txc-{Guid.NewGuid():N}.xml");
        File.WriteAllText(path, Document);
        try
        {
            var timetable = TimetableCompiler.Compile(GtfsSource.Open(path), new DateOnly(2026, 5, 27));
            Assert.Equal([Timetable.CanBoard, Timetable.CanBoard | Timetable.CanAlight, Timetable.CanAlight], timetable.PatternStopRules);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Bank_holidays_of_2026_are_the_published_england_and_wales_dates()
    {
        // gov.uk/bank-holidays, England and Wales 2026: 1 Jan, 3 Apr, 6 Apr, 4 May, 25 May, 31 Aug, 25 Dec, 28 Dec (Boxing Day substitute).
        var dates = BankHolidays.Expand("AllBankHolidays").SelectMany(n => BankHolidays.DatesOf(n, 2026)!).Order().ToList();
        Assert.Equal([new(2026, 1, 1), new(2026, 4, 3), new(2026, 4, 6), new(2026, 5, 4), new(2026, 5, 25), new(2026, 8, 31),
            new(2026, 12, 25), new(2026, 12, 26), new(2026, 12, 28)], dates);
        Assert.Equal(new DateOnly(2025, 4, 20), BankHolidays.EasterSunday(2025));
        Assert.Equal(new DateOnly(2024, 3, 31), BankHolidays.EasterSunday(2024));
    }
}
