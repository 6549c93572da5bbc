namespace Lis.Geo.Api.Tests.Features.Tiles;

/// <summary>
/// A small, independent reader of Mapbox Vector Tiles (MVT 2.1, protobuf wire format), written from the
/// specification so the tests decode what PostGIS wrote without trusting the server's own code.
/// Geometry stays in tile units (0..extent, y down), rings and lines as lists of points.
/// </summary>
public static class Mvt
{
    public sealed record Feature(ulong? Id, int Type, IReadOnlyDictionary<string, object?> Attributes, IReadOnlyList<IReadOnlyList<(int X, int Y)>> Parts)
    {
        public const int Point = 1, LineString = 2, Polygon = 3;
        public object? this[string key] => Attributes.TryGetValue(key, out var v) ? v : null;
    }

    public sealed record Layer(string Name, int Version, int Extent, IReadOnlyList<Feature> Features);

    public static IReadOnlyList<Layer> Read(byte[] tile)
    {
        var layers = new List<Layer>();
        var r = new Reader(tile);
        while (!r.End)
        {
            var (field, wire) = r.Key();
            if (field == 3 && wire == 2) layers.Add(ReadLayer(r.Bytes()));
            else r.Skip(wire);
        }
        return layers;
    }

    private static Layer ReadLayer(byte[] bytes)
    {
        var r = new Reader(bytes);
        string name = "";
        int version = 1, extent = 4096;
        var keys = new List<string>();
        var values = new List<object?>();
        var raw = new List<byte[]>();
        while (!r.End)
        {
            var (field, wire) = r.Key();
            switch (field, wire)
            {
                case (1, 2): name = System.Text.Encoding.UTF8.GetString(r.Bytes()); break;
                case (2, 2): raw.Add(r.Bytes()); break;
                case (3, 2): keys.Add(System.Text.Encoding.UTF8.GetString(r.Bytes())); break;
                case (4, 2): values.Add(ReadValue(r.Bytes())); break;
                case (5, 0): extent = (int)r.Varint(); break;
                case (15, 0): version = (int)r.Varint(); break;
                default: r.Skip(wire); break;
            }
        }
        return new Layer(name, version, extent, raw.Select(f => ReadFeature(f, keys, values)).ToList());
    }

    private static object? ReadValue(byte[] bytes)
    {
        var r = new Reader(bytes);
        object? value = null;
        while (!r.End)
        {
            var (field, wire) = r.Key();
            value = (field, wire) switch
            {
                (1, 2) => System.Text.Encoding.UTF8.GetString(r.Bytes()),
                (2, 5) => (double)BitConverter.ToSingle(r.Fixed(4)),
                (3, 1) => BitConverter.ToDouble(r.Fixed(8)),
                (4, 0) => (long)r.Varint(),
                (5, 0) => (long)r.Varint(),
                (6, 0) => Zigzag(r.Varint()),
                (7, 0) => r.Varint() != 0,
                _ => throw new InvalidDataException($"unexpected value field {field}/{wire}"),
            };
        }
        return value;
    }

    private static Feature ReadFeature(byte[] bytes, List<string> keys, List<object?> values)
    {
        var r = new Reader(bytes);
        ulong? id = null;
        var type = 0;
        var tags = new List<uint>();
        var geometry = new List<uint>();
        while (!r.End)
        {
            var (field, wire) = r.Key();
            switch (field, wire)
            {
                case (1, 0): id = r.Varint(); break;
                case (2, 2): tags.AddRange(r.Packed()); break;
                case (3, 0): type = (int)r.Varint(); break;
                case (4, 2): geometry.AddRange(r.Packed()); break;
                default: r.Skip(wire); break;
            }
        }
        var attributes = new Dictionary<string, object?>();
        for (var i = 0; i + 1 < tags.Count; i += 2) attributes[keys[(int)tags[i]]] = values[(int)tags[i + 1]];
        return new Feature(id, type, attributes, Decode(geometry));
    }

