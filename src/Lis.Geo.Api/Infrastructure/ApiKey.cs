using System.Security.Cryptography;
using System.Text;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>Guards write endpoints with the configured API key (header <c>X-API-Key</c>). Reads stay public.</summary>
public static class ApiKey
{
    public const string Header = "X-API-Key";

    /// <summary>
    /// Marks the endpoint as a write: <see cref="EdgeGuards"/> checks the key before the body is read
    /// (an endpoint filter would run only after binding had parsed it); the filter stays as a second lock.
    /// </summary>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiKeyRequiredMetadata()).AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            return IsAuthorised(http) ? await next(context) : Refusal(http);
        });

    public static bool IsAuthorised(HttpContext http) => Matches(http, http.Request.Headers[Header].ToString());

    /// <summary>Whether <paramref name="given"/> is the configured key; never true when none is configured.</summary>
    public static bool Matches(HttpContext http, string given)
    {
        var configured = http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.ApiKey;
        // Fixed-time comparison so the key cannot be guessed byte by byte from response timings.
        return configured.Length > 0 && given.Length > 0
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(configured), Encoding.UTF8.GetBytes(given));
    }

    public static IResult Refusal(HttpContext http)
    {
        var configured = http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.ApiKey;
        return Problems.Result(Problems.Unauthorized, configured.Length == 0
            ? "Writes are disabled on this server: no API key is configured (set Auth:ApiKey, e.g. the environment variable Auth__ApiKey)."
            : http.Request.Headers[Header].ToString().Length > 0
                ? $"The API key in the {Header} header is wrong; send the key this server is configured with (Auth:ApiKey; ask its operator)."
                : $"Send the API key in the {Header} header.", Header);
    }
}
