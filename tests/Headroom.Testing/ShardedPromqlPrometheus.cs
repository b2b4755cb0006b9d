using Headroom.Servers;
using Xunit;

namespace Headroom.Testing;

/// <summary>
/// <see cref="PromqlHistory"/> split over a <see cref="PrometheusTopology"/> of 2 shards × 2 replicas, beside
/// <see cref="Reference"/>, one Prometheus holding all of it: a gateway over the shards must answer as the reference does.
/// </summary>
/// <remarks>
/// Series are sharded by <c>job</c> and <c>instance</c> (a target's identity) through Prometheus' hashmod. With these
/// values shard 0 gets <c>http_requests_total{job="api",instance="a"}</c> and the <c>web</c> histogram, shard 1 the
/// rest, so one metric name spans both shards and both hold histograms. The start fails unless every series of the
/// history landed in exactly one shard and each shard holds some.
/// </remarks>
public class ShardedPromqlPrometheus : IAsyncLifetime
{
    public const int ShardCount = 2;
    public const int ReplicaCount = 2;

    /// <summary>The labels whose hashmod picks a series' shard.</summary>
    public static IReadOnlyList<string> ShardBy { get; } = ["job", "instance"];

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("headroom-sharded-promql-test-");
    private int _disposed;

    public PrometheusTopology Topology { get; private set; } = null!;

    /// <summary>One Prometheus holding the whole history.</summary>
    public PromqlPrometheus Reference { get; } = new();

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Distinct series in the history, counted from its text apart from the split.</summary>
    public int HistorySeries { get; private set; }

    /// <summary>How long the topology took to split, backfill and start (while the reference started too).</summary>
    public TimeSpan TopologyStartTime { get; private set; }

    /// <summary>Replicas that lose part of their history; none here.</summary>
    protected virtual IReadOnlyList<ReplicaSampleLoss> SampleLoss => [];

    public async Task InitializeAsync()
    {
        var history = PromqlHistory.OpenMetrics();
        var file = Path.Combine(_directory.FullName, "history.om");
        await File.WriteAllTextAsync(file, history);
        HistorySeries = CountSeries(history);
        var reference = Reference.InitializeAsync();
        var started = TimeProvider.System.GetTimestamp();
        var topology = StartTopologyAsync(file);
        try
        {
            await Task.WhenAll(reference, topology);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
        TopologyStartTime = TimeProvider.System.GetElapsedTime(started);

        var split = string.Join(", ", Topology.Shards.Select(s => $"shard {s.Index}: {s.HistorySeries} series"));
        if (Topology.Shards.Any(s => s.HistorySeries == 0) || Topology.Shards.Sum(s => s.HistorySeries) != HistorySeries)
        {
            await DisposeAsync();
            throw new InvalidOperationException($"The split of {HistorySeries} history series is not a partition into non-empty shards: {split}.");
        }
    }

    public async Task DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        if (Topology is not null)
            await Topology.DisposeAsync();
        await Reference.DisposeAsync();
        Http.Dispose();
        if (_directory.Exists)
            _directory.Delete(recursive: true);
    }

    private async Task StartTopologyAsync(string historyFile) =>
        Topology = await PrometheusTopology.StartAsync(new PrometheusTopologyOptions
        {
            Shards = ShardCount,
            Replicas = ReplicaCount,
            HistoryFile = historyFile,
            HistoryShardBy = ShardBy,
            SampleLoss = SampleLoss,
        });

    // A sample line is "series value timestamp"; the series is everything before the last two fields.
    private static int CountSeries(string openMetrics)
    {
        var series = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in openMetrics.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
                continue;
            var timestamp = line.LastIndexOf(' ');
            series.Add(line[..line.LastIndexOf(' ', timestamp - 1)]);
        }
        return series.Count;
    }
}

/// <summary>
/// <see cref="ShardedPromqlPrometheus"/> where replica 1 of shard 1 lost a fifth of its samples at random
/// (<see cref="Loss"/>), for testing that replica deduplication fills the gaps from the twin.
/// </summary>
public sealed class LossyShardedPromqlPrometheus : ShardedPromqlPrometheus
{
    public static readonly ReplicaSampleLoss Loss = new(Shard: 1, Replica: 1, Fraction: 0.2, Seed: 7);

    protected override IReadOnlyList<ReplicaSampleLoss> SampleLoss => [Loss];
}
