using Lis.Geo.Analysis.Reports;
using Lis.Geo.Data.Analyses;

namespace Lis.Geo.Jobs.Tests;

/// <summary>Definitions that Data (for SQL) and Analysis (for C#) each hold because neither may reference the other.</summary>
public sealed class IndicatorTests
{
    [Fact]
    public void The_store_and_the_corridor_figures_count_the_same_deciles_as_most_deprived() =>
        Assert.Equal(Indicators.MostDeprivedDeciles, Residents.MostDeprivedDeciles);
}
