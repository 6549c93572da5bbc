using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Lis.Geo.Api.Infrastructure;
using Lis.Geo.Data.Feeds;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace Lis.Geo.Api.Tests.Features.Feeds;

/// <summary>Uploads up to the default limit (256 MB).</summary>
public sealed class BigUploadsFixture : UploadsFixture
{
    public override long Limit => 256L * 1024 * 1024;
}

/// <summary>
/// What the API does with an upload — receive it (<see cref="Body.ReceiveUploadAsync"/>) and store
/// it (<see cref="FeedStore"/>) — run on a request whose body is a file stream, so the bytes counted
/// are the server's own (the in-memory test transport allocates several times the body on its side
/// and would hide them). Used here and by the shared-data test that reports the New York figure.
/// </summary>
public static class UploadPipeline
{
    public sealed record Measured(long Feed, string Sha256, long Bytes, long Allocated, TimeSpan Elapsed);

    /// <summary>Receives <paramref name="bodyPath"/> as a request body (raw with ?fileName=, or the multipart body it holds) and stores it.</summary>
    public static async Task<Measured> RunAsync(UploadsFixture api, string bodyPath, string? multipartBoundary)
    {
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var body = new FileStream(bodyPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        var http = new DefaultHttpContext();
        http.Request.Method = "POST";
        http.Request.Body = body;
        if (multipartBoundary is null)
        {
            http.Request.ContentType = "application/zip";
            http.Request.QueryString = new QueryString("?fileName=" + Path.GetFileName(bodyPath));
        }
        else http.Request.ContentType = $"multipart/form-data; boundary={multipartBoundary}";
        var (upload, problem) = await Body.ReceiveUploadAsync(http.Request, api.Limit, api.UploadDirectory, default);
        Assert.Null(problem);
        await using (upload)
        {
            var (feed, created) = await new FeedStore(api.Db).ImportAsync("measured", new FeedFile(upload!.Path, upload.FileName, upload.Sha256, upload.Length), null, default);
            Assert.True(created);
            return new Measured(feed.Id, feed.Sha256, upload.Length, GC.GetTotalAllocatedBytes(precise: true) - before, clock.Elapsed);
        }
    }

    /// <summary>
    /// Runs the pipeline once on a tiny feed of its own, so what is measured next is the upload and not
    /// the one-off cost of a first call (JIT, EF's model, Npgsql's type mappings: a few MB).
    /// </summary>
    public static async Task WarmUpAsync(UploadsFixture api, string tag)
    {
        Directory.CreateDirectory(api.CacheDirectory);
        var zip = Path.Combine(api.CacheDirectory, $"warm-up-{tag}.zip");
        await File.WriteAllBytesAsync(zip, TinyFeed.Zip($"warm-up {tag}"));
        await RunAsync(api, zip, null);
    }

    /// <summary>Writes <paramref name="zipPath"/> wrapped as a multipart/form-data body with one part named 'file'.</summary>
    public static async Task<string> WriteMultipartAsync(string zipPath, string bodyPath, string boundary)
    {
        await using var body = File.Create(bodyPath);
        await body.WriteAsync(Encoding.ASCII.GetBytes(
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nfirst a field\r\n" +
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{Path.GetFileName(zipPath)}\"\r\nContent-Type: application/zip\r\n\r\n"));
        await using (var zip = File.OpenRead(zipPath)) await zip.CopyToAsync(body);
        await body.WriteAsync(Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n"));
        return bodyPath;
    }

    public static async Task<string> ShaOfFileAsync(string path)
    {
        await using var read = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(read));
    }
}

/// <summary>
/// The upload path streams — body → temporary file (hashed on the way) → bytea column — so what the
/// server allocates does not grow with the upload. The feed is the tiny one plus a 32 MB entry of
/// random bytes stored uncompressed, which the GTFS reader never opens: every byte of it travels the
/// upload path and nothing else.
/// </summary>
public sealed class FeedUploadMemoryTests(BigUploadsFixture api, ITestOutputHelper output) : IClassFixture<BigUploadsFixture>
{
    private const int PaddingBytes = 32 * 1024 * 1024;

    private async Task<string> PaddedZipAsync(string tag)
    {
        Directory.CreateDirectory(api.CacheDirectory);
        var zip = Path.Combine(api.CacheDirectory, $"padded-{tag}.zip");
        await using var file = File.Create(zip);
        using var archive = new ZipArchive(file, ZipArchiveMode.Create);
        foreach (var (name, text) in TinyFeed.Files(tag))
        {
            await using var w = new StreamWriter(archive.CreateEntry(name).Open(), new UTF8Encoding(false));
            await w.WriteAsync(text);
        }
        await using var padding = archive.CreateEntry("padding.bin", CompressionLevel.NoCompression).Open();
        var block = new byte[1 << 20];
        for (var i = 0; i < PaddingBytes / block.Length; i++)
        {
            RandomNumberGenerator.Fill(block);
            await padding.WriteAsync(block);
        }
        return zip;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_32_MB_upload_is_received_and_stored_whole_allocating_a_fraction_of_its_size(bool multipart)
    {
        var zip = await PaddedZipAsync(multipart ? "multipart" : "raw");
        var sha = await UploadPipeline.ShaOfFileAsync(zip);
        var body = multipart ? await UploadPipeline.WriteMultipartAsync(zip, zip + ".multipart", "lisgeo-boundary") : zip;

        await UploadPipeline.WarmUpAsync(api, multipart ? "multipart" : "raw");
        var run = await UploadPipeline.RunAsync(api, body, multipart ? "lisgeo-boundary" : null);
        output.WriteLine($"{(multipart ? "multipart" : "raw")} upload of {run.Bytes:N0} bytes: {run.Allocated:N0} bytes allocated receiving and storing it, {run.Elapsed.TotalSeconds:F1} s");

        Assert.Equal((sha, new FileInfo(zip).Length), (run.Sha256, run.Bytes));
        Assert.Equal(sha, await api.ScalarAsync<string>("SELECT encode(sha256(content), 'hex') FROM transit_feed_file WHERE feed_id = $1", run.Feed));
        // Buffering the body once (a byte[], or a MemoryStream that doubles as it grows) would alone
        // allocate the padding's 32 MB or more; streamed, the cost is the readers' fixed buffers (~6 MB).
        Assert.True(run.Allocated < PaddingBytes / 2, $"{run.Allocated:N0} bytes allocated for a {run.Bytes:N0}-byte upload");
        Assert.Empty(api.LeftoverUploads());
    }
}
