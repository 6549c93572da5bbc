namespace Lis.Geo.Api.Features.Lookup;

/// <summary><c>GET /lookup?lon=&amp;lat=</c>: which LEP, authority, zones (with IMD decile) and corridors a point lies in.</summary>
public static class LookupApi
{
    public static IEndpointRouteBuilder MapLookup(this IEndpointRouteBuilder app)
    {
        app.MapGet("/lookup", async (HttpRequest req, NpgsqlDataSource db, CancellationToken ct) =>
            {
                var lon = QueryParameters.Coordinate(req, "lon", 180);
                var lat = QueryParameters.Coordinate(req, "lat", 90);
                return TypedResults.Ok(await PointLookup.FindAsync(db, lon, lat, ct));
            })
            .WithTags("Planner look-ups").WithProblems(400, 404)
            .WithQuery(QueryParameters.Lon, QueryParameters.Lat)
            .WithSummary("Which LEP, local authority, LSOA (with IMD decile, edition named) and corridor a point is in")
            .WithDescription("lon and lat in WGS84 decimal degrees, e.g. /lookup?lon=-1.8986&lat=52.4778 (Birmingham New Street).");
        return app;
    }
}
