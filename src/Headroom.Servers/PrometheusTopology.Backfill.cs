using System.Collections.Concurrent;
using System.Globalization;

namespace Headroom.Servers;

public sealed partial class PrometheusTopology
{
    /// <summary>Where each replica's data is and what history went into it.</summary>
    private sealed record Backfill(string[][] DataDirectories, SplitCounts[] ShardCounts, long[][] ReplicaSamples, BlockSummary?[][] ReplicaRecorded);

    /// <summary>
    /// Creates <c>shard-i/replica-r/data</c> for every replica and, with a history, fills it: one streaming pass splits
    /// the history into a file per shard (and one per replica that loses samples), promtool turns each file into
    /// blocks once, the <see cref="PrometheusTopologyOptions.HistoryRules"/> are recorded over those blocks, and the
    /// blocks are copied into the data directory of every replica they belong to.
    /// </summary>
    private static async Task<Backfill> BackfillAsync(PrometheusTopologyOptions options, TempDirectory directory, CancellationToken cancellationToken)
    {
        var dataDirectories = new string[options.Shards][];
        var replicaSamples = new long[options.Shards][];
        var replicaRecorded = new BlockSummary?[options.Shards][];
        for (var s = 0; s < options.Shards; s++)
        {
            dataDirectories[s] = new string[options.Replicas];
            replicaSamples[s] = new long[options.Replicas];
            replicaRecorded[s] = new BlockSummary?[options.Replicas];
            for (var r = 0; r < options.Replicas; r++)
                System.IO.Directory.CreateDirectory(dataDirectories[s][r] = directory.Combine(ShardName(s), $"replica-{r}", "data"));
        }
        if (options.HistoryFile is null)
            return new Backfill(dataDirectories, [.. Enumerable.Repeat(new SplitCounts(0, 0), options.Shards)], replicaSamples, replicaRecorded);

        // Outputs 0..N-1 are the shards' files; a replica that loses samples gets its own file after them.
        var outputs = new List<SplitOutput>();
        for (var s = 0; s < options.Shards; s++)
            outputs.Add(new SplitOutput(s, directory.Combine(ShardName(s), "history.om")));
        var lossyOutput = new Dictionary<(int Shard, int Replica), int>();
        foreach (var loss in options.SampleLoss.Where(static l => l.Fraction > 0))
        {
            lossyOutput[(loss.Shard, loss.Replica)] = outputs.Count;
            outputs.Add(new SplitOutput(loss.Shard, directory.Combine(ShardName(loss.Shard), $"replica-{loss.Replica}-history.om"), loss.Fraction, loss.Seed));
        }
        var counts = await HistorySplitter.SplitAsync(options.HistoryFile, options.HistoryShardBy, options.Shards, outputs, cancellationToken).ConfigureAwait(false);

        var sourceOf = new int[options.Shards][];
        for (var s = 0; s < options.Shards; s++)
        {
            sourceOf[s] = new int[options.Replicas];
            for (var r = 0; r < options.Replicas; r++)
            {
                sourceOf[s][r] = lossyOutput.TryGetValue((s, r), out var own) ? own : s;
                replicaSamples[s][r] = counts[sourceOf[s][r]].Samples;
            }
        }
        var used = sourceOf.SelectMany(static o => o).Distinct().Where(o => counts[o].Samples > 0).ToArray();
        var blocks = used.ToDictionary(static o => o, o => Path.ChangeExtension(outputs[o].Path, null) + "-blocks");
        var recorded = new ConcurrentDictionary<int, BlockSummary>();
        await Parallel.ForEachAsync(
            used,
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (o, token) =>
            {
                var result = await Promtool.CreateBlocksFromOpenMetricsAsync(outputs[o].Path, blocks[o], options.HistoryBlockDuration, token).ConfigureAwait(false);
                if (!result.Succeeded)
                    throw new InvalidOperationException($"promtool could not create blocks from {outputs[o].Path} (shard {outputs[o].Shard}): {result.StandardError.Trim()}{result.StandardOutput.Trim()}");
                // Over this output's blocks alone: a recorded series comes from the series of one shard only.
                if (options.HistoryRules is { } rules)
                    recorded[o] = await Promtool.BackfillRulesAsync(blocks[o], rules.Start, rules.End, rules.RuleFiles, token).ConfigureAwait(false);
            }).ConfigureAwait(false);

        for (var s = 0; s < options.Shards; s++)
        {
            for (var r = 0; r < options.Replicas; r++)
            {
                if (blocks.TryGetValue(sourceOf[s][r], out var source))
                    CopyBlocks(source, dataDirectories[s][r]);
                replicaRecorded[s][r] = recorded.GetValueOrDefault(sourceOf[s][r]);
            }
        }
        foreach (var output in outputs)
            File.Delete(output.Path);
        foreach (var source in blocks.Values)
            System.IO.Directory.Delete(source, recursive: true);
        return new Backfill(dataDirectories, [.. counts.Take(options.Shards)], replicaSamples, replicaRecorded);
    }

    private static string ShardName(int shard) => "shard-" + shard.ToString(CultureInfo.InvariantCulture);

    /// <summary>Copies the blocks (folders with a <c>meta.json</c>), not what the Prometheus that recorded the rules left beside them (its WAL).</summary>
    private static void CopyBlocks(string source, string target)
    {
        foreach (var block in System.IO.Directory.EnumerateDirectories(source).Where(static d => File.Exists(Path.Combine(d, "meta.json"))))
            CopyDirectory(block, Path.Combine(target, Path.GetFileName(block)));
    }

    private static void CopyDirectory(string source, string target)
    {
        System.IO.Directory.CreateDirectory(target);
        foreach (var file in System.IO.Directory.EnumerateFiles(source))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        foreach (var child in System.IO.Directory.EnumerateDirectories(source))
            CopyDirectory(child, Path.Combine(target, Path.GetFileName(child)));
    }
}
