using Microsoft.AspNetCore.Diagnostics;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>
/// Writes every exception as a problem (<see cref="Problems.For"/>, the one mapping): a rule broken
/// becomes 400 naming the field, an oversize body 413, anything unexpected a 500 without internals.
/// </summary>
public sealed class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var result = Problems.For(exception, http);
        if (result is null)
        {
            if (http.RequestAborted.IsCancellationRequested) return true;
            log.LogError(exception, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
            result = Problems.Result(Problems.ServerError, "An unexpected error occurred; it was logged and nothing was stored.");
        }
        await result.ExecuteAsync(http);
        return true;
    }
}
