using System.Globalization;
using System.Text;

namespace Headroom.Sharding;

/// <summary>
/// <c>--emit kubernetes</c>: instead of starting processes, writes one manifest file per shard into
/// <c>DIRECTORY/kubernetes/</c> for an orchestrator (kubectl apply --prune, Argo CD, Flux) to apply: a headless
/// Service, a ConfigMap holding prometheus.yml and the shard's file_sd targets, and a StatefulSet of the replicas.
/// A stopped shard's file is deleted. Replica URLs are the StatefulSet pods' stable DNS names.
/// </summary>
/// <remarks>
/// The kubelet refreshes a mounted ConfigMap within about a minute, so set <c>file_sd_refresh</c> to 90s or more:
/// the handover overlap counts from when the new shard can have read its targets.
/// </remarks>
public sealed class KubernetesManifests(AutoscalerOptions options) : IShardRuntime
{
    private const int Port = 9090;

    /// <summary>Where the manifests go.</summary>
    public string Directory => Path.Combine(options.Directory, "kubernetes");

    /// <inheritdoc />
    public Task<IReadOnlyList<Uri>> StartAsync(string shard, string fileSdPath, CancellationToken cancellationToken)
    {
        IReadOnlyList<Uri> replicas = [.. Enumerable.Range(0, options.Replicas)
            .Select(r => new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{Name(shard)}-{r}.{Name(shard)}.{options.KubernetesNamespace}.svc:{Port}/")))];
        return Task.FromResult(replicas);
    }

    /// <inheritdoc />
    public Task StopAsync(string shard, CancellationToken cancellationToken)
    {
        File.Delete(Path.Combine(Directory, Name(shard) + ".yaml"));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task ReconciledAsync(IReadOnlyList<ShardState> shards, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shards);
        System.IO.Directory.CreateDirectory(Directory);
        foreach (var shard in shards)
        {
            var targets = await File.ReadAllTextAsync(shard.FileSdPath, cancellationToken).ConfigureAwait(false);
            var path = Path.Combine(Directory, Name(shard.Name) + ".yaml");
            await File.WriteAllTextAsync(path + ".tmp", Render(shard, targets), cancellationToken).ConfigureAwait(false);
            File.Move(path + ".tmp", path, overwrite: true);
        }
    }

    /// <summary>The manifests of one shard.</summary>
    public string Render(ShardState shard, string targetsJson)
    {
        ArgumentNullException.ThrowIfNull(shard);
        ArgumentNullException.ThrowIfNull(targetsJson);
        var name = Name(shard.Name);
        var ns = options.KubernetesNamespace;
        var interval = Seconds(options.ScrapeInterval);
        var retention = Seconds(options.Retention);
        var refresh = Seconds(options.FileSdRefresh);
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"""
            # Written by headroom shard autoscale for shard {shard.Name}{(shard.RetiredAt is null ? "" : " (retired: scrapes nothing, kept readable until its retention passes)")}.
            apiVersion: v1
            kind: Service
            metadata:
              name: {name}
              namespace: {ns}
              labels: {"{"}app.kubernetes.io/name: prometheus, headroom.io/shard: {shard.Name}{"}"}
            spec:
              clusterIP: None
              selector: {"{"}app.kubernetes.io/name: prometheus, headroom.io/shard: {shard.Name}{"}"}
              ports: [{"{"}name: web, port: {Port}{"}"}]
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {name}
              namespace: {ns}
            data:
              prometheus.yml: |
                global:
                  scrape_interval: {interval}
                scrape_configs:
                  - job_name: {options.Job}
                    file_sd_configs:
                      - files: [/etc/prometheus/targets.json]
                        refresh_interval: {refresh}
                  - job_name: prometheus
                    static_configs: [{"{"}targets: ['localhost:{Port}']{"}"}]
              targets.json: |

            """);
        foreach (var line in targetsJson.Split('\n'))
            yaml.Append("    ").Append(line).Append('\n');
        yaml.Append(CultureInfo.InvariantCulture, $"""
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: {name}
              namespace: {ns}
            spec:
              serviceName: {name}
              replicas: {options.Replicas}
              podManagementPolicy: Parallel
              selector:
                matchLabels: {"{"}app.kubernetes.io/name: prometheus, headroom.io/shard: {shard.Name}{"}"}
              template:
                metadata:
                  labels: {"{"}app.kubernetes.io/name: prometheus, headroom.io/shard: {shard.Name}{"}"}
                spec:
                  containers:
                    - name: prometheus
                      image: {options.PrometheusImage}
                      args:
                        - --config.file=/etc/prometheus/prometheus.yml
                        - --storage.tsdb.path=/prometheus
                        - --storage.tsdb.retention.time={retention}
                      ports: [{"{"}name: web, containerPort: {Port}{"}"}]
                      readinessProbe: {"{"}httpGet: {"{"}path: /-/ready, port: web{"}"}{"}"}
                      volumeMounts:
                        - {"{"}name: config, mountPath: /etc/prometheus{"}"}
                        - {"{"}name: data, mountPath: /prometheus{"}"}
                  volumes:
                    - {"{"}name: config, configMap: {"{"}name: {name}{"}"}{"}"}
              volumeClaimTemplates:
                - metadata: {"{"}name: data{"}"}
                  spec:
                    accessModes: [ReadWriteOnce]
                    resources: {"{"}requests: {"{"}storage: 50Gi{"}"}{"}"}

            """);
        return yaml.ToString();
    }

    /// <summary>A Kubernetes object name: <c>prometheus-shard-3</c>.</summary>
    private static string Name(string shard) => "prometheus-" + shard;

    private static string Seconds(TimeSpan duration) => ((long)Math.Max(1, duration.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + "s";
}
