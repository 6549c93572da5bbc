using Lis.Geo.Analysis.Reports;

namespace Lis.Geo.Analysis.Tests.Reports;

public sealed class CorridorChangeTests
{
    private static CorridorFigures Figures(long run, int threshold, double population, double share, long dwellings, params (string Ref, double? Deprived)[] sites) =>
        Figures(run, threshold, population, share, dwellings, "feed-a", sites);

    private static CorridorFigures Figures(long run, int threshold, double population, double share, long dwellings, string feed, params (string Ref, double? Deprived)[] sites) =>
        new("c", "Corridor", 100, run, "2026-11-25", "07:00–10:00", threshold, 3, 50, 800, "lsoa11", feed, "centres@v1", "rules-1",
            new Residents(2, population, [], 0, 0.25, 0, 0),
            new Housing(1, dwellings / 2, dwellings, 1, 0, 0),
            new EmploymentLand(1, 2.5, 100),
            new AccessComparison(new AccessGroup(2, population, share, share, 3), new AccessGroup(10, 5000, 0.4, 0.4, 2), share - 0.4, 1),
            sites.Select(s => new EmploymentSiteCatchment(s.Ref, null, true, 0, null, null, 1000, s.Deprived, 1, 3)).ToList(), CorridorFigures.MethodText);

    [Fact]
    public void The_change_is_later_minus_earlier_for_each_figure_and_for_sites_in_both()
    {
        var change = CorridorChange.Between(
            Figures(1, 45, 1000, 0.5, 100, ("A", 300), ("B", 50)),
            Figures(2, 45, 1100, 0.6, 160, ("A", 340), ("C", 10)));
        Assert.True(change.ComparableRules);
        Assert.Empty(change.RuleDifferences);
        Assert.Equal((1L, 2L), (change.FromRunId, change.ToRunId));
        Assert.Equal(100, change.Population);
        Assert.Equal(0.1, change.CorridorShare!.Value, 12);
        Assert.Equal(0.1, change.ShareDifference!.Value, 12);
        Assert.Equal(60, change.MaxDwellings);
        var site = Assert.Single(change.EmploymentSites); // B left, C is new: only A is in both
        Assert.Equal(("A", 40.0), (site.Reference, site.DeprivedCatchmentPopulation!.Value));
    }

    [Fact]
    public void Runs_with_different_rules_are_flagged_with_what_differs()
    {
        var change = CorridorChange.Between(Figures(1, 45, 1000, 0.5, 100), Figures(2, 30, 1000, 0.3, 100));
        Assert.False(change.ComparableRules);
        Assert.Equal(["thresholdMinutes: 45 → 30"], change.RuleDifferences);
    }

    [Fact]
    public void A_different_feed_is_a_different_rule()
    {
        var change = CorridorChange.Between(Figures(1, 45, 1000, 0.5, 100, "aaaaaaaaaaaaaaaa"), Figures(2, 45, 1000, 0.5, 100, "bbbbbbbbbbbbbbbb"));
        Assert.Equal(["feed: aaaaaaaaaaaa → bbbbbbbbbbbb"], change.RuleDifferences);
    }

    [Fact]
    public void Residents_without_an_IMD_value_are_left_out_of_the_deprived_share_and_reported_apart()
    {
        // 3,000 in decile 1, 1,000 in decile 5, 2,000 with no IMD: deprived share 3,000 / 4,000, not / 6,000.
        var r = Residents.From([(1, 2, 3000), (5, 1, 1000), (null, 1, 2000)]);
        Assert.Equal((4, 6000.0, 3000.0), (r.Zones, r.Population, r.MostDeprived20Population));
        Assert.Equal(0.75, r.MostDeprived20Share);
        Assert.Equal((1, 2000.0), (r.ZonesWithoutImd, r.PopulationWithoutImd));
        Assert.Equal([1, 5], r.ByImdDecile.Select(d => d.ImdDecile));
        Assert.Null(Residents.From([(null, 3, 500)]).MostDeprived20Share);
    }

    [Fact]
    public void A_group_with_no_residents_has_no_shares_and_no_difference()
    {
        var empty = AccessGroup.Of(0, 0, 0, 0, 0);
        Assert.Null(empty.Share);
        var comparison = AccessComparison.Of(empty, AccessGroup.Of(10, 1000, 400, 350, 2500));
        Assert.Null(comparison.ShareDifference);
        Assert.Equal(0.4, comparison.RestOfRegion.Share);
        Assert.Equal(2.5, comparison.RestOfRegion.MeanCentresReachable);
    }

    [Fact]
    public void A_site_without_catchment_figures_in_either_run_has_a_null_change()
    {
        var change = CorridorChange.Between(Figures(1, 45, 1, 0, 0, ("A", null)), Figures(2, 45, 1, 0, 0, ("A", 5)));
        Assert.Null(Assert.Single(change.EmploymentSites).DeprivedCatchmentPopulation);
    }
}
