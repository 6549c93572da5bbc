using Lis.Geo.Analysis;

namespace Lis.Geo.Analysis.Tests;

/// <summary>Merging an origin's parts over destination groups (runs split by destination groups).</summary>
public sealed class ZoneAccessCombineTests
{
    [Fact]
    public void Centres_reachable_add_up_and_a_minute_meets_the_target_from_the_groups_together()
    {
        // Three minutes. Group 1 reaches 2 centres (at p50) and has 1, 0, 2 centres within the threshold
        // at the minutes; group 2 reaches 1 and has 1, 1, 0. Together: 2, 1, 2 centres at the minutes, so
        // with minCentres 2 the first and last minutes meet the target; neither group alone meets it at minute 1.
        var (reachable, meeting, departures) = ZoneAccess.Combine([(2, [1, 0, 2]), (1, [1, 1, 0])], minCentres: 2);
        Assert.Equal((3, 2, 3), (reachable, meeting, departures));
        Assert.Equal((2, 1, 3), ZoneAccess.Combine([(2, [1, 0, 2])], minCentres: 2));
    }

    [Fact]
    public void Groups_disagreeing_on_the_window_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ZoneAccess.Combine([(0, [0, 0]), (0, [0, 0, 0])], minCentres: 1));
        Assert.Throws<ArgumentException>(() => ZoneAccess.Combine([], minCentres: 1));
    }
}
