namespace Lis.Geo.Cli;

/// <summary>
/// The options of one command line: <c>--name value</c> pairs (a name may repeat) and bare
/// <c>--flag</c>s. Kept deliberately small: every command documents its own options in its help.
/// </summary>
public sealed class CliArgs
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Positionals { get; }

    private CliArgs(List<string> positionals) => Positionals = positionals;

    /// <summary>Parses <paramref name="args"/>; <paramref name="flagNames"/> are the options that take no value.</summary>
    public static CliArgs Parse(IReadOnlyList<string> args, IReadOnlySet<string> flagNames)
    {
        var positionals = new List<string>();
        var parsed = new CliArgs(positionals);
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                positionals.Add(a);
                continue;
            }
            var name = a[2..];
            string? inlineValue = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                inlineValue = name[(eq + 1)..];
                name = name[..eq];
            }
            if (flagNames.Contains(name) && inlineValue is null)
            {
                parsed._flags.Add(name);
                continue;
            }
            var value = inlineValue ?? (i + 1 < args.Count ? args[++i] : throw new CliUsageException($"--{name} needs a value."));
            if (!parsed._values.TryGetValue(name, out var list))
                parsed._values[name] = list = [];
            list.Add(value);
        }
        return parsed;
    }

    public bool Has(string name) => _flags.Contains(name) || _values.ContainsKey(name);

    public string? Get(string name) => _values.TryGetValue(name, out var v) ? v[^1] : null;

    public IReadOnlyList<string> GetAll(string name) => _values.TryGetValue(name, out var v) ? v : [];

    public string Require(string name) => Get(name) ?? throw new CliUsageException($"--{name} is required.");

    public T Get<T>(string name, T fallback, Func<string, T> parse)
    {
        var raw = Get(name);
        if (raw is null) return fallback;
        try { return parse(raw); }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new CliUsageException($"--{name}: '{raw}' is not valid ({e.Message}).");
        }
    }

    /// <summary>Names given on the line that the command does not know (typos should not pass silently).</summary>
    public IEnumerable<string> UnknownNames(IReadOnlySet<string> known) =>
        _values.Keys.Concat(_flags).Where(n => !known.Contains(n));
}

/// <summary>A wrong command line: printed with the command's help, exit code 2.</summary>
public sealed class CliUsageException(string message) : Exception(message);
