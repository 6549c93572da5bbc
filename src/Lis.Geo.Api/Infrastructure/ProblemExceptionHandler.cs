using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>
/// Writes every exception as a problem (<see cref="Problems.For"/>, the one mapping, plus the body
/// binder's and the database's own failures here): a rule broken becomes 400 naming the field, an
/// oversize body 413, an unreachable database 503 with Retry-After, anything unexpected a 500 without internals.
/// </summary>
public sealed partial class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    /// <summary>Seconds a client is asked to wait when the database is down or restarting.</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var result = Problems.For(exception, http) ?? Database(exception);
        if (result is null)
        {
            if (http.RequestAborted.IsCancellationRequested) return true;
            log.LogError(exception, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
            result = Problems.Result(Problems.ServerError, "An unexpected error occurred; it was logged and nothing was stored.");
        }
        else if (result is Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult { StatusCode: StatusCodes.Status503ServiceUnavailable })
        {
            log.LogWarning("Database unavailable on {Method} {Path}: {Message}", http.Request.Method, http.Request.Path, exception.Message);
            http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        await result.ExecuteAsync(http);
        return true;
    }

    /// <summary>
    /// The one mapping from the serializer's failures to problems, for every endpoint (the body binder's,
    /// and any endpoint that deserializes a member itself): named as the client wrote it ("$.minCentres" →
    /// "minCentres") and said in the client's words — "must be an integer", never a .NET type name.
    /// </summary>
    /// <remarks>
    /// The field is always the exception's <see cref="JsonException.Path"/>, and a syntax error is told by the
    /// reader's exception type. The message is read only for what the serializer puts nowhere else: which
    /// failure it is (an unknown member, missing required members, an unknown discriminator and a failed
    /// conversion are all a bare JsonException), the missing members' names, the discriminator sent, and the
    /// .NET type a value could not become.
    /// </remarks>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult BadJson(JsonException j)
    {
        var message = j.Message.Split(" Path:", 2)[0];
        var at = (j.Path ?? "$").TrimStart('$').TrimStart('.');
        if (IsSyntaxError(j))
            return Problems.Result(Problems.InvalidBody, $"The body is not valid JSON: {j.Message}", at.Length > 0 ? at : "body");
        // The path of an unknown member ends with the member itself ("$.window.bogus").
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal) && at.Length > 0)
            return Problems.Result(Problems.InvalidBody, $"Unknown member '{LastMember(at)}': this endpoint does not read it (check the spelling; GET /swagger lists the members).", at);
        if (message.Contains("missing required properties", StringComparison.Ordinal) && Quoted().Match(message) is { Success: true } missing)
        {
            var name = missing.Groups[1].Value;
            return Problems.Result(Problems.InvalidBody, $"'{name}' is required.", at.Length == 0 ? name : $"{at}.{name}");
        }
        if (message.Contains("unrecognized type discriminator", StringComparison.Ordinal) && Quoted().Match(message) is { Success: true } type)
        {
            // The only polymorphic body members are scenario modifications.
            var field = at.Length == 0 ? "type" : $"{at}.type";
            return Problems.Result(Problems.InvalidBody,
                $"{field}: '{type.Groups[1].Value}' is not a modification type; the types are {string.Join(", ", ModificationTypes)}.", field);
        }
        if (ConvertedTo().Match(message) is { Success: true } converted)
        {
            var wanted = Wanted(converted.Groups[1].Value);
            if (at.Length == 0)
                return Problems.Result(Problems.InvalidBody, wanted == "a JSON object" ? "Send a JSON object as the body ({…}), not an array, string or number." : $"The body must be {wanted}.", "body");
            // feedId, scenario, baseline …: an id is an integer, and the message says whose.
            var last = at.Split('.')[^1];
            if (wanted == "an integer" && last.EndsWith("Id", StringComparison.Ordinal) && last.Length > 2)
                wanted = $"a {Words(last[..^2])} id (an integer)";
            return Problems.Result(Problems.InvalidBody, $"{at} must be {wanted}.", at);
        }
        if (message.Contains("null", StringComparison.OrdinalIgnoreCase) && at.Length > 0)
            return Problems.Result(Problems.InvalidBody, $"{at} cannot be null; leave it out for the default.", at);
        return Problems.Result(Problems.InvalidBody, at.Length > 0 ? $"The body is not what this endpoint reads at {at}: {message}" : $"The body is not what this endpoint reads: {message}",
            at.Length > 0 ? at : "body");
    }

    /// <summary>Whether the text is not JSON at all: the reader's own exception, thrown bare (JsonDocument.Parse) or inside the serializer's.</summary>
    private static bool IsSyntaxError(JsonException j)
    {
        for (Exception? e = j; e is not null; e = e.InnerException)
            if (e.GetType().Name == "JsonReaderException") return true;
        return false;
    }

    /// <summary>The last member of a path without its "$": "window.bogus" → "bogus", "['odd name']" → "odd name".</summary>
    private static string LastMember(string at) =>
        at.EndsWith("']", StringComparison.Ordinal) && at.LastIndexOf("['", StringComparison.Ordinal) is var open and >= 0
            ? at[(open + 2)..^2]
            : at[(at.LastIndexOf('.') + 1)..];

    /// <summary>A .NET type of the serializer's message in JSON's words.</summary>
    private static string Wanted(string type)
    {
        var t = NullableOf().Match(type) is { Success: true } n ? n.Groups[1].Value : type;
        return t switch
        {
            "System.Int16" or "System.Int32" or "System.Int64" or "System.UInt16" or "System.UInt32" or "System.UInt64" or "System.Byte" => "an integer",
            "System.Double" or "System.Single" or "System.Decimal" => "a number",
            "System.Boolean" => "true or false",
            "System.String" => "a string (in quotes)",
            "System.DateOnly" => "a date (\"YYYY-MM-DD\")",
            "System.TimeOnly" => "a time (\"HH:MM\")",
            _ when t.EndsWith("[]", StringComparison.Ordinal) || t.Contains("List`1", StringComparison.Ordinal) || t.Contains("IEnumerable`1", StringComparison.Ordinal) => "an array",
            _ when t.Contains("Dictionary`2", StringComparison.Ordinal) => "a JSON object",
            _ => "a JSON object",
        };
    }

    /// <summary>"feed" → "feed", "deprivationEdition" → "deprivation edition".</summary>
    private static string Words(string camel) => CamelHump().Replace(camel, m => " " + m.Value.ToLowerInvariant());

    private static readonly string[] ModificationTypes =
    [
        .. System.Reflection.CustomAttributeExtensions.GetCustomAttributes<System.Text.Json.Serialization.JsonDerivedTypeAttribute>(typeof(Lis.Geo.Transit.Scenarios.Modification))
            .Select(a => (string)a.TypeDiscriminator!),
    ];

    [GeneratedRegex(@"could not be converted to (\S+?)\.?$")]
    private static partial Regex ConvertedTo();

    [GeneratedRegex(@"^System\.Nullable`1\[(.+)\]$")]
    private static partial Regex NullableOf();

    [GeneratedRegex("[A-Z]")]
    private static partial Regex CamelHump();

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex Quoted();

    /// <summary>
    /// Database failures that are not the server's bug: no connection (down, restarting, pool
    /// exhausted) is 503 with Retry-After; text PostgreSQL cannot take (a data exception, class 22)
    /// is the client's 400; a unique violation that slipped past a check is 409.
    /// </summary>
    private static IResult? Database(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException p when p.SqlState.StartsWith("22", StringComparison.Ordinal):
                    return Problems.Result(Problems.InvalidBody, $"A value cannot be stored: {p.MessageText}.", "body");
                case PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }:
                    return Problems.Result(Problems.Conflict, "A resource with this key already exists.", "id");
                case PostgresException p when p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState.StartsWith("57P", StringComparison.Ordinal)
                                              || p.SqlState == PostgresErrorCodes.TooManyConnections || p.SqlState == PostgresErrorCodes.CannotConnectNow
                                              // "database is not currently accepting connections" (being restored or moved)
                                              || (p.SqlState == PostgresErrorCodes.ObjectNotInPrerequisiteState && p.MessageText.Contains("accepting connections", StringComparison.Ordinal)):
                    return Unavailable();
                case PostgresException:
                    return null;
                case NpgsqlException { InnerException: System.Net.Sockets.SocketException or TimeoutException or IOException or EndOfStreamException }:
                case NpgsqlException when e.Message.Contains("connection", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("timeout", StringComparison.OrdinalIgnoreCase):
                    return Unavailable();
            }
        }
        return null;
    }

    private static IResult Unavailable() =>
        Problems.Result(Problems.ServiceUnavailable, $"The database cannot be reached just now; nothing was stored. Retry in {RetryAfterSeconds} s.");
}
