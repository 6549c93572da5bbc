using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Lis.Geo.Api.Tests.Features.Analyses;

namespace Lis.Geo.Api.Tests.Edge;

/// <summary>The edge's promises one by one: key before body, limits, named members, exact creates, outage, dashboard, headers, CSV cells.</summary>
public sealed class EdgeTests(HostileFixture api) : IClassFixture<HostileFixture>
{
    private static StringContent Json(string s) => new(s, Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_keyless_write_is_refused_before_its_body_is_read()
    {
        // 50 MB that never ends in valid JSON: had the server read it, the answer would be 413 or 400.
        var content = new StreamContent(new EndlessStream(50_000_000));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var started = DateTime.UtcNow;
        await Problem.AssertAsync(api.Client.PostAsync("/analyses", content), HttpStatusCode.Unauthorized, "X-API-Key");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_json_body_over_the_limit_is_413_by_its_length_and_while_streaming()
    {
        var writer = api.Writer();
        await Problem.AssertAsync(writer.PostAsync("/analyses", Json("{\"name\":\"" + new string('n', 1_100_000) + "\"}")), HttpStatusCode.RequestEntityTooLarge, "body");
        var chunked = new StreamContent(new EndlessStream(3_000_000));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await Problem.AssertAsync(writer.PostAsync("/schedules", chunked), HttpStatusCode.RequestEntityTooLarge, "body");
    }

    [Theory]
    [InlineData("/analyses", "{\"thresholdMinute\":30}", "thresholdMinute")]
    [InlineData("/analyses", "{\"walkSpeed\":\"fast\"}", "walkSpeed")]
    [InlineData("/analyses", "{\"thresholdMinutes\":\"45\"}", "thresholdMinutes")]
    [InlineData("/analyses", "{\"window\":null}", "window")]
    [InlineData("/analyses", "{\"type\":7}", "type")]
    [InlineData("/analyses", "{\"name\":\"a\\u0000b\"}", "name")]
    [InlineData("/analyses", "{\"name\":\"\\ud800\"}", "name")]
    [InlineData("/analyses", "{\"percentiles\":[5,5]}", "percentiles")]
    [InlineData("/analyses", "{\"percentiles\":[1,2,3,4,5,6,7,8,9,10,11]}", "percentiles")]
    [InlineData("/analyses", "{\"window\":\"00:00-200:00\"}", "window")]
    [InlineData("/analyses", "{\"thresholdMinutes\":71582790}", "thresholdMinutes")]
    [InlineData("/analyses", "{\"lon\":-1.9}", "lon")]
    [InlineData("/schedules", "{\"name\":\"s\",\"cron\":\"0 6 * * 1\",\"request\":{\"thresholdMinute\":30}}", "request.thresholdMinute")]
    [InlineData("/schedules", "{\"name\":\"s\",\"cron\":\"0 6 * * 1\"}", "request")]
    [InlineData("/schedules", "{\"name\":\"s\",\"request\":{}}", "cron")]
    [InlineData("/schedules", "{\"name\":\"s\",\"cron\":\"0 0 31 2 *\",\"request\":{}}", "cron")]
    [InlineData("/collections/centres/items", "{\"type\":\"Feature\",\"properties\":{\"code\":\"z\",\"name\":\"Z\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[-1.9,52.4,7]}}", "geometry")]
    [InlineData("/collections/centres/items", "{\"type\":7}", "type")]
    public async Task Each_mistake_is_400_naming_its_member(string url, string body, string field)
    {
        // A readable Feature whose geometry breaks a data rule is the catalogue's 422 (invalid-feature).
        var status = url.Contains("/items", StringComparison.Ordinal) && field == "geometry" ? HttpStatusCode.UnprocessableEntity : HttpStatusCode.BadRequest;
        await Problem.AssertAsync(api.Writer().PostAsync(url, Json(body)), status, field);
    }

    [Fact]
    public async Task Invalid_utf8_is_400_naming_the_member()
    {
        var content = new ByteArrayContent([.. "{\"name\":\"a"u8, 0xC3, 0x28, .. "\"}"u8]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await Problem.AssertAsync(api.Writer().PostAsync("/analyses", content), HttpStatusCode.BadRequest, "name");
    }

    [Fact]
    public async Task Synchronous_routing_windows_are_bounded_and_unknown_parameters_named()
    {
        await Problem.AssertAsync(api.Client.GetAsync("/accessibility?lon=-1.8986&lat=52.4778&window=06:00-10:00"), HttpStatusCode.BadRequest, "window");
        await Problem.AssertAsync(api.Client.GetAsync("/isochrones?lon=-1.8986&lat=52.4778&walkSpeed=fast"), HttpStatusCode.BadRequest, "walkSpeed");
        var ok = await api.Client.GetAsync("/accessibility?lon=-1.8986&lat=52.4778&window=07:00-10:00");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Fifty_parallel_creates_of_one_code_give_exactly_one_201()
    {
        const string body = """{"type":"Feature","properties":{"code":"race-1","name":"Race","kind":"town"},"geometry":{"type":"Point","coordinates":[-1.95,52.47]}}""";
        var writer = api.Writer();
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            writer.PostAsync("/collections/centres/items", new StringContent(body, Encoding.UTF8, "application/geo+json"))));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(49, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM centre WHERE code = 'race-1'"));
    }

    [Fact]
    public async Task Answers_carry_security_headers()
    {
        var r = await api.Client.GetAsync("/collections");
        Assert.Equal("nosniff", r.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", r.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", r.Headers.GetValues("Referrer-Policy").Single());
        Assert.False(r.Headers.Contains("Server"));
    }

    [Fact]
    public async Task The_dashboard_needs_the_key_and_its_cookie_is_not_the_key()
    {
        var client = api.RawClient();
        var anonymous = await client.GetAsync("/hangfire/");
        Assert.True(anonymous.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"{anonymous.StatusCode}");
        var login = await client.GetAsync($"/hangfire?key={ApiFixture.ApiKey}");
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var cookie = login.Headers.GetValues("Set-Cookie").Single();
        Assert.DoesNotContain(ApiFixture.ApiKey, cookie);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        // The cookie opens the dashboard, but a bare POST (no anti-forgery token) cannot trigger a job.
        var token = cookie.Split(';')[0];
        using var page = new HttpRequestMessage(HttpMethod.Get, login.Headers.Location!.ToString());
        page.Headers.Add("Cookie", token);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(page)).StatusCode);
        using var trigger = new HttpRequestMessage(HttpMethod.Post, "/hangfire/recurring/trigger") { Content = new FormUrlEncodedContent([new("jobs[]", "x")]) };
        trigger.Headers.Add("Cookie", token);
        var triggered = await client.SendAsync(trigger);
        Assert.False(triggered.IsSuccessStatusCode, $"trigger answered {(int)triggered.StatusCode}");
    }

    [Fact]
    public async Task Csv_cells_that_a_spreadsheet_would_run_are_neutralised()
    {
        const string body = """{"type":"Feature","properties":{"code":"csv-formula","name":"=HYPERLINK(\"http://evil\")","kind":"-town"},"geometry":{"type":"Point","coordinates":[-1.95,52.47]}}""";
        Assert.Equal(HttpStatusCode.Created, (await api.Writer().PostAsync("/collections/centres/items", new StringContent(body, Encoding.UTF8, "application/geo+json"))).StatusCode);
        var csv = await api.Client.GetStringAsync("/collections/centres/items?f=csv&limit=1000");
        var line = csv.Split('\n').Single(l => l.StartsWith("csv-formula", StringComparison.Ordinal));
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil\"\")\"", line);
        Assert.Contains(",'-town", line);
    }

