namespace Headroom.Servers;

/// <summary>
/// A real node_exporter (Debian package <c>prometheus-node-exporter</c>) on a free loopback port, exporting this
/// machine's CPU, memory, network and DMI metrics on <c>/metrics</c>.
/// </summary>
public sealed class NodeExporterServer : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);
    private readonly RunningServer _server;

    private NodeExporterServer(RunningServer server) => _server = server;

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>; metrics are at <c>metrics</c>.</summary>
    public Uri BaseUri => _server.BaseUri;

    /// <summary>The scrape target, <c>127.0.0.1:PORT</c>, as a Prometheus static config names it.</summary>
    public string Target => $"{BaseUri.Host}:{BaseUri.Port}";

    /// <summary>The last lines node_exporter wrote to stdout and stderr.</summary>
    public string RecentLogs => _server.RecentLogs;

    /// <summary>The server's process id.</summary>
    public int ProcessId => _server.Process.Id;

    /// <summary>Starts node_exporter and waits until <c>/metrics</c> answers.</summary>
    /// <param name="arguments">Further flags, e.g. <c>--collector.disable-defaults</c>.</param>
    /// <exception cref="MissingBinaryException">prometheus-node-exporter is not installed.</exception>
    /// <exception cref="ServerStartException">It exited or did not answer in time; the message holds its logs.</exception>
    public static async Task<NodeExporterServer> StartAsync(IReadOnlyList<string>? arguments = null, CancellationToken cancellationToken = default)
    {
        var binary = BinaryLocator.Find("prometheus-node-exporter", "prometheus-node-exporter");
        var plan = new LaunchPlan(
            "node_exporter",
            port => new ProcessSpec("node_exporter", binary, ["--web.listen-address=127.0.0.1:" + port, .. arguments ?? []]),
            Probes.HttpOk("metrics"),
            s_startTimeout)
        { PortSource = FreePort.Next };
        return new NodeExporterServer(await RunningServer.StartAsync(plan, null, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Stops node_exporter.</summary>
    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
