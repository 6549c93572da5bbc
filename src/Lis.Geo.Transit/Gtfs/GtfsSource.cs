using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Lis.Geo.Transit.TransXChange;

namespace Lis.Geo.Transit.Gtfs;

/// <summary>
/// A GTFS feed on disk, either a .zip or a folder of .txt tables. Tables are opened as streams
/// and read row by row; nothing is extracted to disk. A TransXChange document, or a zip of them, is
/// recognised by its content (whatever its file name) and read through its conversion to GTFS
/// tables (<see cref="TransXChangeFeed"/>), made in memory the first time a table is opened.
/// </summary>
public sealed class GtfsSource
{
    private readonly Lazy<TransXChangeFeed>? _transXChange;

    private GtfsSource(string path, bool isZip, bool isTransXChange)
    {
        Path = path;
        IsZip = isZip;
        IsTransXChange = isTransXChange;
        if (isTransXChange) _transXChange = new Lazy<TransXChangeFeed>(ConvertTransXChange);
    }

    public string Path { get; }
    public bool IsZip { get; }

    /// <summary>The file is TransXChange XML (or a zip of TransXChange files) rather than GTFS.</summary>
    public bool IsTransXChange { get; }

    /// <summary>Problems found while converting TransXChange (none for GTFS); the compiler reports them first.</summary>
    public IReadOnlyList<FeedIssue> ConversionIssues => _transXChange?.Value.Issues ?? [];

    /// <summary>How many problems converting found, counting those <see cref="ConversionIssues"/> leaves out.</summary>
    public int ConversionIssueCount => _transXChange?.Value.IssueCount ?? 0;

    public static GtfsSource Open(string path)
    {
        if (Directory.Exists(path)) return new GtfsSource(System.IO.Path.GetFullPath(path), isZip: false, isTransXChange: false);
        if (!File.Exists(path)) throw new FileNotFoundException($"No GTFS zip or folder at '{path}'.", path);
        var full = System.IO.Path.GetFullPath(path);
        return LooksLikeXml(full) ? new GtfsSource(full, isZip: false, isTransXChange: true)
            : new GtfsSource(full, isZip: true, isTransXChange: IsTransXChangeZip(full));
    }

    /// <summary>The file's first non-blank character (after any byte-order mark) is '&lt;'.</summary>
    private static bool LooksLikeXml(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        int c;
        while ((c = reader.Read()) >= 0 && char.IsWhiteSpace((char)c)) { }
        return c == '<';
    }

    /// <summary>A zip without stops.txt that holds .xml entries. A file that is not a zip at all is left to fail when a table is read.</summary>
    private static bool IsTransXChangeZip(string path)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            return !zip.Entries.Any(e => e.Name.Equals(GtfsFiles.Stops, StringComparison.OrdinalIgnoreCase))
                   && zip.Entries.Any(e => e.Name.EndsWith(".xml", StringComparison.OrdinalIgnoreCase));
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    private TransXChangeFeed ConvertTransXChange()
    {
        if (!IsZip) return TransXChangeFeed.Convert([(System.IO.Path.GetFileName(Path), () => File.OpenRead(Path))], prefixIds: false);
        using var zip = ZipFile.OpenRead(Path);
        var entries = zip.Entries.Where(e => e.Name.EndsWith(".xml", StringComparison.OrdinalIgnoreCase)).OrderBy(e => e.FullName, StringComparer.Ordinal).ToList();
        return TransXChangeFeed.Convert(entries.Select(e => (e.FullName, (Func<Stream>)e.Open)), prefixIds: entries.Count > 1);
    }

    /// <summary>
    /// SHA-256 over the feed's bytes (the zip or TransXChange file, or each table of a folder by name),
    /// hex. It keys the compiled-timetable cache, so an edited feed never reuses a stale compilation.
    /// </summary>
    public string ComputeHash()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (File.Exists(Path))
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
        if (_transXChange is not null)
            return _transXChange.Value.Tables.TryGetValue(fileName, out var text) ? new GtfsTable(fileName, new CsvReader(new StringReader(text))) : null;
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
    public bool RequireColumns(FeedIssueLog issues, params string[] names)
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
