using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Npgsql;

namespace Lis.Geo.Data.Layers;

/// <summary>What to read from a layer. Values are already validated by the caller (the API).</summary>
public sealed record FeatureRequest
{
    public int Limit { get; init; } = 100;
    public int Offset { get; init; }

    /// <summary>minx, miny, maxx, maxy in <see cref="BboxSrid"/>.</summary>
    public double[]? Bbox { get; init; }
    public int BboxSrid { get; init; } = 4326;
    public int OutputSrid { get; init; } = 4326;

    /// <summary>Properties to include; null for all.</summary>
    public IReadOnlyList<string>? Properties { get; init; }

    /// <summary>Equality filters by <see cref="LayerFilter.Name"/>; values are parsed to the filter's type.</summary>
    public IReadOnlyDictionary<string, object> Filters { get; init; } = new Dictionary<string, object>();

    /// <summary>One feature by id instead of a page.</summary>
    public string? FeatureId { get; init; }

    /// <summary>False writes <c>"geometry":null</c> without serialising it (CSV needs only the properties).</summary>
    public bool IncludeGeometry { get; init; } = true;
}

/// <summary>
/// Reads GeoJSON features from a <see cref="Layer"/>. PostGIS writes each Feature's JSON
/// (<c>ST_AsGeoJSON</c>, <c>json_build_object</c>), so rows stream to the client without an object
/// model in between — the approach pg_featureserv takes. The bbox is transformed to the storage
/// CRS, never the column, so the GiST index answers it.
/// </summary>
public static class FeatureQuery
{
    /// <summary>Coordinate decimals: 6 in degrees (~0.1 m, as RFC 7946 advises), 2 in metres.</summary>
    public static int Decimals(int srid) => srid == 4326 ? 6 : 2;

    public static async Task<long> CountAsync(NpgsqlDataSource db, Layer layer, FeatureRequest req, CancellationToken ct)
    {
        var (where, parameters) = Where(layer, req);
        await using var cmd = db.CreateCommand($"SELECT count(*) FROM {layer.From} {WhereClause(where)}");
        cmd.Parameters.AddRange(parameters.ToArray());
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Each feature as one GeoJSON Feature text, in the layer's order (the id unless it ranks its features; stable paging either way).</summary>
    public static async IAsyncEnumerable<string> ReadAsync(NpgsqlDataSource db, Layer layer, FeatureRequest req, [EnumeratorCancellation] CancellationToken ct)
    {
        var (where, parameters) = Where(layer, req);
        var props = req.Properties is null ? layer.Properties : layer.Properties.Where(p => req.Properties.Contains(p.Name)).ToList();
        var geometry = req.OutputSrid == 4326 ? layer.GeometrySql : $"ST_Transform({layer.GeometrySql}, {req.OutputSrid})";
        // Concatenated as text: a ::json cast of ST_AsGeoJSON would make PostgreSQL re-parse every geometry.
        var sql = new StringBuilder()
            .Append("SELECT '{\"type\":\"Feature\",\"id\":' || to_json(").Append(layer.IdSql).Append(")::text")
            .Append(req.IncludeGeometry
                ? $" || ',\"geometry\":' || coalesce(ST_AsGeoJSON({geometry}, {Decimals(req.OutputSrid)}, 0), 'null')"
                : " || ',\"geometry\":null'")
            .Append(" || ',\"properties\":' || ").Append(PropertiesJson(props)).Append("::text || '}'")
            .Append(" FROM ").Append(layer.From).Append(' ').Append(WhereClause(where))
            .Append(" ORDER BY ").Append(layer.Order);
        if (req.FeatureId is null)
            sql.Append(CultureInfo.InvariantCulture, $" LIMIT {req.Limit} OFFSET {req.Offset}");
        await using var cmd = db.CreateCommand(sql.ToString());
        cmd.Parameters.AddRange(parameters.ToArray());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            yield return r.GetString(0);
    }

    /// <summary>json_build_object takes at most 100 arguments: 50 properties, far more than any layer has.</summary>
    private static string PropertiesJson(IReadOnlyList<LayerProperty> props) =>
        props.Count == 0 ? "'{}'::json" : "json_build_object(" + string.Join(", ", props.Select(p => $"'{p.Name}', {p.Sql}")) + ")";

    private static string WhereClause(List<string> where) => where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where);

    private static (List<string> Where, List<NpgsqlParameter> Parameters) Where(Layer layer, FeatureRequest req)
    {
        var where = new List<string>();
        if (layer.Where is not null) where.Add($"({layer.Where})");
        var parameters = new List<NpgsqlParameter>();
        string Param(object value)
        {
            parameters.Add(new NpgsqlParameter { Value = value });
            return "$" + parameters.Count.ToString(CultureInfo.InvariantCulture);
        }
        if (req.FeatureId is not null)
            where.Add($"{layer.IdSql} = {Param(req.FeatureId)}");
        if (req.Bbox is { } b)
        {
            var envelope = $"ST_MakeEnvelope({Param(b[0])}, {Param(b[1])}, {Param(b[2])}, {Param(b[3])}, {req.BboxSrid})";
            if (req.BboxSrid != 4326) envelope = $"ST_Transform({envelope}, 4326)";
            where.Add($"ST_Intersects({layer.GeometrySql}, {envelope})");
        }
        foreach (var (name, value) in req.Filters)
        {
            var filter = layer.Filters.First(f => f.Name == name);
            where.Add(string.Format(CultureInfo.InvariantCulture, filter.Sql, Param(value)));
        }
        return (where, parameters);
    }
}
