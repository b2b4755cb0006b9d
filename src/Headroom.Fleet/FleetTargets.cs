using Headroom.Prometheus.Client;

namespace Headroom.Fleet;

/// <summary>The file_sd description of the fleet's targets, so that Prometheus scrapes each host at its own path.</summary>
public static class FleetTargets
{
    /// <summary>The job name the fleet's scrape config and history use unless told otherwise.</summary>
    public const string DefaultJob = "fleet";

    /// <summary>The metrics path of one host.</summary>
    public static string MetricsPath(string hostId) => $"/hosts/{hostId}/metrics";

    /// <summary>
    /// One target group per host, all at <paramref name="address"/> (host:port), each with its own
    /// <c>__metrics_path__</c> and an <c>instance</c> label equal to the host id, as in the history.
    /// </summary>
    public static IReadOnlyList<FileSdTargetGroup> For(SimulatedFleet fleet, string address)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        return [.. fleet.Hosts.Select(h => new FileSdTargetGroup(
            [address],
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["__metrics_path__"] = MetricsPath(h.Id),
                ["instance"] = h.Id,
            }))];
    }

    /// <summary>A scrape config (one item of <c>scrape_configs</c>) reading the file_sd file at <paramref name="sdFile"/>.</summary>
    public static string ScrapeConfigYaml(string sdFile, string scrapeInterval = "15s", string job = DefaultJob) =>
        $"""
        - job_name: {job}
          scrape_interval: {scrapeInterval}
          file_sd_configs:
            - files: ['{sdFile.Replace("'", "''", StringComparison.Ordinal)}']
              refresh_interval: 30s
        """;
}
