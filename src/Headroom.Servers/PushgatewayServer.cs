namespace Headroom.Servers;

/// <summary>A real Prometheus Pushgateway on a free loopback port, without persistence.</summary>
public sealed class PushgatewayServer : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);
    private readonly RunningServer _server;

    private PushgatewayServer(RunningServer server) => _server = server;

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>; push to <c>metrics/job/NAME</c>.</summary>
    public Uri BaseUri => _server.BaseUri;

    /// <summary>The last lines the Pushgateway wrote to stdout and stderr.</summary>
    public string RecentLogs => _server.RecentLogs;

    /// <summary>The server's process id.</summary>
    public int ProcessId => _server.Process.Id;

    /// <summary>Starts the Pushgateway and waits until <c>/-/ready</c> answers.</summary>
    /// <exception cref="MissingBinaryException">prometheus-pushgateway is not installed.</exception>
    /// <exception cref="ServerStartException">It exited or was not ready in time; the message holds its logs.</exception>
    public static Task<PushgatewayServer> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(FreePort.Next, cancellationToken);

    internal static async Task<PushgatewayServer> StartAsync(Func<int> portSource, CancellationToken cancellationToken)
    {
        var binary = BinaryLocator.Find("prometheus-pushgateway", "prometheus-pushgateway");
        var plan = new LaunchPlan(
            "pushgateway",
            port => new ProcessSpec("pushgateway", binary, ["--web.listen-address=127.0.0.1:" + port, "--persistence.file="]),
            Probes.HttpOk("-/ready"),
            s_startTimeout)
        { PortSource = portSource };
        return new PushgatewayServer(await RunningServer.StartAsync(plan, null, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Stops the Pushgateway.</summary>
    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
