using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Lis.Geo.Transit.Gtfs;

/// <summary>
/// A GTFS feed on disk, either a .zip or a folder of .txt tables. Tables are opened as streams
/// and read row by row; nothing is extracted to disk.
/// </summary>
public sealed class GtfsSource
{
    private GtfsSource(string path, bool isZip)
    {
        Path = path;
        IsZip = isZip;
    }

    public string Path { get; }
    public bool IsZip { get; }

    public static GtfsSource Open(string path)
    {
        if (Directory.Exists(path)) return new GtfsSource(System.IO.Path.GetFullPath(path), isZip: false);
        if (File.Exists(path)) return new GtfsSource(System.IO.Path.GetFullPath(path), isZip: true);
        throw new FileNotFoundException($"No GTFS zip or folder at '{path}'.", path);
    }

    /// <summary>
    /// SHA-256 over the feed's bytes (the zip, or each table of a folder by name), hex. It keys
    /// the compiled-timetable cache, so an edited feed never reuses a stale compilation.
    /// </summary>
    public string ComputeHash()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (IsZip)
        {
            using var stream = File.OpenRead(Path);
            AppendStream(sha, stream);
        }
        else
        {
            foreach (var file in Directory.EnumerateFiles(Path, "*.txt").Order(StringComparer.Ordinal))
            {
                sha.AppendData(Encoding.UTF8.GetBytes(System.IO.Path.GetFileName(file)));
                using var stream = File.OpenRead(file);
                AppendStream(sha, stream);
            }
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static void AppendStream(IncrementalHash sha, Stream stream)
    {
        var buffer = new byte[1 << 16];
        int read;
        while ((read = stream.Read(buffer)) > 0) sha.AppendData(buffer, 0, read);
    }

    /// <summary>Opens a table for reading, or returns null when the feed does not have it.</summary>
    internal GtfsTable? OpenTable(string fileName)
    {
        Stream stream;
        if (IsZip)
        {
            var zip = ZipFile.OpenRead(Path);
            // Tables may sit in a single top-level folder inside the zip; match on the entry's name.
            var entry = zip.Entries.FirstOrDefault(e => e.Name.Equals(fileName, StringComparison.OrdinalIgnoreCase));
            if (entry is null)
            {
                zip.Dispose();
                return null;
            }
            var limits = InputLimits.Current;
            stream = new OwnedStream(new InflateLimitStream(entry.Open(), limits.InflatedBudget(entry.CompressedLength), $"{entry.FullName} of the zip"), zip);
        }
        else
        {
            var file = System.IO.Path.Combine(Path, fileName);
            if (!File.Exists(file)) return null;
            stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        // UTF-8 with or without BOM; StreamReader drops the BOM when present.
        var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        return new GtfsTable(fileName, new CsvReader(reader));
    }

    /// <summary>A zip entry stream that also closes its archive.</summary>
    private sealed class OwnedStream(Stream inner, IDisposable owner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                owner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}

/// <summary>One table: its header mapped to column positions (columns may come in any order), then rows.</summary>
internal sealed class GtfsTable : IDisposable
{
    private readonly Dictionary<string, int> _columns = new(StringComparer.Ordinal);

    public GtfsTable(string fileName, CsvReader reader)
    {
        FileName = fileName;
        Row = reader;
        if (!reader.ReadRow()) return;
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var name = reader[i].Trim('\uFEFF').ToString();
            _columns.TryAdd(name, i);
        }
    }

    public string FileName { get; }
    public CsvReader Row { get; }

    /// <summary>The position of <paramref name="name"/>, or -1 when the column is absent.</summary>
    public int Column(string name) => _columns.GetValueOrDefault(name, -1);

    /// <summary>
    /// Positions of columns the caller cannot do without; reports each missing one and returns
    /// false so the caller skips the table instead of failing.
    /// </summary>
    public bool RequireColumns(ICollection<FeedIssue> issues, params string[] names)
    {
        var ok = true;
        foreach (var name in names)
        {
            if (_columns.ContainsKey(name)) continue;
            issues.Add(new FeedIssue(IssueSeverity.Error, IssueCodes.MissingColumn, FileName, 1, $"required column '{name}' is missing; the table is skipped."));
            ok = false;
        }
        return ok;
    }

    public bool ReadRow() => Row.ReadRow();

    public void Dispose() => Row.Dispose();
}
