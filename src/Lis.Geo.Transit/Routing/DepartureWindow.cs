using System.Globalization;

namespace Lis.Geo.Transit.Routing;

/// <summary>
/// Departure times W0, W0 + step, … up to but excluding W1, in seconds after midnight of the
/// service date (ACCESSIBILITY.md: 07:00–10:00 every 60 s gives 180 departures).
/// </summary>
public readonly record struct DepartureWindow
{
    public DepartureWindow(int startSeconds, int endSeconds, int stepSeconds = 60)
    {
        if (startSeconds < 0 || endSeconds <= startSeconds || stepSeconds <= 0)
            throw new ArgumentException($"window needs 0 <= start < end and step > 0 (got {startSeconds}, {endSeconds}, {stepSeconds}).");
        StartSeconds = startSeconds;
        EndSeconds = endSeconds;
        StepSeconds = stepSeconds;
    }

    /// <summary>07:00–10:00 every minute, the DfT JTS AM peak.</summary>
    public static DepartureWindow AmPeak { get; } = new(7 * 3600, 10 * 3600, 60);

    public int StartSeconds { get; }
    public int EndSeconds { get; }
    public int StepSeconds { get; }

    /// <summary>Number of departures, the n of the percentile rule.</summary>
    public int Count => (EndSeconds - StartSeconds + StepSeconds - 1) / StepSeconds;

    public int DepartureAt(int index) => StartSeconds + index * StepSeconds;

    /// <summary>Parses "HH:MM-HH:MM" (seconds optional).</summary>
    public static DepartureWindow Parse(string text, int stepSeconds = 60)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0) throw new FormatException($"'{text}' is not HH:MM-HH:MM.");
        return new DepartureWindow(ParseClock(text[..dash]), ParseClock(text[(dash + 1)..]), stepSeconds);
    }

    /// <summary>"HH:MM" or "HH:MM:SS" (hours may exceed 23) to seconds.</summary>
    public static int ParseClock(string text)
    {
        var t = text.Trim();
        if (t.Count(c => c == ':') == 1) t += ":00";
        if (t.IndexOf(':', StringComparison.Ordinal) == 1) t = "0" + t;
        return GtfsValues.TryParseTime(t, out var seconds) ? seconds : throw new FormatException($"'{text}' is not HH:MM[:SS].");
    }

    public static string FormatClock(int seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:00}:{seconds / 60 % 60:00}:{seconds % 60:00}");

    public override string ToString() => $"{FormatClock(StartSeconds)}-{FormatClock(EndSeconds)} every {StepSeconds} s";
}
