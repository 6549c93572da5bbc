using System.Text;

namespace Lis.Geo.Data.Importing;

/// <summary>
/// A streaming RFC 4180 reader: quoted fields, doubled quotes, line breaks inside quotes, CRLF or
/// LF, UTF-8 with or without BOM. Yields each record with the 1-based line it starts on so that
/// issues can point at the row a person sees in a spreadsheet.
/// </summary>
public sealed class CsvReader(TextReader reader)
{
    private int _line = 1;

    public IEnumerable<(int Line, string[] Fields)> ReadRecords()
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        while (true)
        {
            var start = _line;
            fields.Clear();
            if (!ReadRecord(fields, field))
                yield break;
            if (fields.Count == 1 && fields[0].Length == 0)
                continue; // blank line
            yield return (start, fields.ToArray());
        }
    }

    private bool ReadRecord(List<string> fields, StringBuilder field)
    {
        field.Clear();
        var inQuotes = false;
        var any = false;
        while (true)
        {
            var c = reader.Read();
            if (c < 0)
            {
                if (!any) return false;
                fields.Add(field.ToString());
                return true;
            }
            any = true;
            var ch = (char)c;
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                    else inQuotes = false;
                }
                else
                {
                    if (ch == '\n') _line++;
                    field.Append(ch);
                }
                continue;
            }
            switch (ch)
            {
                case '"' when field.Length == 0:
                    inQuotes = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    _line++;
                    fields.Add(field.ToString());
                    return true;
                default:
                    field.Append(ch);
                    break;
            }
        }
    }
}
