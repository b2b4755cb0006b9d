namespace Headroom.Servers;

/// <summary>
/// A real Alertmanager on a free loopback port. By default clustering is disabled and the only receiver,
/// <c>default</c>, sends nowhere; <see cref="AlertmanagerOptions"/> gives it a configuration and cluster peers.
/// </summary>
public sealed class AlertmanagerServer : IAsyncDisposable
{
    private readonly RunningServer _server;

    private AlertmanagerServer(RunningServer server, string? clusterAddress)
    {
        _server = server;
        ClusterAddress = clusterAddress;
    }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>; the API is under <c>api/v2/</c>.</summary>
    public Uri BaseUri => _server.BaseUri;

    /// <summary>The gossip address, e.g. <c>127.0.0.1:41235</c>, or null when clustering is disabled.</summary>
    public string? ClusterAddress { get; }

    /// <summary>The last lines Alertmanager wrote to stdout and stderr.</summary>
    public string RecentLogs => _server.RecentLogs;

    /// <summary>The server's process id.</summary>
    public int ProcessId => _server.Process.Id;

    /// <summary>Starts Alertmanager with the default options and waits until <c>/-/ready</c> answers.</summary>
    /// <exception cref="MissingBinaryException">prometheus-alertmanager is not installed.</exception>
    /// <exception cref="ServerStartException">It exited or was not ready in time; the message holds its logs.</exception>
    public static Task<AlertmanagerServer> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(new AlertmanagerOptions(), cancellationToken);

    /// <summary>Starts Alertmanager and waits until <c>/-/ready</c> answers.</summary>
    /// <exception cref="ArgumentException">The options are inconsistent.</exception>
    /// <exception cref="MissingBinaryException">prometheus-alertmanager is not installed.</exception>
    /// <exception cref="ServerStartException">It exited or was not ready in time; the message holds its logs.</exception>
    public static async Task<AlertmanagerServer> StartAsync(AlertmanagerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var binary = BinaryLocator.Find("prometheus-alertmanager", "prometheus-alertmanager");
        var directory = TempDirectory.Create("alertmanager");
        var configPath = directory.Combine("alertmanager.yml");
        await File.WriteAllTextAsync(configPath, options.Config.TrimEnd() + "\n", cancellationToken).ConfigureAwait(false);
        var clusterAddress = options.ClusterPort is { } clusterPort ? "127.0.0.1:" + clusterPort : null;
        var plan = new LaunchPlan(
            "alertmanager",
            port => new ProcessSpec("alertmanager", binary, Arguments(options, port, configPath, directory.Combine("data"), clusterAddress)),
            Probes.HttpOk("-/ready"),
            options.StartTimeout);
        var server = await RunningServer.StartAsync(plan, directory, cancellationToken).ConfigureAwait(false);
        return new AlertmanagerServer(server, clusterAddress);
    }

    /// <summary>Kills Alertmanager with SIGKILL, as a crash would, and waits until it has exited.</summary>
    public async Task KillAsync()
    {
        _server.Process.Kill();
        await _server.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Stops Alertmanager and removes its temporary directory.</summary>
    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static List<string> Arguments(AlertmanagerOptions options, int port, string configPath, string dataPath, string? clusterAddress)
    {
        List<string> arguments =
        [
            "--config.file=" + configPath,
            "--storage.path=" + dataPath,
            "--web.listen-address=127.0.0.1:" + port,
            "--cluster.listen-address=" + (clusterAddress ?? ""),
        ];
        if (clusterAddress is null)
            return arguments;
        arguments.Add("--cluster.gossip-interval=" + options.GossipInterval);
        arguments.Add("--cluster.pushpull-interval=" + options.PushPullInterval);
        arguments.Add("--cluster.peer-timeout=" + options.PeerTimeout);
        arguments.AddRange(options.Peers.Select(static peer => "--cluster.peer=" + peer));
        return arguments;
    }
}
