using System.Globalization;
using System.Text.Json;
using Lis.Geo.Testing;
using NetTopologySuite.Features;
using NetTopologySuite.IO.Converters;

namespace Lis.Geo.Api.Tests;

/// <summary>The sample region's files read directly (NetTopologySuite, plain CSV): the independent side of the API tests.</summary>
public static class SampleRegion
{
    private static readonly JsonSerializerOptions GeoJson = new() { Converters = { new GeoJsonConverterFactory() } };

    public static FeatureCollection Read(string file) =>
        JsonSerializer.Deserialize<FeatureCollection>(File.ReadAllText(Path.Combine(RepoPaths.GeoData, file)), GeoJson)!;

    /// <summary>A GeoJSON geometry from an API response, read with NetTopologySuite.</summary>
    public static NetTopologySuite.Geometries.Geometry Geometry(JsonElement geometry) =>
        geometry.Deserialize<NetTopologySuite.Geometries.Geometry>(GeoJson)!;

    /// <summary>Rows of a CSV keyed by header, read with the framework's TextFieldParser (not the importer's reader).</summary>
    public static List<Dictionary<string, string>> Csv(string file)
    {
        using var parser = new Microsoft.VisualBasic.FileIO.TextFieldParser(Path.Combine(RepoPaths.GeoData, file))
        {
            TextFieldType = Microsoft.VisualBasic.FileIO.FieldType.Delimited,
            HasFieldsEnclosedInQuotes = true,
        };
        parser.SetDelimiters(",");
        var header = parser.ReadFields()!;
        var rows = new List<Dictionary<string, string>>();
        while (parser.ReadFields() is { } fields)
            rows.Add(header.Zip(fields).ToDictionary(p => p.First, p => p.Second));
        return rows;
    }

    public static double Num(string s) => double.Parse(s, CultureInfo.InvariantCulture);
}
