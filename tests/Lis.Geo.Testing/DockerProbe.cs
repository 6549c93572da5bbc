using System.Net.Sockets;
using System.Text;

namespace Lis.Geo.Testing;

/// <summary>
/// Asks a Docker engine for <c>/_ping</c> with a short timeout. Testcontainers on its own
/// waits much longer before concluding there is no engine, and a docker client without an
/// engine (as on CI here) is the common case we must get past quickly.
/// </summary>
internal static class DockerProbe
{
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    internal sealed record Result(bool Answered, string Endpoint, string Detail);

    public static Task<Result> ProbeAsync() => ProbeAsync(Environment.GetEnvironmentVariable("DOCKER_HOST"));

    internal static async Task<Result> ProbeAsync(string? dockerHost)
    {
        var tried = new List<string>();
        foreach (var endpoint in CandidateEndpoints(dockerHost))
        {
            if (endpoint.UnixPath is { } path && !File.Exists(path))
            {
                tried.Add($"{endpoint.Display} (no such socket)");
                continue;
            }

            var (answered, detail) = await PingAsync(endpoint).ConfigureAwait(false);
            if (answered)
            {
                return new Result(true, endpoint.Display, "answered");
            }

            tried.Add($"{endpoint.Display} ({detail})");
        }

        return new Result(false, "", "no engine answered: " + string.Join("; ", tried));
    }

    private sealed record Endpoint(string Display, string? UnixPath, string? Host, int Port);

    private static IEnumerable<Endpoint> CandidateEndpoints(string? dockerHost)
    {
        if (!string.IsNullOrWhiteSpace(dockerHost))
        {
            // An explicit DOCKER_HOST is what Testcontainers will use too; probing anything
            // else would be testing an engine we are not going to talk to.
            if (Uri.TryCreate(dockerHost, UriKind.Absolute, out var uri))
            {
                if (uri.Scheme == "unix")
                {
                    yield return new Endpoint(dockerHost, uri.AbsolutePath, null, 0);
                }
                else if (uri.Scheme is "tcp" or "http" or "https")
                {
                    yield return new Endpoint(dockerHost, null, uri.Host, uri.Port > 0 ? uri.Port : 2375);
                }
            }

            yield break;
        }

        yield return new Endpoint("unix:///var/run/docker.sock", "/var/run/docker.sock", null, 0);
        var runtimeDir = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (!string.IsNullOrEmpty(runtimeDir))
        {
            var rootless = Path.Combine(runtimeDir, "docker.sock");
            yield return new Endpoint("unix://" + rootless, rootless, null, 0);
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home))
        {
            var desktop = Path.Combine(home, ".docker", "run", "docker.sock");
            yield return new Endpoint("unix://" + desktop, desktop, null, 0);
        }
    }

    private static async Task<(bool, string)> PingAsync(Endpoint endpoint)
    {
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            using var socket = endpoint.UnixPath is { } path
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(SocketType.Stream, ProtocolType.Tcp);
            if (endpoint.UnixPath is { } socketPath)
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cts.Token).ConfigureAwait(false);
            }
            else
            {
                await socket.ConnectAsync(endpoint.Host!, endpoint.Port, cts.Token).ConfigureAwait(false);
                if (endpoint.Display.StartsWith("https", StringComparison.Ordinal)
                    || Environment.GetEnvironmentVariable("DOCKER_TLS_VERIFY") == "1")
                {
                    // Speaking TLS just to ping is not worth it: an open TLS port is an engine.
                    return (true, "tcp port open");
                }
            }

            var request = Encoding.ASCII.GetBytes("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n");
            await socket.SendAsync(request, SocketFlags.None, cts.Token).ConfigureAwait(false);
            var buffer = new byte[64];
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token).ConfigureAwait(false);
            var status = Encoding.ASCII.GetString(buffer, 0, read);
            return status.StartsWith("HTTP/1.", StringComparison.Ordinal) && status.Length >= 12 && status[9..12] == "200"
                ? (true, "ok")
                : (false, "unexpected answer: " + status.Split('\r')[0]);
        }
        catch (OperationCanceledException)
        {
            return (false, $"no answer within {Timeout.TotalSeconds:0} s");
        }
        catch (SocketException e)
        {
            return (false, e.Message);
        }
    }
}
