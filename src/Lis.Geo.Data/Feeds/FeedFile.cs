using System.Security.Cryptography;

namespace Lis.Geo.Data.Feeds;

/// <summary>
/// A GTFS zip on this machine's disk, with its SHA-256 (hex) and length already known: the API
/// computes them while the upload streams in, the CLI by reading the file once. The caller owns the
/// file; the store only reads it.
/// </summary>
public sealed record FeedFile(string Path, string FileName, string Sha256, long Length)
{
    /// <summary>Hashes a file in one streaming pass (constant memory whatever its size).</summary>
    public static async Task<FeedFile> FromPathAsync(string path, CancellationToken ct)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var sha = await SHA256.HashDataAsync(stream, ct);
        return new FeedFile(path, System.IO.Path.GetFileName(path), Convert.ToHexStringLower(sha), stream.Length);
    }
}
