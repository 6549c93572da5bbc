using System.Buffers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>Reads request bodies (JSON and uploads) within limits, turning every failure into the right ProblemDetails.</summary>
public static class Body
{
    public static async Task<(JsonDocument? Json, IResult? Problem)> ReadJsonAsync(HttpRequest req, long maxBytes, CancellationToken ct)
    {
        if (req.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            && !type.StartsWith("application/geo+json", StringComparison.OrdinalIgnoreCase))
            return (null, Problems.Result(Problems.UnsupportedMediaType, $"Content-Type '{type}' is not accepted; send application/geo+json.", "Content-Type"));
        if (req.ContentLength > maxBytes)
            return (null, TooLarge(maxBytes));
        if (await ReadLimitedAsync(req.Body, maxBytes, ct) is not { } bytes)
            return (null, TooLarge(maxBytes));
        try
        {
            return (JsonDocument.Parse(bytes), null);
        }
        catch (JsonException e)
        {
            throw Unreadable(e);
        }
    }

    /// <summary>
    /// A body (or a member of it) that an endpoint parses itself and the serializer could not read, thrown as
    /// the body binder throws it, so <see cref="Problems.For"/> answers both alike. Only the body's own
    /// JSON is wrapped: a JsonException from anything else (stored JSON) stays the server's error.
    /// </summary>
    public static BadHttpRequestException Unreadable(JsonException e) =>
        new("The body could not be read as JSON.", StatusCodes.Status400BadRequest, e);

    public static IResult TooLarge(long maxBytes) =>
        Problems.Result(Problems.PayloadTooLarge, $"The body is larger than the limit of {maxBytes:N0} bytes.", "body");

    /// <summary>An upload that passed the limit while it streamed in (no Content-Length, or a false one): it was read no further.</summary>
    private static IResult TooLargeWhileReceiving(long maxBytes) =>
        Problems.Result(Problems.PayloadTooLarge, $"The upload passed the limit of {maxBytes:N0} bytes while arriving; it was read no further and nothing was stored.", "body");

