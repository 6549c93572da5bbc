using Lis.Geo.Testing;
using System.Net;
using System.Text.Json;

namespace Lis.Geo.Api.Tests.Features.Feeds;

/// <summary>GET /feeds/{id}/qa over real HTTP and PostGIS: a stored bad feed's findings as JSON and as a page.</summary>
public sealed class FeedQualityApiTests(FeedsFixture api) : IClassFixture<FeedsFixture>
{
    /// <summary>
    /// A 0°, B 0.01°, C 0.02° on the equator and A2 2.22 m north of A (unserved). R1: T1 A 07:00 → C 07:20,
    /// T2 A 07:05 → C 07:18 (overtakes T1 at C). CD exists only in calendar_dates (21 Oct 2026): L1 A 23:00 → C 47:30.
    /// </summary>
    private static byte[] BadFeed() => GtfsTables.Zip(new Dictionary<string, string>
    {
        ["agency.txt"] = "agency_id,agency_name,agency_url,agency_timezone\nAG,Bad feed for QA,https://example.com,Europe/London\n",
        ["stops.txt"] = "stop_id,stop_name,stop_lat,stop_lon\nA,Stop A,0,0\nB,Stop B,0,0.01\nC,Stop C,0,0.02\nA2,Stop A again,0.00002,0\n",
        ["routes.txt"] = "route_id,agency_id,route_short_name,route_type\nR1,AG,1,3\nR2,AG,2,3\n",
        ["calendar.txt"] = "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20260101,20261231\n",
        ["calendar_dates.txt"] = "service_id,date,exception_type\nCD,20261021,1\n",
        ["trips.txt"] = "route_id,service_id,trip_id\nR1,WK,T1\nR1,WK,T2\nR2,CD,L1\n",
        ["stop_times.txt"] = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" +
                             "T1,07:00:00,07:00:00,A,1\nT1,07:10:00,07:10:00,B,2\nT1,07:20:00,07:20:00,C,3\n" +
                             "T2,07:05:00,07:05:00,A,1\nT2,07:12:00,07:12:00,B,2\nT2,07:18:00,07:18:00,C,3\n" +
                             "L1,23:00:00,23:00:00,A,1\nL1,47:30:00,47:30:00,C,2\n",
    });

    private async Task<long> StoreAsync()
    {
        var content = new MultipartFormDataContent { { new ByteArrayContent(BadFeed()), "file", "bad.zip" } };
        var response = await api.Writer().PostAsync("/feeds?name=Bad", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();
    }

    [Fact]
    public async Task The_report_lists_the_hand_derived_findings_as_json_and_as_a_page()
    {
        var id = await StoreAsync();
        var response = await api.Client.GetAsync($"/feeds/{id}/qa?date=2026-10-21");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var report = JsonDocument.Parse(text).RootElement.GetProperty("report");
        Assert.Equal(3, report.GetProperty("trips").GetInt32());
        Assert.Equal("CD", report.GetProperty("calendarDatesOnlyServices").GetProperty("items")[0].GetProperty("serviceId").GetString());
        Assert.Equal("L1", report.GetProperty("tripsLongerThan24Hours").GetProperty("items")[0].GetProperty("tripId").GetString());
        Assert.Equal("A2", report.GetProperty("stopsWithoutService").GetProperty("items")[0].GetProperty("stopId").GetString());
        Assert.Equal(2.22, report.GetProperty("duplicateStops").GetProperty("items")[0].GetProperty("meters").GetDouble());
        var overtaking = report.GetProperty("overtakingRoutes").GetProperty("items")[0];
        Assert.Equal(("R1", "T1", "T2", "C"), (overtaking.GetProperty("routeId").GetString(), overtaking.GetProperty("earlierTripId").GetString(),
            overtaking.GetProperty("laterTripId").GetString(), overtaking.GetProperty("atStopId").GetString()));

        var page = await api.Client.GetAsync($"/feeds/{id}/qa?date=2026-10-21&f=html");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Routes whose trips overtake: 1", html);
        Assert.Contains("Trips longer than 24 hours: 1", html);
        Assert.Contains("<td>47:30:00</td>", html);
    }

    [Fact]
    public async Task Bad_parameters_name_their_field()
    {
        var id = await StoreAsync();
        await Problem.AssertAsync(api.Client.GetAsync($"/feeds/{id}/qa?date=2026-02-30"), HttpStatusCode.BadRequest, "date");
        await Problem.AssertAsync(api.Client.GetAsync($"/feeds/{id}/qa?duplicateMeters=-1"), HttpStatusCode.BadRequest, "duplicateMeters");
        await Problem.AssertAsync(api.Client.GetAsync($"/feeds/{id}/qa?window=10:00-07:00"), HttpStatusCode.BadRequest, "window");
        await Problem.AssertAsync(api.Client.GetAsync($"/feeds/{id}/qa?f=pdf"), HttpStatusCode.BadRequest, "f");
        await Problem.AssertAsync(api.Client.GetAsync($"/feeds/{id}/qa?zoneSet=nope"), HttpStatusCode.BadRequest, "zoneSet");
        await Problem.AssertAsync(api.Client.GetAsync("/feeds/999999/qa"), HttpStatusCode.NotFound, "id");
    }
}
