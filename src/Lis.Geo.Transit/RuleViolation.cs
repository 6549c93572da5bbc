namespace Lis.Geo.Transit;

/// <summary>
/// A value that breaks a rule, reported structurally: <see cref="Field"/> (the member at fault, as the
/// record or request names it), <see cref="Kind"/> (one of <see cref="RuleKind"/>) and a message for
/// people. Every validator of every layer throws this, so callers map it by its fields and never by
/// its text. It lives here, in the one library every other references, and is BCL only.
/// </summary>
public class RuleViolation(string field, string kind, string message) : ArgumentException(message)
{
    public string Field { get; } = field;
    public string Kind { get; } = kind;

    /// <summary>The same violation with its field inside <paramref name="parent"/> (<c>window</c> → <c>request.window</c>).</summary>
    public RuleViolation Within(string parent) => new(parent + "." + Field, Kind, Message);

    /// <summary>The same violation under another field name (a record's <c>thresholdSeconds</c> is a request's <c>thresholdMinutes</c>).</summary>
    public RuleViolation Renamed(string field) => new(field, Kind, Message);
}

/// <summary>What is wrong with a value.</summary>
public static class RuleKind
{
    /// <summary>Malformed, or out of its range.</summary>
    public const string Invalid = "invalid";

    /// <summary>Required and not given.</summary>
    public const string Missing = "missing";

    /// <summary>Not one of the names this accepts (an analysis type, a site set, a dataset).</summary>
    public const string Unknown = "unknown";

    /// <summary>Names stored data (a feed, a corridor, a zone set, a site) that is not there.</summary>
    public const string NotFound = "not-found";

    /// <summary>Contradicts another value given with it.</summary>
    public const string Conflict = "conflict";

    /// <summary>Well-formed, but the stored data cannot answer it (a day without trips, too few centres).</summary>
    public const string Unavailable = "unavailable";
}
