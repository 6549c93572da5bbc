using System.Security.Cryptography;
using System.Text;
using Hangfire.Dashboard;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>
/// The Hangfire dashboard at /hangfire: only with the API key — in the X-API-Key header, or given
/// once as <c>?key=</c>, which sets an HTTP-only cookie holding an HMAC of the key (never the key
/// itself) and redirects to the dashboard without it in the address. Loopback is not trusted: behind
/// a reverse proxy on the same host every visitor is loopback. Its actions carry Hangfire's
/// anti-forgery token (AddAntiforgery), so a page elsewhere cannot trigger jobs with the cookie.
/// </summary>
public sealed class DashboardAccess : IDashboardAuthorizationFilter
{
    private const string Cookie = "lisgeo-dashboard";

    public const string Path = "/hangfire";

    public bool Authorize(DashboardContext context)
    {
        var http = context.GetHttpContext();
        if (ApiKey.IsAuthorised(http)) return true;
        var configured = http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.ApiKey;
        return configured.Length > 0 && http.Request.Cookies[Cookie] is { } cookie
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(cookie), Encoding.ASCII.GetBytes(Token(configured)));
    }

    /// <summary>
    /// <c>/hangfire?key=…</c>: the right key sets the cookie and redirects to the dashboard without the
    /// key in the address (so it stays out of history and logs); a wrong one is 401. Runs before the dashboard.
    /// </summary>
    public static IApplicationBuilder UseDashboardLogin(IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (!http.Request.Path.StartsWithSegments(Path) || http.Request.Query["key"].ToString() is not { Length: > 0 } given)
        {
            await next(http);
            return;
        }
        if (!ApiKey.Matches(http, given))
        {
            await ApiKey.Refusal(http).ExecuteAsync(http);
            return;
        }
        var configured = http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.ApiKey;
        http.Response.Cookies.Append(Cookie, Token(configured), new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps, Path = Path });
        http.Response.Redirect($"{http.Request.PathBase}{Path}/");
    });

    /// <summary>HMAC-SHA256 of a fixed label under the key: proves the key was shown, and reveals nothing of it; changing the key logs everyone out.</summary>
    private static string Token(string key) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), "lisgeo-dashboard-v1"u8));
}
