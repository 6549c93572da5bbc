using System.Globalization;

namespace Lis.Geo.Transit.Gtfs;

/// <summary>Parsing of GTFS value formats from spans, without allocating.</summary>
internal static class GtfsValues
{
    /// <summary>
    /// "H:MM:SS" or "HH:MM:SS" to seconds after midnight of the service day. Hours may exceed 23
    /// (a trip running past midnight stays on its service day), so this is not a clock time.
    /// </summary>
    public static bool TryParseTime(ReadOnlySpan<char> s, out int seconds)
    {
        seconds = 0;
        var first = s.IndexOf(':');
        if (first < 1 || s.Length - first != 6 || s[first + 3] != ':') return false;
        if (!TryDigits(s[..first], out var h) || !TryDigits(s.Slice(first + 1, 2), out var m) || !TryDigits(s.Slice(first + 4, 2), out var sec)) return false;
        if (m > 59 || sec > 59 || h > 200) return false;
        seconds = h * 3600 + m * 60 + sec;
        return true;
    }

    /// <summary>"YYYYMMDD".</summary>
    public static bool TryParseDate(ReadOnlySpan<char> s, out DateOnly date) =>
        DateOnly.TryParseExact(s, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    public static bool TryParseInt(ReadOnlySpan<char> s, out int value) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);

    public static bool TryParseDouble(ReadOnlySpan<char> s, out double value) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static bool TryDigits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        if (s.IsEmpty) return false;
        foreach (var c in s)
        {
            if (c is < '0' or > '9') return false;
            value = value * 10 + (c - '0');
        }
        return true;
    }
}
