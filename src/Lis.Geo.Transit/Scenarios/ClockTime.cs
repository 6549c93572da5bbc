using System.Globalization;

namespace Lis.Geo.Transit.Scenarios;

/// <summary>Times of day in scenarios: "HH:MM" or "HH:MM:SS" after midnight of the service date, hours 0–47 (GTFS runs past midnight).</summary>
public static class ClockTime
{
    public static bool TryParse(string? text, out int seconds)
    {
        seconds = 0;
        if (string.IsNullOrEmpty(text)) return false;
        var parts = text.Split(':');
        if (parts.Length is < 2 or > 3) return false;
        var values = new int[3];
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length is < 1 or > 2 || !int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i])) return false;
        }
        if (values[0] > 47 || values[1] > 59 || values[2] > 59) return false;
        seconds = values[0] * 3600 + values[1] * 60 + values[2];
        return true;
    }

    public static string Format(int seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:00}:{seconds / 60 % 60:00}:{seconds % 60:00}");
}
