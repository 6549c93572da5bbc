using System.Xml.Linq;

namespace Lis.Geo.Transit.TransXChange;

/// <summary>
/// When a TransXChange journey runs: an <c>OperatingProfile</c> (the journey's own, else its
/// service's) read into regular days, special days and bank holidays. A date of the service's
/// operating period runs, in this order of precedence (as the TransXChange schema guide ranks them):
/// <list type="number">
/// <item>not on a special day of non-operation (<c>SpecialDaysOperation/DaysOfNonOperation/DateRange</c>);</item>
/// <item>on a special day of operation (<c>…/DaysOfOperation/DateRange</c>);</item>
/// <item>not on a bank holiday named in <c>BankHolidayOperation/DaysOfNonOperation</c> (names, groups or <c>OtherPublicHoliday/Date</c>);</item>
/// <item>on a bank holiday named in <c>BankHolidayOperation/DaysOfOperation</c>;</item>
/// <item>otherwise by the regular days of the week (none for <c>HolidaysOnly</c>). A bank holiday the
/// profile does not name runs by its regular day, as the schema's default.</item>
/// </list>
/// </summary>
internal sealed class OperatingProfile
{
    private static readonly string[] DayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    /// <summary>Regular days, Monday first.</summary>
    public bool[] Days { get; } = new bool[7];

    public List<(DateOnly From, DateOnly To)> SpecialOn { get; } = [];
    public List<(DateOnly From, DateOnly To)> SpecialOff { get; } = [];
    public HashSet<string> BankOn { get; } = new(StringComparer.Ordinal);
    public HashSet<string> BankOff { get; } = new(StringComparer.Ordinal);
    public HashSet<DateOnly> OtherOn { get; } = [];
    public HashSet<DateOnly> OtherOff { get; } = [];

    /// <summary>Elements this reader does not apply (e.g. ServicedOrganisationDayType, PeriodicDayType, unknown bank holiday names), for the issue report.</summary>
    public List<string> Ignored { get; } = [];

    /// <summary>Every day, for a journey and service without any profile (the schema's default).</summary>
    public static OperatingProfile EveryDay()
    {
        var p = new OperatingProfile();
        Array.Fill(p.Days, true);
        return p;
    }

    public static OperatingProfile Read(XElement profile)
    {
        var p = new OperatingProfile();
        foreach (var part in profile.Elements())
        {
            switch (part.Name.LocalName)
            {
                case "RegularDayType":
                    foreach (var days in part.Elements())
                    {
                        if (days.Name.LocalName == "DaysOfWeek") foreach (var d in days.Elements()) p.AddDays(d.Name.LocalName);
                        else if (days.Name.LocalName != "HolidaysOnly") p.Ignored.Add("RegularDayType/" + days.Name.LocalName);
                    }
                    break;
                case "SpecialDaysOperation":
                    foreach (var side in part.Elements())
                    {
                        var list = side.Name.LocalName == "DaysOfOperation" ? p.SpecialOn : side.Name.LocalName == "DaysOfNonOperation" ? p.SpecialOff : null;
                        if (list is null) continue;
                        foreach (var range in side.Elements().Where(e => e.Name.LocalName == "DateRange"))
                        {
                            var from = Txc.Date(Txc.Child(range, "StartDate"));
                            var to = Txc.Date(Txc.Child(range, "EndDate")) ?? from;
                            if (from is { } f && to is { } t) list.Add((f, t));
                            else p.Ignored.Add("SpecialDaysOperation/DateRange without a valid StartDate");
                        }
                    }
                    break;
                case "BankHolidayOperation":
                    foreach (var side in part.Elements())
                    {
                        var on = side.Name.LocalName == "DaysOfOperation";
                        if (!on && side.Name.LocalName != "DaysOfNonOperation") continue;
                        foreach (var day in side.Elements())
                        {
                            var name = day.Name.LocalName;
                            if (name == "OtherPublicHoliday")
                            {
                                if (Txc.Date(Txc.Child(day, "Date")) is { } date) (on ? p.OtherOn : p.OtherOff).Add(date);
                                else p.Ignored.Add("OtherPublicHoliday without a valid Date");
                            }
                            else if (BankHolidays.IsKnown(name))
                                foreach (var single in BankHolidays.Expand(name)) (on ? p.BankOn : p.BankOff).Add(single);
                            else p.Ignored.Add("bank holiday " + name);
                        }
                    }
                    break;
                default:
                    p.Ignored.Add(part.Name.LocalName);
                    break;
            }
        }
        return p;
    }

    private void AddDays(string name)
    {
        var i = Array.IndexOf(DayNames, name);
        if (i >= 0)
        {
            Days[i] = true;
            return;
        }
        if (name.StartsWith("Not", StringComparison.Ordinal) && Array.IndexOf(DayNames, name[3..]) is var not and >= 0)
        {
            for (var d = 0; d < 7; d++) Days[d] |= d != not;
            return;
        }
        (int From, int To)? span = name switch
        {
            "MondayToFriday" => (0, 4),
            "MondayToSaturday" => (0, 5),
            "MondayToSunday" => (0, 6),
            "Weekend" => (5, 6),
            _ => null,
        };
        if (span is { } s) for (var d = s.From; d <= s.To; d++) Days[d] = true;
        else Ignored.Add("DaysOfWeek/" + name);
    }

    /// <summary>Whether the regular days alone include the date (the calendar.txt weekday flag).</summary>
    public bool RegularOn(DateOnly date) => Days[((int)date.DayOfWeek + 6) % 7];

    public bool RunsOn(DateOnly date)
    {
        foreach (var (f, t) in SpecialOff) if (f <= date && date <= t) return false;
        foreach (var (f, t) in SpecialOn) if (f <= date && date <= t) return true;
        if (OtherOff.Contains(date) || NamedHoliday(date, BankOff)) return false;
        if (OtherOn.Contains(date) || NamedHoliday(date, BankOn)) return true;
        return RegularOn(date);
    }

    private static bool NamedHoliday(DateOnly date, HashSet<string> names)
    {
        foreach (var name in names)
            if (BankHolidays.DatesOf(name, date.Year) is { } dates && Array.IndexOf(dates, date) >= 0) return true;
        return false;
    }
}
