using Lis.Geo.Data;
using Lis.Geo.Jobs;

// Lis.Geo.Worker: works analysis chunks from the shared Hangfire queue. Same configuration keys as
// the API (ConnectionStrings:LisGeo, Jobs:*); run several to split a regional run between machines.
var builder = Host.CreateApplicationBuilder(args);
var connectionString = builder.Configuration.GetConnectionString("LisGeo");
if (string.IsNullOrWhiteSpace(connectionString))
{
    // A configuration mistake, not a crash: say what to set and exit with 2 (usage), not an unhandled exception's 134.
    Console.Error.WriteLine("Lis.Geo.Worker: no database configured. Set ConnectionStrings:LisGeo (environment variable " +
        "ConnectionStrings__LisGeo), e.g. ConnectionStrings__LisGeo=\"Host=127.0.0.1;Port=5433;Database=lisgeo;Username=postgres\".");
    return 2;
}
builder.Services.AddSingleton(_ => LisGeoDb.CreateDataSource(connectionString));
builder.Services.AddLisGeoJobs(builder.Configuration, connectionString, runServer: true);
builder.Build().Run();
return 0;
