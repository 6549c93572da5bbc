using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lis.Geo.Data.Feeds;
using Lis.Geo.Testing;

namespace Lis.Geo.Api.Tests.Features.Feeds;

/// <summary>An empty store (no sample region) whose uploads are capped at <see cref="Limit"/> bytes and land in a folder of its own.</summary>
public abstract class UploadsFixture : ApiFixture
{
    public abstract long Limit { get; }

    public string UploadDirectory { get; } = Path.Combine(Path.GetTempPath(), $"lisgeo-test-uploads-{Guid.NewGuid():N}");

    protected override string? ManifestPath => null;

    protected override IEnumerable<(string Key, string Value)> Settings =>
        [("Jobs:RunServer", "false"), ("Api:MaxUploadBytes", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("Api:UploadDirectory", UploadDirectory)];

    /// <summary>Files left in the upload folder (every request must delete its own).</summary>
    public string[] LeftoverUploads() => Directory.Exists(UploadDirectory) ? Directory.GetFiles(UploadDirectory) : [];

    protected override async Task DisposeDatabaseAsync()
    {
        if (Directory.Exists(UploadDirectory)) Directory.Delete(UploadDirectory, recursive: true);
        await base.DisposeDatabaseAsync();
    }
}

/// <summary>Uploads capped at 64 KB, so the over-limit path is cheap to exercise.</summary>
public sealed class FeedsFixture : UploadsFixture
{
    public const int MaxUploadBytes = 64 * 1024;
    public override long Limit => MaxUploadBytes;
}

/// <summary>
/// A hand-written feed: route SHAPED (bus, its trips name shapes), PLAIN (tram, no shapes) and IDLE
/// (no trips). Stops S1 (52.48, −1.90), S2 (52.481, −1.89), S3 (52.482, −1.88), S4 (52.49, −1.87).
/// SHP-OUT runs S1 → S3 through five points, two of its rows malformed: line 4 (latitude "north")
/// and line 6 (sequence "x5"), so its line is the four points of lines 2, 3, 5, 7 in order.
/// SHP-BACK runs S3 → S1. PLAIN's trips run S1 S2 S3 (twice) and S3 S4: two distinct stop sequences.
/// </summary>
internal static class TinyFeed
{
    public static readonly double[][] ShapeOut = [[-1.90, 52.48], [-1.895, 52.4805], [-1.89, 52.481], [-1.88, 52.482]];
    public static readonly double[][] ShapeBack = [[-1.88, 52.482], [-1.89, 52.481], [-1.90, 52.48]];
    public static readonly double[][] PlainS1S2S3 = [[-1.90, 52.48], [-1.89, 52.481], [-1.88, 52.482]];
    public static readonly double[][] PlainS3S4 = [[-1.88, 52.482], [-1.87, 52.49]];

    /// <summary>The feed as a zip; <paramref name="tag"/> goes into the agency name so each test stores bytes of its own.</summary>
    public static byte[] Zip(string tag) => GtfsTables.Zip(Files(tag));

    public static Dictionary<string, string> Files(string tag) => new()
    {
        ["agency.txt"] = $"agency_id,agency_name,agency_url,agency_timezone\nAG,Tiny Transit {tag},https://example.com,Europe/London\n",
        ["calendar.txt"] = "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20260101,20261231\n",
        ["stops.txt"] = """
            stop_id,stop_name,stop_lat,stop_lon
            S1,Stop 1,52.480000,-1.900000
            S2,Stop 2,52.481000,-1.890000
            S3,Stop 3,52.482000,-1.880000
            S4,Stop 4,52.490000,-1.870000

            """,
        ["routes.txt"] = """
            route_id,agency_id,route_short_name,route_long_name,route_type,route_color
            SHAPED,AG,10,Shaped line,3,FF0000
            PLAIN,AG,T1,Plain tram,0,00FF00
            IDLE,AG,99,No trips,3,

            """,
        ["trips.txt"] = """
            route_id,service_id,trip_id,shape_id
            SHAPED,WK,A1,SHP-OUT
            SHAPED,WK,A2,SHP-OUT
            SHAPED,WK,A3,SHP-BACK
            PLAIN,WK,B1,
            PLAIN,WK,B2,
            PLAIN,WK,B3,

            """,
        ["shapes.txt"] = """
            shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence
            SHP-OUT,52.480000,-1.900000,1
            SHP-OUT,52.480500,-1.895000,2
            SHP-OUT,north,-1.893000,3
            SHP-OUT,52.481000,-1.890000,4
            SHP-OUT,52.481500,-1.885000,x5
            SHP-OUT,52.482000,-1.880000,6
            SHP-BACK,52.482000,-1.880000,1
            SHP-BACK,52.481000,-1.890000,2
            SHP-BACK,52.480000,-1.900000,3

            """,
        ["stop_times.txt"] = """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            A1,08:00:00,08:00:00,S1,1
            A1,08:10:00,08:10:00,S3,2
            A2,09:00:00,09:00:00,S1,1
            A2,09:10:00,09:10:00,S3,2
            A3,08:30:00,08:30:00,S3,1
            A3,08:40:00,08:40:00,S1,2
            B1,08:00:00,08:00:00,S1,1
            B1,08:05:00,08:05:00,S2,2
            B1,08:10:00,08:10:00,S3,3
            B2,09:00:00,09:00:00,S1,1
            B2,09:05:00,09:05:00,S2,2
            B2,09:10:00,09:10:00,S3,3
            B3,08:20:00,08:20:00,S3,1
            B3,08:30:00,08:30:00,S4,2

            """,
    };

}

/// <summary>A POST with Transfer-Encoding: chunked; the test server hands it on without a Content-Length, as Kestrel does.</summary>
internal static class Upload
{
    public static HttpRequestMessage Chunked(string url, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        return request;
    }
}

/// <summary>A body sent with Transfer-Encoding: chunked (no Content-Length), in 8 KB pieces.</summary>
internal sealed class ChunkedContent : HttpContent
{
    private readonly byte[] _bytes;

