using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lis.Geo.Analysis;
using Lis.Geo.Data.Feeds;
using Lis.Geo.Data.Importing;
using Lis.Geo.Transit.Gtfs;
using Lis.Geo.Transit.Routing;
using Lis.Geo.Transit.Timetables;
using Lis.Geo.Transit.Walking;

namespace Lis.Geo.Api.Tests.Features.Analyses;

/// <summary>The sample region with its feed stored, and a Hangfire server working jobs in the test host.</summary>
public class AnalysisFixture : ApiFixture
{
    public long FeedId { get; private set; }

    protected override IEnumerable<(string Key, string Value)> Settings => [("Jobs:RunServer", "true"), ("Jobs:ChunkSize", "5"), ("Jobs:DestinationGroupSize", "3")];

    protected override async Task LoadAsync(Importer importer)
    {
        var (feed, _) = await new FeedStore(Db).ImportAsync("sample", "sample-gtfs.zip", SampleFeed.Zip(), null, default);
        FeedId = feed.Id;
    }

    /// <summary>Polls the run until it finishes (bounded: 60 s).</summary>
    public async Task<JsonElement> WaitAsync(long runId)
    {
        for (var i = 0; i < 240; i++)
        {
            var run = await GetJsonAsync($"/analyses/{runId}");
            if (run.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled") return run;
            await Task.Delay(250);
        }
        throw new TimeoutException($"run {runId} did not finish in 60 s");
    }
}

/// <summary>Zone access runs end to end: HTTP → Hangfire (PostgreSQL storage) → engine → PostGIS → HTTP.</summary>
public sealed class AnalysesApiTests(AnalysisFixture api) : IClassFixture<AnalysisFixture>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<long> StartAsync(string body)
    {
        var response = await api.Writer().PostAsync("/analyses", Json(body));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var run = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.EndsWith($"/analyses/{run.GetProperty("id").GetInt64()}", response.Headers.Location!.ToString());
        return run.GetProperty("id").GetInt64();
    }

