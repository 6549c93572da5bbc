using Lis.Geo.Analysis;
using Lis.Geo.Data.Analyses;
using Lis.Geo.Data.Model;
using Lis.Geo.Transit;
using Lis.Geo.Transit.Routing;

namespace Lis.Geo.Jobs.Tests;

/// <summary>The run specification: resolved once with every default, stored and read back unchanged, and re-issuable as a request.</summary>
public sealed class RunSpecTests
{
    private static readonly TransitFeed Feed = new()
    {
        Id = 7, Name = "f", FileName = "f.zip", Sha256 = "abc123", SizeBytes = 1, ImportedAt = DateTimeOffset.UnixEpoch,
    };

    private static RunSpec Resolve(AnalysisRequest request)
    {
        var (routing, access) = request.Check();
        return request.Resolve(Feed, new DateOnly(2026, 11, 25), routing, access);
    }

    [Fact]
    public void An_empty_request_resolves_to_the_documented_defaults()
    {
        var spec = Resolve(new AnalysisRequest());
        Assert.Equal(AnalysisTypes.ZoneAccess, spec.Type);
        Assert.Equal([new RunFeed(7, "abc123")], spec.Feeds);
        Assert.Equal(new AccessRules(2700, 3, 50), spec.Access);
        Assert.Equal(DepartureWindow.Parse("07:00-10:00"), spec.Routing.Window);
        Assert.Equal(1.33, spec.Routing.WalkSpeed);
        Assert.Equal([5, 25, 50, 75, 95], spec.Routing.Percentiles);
        Assert.Equal(3, spec.PercentilePosition); // p50 is the third stored percentile
        Assert.Null(spec.SiteSet);
        Assert.Null(spec.NearMeters);
        Assert.Equal([ResultLayer.Zones, ResultLayer.Housing], spec.ResultLayers);
    }

    [Fact]
    public void The_stored_json_reads_back_to_an_equal_spec_with_its_window_kind()
    {
        var spec = Resolve(new AnalysisRequest { Type = AnalysisTypes.Corridor, Window = "08:00-09:30", WalkSpeed = 1.1, MaxRides = 3, Percentiles = [10, 50], MinCentres = 2 });
        var json = spec.ToJson();
        Assert.Contains("\"kind\":\"departure\"", json, StringComparison.Ordinal);
        Assert.Contains("\"departures\":90", json, StringComparison.Ordinal);
        var back = RunSpec.FromJson(json);
        Assert.Equal(json, back.ToJson());
        Assert.Equal(spec.Routing, back.Routing with { Percentiles = spec.Routing.Percentiles });
        Assert.Equal(spec.Routing.Percentiles, back.Routing.Percentiles);
        Assert.Equal("employment-sites", back.SiteSet);
        Assert.Equal(800, back.NearMeters);
        Assert.Equal([ResultLayer.Zones, ResultLayer.Housing, ResultLayer.Sites], back.ResultLayers);

        var arrival = RunSpec.FromJson(json.Replace("\"kind\":\"departure\"", "\"kind\":\"arrival\"", StringComparison.Ordinal));
        Assert.Equal(WindowKind.Arrival, arrival.Routing.WindowKind);
    }

    [Fact]
    public void The_request_a_run_view_shows_recreates_the_same_spec()
    {
        var spec = Resolve(new AnalysisRequest { Type = AnalysisTypes.Isochrones, Lon = -1.9, Lat = 52.48, Cutoffs = [20, 40], Percentile = 25 });
        var again = Resolve(AnalysisRequest.From(spec));
        Assert.Equal(spec.ToJson(), again.ToJson());
        Assert.Equal([ResultLayer.Isochrones], again.ResultLayers);
        Assert.Null(again.SiteSet); // a point origin routes from no site set
    }

    [Theory]
    [InlineData("thresholdMinutes", RuleKind.Invalid)]
    [InlineData("walkSpeed", RuleKind.Invalid)]
    [InlineData("percentile", RuleKind.Conflict)]
    [InlineData("window", RuleKind.Invalid)]
    public void A_bad_rule_names_the_request_member_and_its_kind(string field, string kind)
    {
        var request = field switch
        {
            "thresholdMinutes" => new AnalysisRequest { ThresholdMinutes = 0 },
            "walkSpeed" => new AnalysisRequest { WalkSpeed = 0 },
            "percentile" => new AnalysisRequest { Percentiles = [50], Percentile = 90 },
            _ => new AnalysisRequest { Window = "soon" },
        };
        var v = Assert.Throws<RuleViolation>(() => request.Check());
        Assert.Equal((field, kind), (v.Field, v.Kind));
    }

    [Fact]
    public void Access_rules_become_the_analysis_parameters_unchanged() =>
        Assert.Equal(new AccessParameters { ThresholdSeconds = 1800, MinCentres = 2, Percentile = 75 }, new AccessRules(1800, 2, 75).Parameters());
}