    public ChunkedContent(byte[] bytes, string mediaType)
    {
        _bytes = bytes;
        Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
    }

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        for (var i = 0; i < _bytes.Length; i += 8192)
        {
            await stream.WriteAsync(_bytes.AsMemory(i, Math.Min(8192, _bytes.Length - i)));
            await stream.FlushAsync();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}

public sealed class FeedsApiTests(FeedsFixture api) : IClassFixture<FeedsFixture>
{
    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static MultipartFormDataContent Multipart(byte[] zip, string fileName = "tiny.zip") =>
        new() { { new StringContent("a form field before the file"), "note" }, { new ByteArrayContent(zip), "file", fileName } };

    private async Task<JsonElement> UploadAsync(HttpContent content, string query = "", HttpStatusCode expected = HttpStatusCode.Created)
    {
        var response = await api.Writer().SendAsync(Upload.Chunked($"/feeds{query}", content));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {body}");
        Assert.Empty(api.LeftoverUploads());
        return JsonDocument.Parse(body).RootElement;
    }

    private static double[][][] Lines(JsonElement feature)
    {
        Assert.Equal("MultiLineString", feature.GetProperty("geometry").GetProperty("type").GetString());
        return feature.GetProperty("geometry").GetProperty("coordinates").EnumerateArray()
            .Select(l => l.EnumerateArray().Select(p => p.EnumerateArray().Select(c => c.GetDouble()).ToArray()).ToArray()).ToArray();
    }

    [Fact]
    public async Task A_multipart_upload_is_stored_with_the_sha256_of_its_bytes()
    {
        var zip = TinyFeed.Zip("multipart");
        var feed = await UploadAsync(Multipart(zip, "tiny-multipart.zip"), "?name=Tiny");
        var id = feed.GetProperty("id").GetInt64();
        Assert.Equal(Sha(zip), feed.GetProperty("sha256").GetString());
        Assert.Equal(zip.Length, feed.GetProperty("sizeBytes").GetInt64());
        Assert.Equal(("Tiny", "tiny-multipart.zip"), (feed.GetProperty("name").GetString(), feed.GetProperty("fileName").GetString()));
        // PostgreSQL's own sha256() over the stored column: the bytes arrived whole.
        Assert.Equal(Sha(zip), await api.ScalarAsync<string>("SELECT encode(sha256(content), 'hex') FROM transit_feed_file WHERE feed_id = $1", id));
        var links = feed.GetProperty("links").EnumerateArray().ToDictionary(l => l.GetProperty("rel").GetString()!, l => l.GetProperty("href").GetString()!);
        Assert.EndsWith($"/collections/transit-routes/items?feed={id}", links["routes"]);
        Assert.EndsWith($"/collections/transit-stops/items?feed={id}", links["stops"]);
    }

