using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Lis.Geo.Testing.Tests;

/// <summary>
/// The probe decides between Testcontainers and the local binaries; each case here stands in
/// for an engine with a unix socket we control, so the tests mean the same with or without Docker.
/// </summary>
public sealed class DockerProbeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lisgeo-probe-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Missing_socket_is_reported_without_waiting()
    {
        var clock = Stopwatch.StartNew();
        var result = await DockerProbe.ProbeAsync("unix://" + Path.Combine(_dir, "docker.sock"));

        Assert.False(result.Answered);
        Assert.Contains("no such socket", result.Detail, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Engine_answering_ping_with_200_is_found()
    {
        var socketPath = Path.Combine(_dir, "docker.sock");
        using var engine = Listen(socketPath);
        var serve = ServeOnceAsync(engine, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK");

        var result = await DockerProbe.ProbeAsync("unix://" + socketPath);
        var request = await serve;

        Assert.True(result.Answered, result.Detail);
        Assert.StartsWith("GET /_ping HTTP/1.", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Socket_that_accepts_but_never_answers_times_out_as_no_engine()
    {
        // A dead daemon behind a live socket (or socket activation that never completes) must
        // cost the probe's timeout, not a Testcontainers start-up that hangs for minutes.
        var socketPath = Path.Combine(_dir, "docker.sock");
        using var engine = Listen(socketPath);

        var clock = Stopwatch.StartNew();
        var result = await DockerProbe.ProbeAsync("unix://" + socketPath);

        Assert.False(result.Answered);
        Assert.Contains("no answer", result.Detail, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, DockerProbe.Timeout * 0.9, DockerProbe.Timeout * 3);
    }

    [Fact]
    public async Task Something_else_on_the_socket_is_not_an_engine()
    {
        var socketPath = Path.Combine(_dir, "docker.sock");
        using var engine = Listen(socketPath);
        var serve = ServeOnceAsync(engine, "HTTP/1.1 404 Not Found\r\n\r\n");

        var result = await DockerProbe.ProbeAsync("unix://" + socketPath);
        await serve;

        Assert.False(result.Answered);
        Assert.Contains("404", result.Detail, StringComparison.Ordinal);
    }

    private static Socket Listen(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen();
        return socket;
    }

    private static async Task<string> ServeOnceAsync(Socket listener, string response)
    {
        using var client = await listener.AcceptAsync();
        var buffer = new byte[1024];
        var read = await client.ReceiveAsync(buffer, SocketFlags.None);
        await client.SendAsync(Encoding.ASCII.GetBytes(response), SocketFlags.None);
        client.Shutdown(SocketShutdown.Both);
        return Encoding.ASCII.GetString(buffer, 0, read);
    }
}