    [Fact]
    public async Task A_gtfs_feed_with_a_duplicate_stop_id_is_stored_with_an_issue_row()
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        using (var source = new ZipArchive(new MemoryStream(SampleFeed.Zip())))
            foreach (var e in source.Entries)
            {
                var text = new StreamReader(e.Open()).ReadToEnd();
                if (e.Name == "stops.txt") text = text.TrimEnd('\n') + "\n" + text.Split('\n')[1] + "\n";
                using var w = new StreamWriter(zip.CreateEntry(e.FullName).Open());
                w.Write(text);
            }
        var response = await api.Writer().PostAsync("/feeds?fileName=dup.zip&name=dup", new ByteArrayContent(ms.ToArray()));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var feed = JsonDocument.Parse(body).RootElement;
        Assert.Contains(feed.GetProperty("issues").EnumerateArray(), i => i.GetProperty("code").GetString() == "duplicate_id" && i.GetProperty("file").GetString() == "stops.txt");
        var stopsTxt = File.ReadAllLines(Path.Combine(Lis.Geo.Testing.RepoPaths.GeoData, "gtfs", "stops.txt")).Skip(1).Count(l => l.Length > 0);
        Assert.Equal((long)stopsTxt, await api.ScalarAsync<long>("SELECT count(*) FROM transit_stop WHERE feed_id = $1", feed.GetProperty("id").GetInt64()));
    }

    /// <summary>Spaces without end (up to a bound), with no length known in advance, so the body is sent chunked.</summary>
    private sealed class EndlessStream(long length) : Stream
    {
        private long _left = length;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, _left);
            Array.Fill(buffer, (byte)' ', offset, n);
            _left -= n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>A database that stops taking connections mid-test: every endpoint answers 503 with Retry-After, then recovers.</summary>
public sealed class DatabaseOutageTests(HostileFixture api) : IClassFixture<HostileFixture>
{
    [Fact]
    public async Task A_database_outage_is_503_with_retry_after()
    {
        Assert.Equal(HttpStatusCode.OK, (await api.Client.GetAsync("/collections/centres/items")).StatusCode);
        var database = await api.ScalarAsync<string>("SELECT current_database()");
        // The outage is driven from the cluster's maintenance database, outside the pools it breaks.
        var adminString = new Npgsql.NpgsqlConnectionStringBuilder(api.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var admin = new Npgsql.NpgsqlConnection(adminString);
        await admin.OpenAsync();
        async Task Admin(string sql)
        {
            await using var cmd = new Npgsql.NpgsqlCommand(sql, admin);
            await cmd.ExecuteNonQueryAsync();
        }
        await Admin($"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false");
        try
        {
            await Admin($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'");
            foreach (var url in new[] { "/collections/centres/items", "/feeds", "/analyses" })
            {
                var r = await api.Client.GetAsync(url);
                await Problem.AssertAsync(r, HttpStatusCode.ServiceUnavailable);
                Assert.Equal("5", r.Headers.GetValues("Retry-After").Single());
            }
        }
        finally
        {
            await Admin($"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true");
        }
        // Back up: the same request answers again (the pools drop their broken connections).
        HttpStatusCode status = 0;
        for (var i = 0; i < 10 && status != HttpStatusCode.OK; i++) status = (await api.Client.GetAsync("/collections/centres/items")).StatusCode;
        Assert.Equal(HttpStatusCode.OK, status);
    }
}
