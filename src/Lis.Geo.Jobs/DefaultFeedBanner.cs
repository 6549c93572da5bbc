using System.Globalization;
using Microsoft.Extensions.Hosting;

namespace Lis.Geo.Jobs;

/// <summary>
/// Says at start-up (API and Worker alike) which feed is the default, the one every request naming no
/// feed routes on, so an operator sees it in the log rather than finding out from a run's figures.
/// </summary>
public sealed class DefaultFeedBanner(NpgsqlDataSource db, ILogger<DefaultFeedBanner> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (await new FeedStore(db).DefaultAsync(stoppingToken) is { } f)
                log.LogInformation("Default feed: {FeedId} '{Name}' ({FileName}, sha256 {Sha}, valid {From} to {To}); change it with PUT /feeds/{{id}}/default.",
                    f.Id, f.Name, f.FileName, f.Sha256[..12], f.ValidFrom?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    f.ValidTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            else
                log.LogWarning("No default feed: requests that name no feedId are refused until a routable feed is uploaded or one is set with PUT /feeds/{{id}}/default.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("Default feed not known yet (the database did not answer: {Message}).", e.Message);
        }
    }
}
