using System.Net.Sockets;

namespace Headroom.Servers;

/// <summary>Readiness checks shared by the servers.</summary>
internal static class Probes
{
    /// <summary>One client for all probes and admin calls; requests are short and local.</summary>
    public static HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(5) };

    public static Uri Loopback(int port) => new($"http://127.0.0.1:{port}/");

    /// <summary>Ready when GET <paramref name="path"/> answers with a success status.</summary>
    public static Func<ManagedProcess, int, CancellationToken, Task<bool>> HttpOk(string path) =>
        async (_, port, cancellationToken) =>
        {
            using var response = await Http.GetAsync(new Uri(Loopback(port), path), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        };

    /// <summary>Ready when GET <paramref name="path"/> gets any HTTP answer, e.g. 401 from a server that requires credentials.</summary>
    public static Func<ManagedProcess, int, CancellationToken, Task<bool>> HttpAnswers(string path) =>
        async (_, port, cancellationToken) =>
        {
            using var response = await Http.GetAsync(new Uri(Loopback(port), path), cancellationToken).ConfigureAwait(false);
            return true;
        };

    /// <summary>Ready when the log contains <paramref name="line"/> and the port accepts a TCP connection.</summary>
    public static Func<ManagedProcess, int, CancellationToken, Task<bool>> LogLineAndTcp(string line) =>
        async (process, port, cancellationToken) =>
            process.Logs.Contains(line) && await AcceptsTcpAsync(port, cancellationToken).ConfigureAwait(false);

    public static async Task<bool> AcceptsTcpAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(System.Net.IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
