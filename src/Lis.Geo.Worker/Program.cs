using Lis.Geo.Data;
using Lis.Geo.Jobs;

// Lis.Geo.Worker: works analysis chunks from the shared Hangfire queue. Same configuration keys as
// the API (ConnectionStrings:LisGeo, Jobs:*); run several to split a regional run between machines.
var builder = Host.CreateApplicationBuilder(args);
var connectionString = builder.Configuration.GetConnectionString("LisGeo");
if (string.IsNullOrWhiteSpace(connectionString))
    throw new InvalidOperationException("No database configured. Set ConnectionStrings:LisGeo (environment variable ConnectionStrings__LisGeo).");
builder.Services.AddSingleton(_ => LisGeoDb.CreateDataSource(connectionString));
builder.Services.AddLisGeoJobs(builder.Configuration, connectionString, runServer: true);
builder.Build().Run();
