namespace Headroom.Servers;

/// <summary>
/// A real Alertmanager on a free loopback port with clustering disabled and a configuration whose
/// only receiver, <c>default</c>, sends nowhere.
/// </summary>
public sealed class AlertmanagerServer : IAsyncDisposable
{
    private const string Config = """
        route:
          receiver: default
          group_wait: 1s
          group_interval: 1s
          repeat_interval: 1h
        receivers:
          - name: default
        """;

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);
    private readonly RunningServer _server;

    private AlertmanagerServer(RunningServer server) => _server = server;

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>; the API is under <c>api/v2/</c>.</summary>
    public Uri BaseUri => _server.BaseUri;

    /// <summary>The last lines Alertmanager wrote to stdout and stderr.</summary>
    public string RecentLogs => _server.RecentLogs;

    /// <summary>The server's process id.</summary>
    public int ProcessId => _server.Process.Id;

    /// <summary>Starts Alertmanager and waits until <c>/-/ready</c> answers.</summary>
    /// <exception cref="MissingBinaryException">prometheus-alertmanager is not installed.</exception>
    /// <exception cref="ServerStartException">It exited or was not ready in time; the message holds its logs.</exception>
    public static async Task<AlertmanagerServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var binary = BinaryLocator.Find("prometheus-alertmanager", "prometheus-alertmanager");
        var directory = TempDirectory.Create("alertmanager");
        var configPath = directory.Combine("alertmanager.yml");
        await File.WriteAllTextAsync(configPath, Config + "\n", cancellationToken).ConfigureAwait(false);
        var plan = new LaunchPlan(
            "alertmanager",
            port => new ProcessSpec("alertmanager", binary,
            [
                "--config.file=" + configPath,
                "--storage.path=" + directory.Combine("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=",
            ]),
            Probes.HttpOk("-/ready"),
            s_startTimeout);
        return new AlertmanagerServer(await RunningServer.StartAsync(plan, directory, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Stops Alertmanager and removes its temporary directory.</summary>
    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
