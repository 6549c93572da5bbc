using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace Lis.Geo.Api.Tests.Features.Ogc;

/// <summary>The sample region on a real Kestrel port, with writes allowed from one other origin only.</summary>
public sealed class CrossOriginFixture : ApiFixture
{
    public const string AllowedWriter = "https://editor.example.org";

    protected override bool RealServer => true;
    protected override IEnumerable<(string Key, string Value)> Settings => [("Jobs:RunServer", "false"), ("Cors:WriteOrigins:0", AllowedWriter)];
}

/// <summary>
/// A page served from a second origin (another loopback port, its own little server) in Debian's
/// Chromium through Playwright: its fetch() reads a collection's features and the exposed Link header
/// across origins, and its preflighted write (X-API-Key, JSON) is blocked by the browser because that
/// origin is not in Cors:WriteOrigins — and nothing is written.
/// </summary>
public sealed class CrossOriginPageTests(CrossOriginFixture api) : IClassFixture<CrossOriginFixture>
{
    private const string Page = """
        <!doctype html><meta charset="utf-8"><title>another origin</title>
        <script>
        async function read(api) {
          const r = await fetch(api + '/collections/centres/items?limit=3');
          const page = await r.json();
          return { status: r.status, count: page.features.length, matched: page.numberMatched,
                   first: page.features[0].properties.name, link: r.headers.get('Link') };
        }
        async function write(api, key) {
          try {
            const r = await fetch(api + '/collections/centres/items', { method: 'POST',
              headers: { 'Content-Type': 'application/geo+json', 'X-API-Key': key },
              body: JSON.stringify({ type: 'Feature', id: 'XO1', geometry: { type: 'Point', coordinates: [-1.9, 52.48] },
                                     properties: { code: 'XO1', name: 'Cross-origin', kind: 'town' } }) });
            return 'answered ' + r.status;
          } catch (e) { return 'blocked: ' + e.name; }
        }
        </script>
        """;

    /// <summary>Serves <see cref="Page"/> at http://127.0.0.1:{port}/ until disposed.</summary>
    private sealed class SecondOrigin : IDisposable
    {
        private readonly HttpListener _listener = new();
        public string Url { get; }

        public SecondOrigin()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Url = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext c;
                    try { c = await _listener.GetContextAsync(); } catch (Exception) { return; }
                    var bytes = Encoding.UTF8.GetBytes(Page);
                    c.Response.ContentType = "text/html; charset=utf-8";
                    await c.Response.OutputStream.WriteAsync(bytes);
                    c.Response.Close();
                }
            });
        }

        public void Dispose() => _listener.Close();
    }

    [Fact]
    public async Task A_page_on_another_origin_reads_features_and_cannot_write()
    {
        var apiOrigin = api.ServerAddress!.GetLeftPart(UriPartial.Authority);
        using var origin = new SecondOrigin();
        Assert.NotEqual(new Uri(origin.Url).GetLeftPart(UriPartial.Authority), apiOrigin);
        var expected = await api.GetJsonAsync("/collections/centres/items?limit=3");
        var centres = await api.ScalarAsync<long>("SELECT count(*) FROM centre");

        Assert.True(File.Exists(Chromium.Executable), $"{Chromium.Executable} is missing: apt-get install chromium");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium.Executable, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync();
        var console = new List<string>();
        page.Console += (_, m) => console.Add(m.Text);
        await page.GotoAsync(origin.Url);
        Assert.Equal(new Uri(origin.Url).GetLeftPart(UriPartial.Authority), await page.EvaluateAsync<string>("location.origin"));

        var read = await page.EvaluateAsync<JsonElement>("api => read(api)", apiOrigin);
        Assert.Equal(200, read.GetProperty("status").GetInt32());
        Assert.Equal(3, read.GetProperty("count").GetInt32());
        Assert.Equal(expected.GetProperty("numberMatched").GetInt32(), read.GetProperty("matched").GetInt32());
        Assert.Equal(expected.GetProperty("features")[0].GetProperty("properties").GetProperty("name").GetString(), read.GetProperty("first").GetString());
        Assert.Contains("rel=\"next\"", read.GetProperty("link").GetString()); // an exposed header

        // The key is right, but the page's origin may not write: the browser stops the request at the preflight.
        Assert.Equal("blocked: TypeError", await page.EvaluateAsync<string>("([api, key]) => write(api, key)", new[] { apiOrigin, ApiFixture.ApiKey }));
        Assert.Contains(console, m => m.Contains("CORS", StringComparison.Ordinal));
        Assert.Equal(centres, await api.ScalarAsync<long>("SELECT count(*) FROM centre"));
    }
}
