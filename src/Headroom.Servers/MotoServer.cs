namespace Headroom.Servers;

/// <summary>
/// moto's standalone server (<c>moto_server</c>), a mock of the AWS APIs (CloudWatch, EC2, STS,
/// tagging), on a free loopback port. Point AWS SDK clients' service URL at <see cref="Endpoint"/>
/// with any access key.
/// </summary>
public sealed class MotoServer : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private readonly RunningServer _server;

    private MotoServer(RunningServer server) => _server = server;

    /// <summary>The endpoint for every AWS service, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Endpoint => _server.BaseUri;

    /// <summary>The last lines moto_server wrote to stdout and stderr.</summary>
    public string RecentLogs => _server.RecentLogs;

    /// <summary>The server's process id.</summary>
    public int ProcessId => _server.Process.Id;

    /// <summary>Starts moto_server and waits until <c>/moto-api/</c> answers.</summary>
    /// <exception cref="MissingBinaryException">moto_server is not installed.</exception>
    /// <exception cref="ServerStartException">It exited or was not ready in time; the message holds its logs.</exception>
    public static async Task<MotoServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var binary = BinaryLocator.Find("moto_server", "python3-moto", "pip install 'moto[server]'");
        var plan = new LaunchPlan(
            "moto_server",
            port => new ProcessSpec("moto_server", binary, ["-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            {
                // Python buffers stdout when it is a pipe; unbuffered output keeps the captured log current.
                Environment = new Dictionary<string, string?> { ["PYTHONUNBUFFERED"] = "1" },
            },
            Probes.HttpOk("moto-api/"),
            s_startTimeout);
        return new MotoServer(await RunningServer.StartAsync(plan, null, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Stops moto_server.</summary>
    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
