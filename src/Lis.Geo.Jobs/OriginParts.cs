namespace Lis.Geo.Jobs;

/// <summary>
/// The origin side of a run split by destination groups: each group's chunk writes its part of every
/// origin's indicators (<see cref="OriginAccessPart"/>, <see cref="RunResultWriters.SaveAccessChunkAsync"/>);
/// the aggregation merges the parts into the origin rows a run split by origins writes directly, with
/// <see cref="ZoneAccess.Combine"/>, the rule <see cref="ZoneAccess.Summarise"/> uses itself, so both
/// splits store the same rows.
/// </summary>
public static class OriginParts
{
    /// <summary>
    /// Merges the run's parts into its origin rows and deletes the parts, in one transaction
    /// (<see cref="RunResultWriters.MergeOriginPartsAsync"/>); every origin needs a part from every group.
    /// </summary>
    public static Task MergeAsync(NpgsqlDataSource db, AnalysisRun run, CancellationToken ct)
    {
        var minCentres = run.Spec.Access.Parameters().MinCentres;
        return RunResultWriters.MergeOriginPartsAsync(db, run.Id, run.OriginCount, (origin, parts) =>
        {
            if (parts.Count != run.ChunkCount)
                throw new InvalidOperationException($"Origin {origin} has parts from {parts.Count} of its {run.ChunkCount} destination groups.");
            return ZoneAccess.Combine(parts, minCentres);
        }, ct);
    }
}
