using Lis.Geo.Transit.Routing;

namespace Lis.Geo.Transit.Tests.Routing;

public sealed class PercentilesTests
{
    [Theory]
    // n = 180 (a 07:00–10:00 window): index ceil(p·180/100) − 1 → p5: 8, p25: 44, p50: 89, p75: 134, p95: 170, p100: 179.
    [InlineData(5, 8)]
    [InlineData(25, 44)]
    [InlineData(50, 89)]
    [InlineData(75, 134)]
    [InlineData(95, 170)]
    [InlineData(100, 179)]
    [InlineData(1, 1)]
    public void Nearest_rank_index_is_ceil_p_n_over_100_minus_1(int percentile, int expectedIndex)
    {
        var values = Enumerable.Range(0, 180).ToArray();
        Assert.Equal(expectedIndex, Percentiles.NearestRank(values, percentile));
    }

    [Fact]
    public void Window_parses_and_excludes_its_end()
    {
        var window = DepartureWindow.Parse("07:00-10:00");
        Assert.Equal((25200, 36000, 180), (window.StartSeconds, window.EndSeconds, window.Count));
        Assert.Equal(35940, window.DepartureAt(179));
    }
}
