using System.Buffers;
using System.Text;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>
/// Writes GeoJSON that PostGIS has already rendered feature by feature, straight to the response
/// (no object model in between), with the RFC 7946 media type and the OGC <c>Content-Crs</c> header.
/// </summary>
public sealed class GeoJsonResult(Func<Stream, CancellationToken, Task> write, string contentCrs) : IResult
{
    public const string MediaType = "application/geo+json";

    public async Task ExecuteAsync(HttpContext http)
    {
        http.Response.ContentType = MediaType;
        http.Response.Headers["Content-Crs"] = $"<{contentCrs}>";
        // Features arrive one by one; buffering sends a page in a few large chunks instead of one per feature.
        await using var buffered = new BufferedStream(http.Response.Body, 64 * 1024);
        await write(buffered, http.RequestAborted);
        await buffered.FlushAsync(http.RequestAborted);
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 through a pooled array: a page is one write per feature, each a few kB.</summary>
    public static async Task WriteAsync(Stream body, string text, CancellationToken ct)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var n = Encoding.UTF8.GetBytes(text, bytes);
            await body.WriteAsync(bytes.AsMemory(0, n), ct);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}

/// <summary>
/// A write-only in-memory stream on arrays of the shared pool, given back on dispose. A page of 100 zones is
/// about 150 kB: a <see cref="MemoryStream"/> would put it on the large-object heap several times per request
/// (each doubling, then <c>ToArray</c>), and under load that garbage is collected in costly gen-2 passes.
/// </summary>
public sealed class PooledBufferStream : Stream
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _length;

    /// <summary>What was written; valid until the stream is disposed.</summary>
    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_length + buffer.Length > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(2 * _buffer.Length, _length + buffer.Length));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
        buffer.CopyTo(_buffer.AsSpan(_length));
        _length += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    protected override void Dispose(bool disposing)
    {
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _length = 0;
        base.Dispose(disposing);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

// ----- Schema-only types: they tell Swagger (and its readers) the GeoJSON shapes the API returns. -----

/// <summary>An RFC 7946 geometry: <c>type</c> and nested <c>coordinates</c>.</summary>
public sealed record GeoJsonGeometry(string Type, object Coordinates);

/// <summary>An RFC 7946 Feature.</summary>
public sealed record GeoJsonFeature(string Type, string? Id, GeoJsonGeometry Geometry, Dictionary<string, object?> Properties);

/// <summary>One feature as <c>/items/{featureId}</c> returns it: an RFC 7946 Feature with its OGC links (self, collection).</summary>
public sealed record GeoJsonFeatureWithLinks(string Type, string? Id, GeoJsonGeometry Geometry, Dictionary<string, object?> Properties, IReadOnlyList<Link> Links);

/// <summary>An RFC 7946 FeatureCollection with the OGC API – Features paging members.</summary>
public sealed record GeoJsonFeatureCollection(string Type, IReadOnlyList<GeoJsonFeature> Features, long NumberMatched, int NumberReturned, string TimeStamp, IReadOnlyList<Link> Links);
