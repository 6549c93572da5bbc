using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

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
        var result = exception is BadHttpRequestException { InnerException: JsonException j } and not { StatusCode: StatusCodes.Status413PayloadTooLarge }
            ? BadJson(j)
            : Problems.For(exception, http) ?? Database(exception);
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
    /// A body the serializer could not bind, named as the client wrote it: a member of the wrong type
    /// ("$.minCentres" → "minCentres"), an unknown member ("thresholdMinute"), a missing required one.
    /// </summary>
    private static IResult BadJson(JsonException j)
    {
        var message = j.Message.Split(" Path:", 2)[0];
        var at = (j.Path ?? "$").TrimStart('$').TrimStart('.');
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal) && Quoted().Match(message) is { Success: true } unknown)
        {
            var name = unknown.Groups[1].Value;
            var field = at.Length == 0 || at == name || at.EndsWith("." + name, StringComparison.Ordinal) ? (at.Length == 0 ? name : at) : $"{at}.{name}";
            return Problems.Result(Problems.InvalidBody, $"Unknown member '{name}': this endpoint does not read it (check the spelling; GET /swagger lists the members).", field);
        }
        if (message.Contains("missing required properties", StringComparison.Ordinal) && Quoted().Match(message) is { Success: true } missing)
        {
            var name = missing.Groups[1].Value;
            return Problems.Result(Problems.InvalidBody, $"'{name}' is required.", at.Length == 0 ? name : $"{at}.{name}");
        }
        if (message.Contains("null", StringComparison.OrdinalIgnoreCase) && at.Length > 0)
            return Problems.Result(Problems.InvalidBody, $"{at} cannot be null; leave it out for the default.", at);
        return Problems.Result(Problems.InvalidBody, at.Length > 0 ? $"The body is not what this endpoint reads at {at}: {message}" : $"The body is not what this endpoint reads: {message}",
            at.Length > 0 ? at : "body");
    }

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
