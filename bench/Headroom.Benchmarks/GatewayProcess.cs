using Headroom.Servers;
using Headroom.Testing;

namespace Headroom.Benchmarks;

/// <summary>
/// <c>headroom gateway</c> as it is deployed: its own process (the CLI built in Release), its configuration from a file.
/// In the benchmark's own process the gateway shared its heap and its garbage collections with the clients, which
/// read every answer (10 MB of JSON for a day of <c>rate</c>) into strings and parse it; in its own process the
/// gateway's time and memory are its own, as the one Prometheus' are. Started as the real servers are
/// (<see cref="RunningServer"/>: a free port, retried if taken, ready on <c>/-/ready</c>, stopped by SIGTERM).
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromMinutes(1);
    private readonly RunningServer _server;

    private GatewayProcess(RunningServer server) => _server = server;

    /// <summary>Where it listens.</summary>
    public Uri BaseUri => _server.BaseUri;

    /// <summary>The process, for its memory and CPU in /proc.</summary>
    public int ProcessId => _server.Process.Id;

    /// <summary>Writes <paramref name="yaml"/> to a file in <paramref name="directory"/>, starts the gateway on it, and waits until it is ready.</summary>
    public static async Task<GatewayProcess> StartAsync(string yaml, string directory)
    {
        var cli = RepositoryPaths.Combine("src", "Headroom.Cli", "bin", "Release", "net10.0", "headroom.dll");
        if (!File.Exists(cli))
            throw new InvalidOperationException($"{cli} is missing: build it first (dotnet build src/Headroom.Cli -c Release; bench/gateway.sh does)");
        var config = Path.Combine(directory, "gateway.yml");
        await File.WriteAllTextAsync(config, yaml);
        var plan = new LaunchPlan(
            "headroom gateway",
            port => new ProcessSpec("headroom gateway", "dotnet", [cli, "gateway", "--config", config, "--listen", $"127.0.0.1:{port}", "--log-level", "warn"]),
            Probes.HttpOk("-/ready"),
            s_startTimeout);
        return new GatewayProcess(await RunningServer.StartAsync(plan, null, CancellationToken.None));
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
