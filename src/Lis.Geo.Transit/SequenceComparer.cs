using System.Runtime.InteropServices;

namespace Lis.Geo.Transit;

/// <summary>
/// Equality of int arrays by content (stop sequences as dictionary keys): the GTFS reader groups trips
/// into routes' stop patterns and the timetable compiler groups them into RAPTOR patterns with it.
/// </summary>
internal sealed class SequenceComparer : IEqualityComparer<int[]>
{
    public static readonly SequenceComparer Instance = new();

    public bool Equals(int[]? x, int[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(int[] obj)
    {
        var hash = new HashCode();
        hash.AddBytes(MemoryMarshal.AsBytes(obj.AsSpan()));
        return hash.ToHashCode();
    }
}