    /// <summary>MoveTo (1), LineTo (2), ClosePath (7); parameters are zigzag deltas from the cursor.</summary>
    private static List<IReadOnlyList<(int, int)>> Decode(List<uint> commands)
    {
        var parts = new List<IReadOnlyList<(int, int)>>();
        List<(int, int)>? current = null;
        int x = 0, y = 0, i = 0;
        while (i < commands.Count)
        {
            var (command, count) = (commands[i] & 7, (int)(commands[i] >> 3));
            i++;
            if (command == 7)
            {
                if (current is { Count: > 0 }) current.Add(current[0]);
                continue;
            }
            for (var n = 0; n < count; n++)
            {
                x += (int)Zigzag(commands[i++]);
                y += (int)Zigzag(commands[i++]);
                if (command == 1) parts.Add(current = []);
                current!.Add((x, y));
            }
        }
        return parts;
    }

    private static long Zigzag(ulong v) => (long)(v >> 1) ^ -(long)(v & 1);

    private sealed class Reader(byte[] data)
    {
        private int _pos;
        public bool End => _pos >= data.Length;

        public ulong Varint()
        {
            ulong v = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = data[_pos++];
                v |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80) return v;
            }
        }

        public (int Field, int Wire) Key()
        {
            var k = Varint();
            return ((int)(k >> 3), (int)(k & 7));
        }

        public byte[] Bytes()
        {
            var n = (int)Varint();
            var b = data.AsSpan(_pos, n).ToArray();
            _pos += n;
            return b;
        }

        public byte[] Fixed(int n)
        {
            var b = data.AsSpan(_pos, n).ToArray();
            _pos += n;
            return b;
        }

        public IEnumerable<uint> Packed()
        {
            var r = new Reader(Bytes());
            var list = new List<uint>();
            while (!r.End) list.Add((uint)r.Varint());
            return list;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: _pos += 8; break;
                case 2: _pos += (int)Varint(); break;
                case 5: _pos += 4; break;
                default: throw new InvalidDataException($"wire type {wire}");
            }
        }
    }

    /// <summary>Web Mercator tile maths from the slippy-map definition: lon/lat to fractional tile coordinates at zoom z.</summary>
    public static (double X, double Y) TileCoordinates(double lon, double lat, int z)
    {
        var n = Math.Pow(2, z);
        var phi = lat * Math.PI / 180;
        return ((lon + 180) / 360 * n, (1 - Math.Log(Math.Tan(phi) + 1 / Math.Cos(phi)) / Math.PI) / 2 * n);
    }

    /// <summary>Longitude/latitude of the fractional tile coordinate (x, y) at zoom z.</summary>
    public static (double Lon, double Lat) LonLat(double x, double y, int z)
    {
        var n = Math.Pow(2, z);
        return (x / n * 360 - 180, Math.Atan(Math.Sinh(Math.PI * (1 - 2 * y / n))) * 180 / Math.PI);
    }

    /// <summary>The deepest tile holding every feature of the sample region (its LEP boundaries' extent).</summary>
    public static (int Z, int X, int Y) TileOfSampleRegion()
    {
        var env = new NetTopologySuite.Geometries.Envelope();
        foreach (var file in new[] { "leps.geojson", "lads.geojson", "lsoa11.geojson", "corridors.geojson", "centres.geojson", "employment_sites.geojson" })
            foreach (var f in SampleRegion.Read(file)) env.ExpandToInclude(f.Geometry.EnvelopeInternal);
        for (var z = 14; ; z--)
        {
            var (x0, y0) = TileCoordinates(env.MinX, env.MaxY, z);
            var (x1, y1) = TileCoordinates(env.MaxX, env.MinY, z);
            if (((int)x0, (int)y0) == ((int)x1, (int)y1)) return (z, (int)x0, (int)y0);
        }
    }
}
