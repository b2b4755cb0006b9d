using System.Globalization;
using Headroom.Prometheus;
using Headroom.Prometheus.Relabeling;

namespace Headroom.Servers;

/// <summary>
/// A sharded HA fleet of real Prometheus servers: N shards × R replicas, each replica its own process on a free
/// loopback port with its own data directory and the external labels <c>shard="i"</c> and <c>replica="r"</c>.
/// History is split across the shards by <see cref="Hashmod"/> and backfilled with promtool before the start (once
/// per shard; the blocks are copied to each replica); live targets are split by Prometheus' own <c>hashmod</c>
/// relabeling. Dispose to stop every replica and remove the data.
/// </summary>
/// <example><code>
/// await using var fleet = await PrometheusTopology.StartAsync(new PrometheusTopologyOptions { HistoryFile = "history.om" });
/// var uri = fleet.Shards[1].Replicas[0].BaseUri;
/// await fleet.Replica(1, 0).KillAsync();
/// await fleet.Replica(1, 0).StartAsync();   // same port, same data
/// </code></example>
public sealed partial class PrometheusTopology : IAsyncDisposable
{
    /// <summary>The external label holding a replica's shard index.</summary>
    public const string ShardLabel = "shard";

    /// <summary>The external label holding a replica's index within its shard.</summary>
    public const string ReplicaLabel = "replica";

    private readonly TempDirectory _directory;
    private int _disposed;

    private PrometheusTopology(TempDirectory directory, IReadOnlyList<PrometheusShard> shards)
    {
        _directory = directory;
        Shards = shards;
        Replicas = [.. shards.SelectMany(static s => s.Replicas)];
    }

    /// <summary>The shards, by index.</summary>
    public IReadOnlyList<PrometheusShard> Shards { get; }

    /// <summary>Every replica, shard by shard.</summary>
    public IReadOnlyList<PrometheusReplica> Replicas { get; }

    /// <summary>Shards → replicas → base URIs, e.g. <c>BaseUris[1][0]</c> for shard 1's first replica.</summary>
    public IReadOnlyList<IReadOnlyList<Uri>> BaseUris => [.. Shards.Select(static s => (IReadOnlyList<Uri>)[.. s.Replicas.Select(static r => r.BaseUri)])];

    /// <summary>The directory holding every replica's data, removed on dispose.</summary>
    public string Directory => _directory.Path;

    /// <summary>The replica <paramref name="replica"/> of shard <paramref name="shard"/>.</summary>
    public PrometheusReplica Replica(int shard, int replica) => Shards[shard].Replicas[replica];

    /// <summary>
    /// Splits and backfills the history (if any), then starts every replica at once and waits until all are ready.
    /// On failure, whatever started is stopped and the data removed.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="InvalidOperationException">promtool refused a shard's history; the message holds its output.</exception>
    /// <exception cref="FormatException">A line of the history is not OpenMetrics.</exception>
    /// <exception cref="ServerStartException">A replica exited or was not ready in time.</exception>
    /// <exception cref="TimeoutException">The whole start took longer than <see cref="PrometheusTopologyOptions.StartTimeout"/>.</exception>
    public static async Task<PrometheusTopology> StartAsync(PrometheusTopologyOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.StartTimeout);
        var directory = TempDirectory.Create("topology");
        PrometheusTopology? topology = null;
        try
        {
            var history = await BackfillAsync(options, directory, timeout.Token).ConfigureAwait(false);
            var shards = new PrometheusShard[options.Shards];
            for (var s = 0; s < options.Shards; s++)
            {
                var replicas = new PrometheusReplica[options.Replicas];
                for (var r = 0; r < options.Replicas; r++)
                    replicas[r] = new PrometheusReplica(s, r, ReplicaOptions(options, s, r, history.DataDirectories[s][r]), history.ReplicaSamples[s][r], history.ReplicaRecorded[s][r]);
                shards[s] = new PrometheusShard(s, replicas, history.ShardCounts[s].Series, history.ShardCounts[s].Samples);
            }
            topology = new PrometheusTopology(directory, shards);
            await Task.WhenAll(topology.Replicas.Select(r => r.StartAsync(timeout.Token))).ConfigureAwait(false);
            return topology;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await StopAsync(topology, directory).ConfigureAwait(false);
            throw new TimeoutException($"The Prometheus topology ({options.Shards} shards × {options.Replicas} replicas) did not start within {options.StartTimeout.TotalSeconds:0.#} s.");
        }
        catch
        {
            await StopAsync(topology, directory).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops every replica at once (SIGTERM, then SIGKILL) and removes the topology's directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await StopAsync(this, _directory).ConfigureAwait(false);
    }

    private static async Task StopAsync(PrometheusTopology? topology, TempDirectory directory)
    {
        if (topology is not null)
            await Task.WhenAll(topology.Replicas.Select(static r => r.StopAsync())).ConfigureAwait(false);
        directory.Dispose();
    }

    private static PrometheusOptions ReplicaOptions(PrometheusTopologyOptions options, int shard, int replica, string dataDirectory)
    {
        var template = options.Prometheus;
        var labels = new Dictionary<string, string>(template.ExternalLabels, StringComparer.Ordinal)
        {
            [ShardLabel] = shard.ToString(CultureInfo.InvariantCulture),
            [ReplicaLabel] = replica.ToString(CultureInfo.InvariantCulture),
        };
        var scrapeConfigs = string.Join('\n', new[] { template.ScrapeConfigsYaml?.TrimEnd(), options.Scrape?.ToYaml(shard, options.Shards) }
            .Where(static y => !string.IsNullOrWhiteSpace(y)));
        return template with
        {
            DataDirectory = dataDirectory,
            ExternalLabels = labels,
            ScrapeConfigsYaml = scrapeConfigs.Length == 0 ? null : scrapeConfigs,
        };
    }
}
