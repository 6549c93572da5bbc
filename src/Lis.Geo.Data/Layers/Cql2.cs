using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Lis.Geo.Data.Layers;

/// <summary>
/// OGC CQL2 (OGC API – Features Part 3 filters) in the two encodings, cql2-text and cql2-json, parsed
/// into one small tree and translated to a parameterised SQL condition over a <see cref="Layer"/>.
/// Supported: comparisons (= &lt;&gt; &lt; &lt;= &gt; &gt;=), [NOT] LIKE, [NOT] BETWEEN, [NOT] IN, IS [NOT] NULL,
/// AND/OR/NOT, CASEI, TRUE/FALSE, and the spatial functions S_INTERSECTS, S_DISJOINT, S_EQUALS,
/// S_TOUCHES, S_CROSSES, S_WITHIN, S_CONTAINS, S_OVERLAPS with a property and a WKT, GeoJSON or BBOX
/// literal. Property names are checked against the layer's queryables and become the layer's own SQL
/// expressions; every literal becomes a parameter, so a filter can never change the statement's shape.
/// </summary>
public static class Cql2
{
    /// <summary>Refusals of a filter: the message says what and where; the API answers 400 naming <c>filter</c>.</summary>
    public sealed class Cql2Exception(string message) : Exception(message);

    /// <summary>Limits checked while parsing, so a hostile filter costs little: characters, nesting and nodes.</summary>
    public const int MaxLength = 16_384, MaxDepth = 40, MaxNodes = 1_000;

    // ----- the tree -----
    public abstract record Node;
    public sealed record And(IReadOnlyList<Node> Args) : Node;
    public sealed record Or(IReadOnlyList<Node> Args) : Node;
    public sealed record Not(Node Arg) : Node;
    public sealed record Compare(string Op, Scalar Left, Scalar Right) : Node;
    public sealed record Like(Scalar Value, Scalar Pattern) : Node;
    public sealed record Between(Scalar Value, Scalar Low, Scalar High) : Node;
    public sealed record In(Scalar Value, IReadOnlyList<Scalar> List) : Node;
    public sealed record IsNull(Scalar Value) : Node;
    public sealed record Spatial(string Function, Geom Left, Geom Right) : Node;
    /// <summary>A boolean on its own: TRUE, FALSE or a boolean property.</summary>
    public sealed record BooleanValue(Scalar Value) : Node;

    public abstract record Scalar;
    public sealed record Property(string Name) : Scalar;
    public sealed record Literal(object Value) : Scalar;
    public sealed record CaseI(Scalar Arg) : Scalar;

    public abstract record Geom;
    public sealed record GeomProperty(string Name) : Geom;
    public sealed record WktLiteral(string Wkt) : Geom;
    public sealed record GeoJsonLiteral(string Json) : Geom;
    public sealed record BboxLiteral(double[] Box) : Geom;

