using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Lis.Geo.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running host or database.</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<LisGeoDbContext>
{
    public LisGeoDbContext CreateDbContext(string[] args) =>
        new(LisGeoDb.Configure(new DbContextOptionsBuilder<LisGeoDbContext>(), "Host=localhost;Database=lisgeo_design").Options);
}
