using Lis.Geo.Analysis.Reports;
using Lis.Geo.Data.Layers;

namespace Lis.Geo.Jobs;

/// <summary>
/// The corridor part of a corridor run's aggregation: for the run's corridor (or every corridor) the
/// figures of <see cref="CorridorFigures"/>, computed in PostGIS from the run's stored results, then the
/// map and the one-page report, all stored in <c>corridor_analysis</c> (an upsert, so a retried
/// aggregation rewrites rather than duplicates).
/// </summary>
public static class CorridorAnalyses
{
    /// <summary>Writes every corridor's analysis; returns the corridors that failed (when more than one was asked for), with why.</summary>
    public static async Task<IReadOnlyList<string>> WriteAsync(NpgsqlDataSource db, AnalysisRun run, CancellationToken ct)
    {
        var codes = await CorridorQueries.CodesAsync(db, run.Spec.Corridor, ct);
        var failures = new List<string>();
        foreach (var code in codes)
        {
            try { await WriteOneAsync(db, run, code, ct); }
            catch (Exception e) when (e is not OperationCanceledException && codes.Count > 1)
            {
                // One corridor's failure (say, a geometry PostGIS cannot measure) must not cost the others
                // or the run's zone results; it is reported on the run instead.
                failures.Add($"corridor {code}: {e.Message}");
            }
        }
        return failures;
    }

    private static async Task WriteOneAsync(NpgsqlDataSource db, AnalysisRun run, string code, CancellationToken ct)
    {
        var figures = await FiguresAsync(db, run, code, ct);
        if (figures is null) return; // deleted since the run was queued
        var previous = await PreviousAsync(db, code, run.Id, ct);
        var map = await MapAsync(db, run, code, ct);
        var change = previous is null ? null : CorridorChange.Between(previous, figures);
        var html = CorridorReport.Render(figures, map, change, DateTimeOffset.UtcNow);
        await CorridorAnalysisStore.UpsertAsync(db, run.Id, code, figures.Name, JsonSerializer.Serialize(figures, AnalysisPlanner.Json), html, map, ct);
    }

    /// <summary>The corridor's analysis from the latest earlier run, for the report's "change since".</summary>
    public static async Task<CorridorFigures?> PreviousAsync(NpgsqlDataSource db, string code, long beforeRunId, CancellationToken ct) =>
        await CorridorAnalysisStore.PreviousFiguresAsync(db, code, beforeRunId, ct) is { } json ? JsonSerializer.Deserialize<CorridorFigures>(json, AnalysisPlanner.Json) : null;

    private static async Task<CorridorFigures?> FiguresAsync(NpgsqlDataSource db, AnalysisRun run, string code, CancellationToken ct)
    {
        var spec = run.Spec;
        var (routing, access) = (spec.Routing, spec.Access);
        if (await CorridorQueries.NameAndAreaAsync(db, code, ct) is not { } corridor) return null;
        var (name, hectares) = corridor;

        var groups = await CorridorAnalysisStore.ZoneGroupsAsync(db, run.Id, code, spec.Deprivation, access.MinCentres, ct);
        AccessGroup Access(bool inside)
        {
            var g = groups.Where(x => x.Inside == inside).ToList();
            return AccessGroup.Of(g.Sum(x => x.Zones), g.Sum(x => x.Population), g.Sum(x => x.Meeting), g.Sum(x => x.WeightedTimeShare), g.Sum(x => x.WeightedCentres));
        }
        var residents = Residents.From(groups.Where(x => x.Inside).Select(x => (x.Decile, x.Zones, x.Population)).ToList());
        var h = await CorridorAnalysisStore.HousingAsync(db, run.Id, code, spec.ZoneSet, spec.Deprivation, access.MinCentres, ct);
        var housing = new Housing(h.Sites, h.MinDwellings, h.MaxDwellings, h.Hectares, h.SitesPoorlyConnected, h.MaxDwellingsPoorlyConnected);
        var l = await CorridorAnalysisStore.EmploymentLandAsync(db, code, ct);
        var land = new EmploymentLand(l.Sites, l.Hectares, l.Jobs);
        var sites = (await CorridorAnalysisStore.EmploymentSitesAsync(db, run.Id, code, spec.NearMeters!.Value, ct))
            .Select(t => new EmploymentSiteCatchment(t.Reference, t.Name, t.Inside, Math.Round(t.DistanceMeters, 1), t.Hectares, t.Jobs,
                t.CatchmentPopulation, t.DeprivedCatchmentPopulation, t.DeprivedRank, t.CentresReachable)).ToList();

        return new CorridorFigures(code, name, Math.Round(hectares, 2), run.Id, spec.ServiceDate.ToString("yyyy-MM-dd"),
            // Departure windows keep their established text (runs compare it); arrival windows say so.
            $"{(routing.WindowKind == Lis.Geo.Transit.Routing.WindowKind.Arrival ? CorridorFigures.ArrivalPrefix : "")}{Clock(routing.Window.StartSeconds)}–{Clock(routing.Window.EndSeconds)}",
            access.ThresholdMinutes, access.MinCentres, access.Percentile, spec.NearMeters!.Value, spec.ZoneSet,
            // Every feed routed on: two runs on different feed sets are not comparable, even when their first feeds agree.
            string.Join("+", spec.Feeds.Select(f => f.Sha256)), $"{run.DestinationSet}@{run.DestinationVersion}", spec.RoutingFingerprint,
            residents, housing, land, AccessComparison.Of(Access(true), Access(false)), sites, CorridorFigures.MethodText)
        {
            Deprivation = spec.Deprivation,
            DeprivationName = DeprivationJoin.Label(spec.Deprivation),
        };
    }

    /// <summary>
    /// The report map (<see cref="CorridorMap"/>, which styles it): the corridor with a margin around it, the run's
    /// zones by the overlay's bivariate class, housing and employment sites, centres, simplified to about a pixel.
    /// </summary>
    private static async Task<string> MapAsync(NpgsqlDataSource db, AnalysisRun run, string code, CancellationToken ct)
    {
        var access = run.Spec.Access;
        var frame = await CorridorAnalysisStore.MapFrameAsync(db, code, CorridorMap.Pixels, ct);
        var classes = BivariateClasses.Legend(access.MinCentres, access.ThresholdMinutes).Select(l => new CorridorMap.ZoneClass(l.Class, l.Label, l.Colour)).ToList();
        var zones = await CorridorAnalysisStore.MapZonesAsync(db, run.Id, run.Spec.ZoneSet, run.Spec.Deprivation, access.MinCentres, frame, ct);
        var corridors = await CorridorAnalysisStore.MapCorridorAsync(db, code, ct);
        var (housing, employment, centres) = await CorridorAnalysisStore.MapPlacesAsync(db, frame, ct);
        static IEnumerable<CorridorMap.Shape> Shapes(IEnumerable<CorridorAnalysisStore.MapShape> shapes) => shapes.Select(s => new CorridorMap.Shape(s.Geometry, s.Name));
        return CorridorMap.Render(frame.Extent, classes, zones.Select(z => (new CorridorMap.Shape(z.Geometry, z.Name), z.Class!)),
            Shapes(corridors), Shapes(housing), Shapes(employment), Shapes(centres));
    }

    /// <summary>07:00 rather than 07:00:00: windows are whole minutes.</summary>
    private static string Clock(int seconds) => FormattableString.Invariant($"{seconds / 3600:00}:{seconds % 3600 / 60:00}");
}
