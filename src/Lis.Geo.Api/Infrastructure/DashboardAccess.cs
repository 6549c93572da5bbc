using Hangfire.Dashboard;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>
/// The Hangfire dashboard at /hangfire: open to requests from this machine (loopback), otherwise
/// only with the API key (header, or <c>?key=</c> once, remembered in an HTTP-only cookie). Never
/// open to remote anonymous users.
/// </summary>
public sealed class DashboardAccess : IDashboardAuthorizationFilter
{
    private const string Cookie = "lisgeo-dashboard";

    public bool Authorize(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var remote = http.Connection.RemoteIpAddress;
        if (remote is not null && System.Net.IPAddress.IsLoopback(remote)) return true;
        if (ApiKey.IsAuthorised(http)) return true;
        var key = http.Request.Query["key"].ToString() is { Length: > 0 } q ? q : http.Request.Cookies[Cookie];
        if (key is null || !ApiKey.Matches(http, key)) return false;
        http.Response.Cookies.Append(Cookie, key, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps, Path = "/hangfire" });
        return true;
    }
}