    private static readonly Dictionary<string, string> SpatialFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["s_intersects"] = "ST_Intersects", ["s_disjoint"] = "ST_Disjoint", ["s_equals"] = "ST_Equals", ["s_touches"] = "ST_Touches",
        ["s_crosses"] = "ST_Crosses", ["s_within"] = "ST_Within", ["s_contains"] = "ST_Contains", ["s_overlaps"] = "ST_Overlaps",
    };

    private static readonly string[] GeometryKeywords =
        ["POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"];

    // ======================================================================================
    // cql2-text
    // ======================================================================================

    /// <summary>Parses a cql2-text expression (the <c>filter</c> parameter with <c>filter-lang=cql2-text</c>).</summary>
    public static Node ParseText(string text)
    {
        if (text.Length > MaxLength) throw new Cql2Exception($"The filter is longer than {MaxLength:N0} characters.");
        var p = new TextParser(text);
        var node = p.ParseOr(0);
        p.SkipSpace();
        if (!p.AtEnd) throw p.Error("unexpected text after the end of the expression");
        return node;
    }

    private sealed class TextParser(string s)
    {
        private int _pos, _nodes;
        public bool AtEnd => _pos >= s.Length;

        public Cql2Exception Error(string what) =>
            new($"cql2-text: {what} at character {_pos + 1} (near '{Near()}').");

        private string Near() => _pos >= s.Length ? "end of filter" : s.Substring(_pos, Math.Min(20, s.Length - _pos));

        private void Count()
        {
            if (++_nodes > MaxNodes) throw new Cql2Exception($"The filter has more than {MaxNodes} terms.");
        }

        public void SkipSpace()
        {
            while (_pos < s.Length && char.IsWhiteSpace(s[_pos])) _pos++;
        }

        /// <summary>Consumes a keyword (case-insensitive, whole word) if it is next.</summary>
        private bool Keyword(string word)
        {
            SkipSpace();
            if (_pos + word.Length > s.Length || string.Compare(s, _pos, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) != 0) return false;
            var end = _pos + word.Length;
            if (end < s.Length && (char.IsLetterOrDigit(s[end]) || s[end] == '_')) return false;
            _pos = end;
            return true;
        }

        private bool Symbol(string sym)
        {
            SkipSpace();
            if (string.CompareOrdinal(s, _pos, sym, 0, sym.Length) != 0) return false;
            _pos += sym.Length;
            return true;
        }

        private void Expect(string sym)
        {
            if (!Symbol(sym)) throw Error($"expected '{sym}'");
        }

        private static void Depth(int depth)
        {
            if (depth > MaxDepth) throw new Cql2Exception($"The filter nests deeper than {MaxDepth} levels.");
        }

        public Node ParseOr(int depth)
        {
            Depth(depth);
            var args = new List<Node> { ParseAnd(depth) };
            while (Keyword("OR")) args.Add(ParseAnd(depth));
            return args.Count == 1 ? args[0] : new Or(args);
        }

        private Node ParseAnd(int depth)
        {
            var args = new List<Node> { ParseNot(depth) };
            while (Keyword("AND")) args.Add(ParseNot(depth));
            return args.Count == 1 ? args[0] : new And(args);
        }

        private Node ParseNot(int depth)
        {
            Count();
            if (Keyword("NOT")) { Depth(depth + 1); return new Not(ParseNot(depth + 1)); }
            return ParsePrimary(depth);
        }

        private Node ParsePrimary(int depth)
        {
            SkipSpace();
            var start = _pos;
            if (Symbol("("))
            {
                // A parenthesised boolean expression; a parenthesised scalar is not part of this subset.
                var inner = ParseOr(depth + 1);
                Expect(")");
                return inner;
            }
            _pos = start;
            if (PeekIdentifier() is { } fn && SpatialFunctions.ContainsKey(fn))
            {
                Keyword(fn);
                Expect("(");
                var a = ParseGeom();
                Expect(",");
                var b = ParseGeom();
                Expect(")");
                return new Spatial(fn.ToLowerInvariant(), a, b);
            }
            var left = ParseScalar();
            if (Keyword("IS"))
            {
                var negated = Keyword("NOT");
                if (!Keyword("NULL")) throw Error("expected NULL after IS");
                Node n = new IsNull(left);
                return negated ? new Not(n) : n;
            }
            var not = Keyword("NOT");
            if (Keyword("LIKE")) return Negate(new Like(left, ParseScalar()), not);
            if (Keyword("BETWEEN"))
            {
                var low = ParseScalar();
                if (!Keyword("AND")) throw Error("expected AND in BETWEEN");
                return Negate(new Between(left, low, ParseScalar()), not);
            }
            if (Keyword("IN"))
            {
                Expect("(");
                var list = new List<Scalar> { ParseScalar() };
                while (Symbol(",")) { Count(); list.Add(ParseScalar()); }
                Expect(")");
                return Negate(new In(left, list), not);
            }
            if (not) throw Error("expected LIKE, BETWEEN or IN after NOT");
            SkipSpace();
            foreach (var op in new[] { "<>", "<=", ">=", "=", "<", ">" })
                if (Symbol(op)) return new Compare(op, left, ParseScalar());
            return new BooleanValue(left);
        }

        private T SkipSpaceThen<T>(Func<T> parse)
        {
            SkipSpace();
            if (AtEnd) throw Error("expected a number");
            return parse();
        }

        private static Node Negate(Node n, bool not) => not ? new Not(n) : n;

        private string? PeekIdentifier()
        {
            SkipSpace();
            var i = _pos;
            while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] == '_')) i++;
            return i > _pos && char.IsAsciiLetter(s[_pos]) ? s[_pos..i] : null;
        }

        private Scalar ParseScalar()
        {
            Count();
            SkipSpace();
            if (AtEnd) throw Error("expected a property or a value");
            var c = s[_pos];
            if (c == '\'') return new Literal(ParseString());
            if (char.IsAsciiDigit(c) || c is '-' or '+' or '.') return new Literal(ParseNumber());
            if (c == '"')
            {
                var end = s.IndexOf('"', _pos + 1);
                if (end < 0) throw Error("unterminated quoted property name");
                var name = s[(_pos + 1)..end];
                _pos = end + 1;
                return new Property(name);
            }
            var id = PeekIdentifier() ?? throw Error("expected a property or a value");
            if (Keyword("TRUE")) return new Literal(true);
            if (Keyword("FALSE")) return new Literal(false);
            if (id.Equals("CASEI", StringComparison.OrdinalIgnoreCase))
            {
                Keyword(id);
                Expect("(");
                var arg = ParseScalar();
                Expect(")");
                return new CaseI(arg);
            }
            if (id.Equals("DATE", StringComparison.OrdinalIgnoreCase) || id.Equals("TIMESTAMP", StringComparison.OrdinalIgnoreCase))
                throw Error("temporal literals are not supported: no collection has a queryable date property");
            _pos += id.Length;
            SkipSpace();
            if (!AtEnd && s[_pos] == '(') throw Error($"unknown function '{id}'");
            return new Property(id);
        }

        private string ParseString()
        {
            var sb = new StringBuilder();
            _pos++; // opening quote
            while (true)
            {
                if (_pos >= s.Length) throw Error("unterminated string");
                if (s[_pos] == '\'')
                {
                    if (_pos + 1 < s.Length && s[_pos + 1] == '\'') { sb.Append('\''); _pos += 2; continue; }
                    _pos++;
                    return sb.ToString();
                }
                sb.Append(s[_pos++]);
            }
        }

        private object ParseNumber()
        {
            var start = _pos;
            if (s[_pos] is '-' or '+') _pos++;
            while (_pos < s.Length && (char.IsAsciiDigit(s[_pos]) || s[_pos] == '.')) _pos++;
            if (_pos < s.Length && s[_pos] is 'e' or 'E')
            {
                _pos++;
                if (_pos < s.Length && s[_pos] is '-' or '+') _pos++;
                while (_pos < s.Length && char.IsAsciiDigit(s[_pos])) _pos++;
            }
            var text = s[start.._pos];
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return l;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return d;
            _pos = start;
            throw Error($"'{text}' is not a number");
        }

        private Geom ParseGeom()
        {
            Count();
            SkipSpace();
            if (PeekIdentifier() is { } id)
            {
                if (id.Equals("BBOX", StringComparison.OrdinalIgnoreCase))
                {
                    Keyword(id);
                    Expect("(");
                    var values = new List<double> { Number() };
                    while (Symbol(",")) values.Add(Number());
                    Expect(")");
                    return new BboxLiteral(CheckBox(values));
                }
                if (GeometryKeywords.Any(k => k.Equals(id, StringComparison.OrdinalIgnoreCase)))
                {
                    // The WKT runs from the keyword to its matching parenthesis; PostGIS reads it (and the API
                    // has PostGIS check it before the query runs, so a malformed one is a 400, not an error).
                    var start = _pos;
                    _pos += id.Length;
                    SkipSpace();
                    if (Keyword("EMPTY")) return new WktLiteral(s[start.._pos]);
                    if (AtEnd || s[_pos] != '(') throw Error("expected '(' in the WKT geometry");
                    var depth = 0;
                    do
                    {
                        if (s[_pos] == '(') depth++;
                        else if (s[_pos] == ')') depth--;
                        else if (!(char.IsAsciiDigit(s[_pos]) || char.IsWhiteSpace(s[_pos]) || s[_pos] is ',' or '.' or '-' or '+' or 'e' or 'E'
                                   || char.IsAsciiLetterUpper(char.ToUpperInvariant(s[_pos]))))
                            throw Error($"unexpected '{s[_pos]}' in the WKT geometry");
                        if (depth > MaxDepth) throw Error("the WKT geometry nests too deeply");
                        _pos++;
                    } while (depth > 0 && _pos < s.Length);
                    if (depth != 0) throw Error("unbalanced parentheses in the WKT geometry");
                    return new WktLiteral(s[start.._pos]);
                }
            }
            var scalar = ParseScalar();
            return scalar is Property p ? new GeomProperty(p.Name) : throw Error("expected a geometry property, a WKT geometry or BBOX(...)");
        }

        private double Number() => SkipSpaceThen(ParseNumber) switch
        {
            long l => l,
            double d => d,
            _ => throw Error("expected a number"),
        };
    }

    private static double[] CheckBox(IReadOnlyList<double> v)
    {
        if (v.Count != 4) throw new Cql2Exception("BBOX takes four numbers: minx, miny, maxx, maxy (2D only).");
        if (v[0] > v[2] || v[1] > v[3]) throw new Cql2Exception("BBOX: minx must not exceed maxx, nor miny maxy.");
        return [.. v];
    }

    // ======================================================================================
    // cql2-json
    // ======================================================================================

    /// <summary>Parses a cql2-json expression (the <c>filter</c> parameter with <c>filter-lang=cql2-json</c>).</summary>
    public static Node ParseJson(string json)
    {
        if (json.Length > MaxLength) throw new Cql2Exception($"The filter is longer than {MaxLength:N0} characters.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth * 3 });
        }
        catch (JsonException e)
        {
            throw new Cql2Exception($"cql2-json: the filter is not valid JSON: {e.Message}");
        }
        using (doc)
        {
            var nodes = 0;
            return new JsonParser(() => { if (++nodes > MaxNodes) throw new Cql2Exception($"The filter has more than {MaxNodes} terms."); }).Boolean(doc.RootElement, 0);
        }
    }

    private sealed class JsonParser(Action count)
    {
        private static Cql2Exception Error(string what) => new($"cql2-json: {what}.");

        public Node Boolean(JsonElement e, int depth)
        {
            count();
            if (depth > MaxDepth) throw new Cql2Exception($"The filter nests deeper than {MaxDepth} levels.");
            if (e.ValueKind is JsonValueKind.True or JsonValueKind.False) return new BooleanValue(new Literal(e.GetBoolean()));
            if (e.ValueKind != JsonValueKind.Object) throw Error($"expected an object with \"op\" and \"args\", got {e.ValueKind}");
            if (e.TryGetProperty("property", out _)) return new BooleanValue(Scalar(e));
            if (!e.TryGetProperty("op", out var opElement) || opElement.ValueKind != JsonValueKind.String)
                throw Error("an expression needs a string \"op\"");
            var op = opElement.GetString()!.ToLowerInvariant();
            var args = e.TryGetProperty("args", out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray().ToList()
                : throw Error($"'{op}' needs an \"args\" array");
            void Arity(int n)
            {
                if (args.Count != n) throw Error($"'{op}' takes {n} argument{(n == 1 ? "" : "s")}, got {args.Count}");
            }
            switch (op)
            {
                case "and" or "or":
                    if (args.Count < 2) throw Error($"'{op}' takes at least two arguments");
                    var list = args.Select(x => Boolean(x, depth + 1)).ToList();
                    return op == "and" ? new And(list) : new Or(list);
                case "not":
                    Arity(1);
                    return new Not(Boolean(args[0], depth + 1));
                case "=" or "<>" or "<" or "<=" or ">" or ">=":
                    Arity(2);
                    return new Compare(op, Scalar(args[0]), Scalar(args[1]));
                case "like":
                    Arity(2);
                    return new Like(Scalar(args[0]), Scalar(args[1]));
                case "between":
                    // [value, low, high]; drafts wrote [value, [low, high]].
                    if (args.Count == 2 && args[1].ValueKind == JsonValueKind.Array && args[1].GetArrayLength() == 2)
                        return new Between(Scalar(args[0]), Scalar(args[1][0]), Scalar(args[1][1]));
                    Arity(3);
                    return new Between(Scalar(args[0]), Scalar(args[1]), Scalar(args[2]));
                case "in":
                    Arity(2);
                    if (args[1].ValueKind != JsonValueKind.Array) throw Error("'in' takes a value and an array of values");
                    return new In(Scalar(args[0]), args[1].EnumerateArray().Select(Scalar).ToList());
                case "isnull":
                    Arity(1);
                    return new IsNull(Scalar(args[0]));
                default:
                    if (SpatialFunctions.ContainsKey(op))
                    {
                        Arity(2);
                        return new Spatial(op, Geometry(args[0]), Geometry(args[1]));
                    }
                    throw Error($"unsupported operator '{op}'");
            }
        }

        private Scalar Scalar(JsonElement e)
        {
            count();
            switch (e.ValueKind)
            {
                case JsonValueKind.String: return new Literal(e.GetString()!);
                case JsonValueKind.True or JsonValueKind.False: return new Literal(e.GetBoolean());
                case JsonValueKind.Number:
                    return e.TryGetInt64(out var l) ? new Literal(l) : new Literal(e.GetDouble());
                case JsonValueKind.Object when e.TryGetProperty("property", out var p) && p.ValueKind == JsonValueKind.String:
                    return new Property(p.GetString()!);
                case JsonValueKind.Object when e.TryGetProperty("op", out var op) && op.ValueKind == JsonValueKind.String
                                               && op.GetString()!.Equals("casei", StringComparison.OrdinalIgnoreCase):
                    var args = e.TryGetProperty("args", out var a) && a.ValueKind == JsonValueKind.Array && a.GetArrayLength() == 1 ? a[0]
                        : throw Error("'casei' takes one argument");
                    return new CaseI(Scalar(args));
                case JsonValueKind.Object when e.TryGetProperty("date", out _) || e.TryGetProperty("timestamp", out _) || e.TryGetProperty("interval", out _):
                    throw Error("temporal literals are not supported: no collection has a queryable date property");
                default:
                    throw Error($"expected a property ({{\"property\": name}}), a string, a number or a boolean, got {Short(e)}");
            }
        }

        private Geom Geometry(JsonElement e)
        {
            count();
            if (e.ValueKind != JsonValueKind.Object) throw Error($"expected a geometry, got {Short(e)}");
            if (e.TryGetProperty("property", out var p) && p.ValueKind == JsonValueKind.String) return new GeomProperty(p.GetString()!);
            if (e.TryGetProperty("bbox", out var b) && b.ValueKind == JsonValueKind.Array)
                return new BboxLiteral(CheckBox(b.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw Error("bbox holds numbers only")).ToList()));
            if (e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && (e.TryGetProperty("coordinates", out _) || e.TryGetProperty("geometries", out _)))
                return new GeoJsonLiteral(e.GetRawText());
            throw Error($"expected a GeoJSON geometry, {{\"bbox\": [...]}} or {{\"property\": name}}, got {Short(e)}");
        }

        private static string Short(JsonElement e)
        {
            var raw = e.GetRawText();
            return raw.Length <= 40 ? raw : raw[..40] + "…";
        }
    }

    // ======================================================================================
    // SQL
    // ======================================================================================

    /// <summary>The name a filter uses for a layer's geometry (also listed in the queryables).</summary>
    public const string GeometryName = "geometry";

    /// <summary>The geometry literals of a tree, for the API to have PostGIS check before the query runs.</summary>
    public static IEnumerable<Geom> GeometryLiterals(Node node) => node switch
    {
        And a => a.Args.SelectMany(GeometryLiterals),
        Or o => o.Args.SelectMany(GeometryLiterals),
        Not n => GeometryLiterals(n.Arg),
        Spatial s => new[] { s.Left, s.Right }.Where(g => g is not GeomProperty),
        _ => [],
    };

    /// <summary>
    /// SQL for a literal geometry in the storage CRS (WGS84): WKT and GeoJSON go in as parameters,
    /// given in <paramref name="srid"/> (the request's <c>filter-crs</c>, CRS84 by default).
    /// </summary>
    public static string GeometrySql(Geom g, int srid, Func<object, string> param)
    {
        var sql = g switch
        {
            WktLiteral w => $"ST_GeomFromText({param(w.Wkt)}, {srid})",
            GeoJsonLiteral j => $"ST_SetSRID(ST_GeomFromGeoJSON({param(j.Json)}), {srid})",
            BboxLiteral b => $"ST_MakeEnvelope({param(b.Box[0])}, {param(b.Box[1])}, {param(b.Box[2])}, {param(b.Box[3])}, {srid})",
            _ => throw new ArgumentException("not a literal", nameof(g)),
        };
        return srid == 4326 ? sql : $"ST_Transform({sql}, 4326)";
    }

    private enum ValueType { String, Number, Boolean, Null }

    /// <summary>
    /// The SQL condition of <paramref name="node"/> over <paramref name="layer"/>: properties become the
    /// layer's SQL expressions (refused unless queryable), literals parameters via <paramref name="param"/>.
    /// Types are checked as PostgreSQL would, but with a message naming the property.
    /// </summary>
    public static string ToSql(Node node, Layer layer, int literalSrid, Func<object, string> param)
    {
        string Scalar(Scalar s, out ValueType type)
        {
            switch (s)
            {
                case Property p:
                    var prop = layer.Properties.FirstOrDefault(x => x.Name == p.Name)
                        ?? throw new Cql2Exception(p.Name == GeometryName
                            ? $"'{GeometryName}' can only be used in a spatial function such as S_INTERSECTS."
                            : $"'{p.Name}' is not a queryable of this collection. Queryables: {string.Join(", ", layer.Properties.Select(x => x.Name))}.");
                    type = prop.Type switch { PropertyType.String => ValueType.String, PropertyType.Boolean => ValueType.Boolean, _ => ValueType.Number };
                    return $"({prop.Sql})";
                case Literal { Value: string text }:
                    type = ValueType.String;
                    return param(text);
                case Literal { Value: bool b }:
                    type = ValueType.Boolean;
                    return param(b);
                case Literal { Value: long or double } l:
                    type = ValueType.Number;
                    return param(l.Value);
                case CaseI c:
                    var inner = Scalar(c.Arg, out type);
                    if (type != ValueType.String) throw new Cql2Exception("CASEI takes a text property or string.");
                    return $"lower({inner})";
                default:
                    throw new Cql2Exception("Unsupported value in the filter.");
            }
        }

        Scalar BooleanFromBit(Scalar literal, Scalar other) =>
            literal is Literal { Value: long bit and (0 or 1) } && other is Property p && layer.Properties.FirstOrDefault(x => x.Name == p.Name)?.Type == PropertyType.Boolean
                ? new Literal(bit == 1) : literal;

        static void Same(ValueType a, ValueType b, string what)
        {
            if (a == b) return;
            // BooleanFromBit has already turned 0 and 1 into false and true; say so, or "with a number" reads as if no number were allowed.
            var bits = (a, b) is (ValueType.Boolean, ValueType.Number) or (ValueType.Number, ValueType.Boolean)
                ? " Only 0 and 1 may stand for false and true (as GDAL writes them)." : "";
            throw new Cql2Exception($"{what} compares a {a.ToString().ToLowerInvariant()} with a {b.ToString().ToLowerInvariant()}.{bits}");
        }

        string Geometry(Geom g) => g switch
        {
            GeomProperty p when p.Name == GeometryName => layer.GeometrySql,
            GeomProperty p => throw new Cql2Exception($"'{p.Name}' is not a geometry; this collection's geometry is '{GeometryName}'."),
            _ => GeometrySql(g, literalSrid, param),
        };

        string Sql(Node n)
        {
            switch (n)
            {
                case And a: return "(" + string.Join(" AND ", a.Args.Select(Sql)) + ")";
                case Or o: return "(" + string.Join(" OR ", o.Args.Select(Sql)) + ")";
                case Not x: return $"(NOT {Sql(x.Arg)})";
                case Compare c:
                {
                    // GDAL's OGC API driver exposes a boolean as Integer(Boolean) and writes -where "meets_target = 1"
                    // as the filter: a boolean property against the integer 0 or 1 (those only) is FALSE or TRUE.
                    c = c with { Left = BooleanFromBit(c.Left, c.Right), Right = BooleanFromBit(c.Right, c.Left) };
                    var l = Scalar(c.Left, out var lt);
                    var r = Scalar(c.Right, out var rt);
                    Same(lt, rt, $"'{c.Op}'");
                    if (lt == ValueType.Boolean && c.Op is not ("=" or "<>")) throw new Cql2Exception($"Booleans can only be compared with = or <>, not '{c.Op}'.");
                    return $"({l} {c.Op} {r})";
                }
                case Like like:
                {
                    var v = Scalar(like.Value, out var vt);
                    var p = Scalar(like.Pattern, out var pt);
                    if (vt != ValueType.String || pt != ValueType.String) throw new Cql2Exception("LIKE takes a text property and a string pattern.");
                    return $"({v} LIKE {p})";
                }
                case Between b:
                {
                    var v = Scalar(b.Value, out var vt);
                    var lo = Scalar(b.Low, out var lot);
                    var hi = Scalar(b.High, out var hit);
                    if (vt != ValueType.Number || lot != ValueType.Number || hit != ValueType.Number)
                        throw new Cql2Exception("BETWEEN takes a numeric property and two numbers.");
                    return $"({v} BETWEEN {lo} AND {hi})";
                }
                case In i:
                {
                    var v = Scalar(i.Value, out var vt);
                    var items = i.List.Select(x =>
                    {
                        var sql = Scalar(x, out var xt);
                        Same(vt, xt, "IN");
                        return sql;
                    }).ToList();
                    return $"({v} IN ({string.Join(", ", items)}))";
                }
                case IsNull isNull: return $"({Scalar(isNull.Value, out _)} IS NULL)";
                case BooleanValue bv:
                {
                    var v = Scalar(bv.Value, out var t);
                    if (t != ValueType.Boolean) throw new Cql2Exception("A value on its own must be a boolean (TRUE, FALSE or a boolean property).");
                    return $"({v} IS TRUE)";
                }
                case Spatial s:
                {
                    if (s.Left is not GeomProperty && s.Right is not GeomProperty)
                        throw new Cql2Exception($"{s.Function.ToUpperInvariant()} needs the collection's '{GeometryName}' as one argument.");
                    return $"{SpatialFunctions[s.Function]}({Geometry(s.Left)}, {Geometry(s.Right)})";
                }
                default: throw new Cql2Exception("Unsupported expression in the filter.");
            }
        }

        return Sql(node);
    }
}
