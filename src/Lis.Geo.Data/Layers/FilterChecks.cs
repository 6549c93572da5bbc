using System.Globalization;
using Lis.Geo.Transit;

namespace Lis.Geo.Data.Layers;

/// <summary>
/// What the store is asked about a request's filters before its features are read, so a client's mistake is
/// a <see cref="RuleViolation"/> naming the filter (a 400) rather than a failed query or an empty page.
/// </summary>
public static class FilterChecks
{
    /// <summary>Both checks, geometry literals first: every items request of a layer passes here.</summary>
    public static async Task CheckAsync(NpgsqlDataSource db, Layer layer, FeatureRequest request, CancellationToken ct)
    {
        await CheckGeometryLiteralsAsync(db, request, ct);
        await CheckStoredValuesAsync(db, layer, request, ct);
    }

    /// <summary>
    /// Filters with a list of stored values (<see cref="LayerFilter.ValuesSql"/>, written with the layer, never
    /// from the request): a value not among them is refused, naming the filter and listing them.
    /// </summary>
    private static async Task CheckStoredValuesAsync(NpgsqlDataSource db, Layer layer, FeatureRequest request, CancellationToken ct)
    {
        foreach (var f in layer.Filters)
        {
            if (f.ValuesSql is null || !request.Filters.TryGetValue(f.Name, out var value)) continue;
            var known = new List<string>();
            await using var cmd = db.CreateCommand(f.ValuesSql);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) known.Add(r.GetValue(0).ToString()!);
            if (!known.Contains(value.ToString()!, StringComparer.Ordinal))
                throw new RuleViolation(f.Name, RuleKind.Invalid, $"No {f.Name} '{value}' is stored. Known: {string.Join(", ", known)}.");
        }
    }

    /// <summary>
    /// A CQL2 filter's WKT/GeoJSON literals, read by PostGIS before the query (as parameters, never as SQL text):
    /// a malformed one is the client's mistake, not a failed query.
    /// </summary>
    private static async Task CheckGeometryLiteralsAsync(NpgsqlDataSource db, FeatureRequest request, CancellationToken ct)
    {
        if (request.Filter is null) return;
        foreach (var literal in Cql2.GeometryLiterals(request.Filter))
        {
            var parameters = new List<NpgsqlParameter>();
            var sql = Cql2.GeometrySql(literal, request.FilterSrid, v =>
            {
                parameters.Add(new NpgsqlParameter { Value = v });
                return "$" + parameters.Count.ToString(CultureInfo.InvariantCulture);
            });
            await using var cmd = db.CreateCommand($"SELECT CASE WHEN ST_IsValid(g) THEN NULL ELSE ST_IsValidReason(g) END FROM (SELECT {sql} AS g) x");
            cmd.Parameters.AddRange(parameters.ToArray());
            try
            {
                // An invalid geometry (a ring that does not close, a self-intersection) would fail or mislead the spatial functions.
                if (await cmd.ExecuteScalarAsync(ct) is string reason)
                    throw new RuleViolation("filter", RuleKind.Invalid, $"A geometry in the filter is not valid: {reason}.");
            }
            catch (PostgresException e) when (e.SqlState is "XX000" or "22023" or "22P02" or "42883")
            {
                throw new RuleViolation("filter", RuleKind.Invalid, $"A geometry in the filter cannot be read: {e.MessageText}");
            }
        }
    }
}
