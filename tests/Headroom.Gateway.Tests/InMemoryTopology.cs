using Headroom.Gateway.Configuration;
using Headroom.Gateway.Federation;
using Headroom.PromQL;
using Headroom.PromQL.Storage;

namespace Headroom.Gateway.Tests;

/// <summary>
/// Shards × replicas held in memory: each series goes to the shard its labels hash to, each replica gets the
/// series with a <c>replica</c> label, and every replica but the first misses a random fraction of its samples.
/// </summary>
internal static class InMemoryTopology
{
    /// <param name="external">The external labels of shard <c>i</c>; none when null.</param>
    /// <param name="replace">Replaces replica <c>r</c> of shard <c>i</c> (a replica that is down, say); null keeps them all.</param>
    public static IReadOnlyList<ISeriesSource> Split(InMemoryStorage all, int shards, int replicas, double missing, int seed, GatewayMetrics? metrics = null,
        Func<int, Labels>? external = null, Func<int, int, ISeriesSource, ISeriesSource>? replace = null)
    {
        var random = new Random(seed);
        var stores = Enumerable.Range(0, shards).Select(_ => Enumerable.Range(0, replicas).Select(_ => new InMemoryStorage()).ToArray()).ToArray();
        foreach (var series in all.Select([], long.MinValue, long.MaxValue))
        {
            var shard = (int)(series.Labels.Hash % (ulong)shards);
            for (var r = 0; r < replicas; r++)
            {
                var labels = series.Labels.With("replica", ((char)('a' + r)).ToString());
                foreach (var point in series.Points)
                {
                    // The first replica is whole; the others each miss their own random share.
                    if (r == 0 || random.NextDouble() >= missing)
                    {
                        stores[shard][r].Append(labels, point.T, point.F);
                    }
                }
                foreach (var h in series.Histograms)
                {
                    stores[shard][r].Append(labels, h.T, h.H);
                }
            }
        }
        return [.. stores.Select((replicaStores, i) => (ISeriesSource)new ShardSource($"shard-{i}",
            [.. replicaStores.Select((store, r) => replace is null ? store : replace(i, r, store))],
            GatewayConfig.DefaultReplicaLabels, external?.Invoke(i) ?? Labels.Empty, metrics))];
    }

    /// <summary>A gateway configuration naming <paramref name="shards"/> shards (their URLs are never called: the sources are in memory).</summary>
    public static GatewayConfig Config(int shards, TenancyConfig? tenancy = null, PartialResponse partial = PartialResponse.Warn) =>
        GatewayConfig.For([.. Enumerable.Range(0, shards).Select(i => new ShardConfig($"shard-{i}", [new Uri("http://127.0.0.1:1/")], Labels.Empty))])
            with
        { Tenancy = tenancy, PartialResponse = partial };
}
