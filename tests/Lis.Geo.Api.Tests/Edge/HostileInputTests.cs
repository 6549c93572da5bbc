using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Lis.Geo.Api.Tests.Features.Analyses;
using Lis.Geo.Data.Feeds;
using Lis.Geo.Data.Importing;
using Xunit.Abstractions;

namespace Lis.Geo.Api.Tests.Edge;

/// <summary>The sample region and its feed; no Hangfire server, so nothing a case might queue is worked.</summary>
public sealed class HostileFixture : ApiFixture
{
    protected override async Task LoadAsync(Importer importer) =>
        await new FeedStore(Db).ImportAsync("sample", "sample-gtfs.zip", SampleFeed.Zip(), null, default);
}

/// <summary>
/// A generated corpus of hostile and mistaken requests over every write and query endpoint: JSON
/// bodies with each member replaced by wrong types, NUL, lone surrogates, invalid UTF-8, megabyte
/// strings, overflowing numbers and nulls; malformed and oversize bodies; query strings; import files
/// and GTFS zips (bombs, endless lines, damaged gzip). Every answer must be a 4xx ProblemDetails
/// (naming the field for 400/413/415/422), none a 5xx or 2xx, and no table may change.
/// </summary>
public sealed class HostileInputTests(HostileFixture api, ITestOutputHelper output) : IClassFixture<HostileFixture>
{
    private sealed record Case(string Name, HttpMethod Method, string Url, Func<HttpContent?> Body);

    private static readonly string Mega = new('x', 1_000_000);

    /// <summary>JSON values that no member of a run request or schedule accepts, as raw JSON text.</summary>
    private static readonly string[] BadStringValues =
    [
        "7", "-1", "{}", "[1]", "true", "\"bad\\u0000nul\"", "\"\\ud800\"", "\"x\\udc00y\"", $"\"{Mega}\"",
    ];

    private static readonly string[] BadNumberValues =
    [
        "\"fast\"", "{}", "[1]", "true", "-1", "1e400", "99999999999999999999", "-99999999999", "\"\\u0000\"", "71582790",
    ];

    /// <summary>A run request's members, with whether each is text (else a number) — every one is mutated.</summary>
    private static readonly (string Member, bool Text)[] RunMembers =
    [
        ("type", true), ("name", true), ("serviceDate", true), ("zoneSet", true), ("centreKind", true), ("siteSet", true), ("corridor", true),
        ("site", true), ("window", true), ("feedId", false), ("nearMeters", false), ("lon", false), ("lat", false), ("thresholdMinutes", false),
        ("minCentres", false), ("percentile", false), ("walkSpeed", false), ("circuity", false), ("maxAccessWalk", false), ("boardSlack", false),
        ("maxTransferWalk", false), ("maxEgressWalk", false), ("maxDirectWalk", false), ("maxRides", false), ("maxTripDuration", false),
    ];

    private static IEnumerable<string> RunBodies()
    {
        foreach (var (member, text) in RunMembers)
            foreach (var v in text ? BadStringValues : BadNumberValues)
                yield return $"{{\"{member}\":{v}}}";
        // null is "the default" for the optional members; for those with a default value it is a mistake.
        foreach (var member in new[] { "type", "zoneSet", "siteSet", "window", "nearMeters", "thresholdMinutes", "minCentres", "percentile" })
            yield return $"{{\"{member}\":null}}";
        // Arrays of the wrong shape or size.
        foreach (var v in new[] { "[]", $"[{string.Join(',', Enumerable.Range(1, 100))}]", "[50,50]", "[0]", "[101]", "[\"50\"]", "7", "[1.5]", "[null]" })
        {
            yield return $"{{\"percentiles\":{v}}}";
            if (v != "[101]") yield return $"{{\"type\":\"isochrones\",\"lon\":-1.9,\"lat\":52.48,\"cutoffs\":{v}}}";
        }
        foreach (var w in new[] { "00:00-200:00", "07:00-07:00", "10:00-07:00", "7-10", "07:00", "", "aa:bb-cc:dd", "-07:00-10:00", "07:00-99999:00" })
            yield return $"{{\"window\":\"{w}\"}}";
        yield return "{\"thresholdMinute\":30}";
        yield return "{\"walkspeed\":1.3,\"extra\":{}}";
        yield return "{\"type\":\"isochrones\",\"lon\":200,\"lat\":52}";
        yield return "{\"type\":\"isochrones\",\"lon\":-1.9}";
        yield return "{\"type\":\"isochrones\",\"lon\":-1.9,\"lat\":52.4,\"site\":\"x\"}";
        yield return "{\"type\":\"nonsense\"}";
        yield return "{\"percentile\":33}";
        yield return "{\"serviceDate\":\"2026-02-30\"}";
        yield return "{\"serviceDate\":\"1990-01-01\"}";
        yield return "{\"feedId\":999999}";
        yield return "{\"zoneSet\":\"no-such-set\"}";
        yield return "{\"centreKind\":\"no-such-kind\"}";
        yield return "{\"type\":\"corridor\",\"corridor\":\"no-such-corridor\"}";
        yield return "{\"siteSet\":\"no-such-sites\",\"type\":\"site-access\"}";
        yield return "{\"corridor\":\"x\"}";
    }

