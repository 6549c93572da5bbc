using Microsoft.AspNetCore.Diagnostics;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>
/// Maps exceptions to the problem catalogue: a bad parameter becomes 400 naming the field, an
/// oversize body 413, anything unexpected a 500 without internals. Every error body is ProblemDetails.
/// </summary>
public sealed class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var result = exception switch
        {
            Problems.BadParameterException e => Problems.Result(Problems.InvalidParameter, e.Message, e.Field),
            Problems.ProblemException e => Problems.Result(e.Type, e.Message, e.Field),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => Problems.Result(Problems.PayloadTooLarge,
                "The body is larger than this server accepts (Api:MaxUploadBytes).", "body"),
            // A body member of the wrong type: name it as the client wrote it ("$.minCentres" → "minCentres").
            BadHttpRequestException { InnerException: System.Text.Json.JsonException { Path: { Length: > 2 } path } j } =>
                Problems.Result(Problems.InvalidBody, $"The body is not what this endpoint reads at {path}: {j.Message.Split(" Path:", 2)[0]}", path.TrimStart('$', '.')),
            BadHttpRequestException e => Problems.Result(Problems.InvalidBody, e.Message, "body"),
            OperationCanceledException when http.RequestAborted.IsCancellationRequested => null,
            _ => null,
        };
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
