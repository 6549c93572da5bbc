using System.Text;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>
/// Checks a JSON body before any endpoint binds it: well-formed, strictly UTF-8, not nested deeper
/// than the limit, and no string (name or value) holding a NUL or an unpaired surrogate — text
/// PostgreSQL cannot store and the serializer cannot read. The first fault is named by its JSON path
/// (<c>request.name</c>, <c>geometry.coordinates[0]</c>), so the client is told where to look.
/// </summary>
public static class JsonBodyCheck
{
    public sealed record Fault(string Field, string Message);

    public static Fault? Find(ReadOnlySpan<byte> json, int maxDepth)
    {
        if (json.Length == 0) return null;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth });
        // The path to the current token: property names and array indexes.
        var path = new List<object>();
        var arrayIndex = new Stack<int>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var name = Text(ref reader, path, out var nameFault);
                        if (nameFault is not null) return nameFault;
                        SetLast(path, arrayIndex, name!);
                        break;
                    case JsonTokenType.StartObject:
                        NextElement(path, arrayIndex);
                        path.Add("");
                        arrayIndex.Push(-2);
                        break;
                    case JsonTokenType.StartArray:
                        NextElement(path, arrayIndex);
                        path.Add(-1);
                        arrayIndex.Push(-1);
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        arrayIndex.Pop();
                        break;
                    case JsonTokenType.String:
                        NextElement(path, arrayIndex);
                        Text(ref reader, path, out var valueFault);
                        if (valueFault is not null) return valueFault;
                        break;
                    default:
                        NextElement(path, arrayIndex);
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            var at = Path(path);
            return new Fault(at.Length == 0 ? "body" : at, $"The body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message.Split(" LineNumber:", 2)[0]}");
        }
        return null;
    }

    /// <summary>In an array, each value moves the index on; in an object the property name already set the path.</summary>
    private static void NextElement(List<object> path, Stack<int> arrayIndex)
    {
        if (arrayIndex.Count == 0 || arrayIndex.Peek() == -2) return;
        var i = arrayIndex.Pop() + 1;
        arrayIndex.Push(i);
        path[^1] = i;
    }

    private static void SetLast(List<object> path, Stack<int> arrayIndex, string name)
    {
        if (path.Count > 0 && arrayIndex.Count > 0 && arrayIndex.Peek() == -2) path[^1] = name;
    }

    private static string? Text(ref Utf8JsonReader reader, List<object> path, out Fault? fault)
    {
        fault = null;
        string text;
        try
        {
            text = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            fault = new Fault(FieldAt(path, reader.TokenType), "The text is not valid UTF-8 or holds an unpaired surrogate (\\uD800–\\uDFFF alone); send valid Unicode.");
            return null;
        }
        if (text.Contains('\0'))
            fault = new Fault(FieldAt(path, reader.TokenType), "The text holds a NUL character (\\u0000), which cannot be stored; remove it.");
        else if (!IsWellFormed(text))
            fault = new Fault(FieldAt(path, reader.TokenType), "The text holds an unpaired surrogate (\\uD800–\\uDFFF alone); send valid Unicode.");
        return text;
    }

    /// <summary>A property name's fault is at the object holding it; a value's at the value itself.</summary>
    private static string FieldAt(List<object> path, JsonTokenType token)
    {
        var p = Path(path);
        return p.Length == 0 ? "body" : p;
    }

    private static bool IsWellFormed(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]))
            {
                if (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1])) return false;
                i++;
            }
            else if (char.IsLowSurrogate(s[i])) return false;
        }
        return true;
    }

    /// <summary>"request", "cutoffs[2]", "geometry.coordinates[0][1]".</summary>
    private static string Path(List<object> path)
    {
        var sb = new StringBuilder();
        foreach (var part in path)
        {
            switch (part)
            {
                case string s when s.Length > 0:
                    if (sb.Length > 0) sb.Append('.');
                    sb.Append(s);
                    break;
                case int i when i >= 0:
                    sb.Append('[').Append(i).Append(']');
                    break;
            }
        }
        return sb.ToString();
    }
}
