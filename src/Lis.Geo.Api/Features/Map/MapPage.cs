using Microsoft.Extensions.FileProviders;

namespace Lis.Geo.Api.Features.Map;

/// <summary>Section "Map": the planners' map at <c>/map</c>.</summary>
public sealed class MapOptions
{
    public const string Section = "Map";

    /// <summary>
    /// A MapLibre style URL drawn under the layers (e.g. an OpenMapTiles style) for users who are online;
    /// empty (the default) keeps the map offline, with the region's district boundaries as the base.
    /// </summary>
    public string BasemapStyleUrl { get; set; } = "";
}

/// <summary>
/// Serves the planners' map: <c>/map</c> (the page), <c>/map/config.json</c> (its settings) and its
/// files, which the build copies beside the assemblies (map/, with MapLibre GL JS from npm under
/// map/vendor), so the page needs nothing from the internet.
/// </summary>
public static class MapPage
{
    private static string Folder => Path.Combine(AppContext.BaseDirectory, "map");

    public static WebApplication MapMapPage(this WebApplication app)
    {
        if (!File.Exists(Path.Combine(Folder, "vendor", "maplibre-gl", "maplibre-gl.js")))
            app.Logger.LogWarning("The /map page's files are missing from {Folder}; build the API with npm installed (it runs npm ci in src/Lis.Geo.Api/map).", Folder);
        Directory.CreateDirectory(Folder);
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(Folder), RequestPath = "/map" });
        app.MapGet("/map", () => Results.File(Path.Combine(Folder, "index.html"), "text/html; charset=utf-8"))
            .WithTags("Map").WithSummary("The planners' map (HTML): a run's zones, the deprivation overlay, sites, centres, corridors, routes; ?run={id} picks the run");
        // Browsers ask for /favicon.ico on every page (the API's landing page, Swagger, the dashboard): the map's icon answers.
        app.MapGet("/favicon.ico", () => Results.File(Path.Combine(Folder, "favicon.svg"), "image/svg+xml")).ExcludeFromDescription();
        app.MapGet("/map/config.json", (IOptions<MapOptions> options) => Results.Ok(new { basemapStyleUrl = options.Value.BasemapStyleUrl }))
            .WithTags("Map").WithSummary("Settings of the map page (Map:BasemapStyleUrl)");
        return app;
    }
}
