namespace Lis.Geo.Transit.Routing;

/// <summary>Sentinels for times and travel times, each with why it cannot overflow.</summary>
public static class TravelTime
{
    /// <summary>
    /// A travel time with no journey (none exists, or it exceeds maxTripDuration). It is the largest
    /// int so that sorting puts it after every real travel time: percentiles treat it as +∞, as the
    /// semantics require. Never add to it.
    /// </summary>
    public const int Unreachable = int.MaxValue;

    /// <summary>
    /// The arrival label of a stop not reached yet (R5's <c>UNREACHED</c>). Half of int.MaxValue:
    /// the router adds a walk, the board slack or a ride to a label before comparing, all far below
    /// 2^30 s (34 years), so the sum never overflows and still compares later than any real time.
    /// </summary>
    internal const int Unreached = int.MaxValue / 2;
}