    /// <summary>Bodies that are not a readable JSON object at all, sent to every JSON endpoint.</summary>
    private static IEnumerable<(string Name, Func<HttpContent> Body)> Malformed()
    {
        yield return ("truncated", () => Json("{\"type\":"));
        yield return ("not-json", () => Json("hello"));
        yield return ("array", () => Json("[1,2,3]"));
        yield return ("number", () => Json("7"));
        yield return ("string", () => Json("\"x\""));
        yield return ("deep", () => Json(new string('[', 5000) + new string(']', 5000)));
        yield return ("deep-object", () => Json(string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200)));
        yield return ("invalid-utf8", () => Raw([.. "{\"name\":\""u8, 0xC3, 0x28, 0xFF, .. "\"}"u8]));
        yield return ("invalid-utf8-name", () => Raw([.. "{\""u8, 0xFE, .. "\":1}"u8]));
        yield return ("raw-nul", () => Raw([.. "{\"name\":\"a"u8, 0x00, .. "b\"}"u8]));
        yield return ("oversize", () => Json("{\"name\":\"" + new string('y', 1_200_000) + "\"}"));
        yield return ("oversize-chunked", () => new PushContent(new string(' ', 3_000_000) + "{}"));
        yield return ("xml", () => new StringContent("<run/>", Encoding.UTF8, "application/xml"));
        yield return ("form", () => new FormUrlEncodedContent([new("type", "zone-access")]));
        yield return ("nul-member-name", () => Json("{\"na\\u0000me\":1}"));
        yield return ("duplicate-unknown", () => Json("{\"type\":\"zone-access\",\"type2\":\"x\"}"));
        yield return ("trailing", () => Json("{} {}"));
        yield return ("comment", () => Json("{/* c */}"));
        yield return ("bom-garbage", () => Raw([0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, .. "{}"u8]));
    }

    private static IEnumerable<Case> Cases()
    {
        foreach (var body in RunBodies())
        {
            var b = body;
            yield return new($"analyses {Short(b)}", HttpMethod.Post, "/analyses", () => Json(b));
            yield return new($"corridor-analyses {Short(b)}", HttpMethod.Post, "/corridors/C1/analyses", () => Json(b));
            yield return new($"schedules {Short(b)}", HttpMethod.Post, "/schedules", () => Json($"{{\"name\":\"s\",\"cron\":\"0 6 * * 1\",\"request\":{b}}}"));
        }
        foreach (var v in BadStringValues.Append("null"))
        {
            yield return new($"schedule name {Short(v)}", HttpMethod.Post, "/schedules", () => Json($"{{\"name\":{v},\"cron\":\"0 6 * * 1\",\"request\":{{}}}}"));
            yield return new($"schedule cron {Short(v)}", HttpMethod.Post, "/schedules", () => Json($"{{\"name\":\"s\",\"cron\":{v},\"request\":{{}}}}"));
            yield return new($"schedule timeZone {Short(v)}", HttpMethod.Post, "/schedules", () => Json($"{{\"name\":\"s\",\"cron\":\"0 6 * * 1\",\"timeZone\":{(v == "null" ? "\"Mars/Olympus\"" : v)},\"request\":{{}}}}"));
            if (v != "{}") yield return new($"schedule request {Short(v)}", HttpMethod.Post, "/schedules", () => Json($"{{\"name\":\"s\",\"cron\":\"0 6 * * 1\",\"request\":{v}}}"));
            yield return new($"schedule patch {Short(v)}", new HttpMethod("PATCH"), "/schedules/999999", () => Json($"{{\"cron\":{v}}}"));
        }
        foreach (var cron in new[] { "", "* * *", "61 * * * *", "0 6 * * 8", "every monday", "0 0 31 2 *", "@reboot" })
            yield return new($"schedule cron '{cron}'", HttpMethod.Post, "/schedules", () => Json($"{{\"name\":\"s\",\"cron\":\"{cron}\",\"request\":{{}}}}"));
        yield return new("schedule without request", HttpMethod.Post, "/schedules", () => Json("{\"name\":\"s\",\"cron\":\"0 6 * * 1\"}"));
        yield return new("schedule without cron", HttpMethod.Post, "/schedules", () => Json("{\"name\":\"s\",\"request\":{}}"));
        yield return new("schedule without name", HttpMethod.Post, "/schedules", () => Json("{\"cron\":\"0 6 * * 1\",\"request\":{}}"));
        yield return new("schedule unknown member", HttpMethod.Post, "/schedules", () => Json("{\"name\":\"s\",\"cron\":\"0 6 * * 1\",\"request\":{},\"when\":1}"));

        foreach (var (name, body) in Malformed())
            foreach (var url in new[] { "/analyses", "/schedules", "/corridors/C1/analyses", "/collections/centres/items", "/collections/housing-sites/items" })
                yield return new($"{name} → {url}", HttpMethod.Post, url, body);

        foreach (var c in FeatureCases()) yield return c;
        foreach (var c in QueryCases()) yield return c;
        foreach (var c in ImportCases()) yield return c;
        foreach (var c in FeedCases()) yield return c;
    }

    private static IEnumerable<Case> FeatureCases()
    {
        var collections = new (string Id, string Key, string Props)[]
        {
            ("centres", "code", "\"name\":\"N\",\"kind\":\"town\""),
            ("corridors", "code", "\"name\":\"N\""),
            ("housing-sites", "reference", "\"name\":\"N\",\"dwellings\":10"),
            ("employment-sites", "reference", "\"name\":\"N\",\"hectares\":2"),
        };
        var geometries = new[]
        {
            "{\"type\":\"Point\",\"coordinates\":[-1.9,52.45,100]}", "{\"type\":\"Point\",\"coordinates\":[-1.9,52.45,100,5]}",
            "{\"type\":\"Point\",\"coordinates\":[]}", "{\"type\":\"Point\",\"coordinates\":[\"a\",\"b\"]}", "{\"type\":\"Point\",\"coordinates\":[1e400,1]}",
            "{\"type\":\"Point\",\"coordinates\":[530000,180000]}", "{\"type\":\"Point\"}", "{\"type\":7,\"coordinates\":[1,2]}", "{\"type\":\"Blob\",\"coordinates\":[1,2]}",
            "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}", "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,1]]]}",
            "{\"type\":\"LineString\",\"coordinates\":[[-1.9,52.4]]}", "7", "\"POINT(1 2)\"", "[]", "{}", "null",
            "{\"type\":\"GeometryCollection\",\"geometries\":[]}",
            "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[-1.9,52.4,1],[-1.8,52.4,1],[-1.8,52.5,1],[-1.9,52.4,1]]]]}",
        };
        foreach (var (id, key, props) in collections)
        {
            foreach (var g in geometries.Where(g => id != "centres" || !g.StartsWith("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,1],[1,0]", StringComparison.Ordinal)))
                yield return new($"feature {id} geometry {Short(g)}", HttpMethod.Post, $"/collections/{id}/items",
                    () => Geo($"{{\"type\":\"Feature\",\"properties\":{{\"{key}\":\"hostile-1\",{props}}},\"geometry\":{g}}}"));
            foreach (var v in new[] { "\"a\\u0000b\"", "\"\\ud800\"", $"\"{new string('k', 100_000)}\"", $"\"{new string('k', 101)}\"", "null", "\"\"" })
                yield return new($"feature {id} key {Short(v)}", HttpMethod.Post, $"/collections/{id}/items",
                    () => Geo($"{{\"type\":\"Feature\",\"properties\":{{\"{key}\":{v},{props}}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[-1.9,52.45]}}}}"));
            foreach (var v in new[] { "\"a\\u0000b\"", "\"\\udfff\"" })
                yield return new($"feature {id} name {Short(v)}", HttpMethod.Post, $"/collections/{id}/items",
                    () => Geo($"{{\"type\":\"Feature\",\"properties\":{{\"{key}\":\"hostile-2\",\"name\":{v}}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[-1.9,52.45]}}}}"));
            foreach (var t in new[] { "7", "null", "\"FeatureCollection\"", "\"feature\"" })
                yield return new($"feature {id} type {t}", HttpMethod.Post, $"/collections/{id}/items",
                    () => Geo($"{{\"type\":{t},\"properties\":{{\"{key}\":\"hostile-3\"}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[-1.9,52.45]}}}}"));
            yield return new($"feature {id} crs", HttpMethod.Post, $"/collections/{id}/items",
                () => Geo($"{{\"type\":\"Feature\",\"crs\":{{\"type\":\"name\",\"properties\":{{\"name\":\"EPSG:27700\"}}}},\"properties\":{{\"{key}\":\"hostile-4\"}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[-1.9,52.45]}}}}"));
            yield return new($"feature {id} put mismatch", HttpMethod.Put, $"/collections/{id}/items/other",
                () => Geo($"{{\"type\":\"Feature\",\"properties\":{{\"{key}\":\"hostile-5\"}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[-1.9,52.45]}}}}"));
            yield return new($"feature {id} put missing", HttpMethod.Put, $"/collections/{id}/items/no-such-feature",
                () => Geo($"{{\"type\":\"Feature\",\"properties\":{{{props}}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[-1.9,52.45]}}}}"));
            yield return new($"feature {id} delete missing", HttpMethod.Delete, $"/collections/{id}/items/no-such-feature", () => null);
            yield return new($"feature {id} makeValid=maybe", HttpMethod.Post, $"/collections/{id}/items?makeValid=maybe",
                () => Geo($"{{\"type\":\"Feature\",\"properties\":{{\"{key}\":\"hostile-6\"}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[-1.9,52.45]}}}}"));
        }
        yield return new("feature into a read-only collection", HttpMethod.Post, "/collections/leps/items", () => Geo("{\"type\":\"Feature\",\"properties\":{},\"geometry\":null}"));
        yield return new("feature into nothing", HttpMethod.Post, "/collections/nothing/items", () => Geo("{}"));
        yield return new("feature wrong media type", HttpMethod.Post, "/collections/centres/items", () => new StringContent("code=x", Encoding.UTF8, "text/plain"));
    }

    private static IEnumerable<Case> QueryCases()
    {
        var collections = new[] { "leps", "local-authorities", "zones-lsoa11", "centroids-lsoa11", "centres", "corridors", "housing-sites", "employment-sites", "transit-stops", "transit-routes" };
        var parameters = new (string Name, string[] Values)[]
        {
            ("limit", ["0", "-1", "abc", "1e3", "99999999999999999999", "%00"]),
            ("offset", ["-1", "abc", "99999999999999999999"]),
            ("bbox", ["1,2,3", "a,b,c,d", "10,10,0,0", "1,2,3,4,5", "1,2,3,4,5,6,7", "NaN,0,1,1", "-200,-100,200,100,x"]),
            ("crs", ["http://www.opengis.net/def/crs/EPSG/0/3857", "%00", "x"]),
            ("bbox-crs", ["http://www.opengis.net/def/crs/EPSG/0/9999"]),
            ("datetime", ["yesterday"]),
            ("f", ["xml", "csv2", "%00"]),
            ("properties", ["no_such_property"]),
            ("imd_decile", ["abc", "1.5"]),
            ("feed", ["abc"]),
        };
        foreach (var c in collections)
        {
            foreach (var (p, values) in parameters)
                foreach (var v in values)
                    yield return new($"items {c} {p}={v}", HttpMethod.Get, $"/collections/{c}/items?{p}={v}", () => null);
            yield return new($"item {c} long id", HttpMethod.Get, $"/collections/{c}/items/{new string('z', 4000)}", () => null);
        }
        foreach (var q in new[] { "", "lon=abc&lat=1", "lon=1", "lon=200&lat=0", "lon=-1.9&lat=95", "lon=NaN&lat=1", "lon=Infinity&lat=1", "lon=1e400&lat=1", "lon=%00&lat=1" })
            yield return new($"lookup {q}", HttpMethod.Get, $"/lookup?{q}", () => null);
        var point = "lon=-1.8986&lat=52.4778";
        foreach (var q in new[] { "window=00:00-200:00", "window=00:00-23:59", "window=07:00-07:00", "window=%00", "thresholdMinutes=71582790", "thresholdMinutes=-5",
                     "minCentres=0", "feedId=abc", "feedId=999999", "serviceDate=2026-02-30", "serviceDate=1999-01-01", "walkSpeed=fast", "percentile=0", "maxRides=0" })
        {
            yield return new($"accessibility {q}", HttpMethod.Get, $"/accessibility?{point}&{q}", () => null);
            yield return new($"isochrones {q}", HttpMethod.Get, $"/isochrones?{point}&{q}", () => null);
            yield return new($"site accessibility {q}", HttpMethod.Get, $"/sites/centres/birmingham-city/accessibility?{q}", () => null);
        }
        foreach (var q in new[] { "cutoffs=0", "cutoffs=15,10", "cutoffs=abc", $"cutoffs={string.Join(',', Enumerable.Range(1, 50))}", "cutoffs=100000", "percentile=101" })
            yield return new($"isochrones {q}", HttpMethod.Get, $"/isochrones?{point}&{q}", () => null);
        yield return new("site accessibility unknown collection", HttpMethod.Get, "/sites/leps/x/accessibility", () => null);
        yield return new("site accessibility unknown site", HttpMethod.Get, "/sites/housing-sites/nope/accessibility", () => null);
        foreach (var path in new[] { "/analyses/999999", "/analyses/999999/zones", "/analyses/999999/zones?f=csv", "/analyses/999999/travel-times.csv", "/analyses/999999/equity",
                     "/analyses/999999/overlay", "/analyses/999999/sites", "/analyses/999999/isochrones", "/analyses/999999/housing-sites", "/analyses?limit=0", "/analyses?limit=abc",
                     "/feeds/999999", "/feeds/999999/issues", "/imports/999999", "/imports?limit=-1", "/imports?offset=abc", "/corridors/nope/contents", "/corridors/nope/analyses",
                     "/corridors/C1/analyses/compare?from=a&to=b", "/corridors/C1/analyses/compare", "/corridors/C1/analyses/999999", "/corridors/C1/analyses/999999/report",
                     "/schedules/999999", "/problems/nope", "/collections/nothing", "/collections/nothing/items", "/analyses/1/equity?population=aliens" })
            yield return new($"get {path}", HttpMethod.Get, path, () => null);
        foreach (var path in new[] { "/analyses/999999", "/schedules/999999" })
            yield return new($"delete {path}", HttpMethod.Delete, path, () => null);
    }

    private static IEnumerable<Case> ImportCases()
    {
        var gzipBomb = new Lazy<byte[]>(() => GzipRepeated([], (byte)' ', 200_000_000));
        var files = new (string Name, string FileName, Func<byte[]> Bytes)[]
        {
            ("gz bomb", "zones.geojson.gz", () => gzipBomb.Value),
            ("csv gz bomb", "centres.csv.gz", () => gzipBomb.Value),
            ("bad gzip header", "zones.geojson.gz", () => [0x1f, 0x8b, 0x99, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
            ("truncated gzip", "zones.csv.gz", () => Gzip(Encoding.UTF8.GetBytes("code,name,lon,lat\nx,y,1,2\n"))[..20]),
            ("endless csv line", "centres.csv", () => Encoding.UTF8.GetBytes("code,name,lon,lat\n\"" + new string('q', 3_000_000))),
            ("endless csv gz line", "centres.csv.gz", () => GzipRepeated("code,name,lon,lat\n"u8.ToArray(), (byte)'q', 30_000_000)),
            ("many fields", "centres.csv", () => Encoding.UTF8.GetBytes(string.Join(',', Enumerable.Repeat("a", 100_000)))),
            ("csv nul", "centres.csv", () => Encoding.UTF8.GetBytes("code,name,lon,lat,kind\nnul-1,a\0b,-1.9,52.4,town\n")),
            ("csv invalid utf8", "centres.csv", () => [.. "code,name,lon,lat,kind\nbad-1,"u8, 0xC3, 0x28, .. ",-1.9,52.4,town\n"u8]),
            ("csv 3d wkt", "centres.csv", () => Encoding.UTF8.GetBytes("code,name,wkt,kind\nz-1,Z,POINT Z (-1.9 52.4 10),town\n")),
            ("csv long code", "centres.csv", () => Encoding.UTF8.GetBytes($"code,name,lon,lat,kind\n{new string('c', 1_000_000)},Long,-1.9,52.4,town\n")),
            ("csv duplicate key", "centres.csv", () => Encoding.UTF8.GetBytes("code,name,lon,lat,kind\ndup,A,-1.9,52.4,town\ndup,B,-1.9,52.4,town\n")),
            ("geojson 3d", "centres.geojson", () => Encoding.UTF8.GetBytes("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"code\":\"z3\",\"name\":\"Z\",\"kind\":\"town\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[-1.9,52.4,3]}}]}")),
            ("geojson 4d", "centres.geojson", () => Encoding.UTF8.GetBytes("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"code\":\"z4\",\"name\":\"Z\",\"kind\":\"town\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[-1.9,52.4,3,4]}}]}")),
            ("geojson nul", "centres.geojson", () => Encoding.UTF8.GetBytes("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"code\":\"n\\u0000l\",\"name\":\"Z\",\"kind\":\"town\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[-1.9,52.4]}}]}")),
            ("geojson surrogate", "centres.geojson", () => Encoding.UTF8.GetBytes("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"code\":\"s1\",\"name\":\"\\ud800\",\"kind\":\"town\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[-1.9,52.4]}}]}")),
            ("geojson type 7", "centres.geojson", () => Encoding.UTF8.GetBytes("{\"type\":7,\"features\":[]}")),
            ("geojson feature type 7", "centres.geojson", () => Encoding.UTF8.GetBytes("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":7,\"properties\":{\"code\":\"t7\"},\"geometry\":{\"type\":7,\"coordinates\":[1,2]}}]}")),
            ("geojson deep", "centres.geojson", () => Encoding.UTF8.GetBytes(new string('[', 100_000))),
            ("geojson unknown crs", "centres.geojson", () => Encoding.UTF8.GetBytes("{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"EPSG:3857\"}},\"features\":[]}")),
            ("geojson crs type 7", "centres.geojson", () => Encoding.UTF8.GetBytes("{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":7}},\"features\":[]}")),
            ("empty features", "centres.geojson", () => Encoding.UTF8.GetBytes("{\"type\":\"FeatureCollection\",\"features\":[]}")),
            ("binary", "centres.bin", () => [0, 1, 2, 3, 255, 254]),
            ("empty csv", "centres.csv", () => Encoding.UTF8.GetBytes("\n\n")),
        };
        foreach (var dataset in new[] { "centres", "zones", "imd", "housing-sites", "lads" })
            foreach (var (name, fileName, bytes) in files)
                yield return new($"import {dataset} {name}", HttpMethod.Post, $"/imports/{dataset}?fileName={fileName}", () => new ByteArrayContent(bytes()));
        foreach (var q in new[] { "srid=3857", "srid=abc", "makeValid=maybe", "acceptPartial=2", "zoneSet=%00" })
            yield return new($"import option {q}", HttpMethod.Post, $"/imports/zones?fileName=z.csv&{q}", () => new ByteArrayContent("code\nx\n"u8.ToArray()));
        yield return new("import unknown dataset", HttpMethod.Post, "/imports/nope?fileName=x.csv", () => new ByteArrayContent("a\n1\n"u8.ToArray()));
        yield return new("import empty body", HttpMethod.Post, "/imports/centres?fileName=x.csv", () => new ByteArrayContent([]));
        yield return new("import multipart without file", HttpMethod.Post, "/imports/centres", () => new MultipartFormDataContent { { new StringContent("x"), "note" } });
        yield return new("import broken multipart", HttpMethod.Post, "/imports/centres", () =>
        {
            var c = new ByteArrayContent("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\ncode\n"u8.ToArray());
            c.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
            return c;
        });
    }

    private static IEnumerable<Case> FeedCases()
    {
        var sample = SampleFeed.Zip();
        var tables = Tables(sample);
        var zips = new List<(string Name, Func<byte[]> Bytes)>
        {
            ("not a zip", () => "hello"u8.ToArray()),
            ("truncated zip", () => sample[..(sample.Length / 2)]),
            ("empty zip", () => Zip([])),
            ("no stops", () => Zip(tables.Where(t => t.Key != "stops.txt").ToDictionary())),
            ("stops without coordinates", () => Zip(With(tables, "stops.txt", "stop_id,stop_name\nS1,A\n"))),
            ("bomb entry", () => Zip(tables, ("stop_times.txt", Encoding.UTF8.GetBytes(tables["stop_times.txt"]), (byte)'\n', 300_000_000))),
            ("endless stops line", () => Zip(With(tables, "stops.txt", "stop_id,stop_name,stop_lat,stop_lon\n\"" + new string('s', 5_000_000)))),
            ("many fields", () => Zip(With(tables, "stops.txt", string.Join(',', Enumerable.Repeat("f", 50_000))))),
            ("zip slip names", () => Zip(new Dictionary<string, string> { ["../../etc/stops.txt"] = "stop_id,stop_lat,stop_lon\n" })),
            ("binary stops", () => Zip(With(tables, "stops.txt", "\u0001\u0002\u0003"))),
        };
        foreach (var (name, bytes) in zips)
        {
            yield return new($"feed raw {name}", HttpMethod.Post, "/feeds?fileName=f.zip", () => new ByteArrayContent(bytes()));
            yield return new($"feed multipart {name}", HttpMethod.Post, "/feeds", () => new MultipartFormDataContent { { new ByteArrayContent(bytes()), "file", "f.zip" } });
        }
        foreach (var q in new[] { "checkDate=tomorrow", "checkDate=2026-02-30", "checkDate=%00" })
            yield return new($"feed {q}", HttpMethod.Post, $"/feeds?fileName=f.zip&{q}", () => new ByteArrayContent(sample));
        yield return new("feed oversize Content-Length", HttpMethod.Post, "/feeds?fileName=f.zip", () =>
        {
            var c = new ByteArrayContent(sample);
            c.Headers.ContentLength = 10L * 1024 * 1024 * 1024;
            return c;
        });
    }

    [Fact]
    public async Task Every_hostile_request_is_a_4xx_ProblemDetails_and_no_table_changes()
    {
        var cases = Cases().ToList();
        Assert.True(cases.Count >= 1000, $"the corpus has {cases.Count} cases");
        var before = await Checksums();
        var writer = api.Writer();
        var statuses = new SortedDictionary<int, int>();
        var failures = new List<string>();
        foreach (var c in cases)
        {
            using var request = new HttpRequestMessage(c.Method, c.Url) { Content = c.Body() };
            HttpResponseMessage response;
            try { response = await writer.SendAsync(request); }
            catch (Exception e) { failures.Add($"{c.Name}: transport {e.GetType().Name} {e.Message}"); continue; }
            using (response)
            {
                var status = (int)response.StatusCode;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                var body = await response.Content.ReadAsStringAsync();
                if (status is < 400 or >= 500)
                {
                    failures.Add($"{c.Name}: {status} {Short(body, 300)}");
                    continue;
                }
                if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{c.Name}: {status} as {response.Content.Headers.ContentType} {Short(body, 200)}");
                    continue;
                }
                var p = JsonDocument.Parse(body).RootElement;
                if (p.GetProperty("status").GetInt32() != status || !p.TryGetProperty("type", out _) || !p.TryGetProperty("detail", out _))
                    failures.Add($"{c.Name}: incomplete problem {Short(body, 200)}");
                else if (status is 400 or 413 or 415 or 422 && !(p.TryGetProperty("field", out var f) && f.GetString() is { Length: > 0 }))
                    failures.Add($"{c.Name}: {status} without field {Short(body, 200)}");
            }
        }
        output.WriteLine($"{cases.Count} cases; statuses: {string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}"))}");
        foreach (var f in failures) output.WriteLine(f);
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} cases failed:\n{string.Join("\n", failures.Take(40))}");
        var after = await Checksums();
        Assert.Equal(before, after);
    }

    /// <summary>
    /// md5 of every table's rows in a fixed order: the public schema (less import_record, which logs
    /// every refused import by design) and Hangfire's jobs, queues, sets and hashes.
    /// </summary>
    private async Task<SortedDictionary<string, string>> Checksums()
    {
        var tables = new List<string>();
        await using (var cmd = api.Db.CreateCommand("""
            SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables
            WHERE table_type = 'BASE TABLE' AND ((table_schema = 'public' AND table_name NOT IN ('import_record'))
               OR (table_schema = 'hangfire' AND table_name IN ('job', 'jobqueue', 'set', 'hash', 'list', 'state')))
            ORDER BY 1
            """))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) tables.Add(r.GetString(0));
        var sums = new SortedDictionary<string, string>();
        foreach (var t in tables)
        {
            await using var cmd = api.Db.CreateCommand($"SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM {t} x");
            sums[t] = (string)(await cmd.ExecuteScalarAsync())!;
        }
        return sums;
    }

    private static StringContent Json(string s) => new(s, Encoding.UTF8, "application/json");

    private static StringContent Geo(string s) => new(s, Encoding.UTF8, "application/geo+json");

    private static ByteArrayContent Raw(byte[] bytes)
    {
        var c = new ByteArrayContent(bytes);
        c.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return c;
    }

    private static string Short(string s, int n = 60) => s.Length <= n ? s : s[..n] + $"…({s.Length:N0})";

    private static byte[] Gzip(byte[] content)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.SmallestSize, leaveOpen: true)) gz.Write(content);
        return ms.ToArray();
    }

    private static Dictionary<string, string> Tables(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip));
        return archive.Entries.ToDictionary(e => e.FullName, e => new StreamReader(e.Open()).ReadToEnd());
    }

    private static Dictionary<string, string> With(Dictionary<string, string> tables, string name, string content) =>
        new(tables) { [name] = content };

    /// <summary>A zip of <paramref name="tables"/>; <paramref name="bomb"/> replaces one entry by its prefix and then <c>count</c> copies of one byte, written in chunks.</summary>
    private static byte[] Zip(Dictionary<string, string> tables, (string Name, byte[] Prefix, byte Fill, long Count)? bomb = null)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in tables)
            {
                using var entry = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                if (bomb is { } b && b.Name == name) WriteRepeated(entry, b.Prefix, b.Fill, b.Count);
                else entry.Write(new UTF8Encoding(false).GetBytes(content));
            }
        return ms.ToArray();
    }

    private static byte[] GzipRepeated(byte[] prefix, byte fill, long count)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) WriteRepeated(gz, prefix, fill, count);
        return ms.ToArray();
    }

    private static void WriteRepeated(Stream s, byte[] prefix, byte fill, long count)
    {
        s.Write(prefix);
        var chunk = new byte[1 << 20];
        Array.Fill(chunk, fill);
        for (long left = count; left > 0; left -= chunk.Length) s.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
    }

    /// <summary>A body without Content-Length (sent chunked), so only counting while reading can stop it.</summary>
    private sealed class PushContent(string text) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            await stream.WriteAsync(Encoding.UTF8.GetBytes(text));

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
