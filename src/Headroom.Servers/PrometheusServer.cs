namespace Headroom.Servers;

/// <summary>
/// A real Prometheus server on a free loopback port with a generated configuration in a temporary
/// directory. Dispose to stop it (SIGTERM, then SIGKILL) and remove the temporary directory.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly RunningServer _server;

    private PrometheusServer(RunningServer server, string dataDirectory, string configPath)
    {
        _server = server;
        DataDirectory = dataDirectory;
        ConfigPath = configPath;
    }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUri => _server.BaseUri;

    /// <summary>The TSDB directory: the caller's <see cref="PrometheusOptions.DataDirectory"/> or a temporary one.</summary>
    public string DataDirectory { get; }

    /// <summary>The generated prometheus.yml; edit it and call <see cref="ReloadAsync"/> to apply changes.</summary>
    public string ConfigPath { get; }

    /// <summary>The last lines Prometheus wrote to stdout and stderr.</summary>
    public string RecentLogs => _server.RecentLogs;

    /// <summary>The server's process id.</summary>
    public int ProcessId => _server.Process.Id;

    /// <summary>True once the process has exited, e.g. after a crash.</summary>
    internal bool HasExited => _server.Process.HasExited;

    /// <summary>Starts Prometheus and waits until <c>/-/ready</c> answers.</summary>
    /// <exception cref="MissingBinaryException">prometheus is not installed.</exception>
    /// <exception cref="ServerStartException">Prometheus exited or was not ready in time; the message holds its logs.</exception>
    public static async Task<PrometheusServer> StartAsync(PrometheusOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var binary = BinaryLocator.Find("prometheus", "prometheus");
        var directory = TempDirectory.Create("prometheus");
        var dataDirectory = options.DataDirectory is null ? directory.Combine("data") : Path.GetFullPath(options.DataDirectory);
        var configPath = directory.Combine("prometheus.yml");
        try
        {
            var ruleFiles = CopyRuleFiles(options.RuleFiles, directory.Combine("rules"));
            Directory.CreateDirectory(dataDirectory);
            var plan = new LaunchPlan(
                "prometheus",
                port =>
                {
                    File.WriteAllText(configPath, PrometheusConfig.Render(options, port, ruleFiles));
                    return new ProcessSpec("prometheus", binary, Arguments(options, port, configPath, dataDirectory))
                    {
                        WorkingDirectory = directory.Path,
                    };
                },
                options.BasicAuthUsers.Count > 0 ? Probes.HttpAnswers("-/ready") : Probes.HttpOk("-/ready"),
                options.StartTimeout)
            {
                PortSource = options.Port is { } port ? () => port : FreePort.Next,
            };
            var server = await RunningServer.StartAsync(plan, directory, cancellationToken).ConfigureAwait(false);
            return new PrometheusServer(server, dataDirectory, configPath);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>Asks Prometheus to re-read <see cref="ConfigPath"/> and its rule files (<c>POST /-/reload</c>).</summary>
    /// <exception cref="HttpRequestException">The reload failed, e.g. the configuration is invalid.</exception>
    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        using var response = await Probes.Http.PostAsync(new Uri(BaseUri, "-/reload"), null, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new HttpRequestException($"Prometheus reload failed with {(int)response.StatusCode}: {body}", null, response.StatusCode);
        }
    }

    /// <summary>
    /// Kills Prometheus with SIGKILL, as a crash would, waits until it has exited and removes its temporary directory
    /// (never a caller-owned data directory, which keeps its WAL and blocks as the crash left them).
    /// </summary>
    internal async Task KillAsync()
    {
        _server.Process.Kill();
        await _server.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Stops Prometheus and removes its temporary directory (never a caller-owned data directory).</summary>
    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static List<string> Arguments(PrometheusOptions options, int port, string configPath, string dataDirectory)
    {
        List<string> arguments =
        [
            "--config.file=" + configPath,
            "--storage.tsdb.path=" + dataDirectory,
            "--storage.tsdb.retention.time=" + options.Retention,
            "--web.listen-address=127.0.0.1:" + port,
            "--web.enable-lifecycle",
        ];
        if (options.EnableRemoteWriteReceiver)
            arguments.Add("--web.enable-remote-write-receiver");
        if (options.BasicAuthUsers.Count > 0)
        {
            var webConfig = Path.Combine(Path.GetDirectoryName(configPath)!, "web.yml");
            File.WriteAllText(webConfig, "basic_auth_users:\n" + string.Concat(options.BasicAuthUsers.Select(u => $"  '{u.Key}': '{u.Value}'\n")));
            arguments.Add("--web.config.file=" + webConfig);
        }
        arguments.AddRange(options.ExtraArguments);
        return arguments;
    }

    private static List<string> CopyRuleFiles(IReadOnlyList<string> ruleFiles, string rulesDirectory)
    {
        Directory.CreateDirectory(rulesDirectory);
        var copies = new List<string>(ruleFiles.Count);
        for (var i = 0; i < ruleFiles.Count; i++)
        {
            var copy = Path.Combine(rulesDirectory, $"{i:00}-{Path.GetFileName(ruleFiles[i])}");
            File.Copy(ruleFiles[i], copy);
            copies.Add(copy);
        }
        return copies;
    }
}
