using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Headroom.Servers;

/// <summary>
/// Two real Alertmanagers clustered with each other, as an HA pair runs: each gossips on its own loopback port and
/// names the other as <c>--cluster.peer</c>, so a notification one of them sent is not sent again by the other.
/// Every Prometheus (and ruler) sends its alerts to both.
/// </summary>
public sealed class AlertmanagerPair : IAsyncDisposable
{
    private static readonly TimeSpan s_clusterTimeout = TimeSpan.FromSeconds(30);

    private AlertmanagerPair(AlertmanagerServer first, AlertmanagerServer second) => Members = [first, second];

    /// <summary>The two members, in the order they were started.</summary>
    public IReadOnlyList<AlertmanagerServer> Members { get; }

    /// <summary>
    /// Starts both members with <paramref name="options"/> (its <see cref="AlertmanagerOptions.ClusterPort"/> and
    /// <see cref="AlertmanagerOptions.Peers"/> are chosen here) and waits until each reports a settled cluster of two.
    /// </summary>
    /// <exception cref="MissingBinaryException">prometheus-alertmanager is not installed.</exception>
    /// <exception cref="ServerStartException">A member did not start, or the two did not form a cluster in 30 s.</exception>
    public static async Task<AlertmanagerPair> StartAsync(AlertmanagerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        int[] gossipPorts = [FreePort.Next(), FreePort.Next()];
        var starts = gossipPorts.Select((port, i) => AlertmanagerServer.StartAsync(
            options with { ClusterPort = port, Peers = ["127.0.0.1:" + gossipPorts[1 - i]] }, cancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(starts).ConfigureAwait(false);
        }
        catch
        {
            foreach (var start in starts.Where(static s => s.IsCompletedSuccessfully))
                await start.Result.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var pair = new AlertmanagerPair(starts[0].Result, starts[1].Result);
        try
        {
            foreach (var member in pair.Members)
                await WaitForClusterAsync(member, pair.Members.Count, cancellationToken).ConfigureAwait(false);
            return pair;
        }
        catch
        {
            await pair.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The <c>alerting:</c> section of a prometheus.yml that sends to both members, written at column 0. Prometheus
    /// must send every alert to every member: the cluster shares which notifications went out, not the alerts.
    /// </summary>
    public string PrometheusAlertingYaml()
    {
        var yaml = new StringBuilder("alerting:\n  alertmanagers:\n    - static_configs:\n        - targets:\n");
        foreach (var member in Members)
            yaml.Append("            - '").Append(member.BaseUri.Authority).Append("'\n");
        return yaml.ToString();
    }

    /// <summary>Stops both members.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var member in Members)
            await member.DisposeAsync().ConfigureAwait(false);
    }

    // A member that has not settled sends at its own position without knowing its peer; waiting for "ready" and both
    // peers makes the first notification already a clustered one.
    private static async Task WaitForClusterAsync(AlertmanagerServer member, int size, CancellationToken cancellationToken)
    {
        var status = new Uri(member.BaseUri, "api/v2/status");
        var stopwatch = Stopwatch.StartNew();
        var last = "";
        while (stopwatch.Elapsed < s_clusterTimeout)
        {
            using (var response = await Probes.Http.GetAsync(status, cancellationToken).ConfigureAwait(false))
            {
                last = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode && IsSettled(last, size))
                    return;
            }
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
        throw new ServerStartException("alertmanager", $"no settled cluster of {size} within {s_clusterTimeout.TotalSeconds} s; last status {last}", member.RecentLogs);
    }

    private static bool IsSettled(string statusJson, int size)
    {
        using var json = JsonDocument.Parse(statusJson);
        var cluster = json.RootElement.GetProperty("cluster");
        return cluster.GetProperty("status").GetString() == "ready"
            && cluster.TryGetProperty("peers", out var peers) && peers.GetArrayLength() == size;
    }
}
