namespace Lis.Geo.Transit.Gtfs;

/// <summary>
/// A streaming RFC 4180 reader: fields may be quoted, quoted fields may hold commas, doubled
/// quotes and line breaks. One row is held at a time, so a 300 MB <c>stop_times.txt</c> is read
/// in constant memory; fields are exposed as spans to avoid a string per value on hot tables.
/// </summary>
public sealed class CsvReader : IDisposable
{
    private readonly TextReader _reader;
    private readonly char[] _input = new char[1 << 16];
    private int _inputPos;
    private int _inputLength;
    private char[] _row = new char[512];
    private int _rowLength;
    private int[] _starts = new int[32];
    private int[] _lengths = new int[32];
    private long _physicalLine = 1;

    private readonly InputLimits _limits;

    public CsvReader(TextReader reader, InputLimits? limits = null)
    {
        _reader = reader;
        _limits = limits ?? InputLimits.Current;
    }

    /// <summary>Fields in the current row.</summary>
    public int FieldCount { get; private set; }

    /// <summary>1-based physical line on which the current row starts.</summary>
    public long Line { get; private set; }

    public ReadOnlySpan<char> this[int field] =>
        field >= 0 && field < FieldCount ? _row.AsSpan(_starts[field], _lengths[field]) : [];

    /// <summary>Reads the next non-blank row; false at end of input.</summary>
    public bool ReadRow()
    {
        while (true)
        {
            Line = _physicalLine;
            var c = Next();
            if (c < 0) return false;
            if (c == '\n') { _physicalLine++; continue; }
            if (c == '\r') continue;
            _rowLength = 0;
            FieldCount = 0;
            ReadFields(c);
            return true;
        }
    }

    private void ReadFields(int c)
    {
        while (true)
        {
            BeginField();
            var quoted = false;
            while (true)
            {
                if (c < 0) { EndField(); return; }
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (Peek() == '"') { Next(); Append('"'); }
                        else quoted = false;
                    }
                    else
                    {
                        if (c == '\n') _physicalLine++;
                        Append((char)c);
                    }
                }
                else if (c == '"') quoted = true;
                else if (c == ',') { EndField(); break; }
                else if (c == '\n') { _physicalLine++; EndField(); return; }
                else if (c == '\r')
                {
                    if (Peek() == '\n') Next();
                    _physicalLine++;
                    EndField();
                    return;
                }
                else Append((char)c);
                c = Next();
            }
            c = Next();
        }
    }

    private void BeginField()
    {
        if (FieldCount == _starts.Length)
        {
            if (FieldCount >= _limits.MaxCsvFields)
                throw new InputLimitException($"The row on line {Line} has more than {_limits.MaxCsvFields:N0} fields (Limits:MaxCsvFields).");
            Array.Resize(ref _starts, FieldCount * 2);
            Array.Resize(ref _lengths, FieldCount * 2);
        }
        _starts[FieldCount] = _rowLength;
    }

    private void EndField()
    {
        var start = _starts[FieldCount];
        var length = _rowLength - start;
        // GTFS producers pad values ("  40.57835"); trimming here keeps ids and numbers comparable.
        while (length > 0 && _row[start] == ' ') { start++; length--; }
        while (length > 0 && _row[start + length - 1] == ' ') length--;
        _starts[FieldCount] = start;
        _lengths[FieldCount] = length;
        FieldCount++;
    }

    private void Append(char c)
    {
        if (_rowLength == _row.Length)
        {
            if (_rowLength >= _limits.MaxCsvRowChars)
                throw new InputLimitException($"The row on line {Line} is longer than {_limits.MaxCsvRowChars:N0} characters (Limits:MaxCsvRowChars); is a quote left open?");
            Array.Resize(ref _row, Math.Min(_row.Length * 2, _limits.MaxCsvRowChars));
        }
        _row[_rowLength++] = c;
    }

    private int Next()
    {
        if (_inputPos == _inputLength && !Fill()) return -1;
        return _input[_inputPos++];
    }

    private int Peek()
    {
        if (_inputPos == _inputLength && !Fill()) return -1;
        return _input[_inputPos];
    }

    private bool Fill()
    {
        _inputLength = _reader.Read(_input, 0, _input.Length);
        _inputPos = 0;
        return _inputLength > 0;
    }

    public void Dispose() => _reader.Dispose();
}
