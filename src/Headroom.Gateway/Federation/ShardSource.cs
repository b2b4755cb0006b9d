using System.Runtime.CompilerServices;
using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.Gateway.Federation;

/// <summary>
/// One shard as a source: every replica is asked at once, replica labels are dropped, the shard's external labels
/// added, and series held by several replicas are joined by <see cref="ReplicaDeduplicator"/>. The shard fails only
/// when no replica answers.
/// </summary>
internal sealed partial class ShardSource(string name, IReadOnlyList<ISeriesSource> replicas, IReadOnlyList<string> replicaLabels,
    Labels externalLabels, GatewayMetrics? metrics = null, SourceInfo? info = null) : ISeriesSource
{
    private readonly HashSet<string> _replicaLabels = [.. replicaLabels];
    private readonly GatewayMetrics? _metrics = metrics;

    public string Name { get; } = name;

    public IReadOnlyList<ISeriesSource> Replicas { get; } = replicas;

    public SourceInfo Info { get; } = info ?? new(externalLabels);

    public async IAsyncEnumerable<Series> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SelectHints hints,
        SourceWarnings warnings, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // A matcher on a replica label would select one replica's copy; the answer's series do not carry that label.
        var remote = matchers.Where(m => !_replicaLabels.Contains(m.Name)).ToList();
        var answers = await AskAllAsync((replica, token) => ReadAsync(replica, remote, minT, maxT, hints, warnings, token), cancellationToken)
            .ConfigureAwait(false);
        foreach (var series in Deduplicate(answers, remote))
        {
            yield return series;
        }
    }

    public async Task<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
        SourceWarnings warnings, CancellationToken cancellationToken = default)
    {
        var remote = matchers.Where(m => !_replicaLabels.Contains(m.Name)).ToList();
        var answers = await AskAllAsync((r, t) => r.LabelNamesAsync(remote, minT, maxT, warnings, t), cancellationToken).ConfigureAwait(false);
        var names = answers.SelectMany(a => a).Where(n => !_replicaLabels.Contains(n)).ToHashSet(StringComparer.Ordinal);
        if (names.Count > 0)
        {
            names.UnionWith(Info.ExternalLabels.Select(l => l.Name));
        }
        return [.. names.Order(StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
        SourceWarnings warnings, CancellationToken cancellationToken = default)
    {
        if (_replicaLabels.Contains(name))
        {
            return [];
        }
        var remote = matchers.Where(m => !_replicaLabels.Contains(m.Name)).ToList();
        var external = Info.ExternalLabels.Get(name);
        if (external.Length > 0)
        {
            var names = await LabelNamesAsync(remote, minT, maxT, warnings, cancellationToken).ConfigureAwait(false);
            return names.Count > 0 ? [external] : [];
        }
        var answers = await AskAllAsync((r, t) => r.LabelValuesAsync(name, remote, minT, maxT, warnings, t), cancellationToken).ConfigureAwait(false);
        return [.. answers.SelectMany(a => a).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>Asks every replica at once; the answers of those that answered, or an exception when none did.</summary>
    internal async Task<List<T>> AskAllAsync<T>(Func<ISeriesSource, CancellationToken, Task<T>> ask, CancellationToken cancellationToken)
    {
        var tasks = Replicas.Select(async replica =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                var answer = await ask(replica, cancellationToken).ConfigureAwait(false);
                _metrics?.BackendRequest(Name, replica, System.Diagnostics.Stopwatch.GetElapsedTime(started), failed: false);
                return (Ok: true, Answer: answer, Error: "");
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _metrics?.BackendRequest(Name, replica, System.Diagnostics.Stopwatch.GetElapsedTime(started), failed: true);
                return (Ok: false, Answer: default(T)!, Error: e.Message);
            }
        }).ToList();
        var results = await Task.WhenAll(tasks).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (results.All(r => !r.Ok))
        {
            throw new ShardUnavailableException(Name, [.. results.Select(r => r.Error)]);
        }
        return [.. results.Where(r => r.Ok).Select(r => r.Answer)];
    }

    private static async Task<List<Series>> ReadAsync(ISeriesSource replica, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
        SelectHints hints, SourceWarnings warnings, CancellationToken cancellationToken)
    {
        var list = new List<Series>();
        await foreach (var series in replica.SelectAsync(matchers, minT, maxT, hints, warnings, cancellationToken).ConfigureAwait(false))
        {
            list.Add(series);
        }
        return list;
    }

    /// <summary>
    /// Drops replica labels, adds the shard's external labels, and joins copies of a series. Dropping a label can
    /// change the order of a replica's series (a shorter label set sorts first), so each answer is sorted again.
    /// </summary>
    private List<Series> Deduplicate(List<List<Series>> answers, IReadOnlyList<LabelMatcher> matchers)
    {
        var copies = new Dictionary<Labels, List<Series>>();
        foreach (var answer in answers)
        {
            foreach (var series in answer)
            {
                var labels = Normalize(series.Labels);
                if (!Matches(labels, matchers))
                {
                    continue;
                }
                if (!copies.TryGetValue(labels, out var list))
                {
                    list = [];
                    copies.Add(labels, list);
                }
                list.Add(series);
            }
        }
        var result = new List<Series>(copies.Count);
        foreach (var (labels, list) in copies)
        {
            if (list.Count == 1)
            {
                result.Add(list[0].Labels.Equals(labels) ? list[0] : new Series(labels, list[0].Points) { Histograms = list[0].Histograms });
                continue;
            }
            var points = ReplicaDeduplicator.Merge([.. list.Select(s => s.Points)], out var switches);
            if (switches > 0)
            {
                _metrics?.ReplicaSwitches(Name, switches);
            }
            var histograms = list.MaxBy(s => s.Histograms.Length)!.Histograms;
            result.Add(new Series(labels, points) { Histograms = histograms });
        }
        result.Sort(static (a, b) => Labels.Compare(a.Labels, b.Labels));
        return result;
    }

    private Labels Normalize(Labels labels)
    {
        var changed = labels;
        foreach (var label in labels)
        {
            if (_replicaLabels.Contains(label.Name))
            {
                changed = changed.Without([.. _replicaLabels]);
                break;
            }
        }
        foreach (var label in Info.ExternalLabels)
        {
            if (!changed.Has(label.Name))
            {
                changed = changed.With(label.Name, label.Value);
            }
        }
        return changed;
    }

    private static bool Matches(Labels labels, IReadOnlyList<LabelMatcher> matchers)
    {
        foreach (var matcher in matchers)
        {
            if (!matcher.Matches(labels.Get(matcher.Name)))
            {
                return false;
            }
        }
        return true;
    }
}
