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
    /// <param name="withMetadata">
    /// Also carry the host's metadata as target labels (<see cref="Metadata"/>), as EC2 service discovery with the
    /// relabeling of deploy/prometheus/node-exporter/ec2-sd.yml does; the history must then be written with
    /// <see cref="HistoryOptions.TargetLabels"/> so that its series and the scraped ones are the same series.
    /// </param>
    public static IReadOnlyList<FileSdTargetGroup> For(SimulatedFleet fleet, string address, bool withMetadata = false)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        return [.. fleet.Hosts.Select(h =>
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["__metrics_path__"] = MetricsPath(h.Id),
                ["instance"] = h.Id,
            };
            if (withMetadata)
            {
                foreach (var (name, value) in Metadata(h))
                    labels[name] = value;
            }
            return new FileSdTargetGroup([address], labels);
        })];
    }

    /// <summary>
    /// The target labels EC2 service discovery and the shipped relabeling give a host: instance type and id, account
    /// (the owner id), availability zone and name (the Name tag), sorted by name.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Metadata(SimulatedHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return
        [
            new("account", host.Account),
            new("availability_zone", host.AvailabilityZone),
            new("instance_id", host.InstanceId),
            new("instance_type", host.InstanceType.Name),
            new("name", host.Name),
        ];
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