    [Fact]
    public async Task A_zone_access_run_equals_the_engine_computed_directly()
    {
        // Forced forward: origins split into chunks of 5 (the profile search would route them as one chunk).
        var id = await StartAsync($$"""{"type":"zone-access","serviceDate":"2026-11-25","minCentres":2,"search":"forward"}""");
        var run = await api.WaitAsync(id);
        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        var progress = run.GetProperty("progress");
        Assert.Equal((17, 17, 4, 4), (progress.GetProperty("originsDone").GetInt32(), progress.GetProperty("originCount").GetInt32(),
            progress.GetProperty("chunksDone").GetInt32(), progress.GetProperty("chunkCount").GetInt32()));

        // The same computation with the engine library alone: same zip, same date, origins and centres sorted by code.
        var zip = Path.Combine(api.CacheDirectory, "direct.zip");
        Directory.CreateDirectory(api.CacheDirectory);
        await File.WriteAllBytesAsync(zip, SampleFeed.Zip());
        var timetable = TimetableCompiler.Compile(GtfsSource.Open(zip), SampleFeed.ServiceDate);
        var origins = SampleRegion.Csv("lsoa11_pwc.csv").OrderBy(r => r["lsoa11cd"], StringComparer.Ordinal).ToList();
        var centres = SampleRegion.Read("centres.geojson").OrderBy(f => (string)f.Attributes["code"], StringComparer.Ordinal).ToList();
        var matrix = TravelTimeMatrix.Compute(timetable,
            origins.Select(o => new GeoPoint(SampleRegion.Num(o["lat"]), SampleRegion.Num(o["lon"]))).ToList(),
            centres.Select(c => new GeoPoint(c.Geometry.Coordinate.Y, c.Geometry.Coordinate.X)).ToList(), new RoutingParameters());
        var direct = ZoneAccess.Summarise(matrix, new AccessParameters { MinCentres = 2 });

        var csv = await api.Client.GetStringAsync($"/analyses/{id}/travel-times.csv");
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("origin_kind,origin,destination_kind,destination,destination_name,p5_seconds,p25_seconds,p50_seconds,p75_seconds,p95_seconds,departures_within_threshold", lines[0]);
        Assert.Equal(origins.Count * centres.Count, lines.Length - 1);
        var reachedPairs = 0;
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split(',');
            Assert.Equal(("zone", "centre"), (f[0], f[2]));
            var o = origins.FindIndex(r => r["lsoa11cd"] == f[1]);
            var d = centres.FindIndex(c => (string)c.Attributes["code"] == f[3]);
            var expected = direct[o].Percentiles[d].Select(t => t == TravelTime.Unreachable ? "" : t.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(expected, f[5..10]);
            Assert.Equal(direct[o].DeparturesWithinThreshold[d].ToString(CultureInfo.InvariantCulture), f[10]);
            if (f[7].Length > 0) reachedPairs++;
        }
        Assert.True(reachedPairs > 0, "the sample feed should connect some zones to centres");

        var zones = (await api.GetJsonAsync($"/analyses/{id}/zones?limit=100")).GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(17, zones.Count);
        foreach (var z in zones)
        {
            var o = origins.FindIndex(r => r["lsoa11cd"] == z.GetProperty("id").GetString());
            var p = z.GetProperty("properties");
            Assert.Equal(direct[o].CentresReachable, p.GetProperty("centres_reachable").GetInt32());
            Assert.Equal(direct[o].CentresReachable >= 2, p.GetProperty("meets_target").GetBoolean());
            Assert.Equal(Math.Round(direct[o].TimeShare, 4), p.GetProperty("time_share").GetDouble());
        }

        // Headline share: population-weighted share of zones reaching ≥ 2 centres, by hand from the direct results.
        var population = origins.Select(o => double.Parse(o["pop_total_mid2015"], CultureInfo.InvariantCulture)).ToList();
        var share = direct.Select((a, i) => a.CentresReachable >= 2 ? population[i] : 0).Sum() / population.Sum();
        var overall = run.GetProperty("summary").GetProperty("overall");
        Assert.Equal(share, overall.GetProperty("share").GetDouble(), 9);
        var timeShare = direct.Select((a, i) => a.TimeShare * population[i]).Sum() / population.Sum();
        Assert.Equal(timeShare, overall.GetProperty("timeShare").GetDouble(), 9);
        // By IMD decile: decile 1's share from the sample IMD table.
        var imd = SampleRegion.Csv("imd2019.csv").ToDictionary(r => r["lsoa11cd"], r => r["imd_decile"]);
        var d1 = origins.Select((o, i) => (o, i)).Where(x => imd[x.o["lsoa11cd"]] == "1").ToList();
        var d1Share = d1.Sum(x => direct[x.i].CentresReachable >= 2 ? population[x.i] : 0) / d1.Sum(x => population[x.i]);
        Assert.Equal(d1Share, run.GetProperty("summary").GetProperty("byImdDecile").EnumerateArray().Single(g => g.GetProperty("key").GetString() == "1").GetProperty("share").GetDouble(), 9);

        // The run's record names everything that made the result.
        var record = run.GetProperty("record");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(SampleFeed.Zip())), record.GetProperty("feedSha256").GetString());
        Assert.Equal("2026-11-25", record.GetProperty("serviceDate").GetString());
        var routing = record.GetProperty("parameters").GetProperty("routing");
        Assert.Equal(1.33, routing.GetProperty("walkSpeed").GetDouble());
        Assert.Equal(180, routing.GetProperty("window").GetProperty("departures").GetInt32());

        // And the run is a layer GIS clients can read.
        var layer = await api.GetJsonAsync($"/collections/analysis-{id}-zones/items?meets_target=true");
        Assert.Equal(direct.Count(a => a.CentresReachable >= 2), layer.GetProperty("numberMatched").GetInt32());
    }

    [Fact]
    public async Task A_profile_run_stores_the_same_rows_and_summary_as_a_run_forced_forward()
    {
        // Issue 13: the same request twice, by the profile search (destination groups of 3: the 7 centres
        // then the sites, a group holding both) and forced forward (origin chunks of 5); every stored row
        // (pairs, origins, site catchments) and the summary are equal.
        var (profileId, _) = await ProfileAndForwardAsync("""{"type":"site-access","serviceDate":"2026-11-25","minCentres":2""");
        var pairs = await api.ScalarAsync<string>(StoredRows[0], profileId);
        Assert.Matches(@",\d+:\d+:\d+:", pairs);
    }

    [Fact]
    public async Task A_profile_run_in_several_destination_groups_merges_each_zones_indicators_as_the_forward_run()
    {
        // 7 centres in groups of 3 ({0,1,2}, {3,4,5}, {6}): "at least 3 centres within 45 minutes" at a
        // minute can only be decided from the groups together, so equal time shares show the merge works.
        var (profileId, forwardId) = await ProfileAndForwardAsync("""{"type":"zone-access","serviceDate":"2026-11-25","minCentres":3""");
        Assert.Equal(3L, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_chunk WHERE run_id = $1", profileId));
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_origin_part WHERE run_id = $1", profileId)); // merged, then dropped
        // The forward rows show the case the merge exists for: a zone meeting the target at some minutes only.
        Assert.True(await api.ScalarAsync<long>(
            "SELECT count(*) FROM analysis_origin_result WHERE run_id = $1 AND departures_meeting_target > 0 AND departures_meeting_target < departures", forwardId) > 0);
    }

    /// <summary>Every stored row of a run, as text in key order (U = unreachable).</summary>
    private static readonly string[] StoredRows =
    [
        "SELECT string_agg(concat_ws(',', origin_index, destination_index, array_to_string(percentiles, ':', 'U'), departures_within), ';' ORDER BY origin_index, destination_index) FROM analysis_pair_result WHERE run_id = $1",
        "SELECT string_agg(concat_ws(',', origin_index, centres_reachable, departures_meeting_target, departures), ';' ORDER BY origin_index) FROM analysis_origin_result WHERE run_id = $1",
    ];

    /// <summary>
    /// Runs <paramref name="body"/> (JSON without its closing brace) by the profile search and forced
    /// forward, and checks both succeeded with the same summary and stored rows, the profile run in
    /// destination groups of 3 (the fixture's) and the forward one in origin chunks.
    /// </summary>
    private async Task<(long Profile, long Forward)> ProfileAndForwardAsync(string body)
    {
        var profileId = await StartAsync(body + ""","search":"profile"}""");
        var forwardId = await StartAsync(body + ""","search":"forward"}""");
        var profile = await api.WaitAsync(profileId);
        var forward = await api.WaitAsync(forwardId);
        Assert.Equal("succeeded", profile.GetProperty("state").GetString());
        Assert.Equal("succeeded", forward.GetProperty("state").GetString());
        Assert.Equal("profile", profile.GetProperty("record").GetProperty("parameters").GetProperty("search").GetString());
        Assert.Equal("forward", forward.GetProperty("record").GetProperty("parameters").GetProperty("search").GetString());
        var destinations = await api.ScalarAsync<long>("SELECT count(*) FROM analysis_point WHERE run_id = $1 AND NOT is_origin", profileId);
        var progress = profile.GetProperty("progress");
        Assert.Equal((int)((destinations + 2) / 3), progress.GetProperty("chunkCount").GetInt32());
        Assert.True(progress.GetProperty("chunkCount").GetInt32() > 1);
        Assert.Equal(progress.GetProperty("originCount").GetInt32(), progress.GetProperty("originsDone").GetInt32());
        Assert.True(forward.GetProperty("progress").GetProperty("chunkCount").GetInt32() > 1);
        Assert.Equal(forward.GetProperty("summary").GetRawText(), profile.GetProperty("summary").GetRawText());
        string[] queries = [.. StoredRows,
            "SELECT string_agg(concat_ws(',', site_index, catchment_zones, catchment_population, deprived_catchment_population, deprived_rank), ';' ORDER BY site_index) FROM analysis_site_result WHERE run_id = $1"];
        foreach (var sql in queries.Take(body.Contains("site-access", StringComparison.Ordinal) ? 3 : 2))
        {
            var forwardRows = await api.ScalarAsync<string>(sql, forwardId);
            Assert.Equal(forwardRows, await api.ScalarAsync<string>(sql, profileId));
            Assert.False(string.IsNullOrEmpty(forwardRows), sql);
        }
        return (profileId, forwardId);

    }

    [Fact]
    public async Task An_arrival_window_run_stores_the_engines_arrive_by_times()
    {
        var id = await StartAsync("""{"type":"zone-access","serviceDate":"2026-11-25","minCentres":1,"window":"08:30-09:30","windowKind":"arrival"}""");
        var run = await api.WaitAsync(id);
        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        var spec = run.GetProperty("record").GetProperty("parameters");
        Assert.Equal("arrival", spec.GetProperty("routing").GetProperty("window").GetProperty("kind").GetString());
        var window = spec.GetProperty("routing").GetProperty("window");
        Assert.Equal(60, window.GetProperty("arrivals").GetInt32()); // the window's count of arrival minutes, 08:30 … 09:29
        Assert.False(window.TryGetProperty("departures", out _));
        Assert.Equal("profile", spec.GetProperty("search").GetString());
        Assert.Equal("arrival", run.GetProperty("request").GetProperty("windowKind").GetString());

        var zip = Path.Combine(api.CacheDirectory, "direct-arrival.zip");
        Directory.CreateDirectory(api.CacheDirectory);
        await File.WriteAllBytesAsync(zip, SampleFeed.Zip());
        var timetable = TimetableCompiler.Compile(GtfsSource.Open(zip), SampleFeed.ServiceDate);
        var origins = SampleRegion.Csv("lsoa11_pwc.csv").OrderBy(r => r["lsoa11cd"], StringComparer.Ordinal).ToList();
        var centres = SampleRegion.Read("centres.geojson").OrderBy(f => (string)f.Attributes["code"], StringComparer.Ordinal).ToList();
        var matrix = TravelTimeMatrix.Compute(timetable,
            origins.Select(o => new GeoPoint(SampleRegion.Num(o["lat"]), SampleRegion.Num(o["lon"]))).ToList(),
            centres.Select(c => new GeoPoint(c.Geometry.Coordinate.Y, c.Geometry.Coordinate.X)).ToList(),
            new RoutingParameters { Window = DepartureWindow.Parse("08:30-09:30"), WindowKind = WindowKind.Arrival });
        var direct = ZoneAccess.Summarise(matrix, new AccessParameters { MinCentres = 1 });
        var lines = (await api.Client.GetStringAsync($"/analyses/{id}/travel-times.csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(origins.Count * centres.Count, lines.Length - 1);
        var reached = 0;
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split(',');
            var o = origins.FindIndex(r => r["lsoa11cd"] == f[1]);
            var d = centres.FindIndex(c => (string)c.Attributes["code"] == f[3]);
            Assert.Equal(direct[o].Percentiles[d].Select(t => t == TravelTime.Unreachable ? "" : t.ToString(CultureInfo.InvariantCulture)), f[5..10]);
            if (f[7].Length > 0) reached++;
        }
        Assert.True(reached > 0, "the sample feed should get some zones to a centre by 08:30-09:30");

        // The interactive endpoint takes the same window kind and answers with the same engine result.
        var site = SampleRegion.Read("employment_sites.geojson")[0];
        var result = await api.GetJsonAsync($"/sites/employment-sites/{(string)site.Attributes["reference"]}/accessibility?serviceDate=2026-11-25&window=08:30-09:30&windowKind=arrival");
        Assert.Equal(("arrival", "profile"), (result.GetProperty("windowKind").GetString(), result.GetProperty("search").GetString()));
        var one = TravelTimeMatrix.Compute(timetable, [new GeoPoint(result.GetProperty("lat").GetDouble(), result.GetProperty("lon").GetDouble())],
            centres.Select(c => new GeoPoint(c.Geometry.Coordinate.Y, c.Geometry.Coordinate.X)).ToList(),
            new RoutingParameters { Window = DepartureWindow.Parse("08:30-09:30"), WindowKind = WindowKind.Arrival });
        var listed = result.GetProperty("centres").EnumerateArray().ToList();
        for (var d = 0; d < centres.Count; d++)
        {
            var p50 = one.PercentilesOf(0, d)[2];
            var minutes = listed[d].GetProperty("minutes").GetProperty("p50");
            if (p50 == TravelTime.Unreachable) Assert.Equal(JsonValueKind.Null, minutes.ValueKind);
            else Assert.Equal(Math.Round(p50 / 60.0, 1), minutes.GetDouble());
        }
        await Problem.AssertAsync(api.Client.GetAsync("/isochrones?lon=-1.9&lat=52.48&serviceDate=2026-11-25&windowKind=arrival"), HttpStatusCode.BadRequest, "windowKind");
    }

    [Fact]
    public async Task A_site_access_run_gives_each_employment_site_its_catchment_rank_and_own_access()
    {
        var id = await StartAsync("""{"type":"site-access","siteSet":"employment-sites","serviceDate":"2026-11-25","minCentres":2}""");
        var run = await api.WaitAsync(id);
        Assert.Equal("succeeded", run.GetProperty("state").GetString());

        // Direct computation: the zones' centroids to the sites at the points the run froze (their points on surface),
        // and the sites to the centres.
        var sites = new List<(string Reference, GeoPoint Point)>();
        await using (var cmd = api.Db.CreateCommand("SELECT code, lat, lon FROM analysis_point WHERE run_id = $1 AND NOT is_origin AND kind = 'site' ORDER BY index"))
        {
            cmd.Parameters.Add(new() { Value = id });
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) sites.Add((r.GetString(0), new GeoPoint(r.GetDouble(1), r.GetDouble(2))));
        }
        Assert.Equal(SampleRegion.Read("employment_sites.geojson").Select(f => (string)f.Attributes["reference"]).Order(StringComparer.Ordinal), sites.Select(s => s.Reference));
        var zip = Path.Combine(api.CacheDirectory, "direct-sites.zip");
        Directory.CreateDirectory(api.CacheDirectory);
        await File.WriteAllBytesAsync(zip, SampleFeed.Zip());
        var timetable = TimetableCompiler.Compile(GtfsSource.Open(zip), SampleFeed.ServiceDate);
        var origins = SampleRegion.Csv("lsoa11_pwc.csv").OrderBy(r => r["lsoa11cd"], StringComparer.Ordinal).ToList();
        var matrix = TravelTimeMatrix.Compute(timetable,
            origins.Select(o => new GeoPoint(SampleRegion.Num(o["lat"]), SampleRegion.Num(o["lon"]))).ToList(), sites.Select(s => s.Point).ToList(), new RoutingParameters());
        var centres = SampleRegion.Read("centres.geojson").OrderBy(f => (string)f.Attributes["code"], StringComparer.Ordinal)
            .Select(c => new GeoPoint(c.Geometry.Coordinate.Y, c.Geometry.Coordinate.X)).ToList();
        var fromSites = ZoneAccess.Summarise(TravelTimeMatrix.Compute(timetable, sites.Select(s => s.Point).ToList(), centres, new RoutingParameters()),
            new AccessParameters { MinCentres = 2 });
        var imd = SampleRegion.Csv("imd2019.csv").ToDictionary(r => r["lsoa11cd"], r => int.Parse(r["imd_decile"], CultureInfo.InvariantCulture));

        var features = (await api.GetJsonAsync($"/analyses/{id}/sites")).GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(sites.Count, features.Count);
        var deprivedBySite = new Dictionary<string, double>();
        for (var d = 0; d < sites.Count; d++)
        {
            var reaching = origins.Select((o, i) => (o, i)).Where(x => matrix.PercentilesOf(x.i, d)[2] <= 45 * 60).ToList();
            var population = reaching.Sum(x => double.Parse(x.o["pop_total_mid2015"], CultureInfo.InvariantCulture));
            var deprived = reaching.Where(x => imd[x.o["lsoa11cd"]] <= 2).Sum(x => double.Parse(x.o["pop_total_mid2015"], CultureInfo.InvariantCulture));
            deprivedBySite[sites[d].Reference] = deprived;
            var p = features.Single(f => f.GetProperty("id").GetString() == sites[d].Reference).GetProperty("properties");
            Assert.Equal(reaching.Count, p.GetProperty("catchment_zones").GetInt32());
            Assert.Equal(population, p.GetProperty("catchment_population").GetDouble());
            Assert.Equal(deprived, p.GetProperty("deprived_catchment_population").GetDouble());
            Assert.Equal(fromSites[d].CentresReachable, p.GetProperty("centres_reachable").GetInt32());
        }
        // Rank 1 = most deprived residents within reach; ties share the rank.
        foreach (var f in features)
        {
            var p = f.GetProperty("properties");
            var mine = deprivedBySite[f.GetProperty("id").GetString()!];
            Assert.Equal(1 + deprivedBySite.Values.Count(v => v > mine), p.GetProperty("deprived_catchment_rank").GetInt32());
        }
        // Served best-ranked first.
        var ranks = features.Select(f => f.GetProperty("properties").GetProperty("deprived_catchment_rank").GetInt32()).ToList();
        Assert.Equal(ranks.Order(), ranks);
        Assert.True(deprivedBySite.Values.Any(v => v > 0), "some sample employment site should reach deprived zones");

        // Sites routed as origins never count in the zones' indicators: the zones layer has the 17 zones only.
        Assert.Equal(17, (await api.GetJsonAsync($"/analyses/{id}/zones?limit=100")).GetProperty("features").GetArrayLength());
        Assert.Equal(17, run.GetProperty("summary").GetProperty("overall").GetProperty("origins").GetInt32());
    }

    [Fact]
    public async Task A_run_from_approximate_points_says_so_in_its_record_with_the_population_source()
    {
        // The sample centroids uploaded as a second zone set, marked as approximate, with their population by column name.
        var csv = File.ReadAllText(Path.Combine(Lis.Geo.Testing.RepoPaths.GeoData, "lsoa11_pwc.csv"));
        MultipartFormDataContent Upload() => new() { { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", "lsoa11_pwc.csv" } };
        var centroids = await api.Writer().PostAsync("/imports/centroids?zoneSet=sample-approx&approximateCentroids=true", Upload());
        Assert.True(centroids.StatusCode == HttpStatusCode.Created, await centroids.Content.ReadAsStringAsync());
        var population = await api.Writer().PostAsync("/imports/population?zoneSet=sample-approx&column=pop_total_mid2015", Upload());
        Assert.True(population.StatusCode == HttpStatusCode.Created, await population.Content.ReadAsStringAsync());

        var id = await StartAsync("""{"zoneSet":"sample-approx","serviceDate":"2026-11-25","minCentres":2}""");
        var parameters = (await api.GetJsonAsync($"/analyses/{id}")).GetProperty("record").GetProperty("parameters");
        Assert.Equal("sample-approx", parameters.GetProperty("zoneSet").GetString());
        var zoneSet = parameters.GetProperty("zoneSource");
        Assert.True(zoneSet.GetProperty("centroidsApproximate").GetBoolean());
        Assert.Equal("Approximate points, not ONS population-weighted centroids (from lsoa11_pwc.csv).", zoneSet.GetProperty("centroidNote").GetString());
        Assert.Equal("pop_total_mid2015 (lsoa11_pwc.csv)", zoneSet.GetProperty("populationSource").GetString());
        Assert.Equal("succeeded", (await api.WaitAsync(id)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Housing_sites_take_the_access_and_deprivation_of_the_zone_they_stand_in()
    {
        var id = await StartAsync("""{"serviceDate":"2026-11-25","minCentres":2}""");
        Assert.Equal("succeeded", (await api.WaitAsync(id)).GetProperty("state").GetString());
        var zones = (await api.GetJsonAsync($"/analyses/{id}/zones?limit=100")).GetProperty("features").EnumerateArray()
            .ToDictionary(z => z.GetProperty("id").GetString()!, z => z.GetProperty("properties").GetProperty("centres_reachable").GetInt32());
        var polygons = SampleRegion.Read("lsoa11.geojson").ToDictionary(f => (string)f.Attributes["lsoa11cd"], f => f.Geometry);
        var imd = SampleRegion.Csv("imd2019.csv").ToDictionary(r => r["lsoa11cd"], r => int.Parse(r["imd_decile"], CultureInfo.InvariantCulture));

        var housing = (await api.GetJsonAsync($"/analyses/{id}/housing-sites?limit=100")).GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(SampleRegion.Csv("housing_sites.csv").Count(), housing.Count);
        var poorly = 0;
        foreach (var h in housing)
        {
            var p = h.GetProperty("properties");
            var point = SampleRegion.Geometry(h.GetProperty("geometry")).InteriorPoint;
            var zone = polygons.Where(z => z.Value.Contains(point)).Select(z => z.Key).SingleOrDefault();
            if (zone is null)
            {
                Assert.Equal(JsonValueKind.Null, p.GetProperty("zone_code").ValueKind);
                continue;
            }
            Assert.Equal(zone, p.GetProperty("zone_code").GetString());
            Assert.Equal(zones[zone], p.GetProperty("zone_centres_reachable").GetInt32());
            Assert.Equal(imd[zone], p.GetProperty("zone_imd_decile").GetInt32());
            Assert.Equal(zones[zone] < 2, p.GetProperty("poorly_connected").GetBoolean());
            if (zones[zone] < 2) poorly++;
        }
        var filtered = await api.GetJsonAsync($"/analyses/{id}/housing-sites?poorly_connected=true");
        Assert.Equal(poorly, filtered.GetProperty("numberMatched").GetInt32());
    }

    [Fact]
    public async Task An_isochrone_run_stores_the_engines_isochrones_for_its_point()
    {
        const double lon = -2.1215, lat = 52.589;
        var id = await StartAsync("""{"type":"isochrones","lon":-2.1215,"lat":52.589,"cutoffs":[20,40],"serviceDate":"2026-11-25"}""");
        var run = await api.WaitAsync(id);
        Assert.Equal("succeeded", run.GetProperty("state").GetString());

        var zip = Path.Combine(api.CacheDirectory, "direct-iso.zip");
        Directory.CreateDirectory(api.CacheDirectory);
        await File.WriteAllBytesAsync(zip, SampleFeed.Zip());
        var timetable = TimetableCompiler.Compile(GtfsSource.Open(zip), SampleFeed.ServiceDate);
        var parameters = new RoutingParameters();
        var direct = Lis.Geo.Analysis.Isochrones.Compute(new TransitRouter(timetable, parameters), new GeoPoint(lat, lon), parameters.Window, [20, 40]);

        var features = (await api.GetJsonAsync($"/analyses/{id}/isochrones")).GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(["-2.1215,52.589:40", "-2.1215,52.589:20"], features.Select(f => f.GetProperty("id").GetString()));
        foreach (var f in features)
        {
            var cutoff = f.GetProperty("properties").GetProperty("cutoff_minutes").GetInt32();
            var expected = direct.Single(i => i.CutoffMinutes == cutoff);
            Assert.Equal(Math.Round(expected.AreaKm2, 6), f.GetProperty("properties").GetProperty("area_km2").GetDouble());
            // Same polygon after the round trip through PostGIS and GeoJSON (6 decimals ≈ 0.1 m): the difference is a sliver.
            var served = SampleRegion.Geometry(f.GetProperty("geometry"));
            Assert.True(served.SymmetricDifference(expected.Geometry).Area < expected.Geometry.Area * 1e-4, $"cutoff {cutoff}: polygons differ");
        }
        var byCutoff = run.GetProperty("summary").GetProperty("byCutoff").EnumerateArray().ToList();
        Assert.Equal([20, 40], byCutoff.Select(c => c.GetProperty("cutoffMinutes").GetInt32()));
        Assert.Contains(run.GetProperty("links").EnumerateArray(), l => l.GetProperty("rel").GetString() == "isochrones-collection");
    }

    [Fact]
    public async Task An_isochrone_run_from_a_site_set_makes_one_isochrone_per_site_and_cutoff()
    {
        var id = await StartAsync("""{"type":"isochrones","siteSet":"employment-sites","cutoffs":[30],"serviceDate":"2026-11-25"}""");
        Assert.Equal("succeeded", (await api.WaitAsync(id)).GetProperty("state").GetString());
        var page = await api.GetJsonAsync($"/collections/analysis-{id}-isochrones/items?cutoff_minutes=30&limit=100");
        Assert.Equal(SampleRegion.Read("employment_sites.geojson").Count, page.GetProperty("numberMatched").GetInt32());
    }

    [Theory]
    [InlineData("""{"type":"isochrone-of-doom"}""", "type")]
    [InlineData("""{"type":"isochrones","cutoffs":[30,15]}""", "cutoffs")]
    [InlineData("""{"type":"isochrones","lon":-2.1}""", "lat")]
    [InlineData("""{"type":"isochrones","lon":-2.1,"lat":95}""", "lat")]
    [InlineData("""{"type":"isochrones","siteSet":"housing-sites","site":"NOPE"}""", "site")]
    [InlineData("""{"type":"site-access","siteSet":"parks"}""", "siteSet")]
    [InlineData("""{"zoneSet":"lsoa99"}""", "zoneSet")]
    [InlineData("""{"serviceDate":"2031-01-01"}""", "serviceDate")]
    [InlineData("""{"serviceDate":"2026-11-28"}""", "serviceDate")]
    [InlineData("""{"serviceDate":"2026-11-25","window":"02:00-03:00","maxTripDuration":600}""", "window")]
    [InlineData("""{"window":"ten till eleven"}""", "window")]
    [InlineData("""{"walkSpeed":-1}""", "walkSpeed")]
    [InlineData("""{"thresholdMinutes":0}""", "thresholdMinutes")]
    [InlineData("""{"minCentres":99}""", "minCentres")]
    [InlineData("""{"feedId":999}""", "feedId")]
    [InlineData("""{"windowKind":"sideways"}""", "windowKind")]
    [InlineData("""{"type":"isochrones","windowKind":"arrival","lon":-1.9,"lat":52.48}""", "windowKind")]
    [InlineData("""{"windowKind":"arrival","maxRides":2}""", "maxRides")]
    [InlineData("""{"search":"fastest"}""", "search")]
    [InlineData("""{"search":"forward","windowKind":"arrival"}""", "search")]
    [InlineData("""{"search":"profile","boardSlack":0}""", "boardSlack")]
    public async Task Bad_requests_are_400_before_anything_is_queued(string body, string field)
    {
        var before = await api.ScalarAsync<long>("SELECT count(*) FROM analysis_run");
        await Problem.AssertAsync(api.Writer().PostAsync("/analyses", Json(body)), HttpStatusCode.BadRequest, field);
        Assert.Equal(before, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_run"));
    }

    [Fact]
    public async Task Starting_or_cancelling_needs_the_key()
    {
        await Problem.AssertAsync(api.Client.PostAsync("/analyses", Json("{}")), HttpStatusCode.Unauthorized);
        await Problem.AssertAsync(api.Client.DeleteAsync("/analyses/1"), HttpStatusCode.Unauthorized);
        await Problem.AssertAsync(api.Client.PostAsync("/analyses/1/cancel", null), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Results_of_an_unknown_run_are_404()
    {
        await Problem.AssertAsync(api.Client.GetAsync("/analyses/424242"), HttpStatusCode.NotFound, "id");
        await Problem.AssertAsync(api.Client.GetAsync("/analyses/424242/zones"), HttpStatusCode.NotFound, "id");
    }

    [Fact]
    public async Task Site_accessibility_answers_synchronously_with_the_engine_result()
    {
        var site = SampleRegion.Read("employment_sites.geojson")[0];
        var reference = (string)site.Attributes["reference"];
        var result = await api.GetJsonAsync($"/sites/employment-sites/{reference}/accessibility?serviceDate=2026-11-25");
        var point = site.Geometry.InteriorPoint;
        Assert.Equal(point.X, result.GetProperty("lon").GetDouble(), 6);

        var zip = Path.Combine(api.CacheDirectory, "direct-site.zip");
        Directory.CreateDirectory(api.CacheDirectory);
        await File.WriteAllBytesAsync(zip, SampleFeed.Zip());
        var centres = SampleRegion.Read("centres.geojson").OrderBy(f => (string)f.Attributes["code"], StringComparer.Ordinal).ToList();
        var matrix = TravelTimeMatrix.Compute(TimetableCompiler.Compile(GtfsSource.Open(zip), SampleFeed.ServiceDate),
            [new GeoPoint(result.GetProperty("lat").GetDouble(), result.GetProperty("lon").GetDouble())],
            centres.Select(c => new GeoPoint(c.Geometry.Coordinate.Y, c.Geometry.Coordinate.X)).ToList(), new RoutingParameters());
        var listed = result.GetProperty("centres").EnumerateArray().ToList();
        for (var d = 0; d < centres.Count; d++)
        {
            var p50 = matrix.PercentilesOf(0, d)[2];
            var minutes = listed[d].GetProperty("minutes").GetProperty("p50");
            if (p50 == TravelTime.Unreachable) Assert.Equal(JsonValueKind.Null, minutes.ValueKind);
            else Assert.Equal(Math.Round(p50 / 60.0, 1), minutes.GetDouble());
        }
    }

    [Fact]
    public async Task A_stored_feed_reports_its_validity_counts_and_stops()
    {
        var feed = await api.GetJsonAsync($"/feeds/{api.FeedId}");
        Assert.Equal("2026-01-01", feed.GetProperty("validFrom").GetString());
        Assert.Equal("2026-12-31", feed.GetProperty("validTo").GetString());
        var stopsTxt = File.ReadAllLines(Path.Combine(Lis.Geo.Testing.RepoPaths.GeoData, "gtfs", "stops.txt")).Skip(1).Count(l => l.Length > 0);
        Assert.Equal(stopsTxt, feed.GetProperty("rowCounts").GetProperty("stops.txt").GetInt32());
        var stops = await api.GetJsonAsync($"/collections/transit-stops/items?feed={api.FeedId}&limit=1000");
        Assert.Equal(stopsTxt, stops.GetProperty("numberMatched").GetInt32());
        // Uploading the same bytes again returns the stored feed.
        var again = await api.Writer().PostAsync("/feeds?name=again", new MultipartFormDataContent { { new ByteArrayContent(SampleFeed.Zip()), "file", "sample.zip" } });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(api.FeedId, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        // Something that is not a GTFS zip is refused by name.
        await Problem.AssertAsync(api.Writer().PostAsync("/feeds", new MultipartFormDataContent { { new ByteArrayContent("not a zip"u8.ToArray()), "file", "x.zip" } }),
            HttpStatusCode.UnprocessableEntity, "file");
    }
}