    [Fact]
    public async Task A_raw_chunked_upload_with_a_file_name_is_stored_with_the_sha256_of_its_bytes()
    {
        var zip = TinyFeed.Zip("raw");
        var feed = await UploadAsync(new ChunkedContent(zip, "application/zip"), "?fileName=tiny-raw.zip");
        Assert.Equal(Sha(zip), feed.GetProperty("sha256").GetString());
        Assert.Equal(("tiny-raw", "tiny-raw.zip"), (feed.GetProperty("name").GetString(), feed.GetProperty("fileName").GetString()));
        Assert.Equal(Sha(zip), await api.ScalarAsync<string>("SELECT encode(sha256(content), 'hex') FROM transit_feed_file WHERE feed_id = $1", feed.GetProperty("id").GetInt64()));
        // The same bytes again, this time as multipart: the stored feed, not a second one.
        var again = await UploadAsync(Multipart(zip), expected: HttpStatusCode.OK);
        Assert.Equal(feed.GetProperty("id").GetInt64(), again.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Stored_bytes_read_back_for_the_workers_equal_the_upload()
    {
        var zip = TinyFeed.Zip("read-back");
        var feed = await UploadAsync(Multipart(zip));
        var folder = Path.Combine(api.CacheDirectory, "read-back");
        var path = await new FeedStore(api.Db).MaterialiseAsync(feed.GetProperty("id").GetInt64(), Sha(zip), folder, default);
        Assert.Equal(zip, await File.ReadAllBytesAsync(path));
        // The CLI's way in (lisgeo import gtfs): the file on disk, hashed in one pass.
        var file = await FeedFile.FromPathAsync(path, default);
        Assert.Equal((Sha(zip), (long)zip.Length, Path.GetFileName(path)), (file.Sha256, file.Length, file.FileName));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_chunked_upload_over_the_limit_is_413_and_stores_nothing(bool multipart)
    {
        var feedsBefore = await api.ScalarAsync<long>("SELECT count(*) FROM transit_feed");
        var filesBefore = await api.ScalarAsync<long>("SELECT count(*) FROM transit_feed_file");
        // A valid zip padded past the limit with an uncompressed entry of random bytes.
        var big = GtfsTables.Zip(new Dictionary<string, string> { ["stops.txt"] = "stop_id,stop_lat,stop_lon\nS,0,0\n", ["padding.txt"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(FeedsFixture.MaxUploadBytes)) });
        Assert.True(big.Length > FeedsFixture.MaxUploadBytes);
        // The multipart body first has another file part, received and held until 'file' turns up: it must go too.
        HttpContent content = multipart
            ? new MultipartFormDataContent { { new ByteArrayContent("notes"u8.ToArray()), "attachment", "notes.txt" }, { new ChunkedContent(big, "application/zip"), "file", "big.zip" } }
            : new ChunkedContent(big, "application/zip");
        var problem = await Problem.AssertAsync(api.Writer().SendAsync(Upload.Chunked("/feeds?fileName=big.zip", content)), HttpStatusCode.RequestEntityTooLarge, "body");
        // Refused by counting the bytes as they came (there was no Content-Length to check first).
        Assert.Contains($"passed the limit of {FeedsFixture.MaxUploadBytes:N0} bytes while arriving", problem.GetProperty("detail").GetString());
        Assert.Equal(feedsBefore, await api.ScalarAsync<long>("SELECT count(*) FROM transit_feed"));
        Assert.Equal(filesBefore, await api.ScalarAsync<long>("SELECT count(*) FROM transit_feed_file"));
        Assert.Empty(api.LeftoverUploads());
    }

    /// <summary>Two stops (lon/lat and a British National Grid reference), one link of 5 min, one journey 07:00 Monday–Friday of 2026.</summary>
    private const string TinyTransXChange = """
        <?xml version="1.0" encoding="utf-8"?>
        <TransXChange xmlns="http://www.transxchange.org.uk/">
          <StopPoints>
            <AnnotatedStopPointRef><StopPointRef>X1</StopPointRef><CommonName>X one</CommonName><Location><Longitude>-1.9</Longitude><Latitude>52.48</Latitude></Location></AnnotatedStopPointRef>
            <AnnotatedStopPointRef><StopPointRef>X2</StopPointRef><CommonName>X two</CommonName><Location><Easting>390460</Easting><Northing>284190</Northing></Location></AnnotatedStopPointRef>
          </StopPoints>
          <JourneyPatternSections><JourneyPatternSection id="S"><JourneyPatternTimingLink id="L">
            <From><StopPointRef>X1</StopPointRef></From><To><StopPointRef>X2</StopPointRef></To><RunTime>PT5M</RunTime>
          </JourneyPatternTimingLink></JourneyPatternSection></JourneyPatternSections>
          <Operators><Operator id="O"><TradingName>Tiny TXC</TradingName></Operator></Operators>
          <Services><Service>
            <ServiceCode>SV</ServiceCode><Lines><Line id="LN"><LineName>7</LineName></Line></Lines>
            <OperatingPeriod><StartDate>2026-01-01</StartDate><EndDate>2026-12-31</EndDate></OperatingPeriod>
            <OperatingProfile><RegularDayType><DaysOfWeek><MondayToFriday /></DaysOfWeek></RegularDayType></OperatingProfile>
            <RegisteredOperatorRef>O</RegisteredOperatorRef><Mode>bus</Mode>
            <StandardService><JourneyPattern id="P"><JourneyPatternSectionRefs>S</JourneyPatternSectionRefs></JourneyPattern></StandardService>
          </Service></Services>
          <VehicleJourneys><VehicleJourney><VehicleJourneyCode>VJ</VehicleJourneyCode><ServiceRef>SV</ServiceRef><LineRef>LN</LineRef>
            <JourneyPatternRef>P</JourneyPatternRef><DepartureTime>07:00:00</DepartureTime></VehicleJourney></VehicleJourneys>
        </TransXChange>
        """;

    [Fact]
    public async Task A_transxchange_document_is_recognised_by_content_and_stored_as_a_feed()
    {
        // Sent raw under a name that says nothing of its format: the content decides.
        var xml = Encoding.UTF8.GetBytes(TinyTransXChange);
        var feed = await UploadAsync(new ChunkedContent(xml, "application/octet-stream"), "?fileName=timetable.bin");
        var id = feed.GetProperty("id").GetInt64();
        Assert.Equal(Sha(xml), feed.GetProperty("sha256").GetString());
        Assert.Equal(0, feed.GetProperty("issueCount").GetInt32());
        Assert.Equal(("2026-01-01", "2026-12-31"), (feed.GetProperty("validFrom").GetString(), feed.GetProperty("validTo").GetString()));
        var counts = feed.GetProperty("rowCounts");
        Assert.Equal((2, 1, 1, 2), (counts.GetProperty("stops.txt").GetInt32(), counts.GetProperty("routes.txt").GetInt32(),
            counts.GetProperty("trips.txt").GetInt32(), counts.GetProperty("stop_times.txt").GetInt32()));
        // X2's grid reference is Stourbridge Town's: NaPTAN gives 52.4555770, −2.1418179.
        Assert.Equal(2, await api.ScalarAsync<long>("SELECT count(*) FROM transit_stop WHERE feed_id = $1", id));
        Assert.True(await api.ScalarAsync<double>(
            "SELECT ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint(-2.1418179, 52.4555770), 4326)::geography) FROM transit_stop WHERE feed_id = $1 AND stop_id = 'X2'", id) < 1);
        Assert.Equal(3, await api.ScalarAsync<int>("SELECT route_type FROM transit_route WHERE feed_id = $1 AND route_id = 'LN'", id));
    }

    [Fact]
    public async Task Something_that_is_not_a_zip_or_is_empty_is_refused_naming_the_file()
    {
        var feedsBefore = await api.ScalarAsync<long>("SELECT count(*) FROM transit_feed");
        var notZip = await Problem.AssertAsync(api.Writer().PostAsync("/feeds", Multipart("stop_id,stop_lat\n"u8.ToArray(), "stops.txt")), HttpStatusCode.UnprocessableEntity, "file");
        Assert.Contains("not a readable GTFS zip", notZip.GetProperty("detail").GetString());
        await Problem.AssertAsync(api.Writer().PostAsync("/feeds?fileName=x.zip", new ByteArrayContent([])), HttpStatusCode.BadRequest, "file");
        await Problem.AssertAsync(api.Writer().PostAsync("/feeds", new MultipartFormDataContent { { new StringContent("no file here"), "name" } }), HttpStatusCode.BadRequest, "file");
        await Problem.AssertAsync(api.Writer().PostAsync("/feeds?checkDate=2026-13-01", Multipart(TinyFeed.Zip("bad-date"))), HttpStatusCode.BadRequest, "checkDate");
        // A multipart body cut off in the middle of the file part.
        var truncated = new ByteArrayContent(Encoding.ASCII.GetBytes("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.zip\"\r\n\r\nPK\u0003\u0004 and then nothing"));
        truncated.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
        await Problem.AssertAsync(api.Writer().PostAsync("/feeds", truncated), HttpStatusCode.BadRequest, "file");
        Assert.Equal(feedsBefore, await api.ScalarAsync<long>("SELECT count(*) FROM transit_feed"));
        Assert.Empty(api.LeftoverUploads());
    }

    [Fact]
    public async Task Routes_are_served_with_shape_lines_or_lines_through_their_stops()
    {
        var feed = await UploadAsync(Multipart(TinyFeed.Zip("routes")));
        var id = feed.GetProperty("id").GetInt64();
        var page = await api.GetJsonAsync($"/collections/transit-routes/items?feed={id}");
        var routes = page.GetProperty("features").EnumerateArray().ToDictionary(f => f.GetProperty("properties").GetProperty("route_id").GetString()!);
        Assert.Equal(["PLAIN", "SHAPED"], routes.Keys.Order(StringComparer.Ordinal)); // IDLE has no trips

        var shaped = routes["SHAPED"];
        Assert.Equal($"{id}:SHAPED", shaped.GetProperty("id").GetString());
        var p = shaped.GetProperty("properties");
        Assert.Equal(("shapes", 3, 3, "FF0000", "Tiny Transit routes", "10", 2),
            (p.GetProperty("geometry_source").GetString(), p.GetProperty("route_type").GetInt32(), p.GetProperty("trip_count").GetInt32(),
             p.GetProperty("color").GetString(), p.GetProperty("agency_name").GetString(), p.GetProperty("short_name").GetString(), p.GetProperty("line_count").GetInt32()));
        Assert.Equal([TinyFeed.ShapeOut, TinyFeed.ShapeBack], Lines(shaped));

        var plain = routes["PLAIN"];
        Assert.Equal(("stops", 0, 3), (plain.GetProperty("properties").GetProperty("geometry_source").GetString(),
            plain.GetProperty("properties").GetProperty("route_type").GetInt32(), plain.GetProperty("properties").GetProperty("trip_count").GetInt32()));
        Assert.Equal([TinyFeed.PlainS1S2S3, TinyFeed.PlainS3S4], Lines(plain));

        // route_type filters; an unknown parameter is refused by name.
        var trams = await api.GetJsonAsync($"/collections/transit-routes/items?feed={id}&route_type=0");
        Assert.Equal("PLAIN", Assert.Single(trams.GetProperty("features").EnumerateArray()).GetProperty("properties").GetProperty("route_id").GetString());
        await Problem.AssertAsync(api.Client.GetAsync($"/collections/transit-routes/items?route_type=bus"), HttpStatusCode.BadRequest, "route_type");

        // The malformed shapes rows are in the feed's issue report, each with its line; the import went on.
        var issues = await api.GetJsonAsync($"/feeds/{id}/issues");
        Assert.Equal([("error", "bad_value", "shapes.txt", 4L), ("error", "bad_value", "shapes.txt", 6L)],
            issues.GetProperty("issues").EnumerateArray().Select(i => (i.GetProperty("severity").GetString(), i.GetProperty("code").GetString(),
                i.GetProperty("file").GetString(), i.GetProperty("line").GetInt64())).ToList());
        Assert.Equal(2, issues.GetProperty("issueCount").GetInt32());
    }

    [Fact]
    public async Task A_feed_repeating_one_problem_on_thousands_of_rows_reports_the_exact_count()
    {
        // The tiny feed (its 2 bad shapes rows) with 5,000 stop_times rows naming trip GHOST, which
        // trips.txt does not list: 5,002 issues. The readers keep only the first 1,000 of a kind, but
        // the count is exact and the 500 stored are the first found: the ghost rows from line 16 on.
        var files = TinyFeed.Files("hostile-issues");
        var stopTimes = new StringBuilder(files["stop_times.txt"].TrimEnd('\n') + "\n");
        var firstGhostLine = stopTimes.ToString().Split('\n').Length;
        for (var k = 1; k <= 5000; k++) stopTimes.Append($"GHOST,08:00:00,08:00:00,S1,{k}\n");
        files["stop_times.txt"] = stopTimes.ToString();
        var feed = await UploadAsync(Multipart(GtfsTables.Zip(files)));
        var id = feed.GetProperty("id").GetInt64();

        var issues = await api.GetJsonAsync($"/feeds/{id}/issues");
        Assert.Equal(5002, issues.GetProperty("issueCount").GetInt32());
        Assert.True(issues.GetProperty("truncated").GetBoolean());
        Assert.Equal(Enumerable.Range(firstGhostLine, FeedStore.MaxStoredIssues).Select(l => ((string?)"unknown_trip", (string?)"stop_times.txt", (long)l)),
            issues.GetProperty("issues").EnumerateArray().Select(i => (i.GetProperty("code").GetString(), i.GetProperty("file").GetString(), i.GetProperty("line").GetInt64())));
        Assert.Equal(5002, await api.ScalarAsync<int>("SELECT issue_count FROM transit_feed WHERE id = $1", id));
    }
}
