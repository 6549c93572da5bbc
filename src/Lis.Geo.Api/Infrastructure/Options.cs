using System.ComponentModel.DataAnnotations;

namespace Lis.Geo.Api.Infrastructure;

/// <summary>Section "Api": paging and request size limits.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Features per page when the client gives no <c>limit</c>.</summary>
    [Range(1, 100_000)] public int DefaultPageSize { get; set; } = 100;

    /// <summary>Largest <c>limit</c> accepted (advertised in the collection metadata).</summary>
    [Range(1, 100_000)] public int MaxPageSize { get; set; } = 10_000;

    /// <summary>
    /// Runs whose result collections <c>/collections</c> lists: the newest this many succeeded runs (each
    /// run adds 1–3 collections). Every run's collections stay reachable by id and under /analyses/{id}/collections.
    /// </summary>
    [Range(0, 1_000)] public int ListedRuns { get; set; } = 10;

    /// <summary>Largest JSON body for a single-feature write.</summary>
    [Range(1_024, 64 * 1024 * 1024)] public long MaxFeatureBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Largest uploaded import file.</summary>
    [Range(1_024, 4L * 1024 * 1024 * 1024)] public long MaxUploadBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Folder where uploads are streamed while they are checked and stored (deleted after each
    /// request); empty = the system temp folder. Point it at a disk with room for MaxUploadBytes when
    /// /tmp is a small RAM disk.
    /// </summary>
    public string UploadDirectory { get; set; } = "";

    /// <summary>
    /// The address clients reach this API at (e.g. https://geo.example.org/api), used for every link and
    /// Location header instead of the request's Host header, which a client or proxy can set to anything.
    /// Empty: links are built from the request, as AllowedHosts filtered it.
    /// </summary>
    public string PublicBaseUrl { get; set; } = "";

    /// <summary>
    /// Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (the client's
    /// address then keys rate limits). Empty: forwarded headers are ignored.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];
}

/// <summary>Section "Auth": the key that unlocks writes. Reads are public.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>
    /// Sent by clients in the <c>X-API-Key</c> header. Empty disables every write endpoint (they answer
    /// 401 and say how to configure one); never hard-coded, set by environment (<c>Auth__ApiKey</c>) or secrets.
    /// </summary>
    public string ApiKey { get; set; } = "";
}