    /// <summary>
    /// An uploaded file streamed to a temporary file: a multipart part named <c>file</c> (else the
    /// first part that is a file), or the raw body with <c>?fileName=</c>. It is hashed (SHA-256) as it
    /// is written and refused as soon as it passes <paramref name="max"/> bytes — a chunked body has no
    /// Content-Length to check first — so neither memory nor disk holds more than the limit. The
    /// caller disposes the result, which deletes the file. <paramref name="directory"/> holds the file (empty: the system temp folder).
    /// </summary>
    public static async Task<(TempUpload? Upload, IResult? Problem)> ReceiveUploadAsync(HttpRequest req, long max, string directory, CancellationToken ct)
    {
        if (req.ContentLength > max) return (null, TooLarge(max));
        if (!req.HasFormContentType)
        {
            var fileName = QueryParameters.Nonempty(req.Query["fileName"]) ?? "upload";
            var upload = await TempUpload.ReceiveAsync(req.Body, fileName, directory, max, ct);
            if (upload is null) return (null, TooLargeWhileReceiving(max));
            if (upload.Length > 0) return (upload, null);
            await upload.DisposeAsync();
            return (null, Problems.Result(Problems.InvalidBody, "The body is empty; send the file.", "file"));
        }

        if (!MediaTypeHeaderValue.TryParse(req.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 } boundary)
            return (null, Problems.Result(Problems.UnsupportedMediaType, "Send the file as multipart/form-data (with a boundary) in a part named 'file', or as the raw body.", "Content-Type"));

        // Parts are read as they arrive (ReadFormAsync would buffer every part first). The limit is on
        // the bytes of all parts together; this reader's own per-part limit is off so ours decides.
        var reader = new MultipartReader(boundary, req.Body, TempUpload.BufferSize) { BodyLengthLimit = null };
        TempUpload? candidate = null;
        var budget = max;
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                var disposition = section.GetContentDispositionHeader();
                var isFile = disposition is not null && disposition.IsFileDisposition();
                var isNamedFile = isFile && HeaderUtilities.RemoveQuotes(disposition!.Name).Value == "file";
                if (isNamedFile || (isFile && candidate is null))
                {
                    var name = HeaderUtilities.RemoveQuotes(disposition!.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    var upload = await TempUpload.ReceiveAsync(section.Body, name is { Length: > 0 } ? name : "upload", directory, budget, ct);
                    if (upload is null) return (null, TooLargeWhileReceiving(max));
                    budget -= upload.Length;
                    if (candidate is not null) await candidate.DisposeAsync();
                    candidate = upload;
                    if (isNamedFile) break;
                }
                else if ((budget -= await DrainAsync(section.Body, budget, ct)) < 0)
                    return (null, TooLargeWhileReceiving(max));
            }
            if (candidate is null) return (null, Problems.Result(Problems.InvalidBody, "The form has no file; send it in a part named 'file'.", "file"));
            if (candidate.Length == 0) return (null, Problems.Result(Problems.InvalidBody, "The file part is empty; send the file.", "file"));
            var received = candidate;
            candidate = null; // handed to the caller, who deletes it
            return (received, null);
        }
        catch (Exception e) when (e is InvalidDataException or (IOException and not BadHttpRequestException) && !ct.IsCancellationRequested)
        {
            // MultipartReader throws these for a malformed or truncated body; Kestrel's own 413
            // (BadHttpRequestException, an IOException) goes on to the exception handler.
            return (null, Problems.Result(Problems.InvalidBody, $"The multipart body is malformed: {e.Message}", "file"));
        }
        finally
        {
            // Whatever was received and not handed on (refused, malformed, aborted) is deleted here.
            if (candidate is not null) await candidate.DisposeAsync();
        }
    }

    /// <summary>Reads and discards a part that is not the file, counting its bytes (at most <paramref name="max"/> + 1).</summary>
    private static async Task<long> DrainAsync(Stream body, long max, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(TempUpload.BufferSize);
        try
        {
            long total = 0;
            int n;
            while ((n = await body.ReadAsync(buffer, ct)) > 0)
                if ((total += n) > max) break;
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The whole stream, or null as soon as it passes <paramref name="max"/> bytes (a chunked body has no Content-Length to check first).</summary>
    private static async Task<byte[]?> ReadLimitedAsync(Stream body, long max, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > max) return null;
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

}

/// <summary>
/// An upload on this machine's disk with its SHA-256 and length, deleted on dispose (the request
/// owns it). Written under a random name in the upload folder, never under a name the client chose.
/// </summary>
public sealed class TempUpload : IAsyncDisposable
{
    /// <summary>Copy buffer: 64 KB, below the large-object heap, rented from the shared pool.</summary>
    internal const int BufferSize = 1 << 16;

    private TempUpload(string path, string fileName, string sha256, long length)
    {
        Path = path;
        FileName = fileName;
        Sha256 = sha256;
        Length = length;
    }

    public string Path { get; }

    /// <summary>The client's name for the file (file name only; it is never used as a path here).</summary>
    public string FileName { get; }
    public string Sha256 { get; }
    public long Length { get; }

    /// <summary>Copies <paramref name="body"/> to a new file in <paramref name="directory"/> (empty: the system temp folder) while hashing it; null (and no file) once it passes <paramref name="max"/> bytes.</summary>
    public static async Task<TempUpload?> ReceiveAsync(Stream body, string fileName, string directory, long max, CancellationToken ct)
    {
        var folder = directory.Length > 0 ? directory : System.IO.Path.GetTempPath();
        Directory.CreateDirectory(folder);
        var path = System.IO.Path.Combine(folder, $"lisgeo-upload-{Guid.NewGuid():N}");
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        var kept = false;
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long total = 0;
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
            {
                int n;
                while ((n = await body.ReadAsync(buffer.AsMemory(0, BufferSize), ct)) > 0)
                {
                    if ((total += n) > max) return null;
                    hash.AppendData(buffer, 0, n);
                    await file.WriteAsync(buffer.AsMemory(0, n), ct);
                }
            }
            kept = true;
            return new TempUpload(path, System.IO.Path.GetFileName(fileName), Convert.ToHexStringLower(hash.GetHashAndReset()), total);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (!kept) File.Delete(path);
        }
    }

    public ValueTask DisposeAsync()
    {
        File.Delete(Path);
        return ValueTask.CompletedTask;
    }
}
