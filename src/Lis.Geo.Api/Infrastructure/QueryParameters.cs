using Microsoft.OpenApi;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>
/// Query-string parameters: read the same way by every endpoint (ids, bounded whole numbers, flags,
/// coordinates — each refusing a bad value with a 400 that names the parameter), and declared for the
/// OpenAPI document where a handler reads them itself.
/// </summary>
public static class QueryParameters
{
    /// <summary>Declares query parameters the handler reads itself (see <see cref="OpenApiRules"/>).</summary>
    public static TBuilder WithQuery<TBuilder>(this TBuilder builder, params IEnumerable<QueryParameter> parameters) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var p in parameters) builder.WithMetadata(p);
        return builder;
    }

    public static readonly QueryParameter Lon = new("lon", "Longitude, WGS84 decimal degrees", JsonSchemaType.Number, Required: true, Example: "-1.8986");
    public static readonly QueryParameter Lat = new("lat", "Latitude, WGS84 decimal degrees", JsonSchemaType.Number, Required: true, Example: "52.4778");

    /// <summary>A required or optional id (a run, a feed); null when absent.</summary>
    public static long? Id(IQueryCollection q, string name)
    {
        var raw = q[name].ToString();
        if (raw.Length == 0) return null;
        return long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
            ? v : throw new Problems.BadParameterException(name, $"'{raw}' is not an id (a positive whole number).");
    }

    public static int Int(IQueryCollection q, string name, int fallback, int min, int max)
    {
        var raw = q[name].ToString();
        if (raw.Length == 0) return fallback;
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw new Problems.BadParameterException(name, max == int.MaxValue ? $"'{raw}' is not a whole number of at least {min}." : $"'{raw}' is not a whole number in {min}..{max}.");
        return v;
    }

    public static string? Nonempty(Microsoft.Extensions.Primitives.StringValues v) => v.ToString() is { Length: > 0 } s ? s : null;

    public static bool Flag(IQueryCollection q, string name) => q[name].ToString() switch
    {
        "" or "false" => false,
        "true" => true,
        var v => throw new Problems.BadParameterException(name, $"'{v}' is not true or false."),
    };

    /// <summary>A required WGS84 longitude or latitude query parameter.</summary>
    public static double Coordinate(HttpRequest req, string name, double max)
    {
        var raw = req.Query[name].ToString();
        if (raw.Length == 0)
            throw new Problems.BadParameterException(name, $"{name} is required (WGS84 decimal degrees).");
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || Math.Abs(v) > max)
            throw new Problems.BadParameterException(name, $"'{raw}' is not a {name} in -{max}..{max} (WGS84 decimal degrees; British National Grid eastings/northings are not accepted here).");
        return v;
    }
}
