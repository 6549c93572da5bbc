namespace Lis.Geo.Transit.Routing;

/// <summary>
/// Every rule of ACCESSIBILITY.md that shapes a travel time, in one record so a run can store it and
/// two runs with equal records give equal results. Defaults are the documented ones (DfT JTS / TRACC,
/// else R5's). Times are whole seconds.
/// </summary>
public sealed record RoutingParameters
{
    /// <summary>Walking speed, m/s (4.8 km/h).</summary>
    public double WalkSpeed { get; init; } = 1.33;

    /// <summary>Walked distance ÷ great-circle distance, standing in for a street network.</summary>
    public double Circuity { get; init; } = 1.3;

    /// <summary>Longest walk from the origin to the first stop.</summary>
    public int MaxAccessWalk { get; init; } = 600;

    /// <summary>Minimum time between reaching a stop and the departure boarded there; applies to every boarding, the first included (as R5).</summary>
    public int BoardSlack { get; init; } = 60;

    /// <summary>Longest walk between two rides (one walk, never chained).</summary>
    public int MaxTransferWalk { get; init; } = 300;

    /// <summary>Longest walk from the last stop to the destination.</summary>
    public int MaxEgressWalk { get; init; } = 600;

    /// <summary>Longest walk-only journey from origin to destination.</summary>
    public int MaxDirectWalk { get; init; } = 1800;

    /// <summary>Most rides in a journey; null for no cap.</summary>
    public int? MaxRides { get; init; }

    /// <summary>Travel times above this are "unreachable".</summary>
    public int MaxTripDuration { get; init; } = 7200;

    /// <summary>Departure minutes for range queries and percentiles (arrival minutes when <see cref="WindowKind"/> is <see cref="WindowKind.Arrival"/>).</summary>
    public DepartureWindow Window { get; init; } = DepartureWindow.AmPeak;

    /// <summary>Whether <see cref="Window"/> gives departure minutes (TT) or arrival minutes (TTa, ACCESSIBILITY.md "Arrival windows").</summary>
    public WindowKind WindowKind { get; init; } = WindowKind.Departure;

    /// <summary>Percentiles (1–100) reported per origin–destination pair; p50 is the default travel time.</summary>
    public IReadOnlyList<int> Percentiles { get; init; } = [5, 25, 50, 75, 95];

    public WalkModel Walk => new(WalkSpeed, Circuity);

    /// <summary>Throws a <see cref="RuleViolation"/> naming the first out-of-range value (its JSON name, e.g. <c>walkSpeed</c>).</summary>
    public void Validate()
    {
        if (!(WalkSpeed > 0) || double.IsInfinity(WalkSpeed)) throw new RuleViolation("walkSpeed", RuleKind.Invalid, $"WalkSpeed must be > 0 (got {WalkSpeed}).");
        if (!(Circuity >= 1) || double.IsInfinity(Circuity)) throw new RuleViolation("circuity", RuleKind.Invalid, $"Circuity must be >= 1 (got {Circuity}).");
        // The upper bound keeps every label sum far below TravelTime.Unreached (2^30 s).
        const int day = 86_400 * 7;
        Check(MaxAccessWalk, nameof(MaxAccessWalk), day);
        Check(BoardSlack, nameof(BoardSlack), day);
        Check(MaxTransferWalk, nameof(MaxTransferWalk), day);
        Check(MaxEgressWalk, nameof(MaxEgressWalk), day);
        Check(MaxDirectWalk, nameof(MaxDirectWalk), day);
        Check(MaxTripDuration, nameof(MaxTripDuration), day);
        if (MaxRides is < 1) throw new RuleViolation("maxRides", RuleKind.Invalid, $"MaxRides must be >= 1 or null (got {MaxRides}).");
        if (!Enum.IsDefined(WindowKind)) throw new RuleViolation("windowKind", RuleKind.Invalid, $"WindowKind must be Departure or Arrival (got {WindowKind}).");
        if (Window.StepSeconds <= 0) throw new RuleViolation("window", RuleKind.Missing, "Window is not set (use DepartureWindow.AmPeak or a constructor).");
        if (Percentiles.Count == 0 || Percentiles.Any(p => p is < 1 or > 100)) throw new RuleViolation("percentiles", RuleKind.Invalid, "Percentiles must be 1–100.");
    }

    private static void Check(int value, string name, int max)
    {
        if (value < 0 || value > max)
            throw new RuleViolation(char.ToLowerInvariant(name[0]) + name[1..], RuleKind.Invalid, $"{name} must be 0–{max} s (got {value}).");
    }
}

/// <summary>What the minutes of <see cref="RoutingParameters.Window"/> are.</summary>
public enum WindowKind
{
    /// <summary>Departure minutes d: TT(o, x, d) = EA(o, x, d) − d.</summary>
    Departure,

    /// <summary>Arrival minutes a: TTa(o, x, a) = a − LD(o, x, a), LD the latest departure reaching x by a.</summary>
    Arrival,
}
