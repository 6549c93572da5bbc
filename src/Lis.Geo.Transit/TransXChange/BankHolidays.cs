namespace Lis.Geo.Transit.TransXChange;

/// <summary>
/// The bank holidays TransXChange names in <c>BankHolidayOperation</c>, as dates. Named days are
/// calendar days (<c>ChristmasDay</c> is always 25 December); the <c>…Holiday</c> names are the
/// displacement (substitute) days when that date falls at a weekend. Movable days follow the rules
/// of England and Wales (Easter by the Gregorian computus; May Day the first Monday of May, Spring
/// Bank the last Monday of May, Late Summer the last Monday of August), with the moves proclaimed
/// for 2002, 2012, 2020 and 2022. One-off holidays (e.g. 19 Sep 2022) are not named by TransXChange;
/// files give them as <c>OtherPublicHoliday</c> with a date.
/// <para>Groups: <c>AllBankHolidays</c> = the England and Wales bank holidays with their
/// displacement days; <c>HolidayMondays</c> = Easter Monday, May Day, Spring Bank, Late Summer;
/// <c>Christmas</c> = Christmas Day and Boxing Day; <c>EarlyRunOff</c> = Christmas Eve and New
/// Year's Eve; <c>DisplacementHolidays</c> = the three displacement days;
/// <c>AllHolidaysExceptChristmas</c> = AllBankHolidays less Christmas Day, Boxing Day and their displacements.</para>
/// </summary>
public static class BankHolidays
{
    private static readonly string[] EnglandAndWales =
    [
        "NewYearsDay", "NewYearsDayHoliday", "GoodFriday", "EasterMonday", "MayDay", "SpringBank",
        "LateSummerBankHolidayNotScotland", "ChristmasDay", "ChristmasDayHoliday", "BoxingDay", "BoxingDayHoliday",
    ];

    private static readonly Dictionary<string, string[]> Groups = new(StringComparer.Ordinal)
    {
        ["AllBankHolidays"] = EnglandAndWales,
        ["HolidayMondays"] = ["EasterMonday", "MayDay", "SpringBank", "LateSummerBankHolidayNotScotland"],
        ["Christmas"] = ["ChristmasDay", "BoxingDay"],
        ["EarlyRunOff"] = ["ChristmasEve", "NewYearsEve"],
        ["DisplacementHolidays"] = ["NewYearsDayHoliday", "ChristmasDayHoliday", "BoxingDayHoliday"],
        ["AllHolidaysExceptChristmas"] = [.. EnglandAndWales.Except(["ChristmasDay", "ChristmasDayHoliday", "BoxingDay", "BoxingDayHoliday"])],
    };

    /// <summary>Every name TransXChange may use that this class knows (single days and groups).</summary>
    public static bool IsKnown(string name) => Groups.ContainsKey(name) || DatesOf(name, 2000) is not null;

    /// <summary>The single-day names that <paramref name="name"/> stands for (itself, or a group's members).</summary>
    public static IReadOnlyList<string> Expand(string name) => Groups.TryGetValue(name, out var members) ? members : [name];

    /// <summary>The date(s) of a single-day name in <paramref name="year"/> (a displacement day may be absent), or null for an unknown name.</summary>
    public static DateOnly[]? DatesOf(string name, int year)
    {
        var christmas = new DateOnly(year, 12, 25);
        var newYear = new DateOnly(year, 1, 1);
        var easter = EasterSunday(year);
        return name switch
        {
            "NewYearsDay" => [newYear],
            "NewYearsDayHoliday" => newYear.DayOfWeek switch
            {
                DayOfWeek.Saturday => [newYear.AddDays(2)],
                DayOfWeek.Sunday => [newYear.AddDays(1)],
                _ => [],
            },
            "Jan2ndScotland" => [new DateOnly(year, 1, 2)],
            "GoodFriday" => [easter.AddDays(-2)],
            "EasterMonday" => [easter.AddDays(1)],
            "MayDay" => year == 2020 ? [new DateOnly(2020, 5, 8)] : [NthMonday(year, 5, 1)],
            "SpringBank" => year switch
            {
                2002 => [new DateOnly(2002, 6, 4)],
                2012 => [new DateOnly(2012, 6, 4)],
                2022 => [new DateOnly(2022, 6, 2)],
                _ => [LastMonday(year, 5)],
            },
            "LateSummerBankHolidayNotScotland" => [LastMonday(year, 8)],
            "AugustBankHolidayScotland" => [NthMonday(year, 8, 1)],
            "StAndrewsDay" => [new DateOnly(year, 11, 30)],
            "ChristmasEve" => [christmas.AddDays(-1)],
            "ChristmasDay" => [christmas],
            "BoxingDay" => [christmas.AddDays(1)],
            // 25th on Saturday or Sunday: the 27th. 26th on Saturday (25th Friday) or Sunday (25th Saturday, 27th taken): the 28th.
            "ChristmasDayHoliday" => christmas.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? [christmas.AddDays(2)] : [],
            "BoxingDayHoliday" => christmas.AddDays(1).DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? [christmas.AddDays(3)] : [],
            "NewYearsEve" => [new DateOnly(year, 12, 31)],
            _ => null,
        };
    }

    /// <summary>Gregorian Easter Sunday (the anonymous "Meeus/Jones/Butcher" algorithm).</summary>
    public static DateOnly EasterSunday(int year)
    {
        int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
        var h = (19 * a + b - d - g + 15) % 30;
        int i = c / 4, k = c % 4;
        var l = (32 + 2 * e + 2 * i - h - k) % 7;
        var m = (a + 11 * h + 22 * l) / 451;
        var month = (h + l - 7 * m + 114) / 31;
        var day = (h + l - 7 * m + 114) % 31 + 1;
        return new DateOnly(year, month, day);
    }

    private static DateOnly NthMonday(int year, int month, int n)
    {
        var d = new DateOnly(year, month, 1);
        while (d.DayOfWeek != DayOfWeek.Monday) d = d.AddDays(1);
        return d.AddDays(7 * (n - 1));
    }

    private static DateOnly LastMonday(int year, int month)
    {
        var d = new DateOnly(year, month, 1).AddMonths(1).AddDays(-1);
        while (d.DayOfWeek != DayOfWeek.Monday) d = d.AddDays(-1);
        return d;
    }
}
