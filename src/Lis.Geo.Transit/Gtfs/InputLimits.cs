namespace Lis.Geo.Transit.Gtfs;

/// <summary>
/// How far compressed input may inflate and how long a CSV row may grow, checked while streaming so
/// a decompression bomb (a 1.2 MB zip of 9 GB) or a single endless line costs at most the limit, not
/// the machine's memory. Process-wide: the hosts set <see cref="Current"/> once from configuration
/// (section "Limits"); readers of GTFS zips, gzipped imports and CSV files all obey it.
/// </summary>
public sealed record InputLimits
{
    /// <summary>Most bytes one compressed entry (a zip table, a .gz file) may inflate to.</summary>
    public long MaxInflatedBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>
    /// Most inflated bytes per compressed byte. Real GTFS and GeoJSON compress 3–20×; bombs, 1000× and more.
    /// </summary>
    public int MaxInflateRatio { get; init; } = 50;

    /// <summary>Longest CSV row, in characters (a real row has hundreds).</summary>
    public int MaxCsvRowChars { get; init; } = 1024 * 1024;

    /// <summary>Most fields in one CSV row.</summary>
    public int MaxCsvFields { get; init; } = 4096;

    /// <summary>
    /// Most rows (CSV records or GeoJSON features) in one file imported into a dataset (not GTFS tables,
    /// which stream into compact arrays). An import validates every row before it writes any, so it holds
    /// them all; this bounds that memory (a few hundred bytes a row) whatever the file compresses to. Real
    /// files are far smaller: 188,880 output areas, 35,672 LSOAs in England and Wales.
    /// </summary>
    public int MaxImportRows { get; init; } = 250_000;

    public static InputLimits Current { get; set; } = new();

    /// <summary>The inflated bytes allowed for an entry that is <paramref name="compressedBytes"/> long.</summary>
    public long InflatedBudget(long compressedBytes) =>
        Math.Min(MaxInflatedBytes, Math.Max(1024 * 1024, compressedBytes) * MaxInflateRatio);
}

/// <summary>Input that passed an <see cref="InputLimits"/> bound; a readable refusal, never a crash.</summary>
public sealed class InputLimitException(string message) : Exception(message);

/// <summary>A decompressing stream counted as it is read: past its budget it throws <see cref="InputLimitException"/>.</summary>
public sealed class InflateLimitStream(Stream inner, long budget, string what) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));
    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => Count(await inner.ReadAsync(buffer, ct));
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int n)
    {
        if ((_read += n) > budget)
            throw new InputLimitException($"{what} inflates to more than {budget:N0} bytes (Limits:MaxInflatedBytes, Limits:MaxInflateRatio); it was read no further.");
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
