using Hangfire;
using Lis.Geo.Api.Features.Accessibility;
using Lis.Geo.Api.Features.Analyses;
using Lis.Geo.Api.Features.Corridors;
using Lis.Geo.Api.Features.Editing;
using Lis.Geo.Api.Features.Feeds;
using Lis.Geo.Api.Features.Imports;
using Lis.Geo.Api.Features.Isochrones;
using Lis.Geo.Api.Features.Lookup;
using Lis.Geo.Api.Features.Map;
using Lis.Geo.Api.Features.Ogc;
using Lis.Geo.Api.Features.Processes;
using Lis.Geo.Api.Features.Scenarios;
using Lis.Geo.Api.Features.Schedules;
using Lis.Geo.Api.Features.Tiles;

var builder = WebApplication.CreateBuilder(args);

var connectionString = builder.Configuration.GetConnectionString("LisGeo");
if (string.IsNullOrWhiteSpace(connectionString))
    throw new InvalidOperationException(
        "No database configured. Set ConnectionStrings:LisGeo (environment variable ConnectionStrings__LisGeo), " +
        "e.g. \"Host=127.0.0.1;Port=5433;Database=lisgeo;Username=postgres\". scripts/run does this for you.");

builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section);
builder.Services.AddOptions<MapOptions>().BindConfiguration(MapOptions.Section);
builder.Services.AddOptions<TileCacheOptions>().BindConfiguration(TileCacheOptions.Section);
builder.Services.AddSingleton(sp => new TileCache(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<TileCacheOptions>>().Value.CacheMegabytes * 1024L * 1024L));
builder.Services.AddSingleton(_ => LisGeoDb.CreateDataSource(connectionString, autoPrepare: true));
builder.Services.AddHostedService<WarmUp>();
builder.Services.AddDbContext<LisGeoDbContext>(o => LisGeoDb.Configure((Microsoft.EntityFrameworkCore.DbContextOptionsBuilder<LisGeoDbContext>)o, connectionString));

// Analyses run as Hangfire jobs in the same PostgreSQL; this process also works them unless
// Jobs:RunServer is false (then src/Lis.Geo.Worker hosts do).
builder.Services.AddLisGeoJobs(builder.Configuration, connectionString,
    runServer: builder.Configuration.GetValue<bool?>($"{JobsOptions.Section}:{nameof(JobsOptions.RunServer)}") ?? true);

var maxUpload = builder.Configuration.GetValue<long?>($"{ApiOptions.Section}:{nameof(ApiOptions.MaxUploadBytes)}") ?? new ApiOptions().MaxUploadBytes;
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = maxUpload);
builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(f => f.MultipartBodyLengthLimit = maxUpload);

builder.AddEdge();
builder.Services.AddProblemDetails(Problems.Configure);
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.Services.AddSingleton<OgcCatalogue>();
builder.Services.AddOptions<Lis.Geo.Api.Infrastructure.CorsOptions>().BindConfiguration(Lis.Geo.Api.Infrastructure.CorsOptions.Section);
builder.Services.AddCors();
builder.Services.AddSingleton<Microsoft.AspNetCore.Cors.Infrastructure.ICorsPolicyProvider, CorsPolicies>();
builder.Services.AddResponseCompression(o =>
{
    o.EnableForHttps = true;
    o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProvider>();
    o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.GzipCompressionProvider>();
    o.MimeTypes = [.. Microsoft.AspNetCore.ResponseCompression.ResponseCompressionDefaults.MimeTypes,
        "application/geo+json", "application/schema+json", "application/problem+json", "application/vnd.oai.openapi+json", "text/csv"];
});
// Fastest: on a busy machine a GeoJSON page still shrinks ~5×, at a fraction of the CPU of the default level.
builder.Services.Configure<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Fastest);
builder.Services.Configure<Microsoft.AspNetCore.ResponseCompression.GzipCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Fastest);
builder.Services.AddEndpointsApiExplorer();
builder.Services.AddSwaggerGen(SwaggerSetup.Configure);

var app = builder.Build();

app.UseResponseCompression();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseHeadAsGet();
// Before routing, so a preflight is answered (204 with the policy's headers) whatever the endpoint's methods.
app.UseCors();
app.UseRouting();
app.UseCatalogueInvalidation();
app.UseSwagger();
app.UseSwaggerUI(o => o.DocumentTitle = "Lis.Geo API");
app.UseEdge();

app.MapOgc();
app.MapApiDefinition();
app.MapTiles();
app.MapMapPage();
app.MapEditing();
app.MapLookup();
app.MapCorridors();
app.MapCorridorAnalyses();
app.MapImports();
app.MapFeeds();
app.MapFeedQuality();
app.MapAnalyses();
app.MapGeographyCompare();
app.MapProcesses();
app.MapSchedules();
app.MapScenarios();
app.MapAccessibility();
app.MapIsochrones();
DashboardAccess.UseDashboardLogin(app);
app.UseHangfireDashboard(DashboardAccess.Path, new DashboardOptions
{
    Authorization = [new DashboardAccess()], DashboardTitle = "Lis.Geo jobs",
    // The dashboard is for operators with the key; it never shows where the database is.
    DisplayStorageConnectionString = false,
});
app.MapProblemDocs();

app.Run();

/// <summary>Entry point, public so the tests' WebApplicationFactory can host it.</summary>
public partial class Program;
