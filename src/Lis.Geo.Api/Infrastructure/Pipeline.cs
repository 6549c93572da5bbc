using Lis.Geo.Api.Features.Ogc;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>Small pieces of the request pipeline that apply to every endpoint.</summary>
public static class Pipeline
{
    /// <summary>
    /// HEAD on every GET (GDAL's /vsicurl/ and link checkers ask for it): the request is routed as the GET
    /// and its headers are sent, the body is dropped.
    /// </summary>
    public static IApplicationBuilder UseHeadAsGet(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (HttpMethods.IsHead(context.Request.Method))
        {
            context.Request.Method = HttpMethods.Get;
            context.Response.Body = Stream.Null;
        }
        return next(context);
    });

    /// <summary>After any write that succeeded, cached layer lists, extents and counts are dropped (<see cref="OgcCatalogue"/>).</summary>
    public static IApplicationBuilder UseCatalogueInvalidation(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        await next(context);
        var method = context.Request.Method;
        if (!(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)) && context.Response.StatusCode < 400)
            context.RequestServices.GetRequiredService<OgcCatalogue>().Invalidate();
    });
}
