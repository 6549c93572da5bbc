using Lis.Geo.Analysis.Reports;

namespace Lis.Geo.Analysis.Tests.Reports;

public sealed class CorridorChangeTests
{
    private static CorridorFigures Figures(long run, int threshold, double population, double share, long dwellings, params (string Ref, double? Deprived)[] sites) =>
        new("c", "Corridor", 100, run, "2026-11-25", "07:00–10:00", threshold, 3, 50, 800, "lsoa11",
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
        Assert.Equal(0.1, change.CorridorShare, 12);
        Assert.Equal(0.1, change.ShareDifference, 12);
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
    public void A_site_without_catchment_figures_in_either_run_has_a_null_change()
    {
        var change = CorridorChange.Between(Figures(1, 45, 1, 0, 0, ("A", null)), Figures(2, 45, 1, 0, 0, ("A", 5)));
        Assert.Null(Assert.Single(change.EmploymentSites).DeprivedCatchmentPopulation);
    }
}
