using System.Net;
using System.Text;
using Lis.Geo.Api.Tests.Features.Analyses;
using Lis.Geo.Data.Feeds;
using Lis.Geo.Data.Importing;

namespace Lis.Geo.Api.Tests.Edge;

/// <summary>The sample region and feed with Limits:MaxDestinations = 3 (the sample has 7 centres: 3 town, 3 strategic, 1 city); no Hangfire server.</summary>
public sealed class DestinationLimitFixture : ApiFixture
{
    public const int MaxDestinations = 3;

    protected override IEnumerable<(string Key, string Value)> Settings =>
        [("Jobs:RunServer", "false"), ("Limits:MaxDestinations", MaxDestinations.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    protected override async Task LoadAsync(Importer importer) =>
        await new FeedStore(Db).ImportAsync("sample", "sample-gtfs.zip", SampleFeed.Zip(), null, default);
}

/// <summary>
/// Limits:MaxDestinations over real HTTP and PostGIS: a run that would route to more destinations than
/// the limit is 400 naming the member that chose them, with nothing stored (no run, point, chunk, outbox
/// row or Hangfire job); within the limit the same request is accepted; minCentres is bounded by it too.
/// </summary>
public sealed class DestinationLimitTests(DestinationLimitFixture api) : IClassFixture<DestinationLimitFixture>
{
    private const string Counts = """
        SELECT (SELECT count(*) FROM analysis_run) || '/' || (SELECT count(*) FROM analysis_chunk) || '/' || (SELECT count(*) FROM analysis_point) || '/' ||
               (SELECT count(*) FROM analysis_work) || '/' || (SELECT count(*) FROM hangfire.job)
        """;

    private Task<HttpResponseMessage> PostAsync(string json) =>
        api.Writer().PostAsync("/analyses", new StringContent(json, Encoding.UTF8, "application/json"));

    [Fact]
    public async Task A_run_to_more_destinations_than_the_limit_is_400_naming_centreKind_and_stores_nothing()
    {
        var centres = await api.ScalarAsync<long>("SELECT count(*) FROM centre");
        Assert.True(centres > DestinationLimitFixture.MaxDestinations, $"the sample has {centres} centres");
        var before = await api.ScalarAsync<string>(Counts);
        var p = await Problem.AssertAsync(PostAsync("""{"type":"zone-access","serviceDate":"2026-11-25"}"""), HttpStatusCode.BadRequest, "centreKind");
        var detail = p.GetProperty("detail").GetString()!;
        Assert.Contains($"route to {centres:N0} destinations", detail);
        Assert.Contains("Limits:MaxDestinations", detail);
        Assert.Equal(before, await api.ScalarAsync<string>(Counts));
    }

    [Fact]
    public async Task The_same_run_narrowed_to_the_limit_is_accepted()
    {
        var towns = await api.ScalarAsync<long>("SELECT count(*) FROM centre WHERE kind = 'town'");
        Assert.Equal(DestinationLimitFixture.MaxDestinations, (int)towns);
        var runs = await api.ScalarAsync<long>("SELECT count(*) FROM analysis_run");
        var response = await PostAsync("""{"type":"zone-access","serviceDate":"2026-11-25","centreKind":"town"}""");
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        Assert.Equal(runs + 1, await api.ScalarAsync<long>("SELECT count(*) FROM analysis_run"));
        Assert.Equal(towns, await api.ScalarAsync<long>(
            "SELECT count(*) FROM analysis_point WHERE run_id = (SELECT max(id) FROM analysis_run) AND NOT is_origin"));
    }

    [Fact]
    public async Task MinCentres_above_the_limit_is_400_naming_minCentres_and_stores_nothing()
    {
        var before = await api.ScalarAsync<string>(Counts);
        await Problem.AssertAsync(PostAsync($$"""{"type":"zone-access","serviceDate":"2026-11-25","centreKind":"town","minCentres":{{DestinationLimitFixture.MaxDestinations + 1}}}"""),
            HttpStatusCode.BadRequest, "minCentres");
        Assert.Equal(before, await api.ScalarAsync<string>(Counts));
    }
}
