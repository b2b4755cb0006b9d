using System.Runtime.CompilerServices;
using Headroom.Prometheus.RemoteRead;
using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.Gateway.Federation;

/// <summary>
/// One shard as a source: every replica is asked at once, replica labels are dropped, the shard's external labels
/// added, and series held by several replicas are joined by <see cref="ReplicaDeduplicator"/>. The shard fails only
/// when no replica answers.
/// </summary>
/// <param name="replicaPatience">
/// Once one replica has sent its whole answer, how long the others may still take (at least; as long again as the
/// first took when that is longer): a replica that hangs is then left out instead of holding every query to the backend
/// timeout. Default <see cref="DefaultReplicaPatience"/>.
/// </param>
internal sealed partial class ShardSource(string name, IReadOnlyList<ISeriesSource> replicas, IReadOnlyList<string> replicaLabels,
    Labels externalLabels, GatewayMetrics? metrics = null, SourceInfo? info = null, TimeSpan? replicaPatience = null) : ISeriesSource
{
    /// <summary>
    /// 5 s, a judgement rather than a measurement: ten times what a replica of bench/gateway.sh takes to send `rate`
    /// over a day (about 0.5 s), so a replica slowed by load is still read, and a sixth of the 30 s backend timeout a
    /// hung one (SIGSTOP, a dead peer behind a live TCP proxy) would otherwise cost every query.
    /// </summary>
    public static readonly TimeSpan DefaultReplicaPatience = TimeSpan.FromSeconds(5);

    private readonly TimeSpan _replicaPatience = replicaPatience ?? DefaultReplicaPatience;

    private static readonly LabelMatcher AnyMetric = new(LabelMatchType.Regex, Labels.MetricName, ".+");

    private readonly HashSet<string> _replicaLabels = [.. replicaLabels];
    private readonly GatewayMetrics? _metrics = metrics;
    private ShardSource? _partialView;

    public string Name { get; } = name;

    public IReadOnlyList<ISeriesSource> Replicas { get; } = replicas;

    public SourceInfo Info { get; } = info ?? new(externalLabels);

    /// <remarks>
    /// The replicas' answers stream through <see cref="SortedSeriesMerge"/>: a series is handed on as soon as every
    /// replica still answering has passed its labels, its copies joined. A replica that fails is left out from there on
    /// (the series it sent before stay in the answer); the shard fails with <see cref="ShardUnavailableException"/> when
    /// the last replica still answering fails, after whatever series were handed on before.
    /// </remarks>
    public IAsyncEnumerable<Series> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SelectHints hints,
        SourceWarnings warnings, CancellationToken cancellationToken = default) =>
        SelectAsync(matchers, minT, maxT, hints, warnings, null, cancellationToken);

    /// <summary>
    /// Selects as <see cref="SelectAsync(IReadOnlyList{LabelMatcher}, long, long, SelectHints, SourceWarnings, CancellationToken)"/>
    /// and, when the replicas are gateways asked in part (<see cref="AllowingPartial"/>), tells <paramref name="leftOutBelow"/>
    /// the shards below that the answer leaves out: those every replica still answering names (<see cref="LeftOutBelow"/>),
    /// each once, before the series handed on after it is known. It may throw to end the selection.
    /// </summary>
    public async IAsyncEnumerable<Series> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SelectHints hints,
        SourceWarnings warnings, Action<IReadOnlyList<string>>? leftOutBelow, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var remote = Remote(matchers);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var reasons = new List<string>(Replicas.Count);
        var lower = new List<string>();
        var handedOn = 0;
        var below = new LeftOutBelow(this, warnings, leftOutBelow);
        var inputs = Replicas.Select((replica, index) => (Func<CancellationToken, IAsyncEnumerable<List<Series>>>)(token =>
            ReadInOrderAsync(replica, below.Asked(index) is { } asked
                ? asked.SelectAsync(remote, minT, maxT, hints, warnings, below.For(index), token)
                : replica.SelectAsync(remote, minT, maxT, hints, warnings, token), remote, started, token))).ToList();
        await foreach (var copies in SortedSeriesMerge.MergeAsync(inputs, Failed, _replicaPatience, cancellationToken).ConfigureAwait(false))
        {
            below.Report();
            handedOn++;
            yield return Join(copies);
        }
        below.Report();

        void Failed(int replica, Exception error, int sent)
        {
            below.Failed(replica);
            _metrics?.BackendRequest(Name, Replicas[replica], System.Diagnostics.Stopwatch.GetElapsedTime(started), failed: true);
            reasons.Add(error.Message);
            AddLowerShards(lower, error);
            if (reasons.Count < Replicas.Count)
            {
                return;
            }
            if (handedOn == 0)
            {
                throw new ShardUnavailableException(Name, reasons) { LowerShards = lower };
            }
            throw new ShardUnavailableException(Name, reasons, handedOn);
        }
    }

    public async Task<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
        SourceWarnings warnings, CancellationToken cancellationToken = default)
    {
        var remote = Remote(matchers);
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
        var remote = Remote(matchers);
        var external = Info.ExternalLabels.Get(name);
        if (external.Length > 0)
        {
            var names = await LabelNamesAsync(remote, minT, maxT, warnings, cancellationToken).ConfigureAwait(false);
            return names.Count > 0 ? [external] : [];
        }
        var answers = await AskAllAsync((r, t) => r.LabelValuesAsync(name, remote, minT, maxT, warnings, t), cancellationToken).ConfigureAwait(false);
        return [.. answers.SelectMany(a => a).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The matchers as a replica can answer them. A matcher on a replica label would select one replica's copy (the
    /// answer's series do not carry that label), so it is dropped. A matcher on one of the shard's configured external
    /// labels that the label's value satisfies is dropped too: the replica's series lack that label until
    /// <see cref="Normalize"/> adds it, so the replica would find nothing. Dropping only widens what the replica sends,
    /// and <see cref="ReadInOrderAsync"/> checks every matcher again on the relabelled series.
    /// </summary>
    private List<LabelMatcher> Remote(IReadOnlyList<LabelMatcher> matchers)
    {
        var remote = matchers.Where(m => !_replicaLabels.Contains(m.Name)
            && !(Info.ExternalLabels.Get(m.Name) is { Length: > 0 } value && m.Matches(value))).ToList();
        // `{shard="a"}` alone leaves nothing a server can select by; every series of the shard is what it asks for.
        if (remote.Count < matchers.Count && remote.All(m => m.Matches("")))
        {
            remote.Add(AnyMetric);
        }
        return remote;
    }

    /// <summary>
    /// Asks every replica at once; the answers of those that answered, or an exception when none did. Once one has
    /// answered, the others get <see cref="DefaultReplicaPatience"/> more (or as long again as it took), as a selection
    /// gives them; one still answering then is left out.
    /// </summary>
    internal async Task<List<T>> AskAllAsync<T>(Func<ISeriesSource, CancellationToken, Task<T>> ask, CancellationToken cancellationToken)
    {
        using var late = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var tasks = Replicas.Select(async replica =>
        {
            try
            {
                var answer = await ask(replica, late.Token).ConfigureAwait(false);
                _metrics?.BackendRequest(Name, replica, System.Diagnostics.Stopwatch.GetElapsedTime(started), failed: false);
                return (Ok: true, Answer: answer, Error: "", Cause: (Exception?)null);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _metrics?.BackendRequest(Name, replica, System.Diagnostics.Stopwatch.GetElapsedTime(started), failed: true);
                var error = late.IsCancellationRequested ? "still answering after another replica had answered; left out" : e.Message;
                return (Ok: false, Answer: default(T)!, Error: error, Cause: (Exception?)e);
            }
        }).ToList();
        var all = Task.WhenAll(tasks);
        await Task.WhenAny(all, FirstAnswerAsync(tasks)).ConfigureAwait(false);
        if (!all.IsCompleted)
        {
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            await Task.WhenAny(all, Task.Delay(elapsed > _replicaPatience ? elapsed : _replicaPatience, cancellationToken)).ConfigureAwait(false);
            if (!all.IsCompleted)
            {
                await late.CancelAsync().ConfigureAwait(false);
            }
        }
        var results = await all.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (results.All(r => !r.Ok))
        {
            var lower = new List<string>();
            foreach (var result in results)
            {
                AddLowerShards(lower, result.Cause!);
            }
            throw new ShardUnavailableException(Name, [.. results.Select(r => r.Error)]) { LowerShards = lower };
        }
        return [.. results.Where(r => r.Ok).Select(r => r.Answer)];

        static async Task FirstAnswerAsync(List<Task<(bool Ok, T Answer, string Error, Exception? Cause)>> asked)
        {
            var pending = new List<Task<(bool Ok, T Answer, string Error, Exception? Cause)>>(asked);
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending).ConfigureAwait(false);
                if ((await done.ConfigureAwait(false)).Ok)
                {
                    return;
                }
                pending.Remove(done);
            }
        }
    }

    /// <summary>
    /// This shard with every replica that is another gateway asked for a partial answer (<c>partial_response=true</c>):
    /// what <see cref="FederatedSource"/> reads under <see cref="Configuration.PartialResponse.Warn"/> once such a gateway answered
    /// that it has shards down (<see cref="ShardUnavailableException.LowerShards"/>). Made once and kept.
    /// </summary>
    internal ShardSource AllowingPartial() => _partialView ??= new ShardSource(Name,
        [.. Replicas.Select(r => r is ReplicaBackend backend ? backend.AllowingPartial() : r)], [.. _replicaLabels], Info.ExternalLabels, _metrics, Info,
        _replicaPatience);

    /// <summary>Adds the shards a gateway below named as down in <paramref name="error"/>, if it is such an answer.</summary>
    private static void AddLowerShards(List<string> lower, Exception error)
    {
        if (error is RemoteReadException { UnavailableShards: { Count: > 0 } shards })
        {
            lower.AddRange(shards.Where(s => !lower.Contains(s)));
        }
    }

    /// <summary>
    /// One replica's answer relabelled as the shard answers it (replica labels dropped, the shard's external labels
    /// added, the caller's matchers checked again) and put back into label order (<see cref="ReplicaOrder"/>).
    /// </summary>
    private async IAsyncEnumerable<List<Series>> ReadInOrderAsync(ISeriesSource replica, IAsyncEnumerable<Series> selection,
        IReadOnlyList<LabelMatcher> matchers, long started, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sortedWithout = replica is IServerOrdered server ? await server.SortedWithoutAsync(cancellationToken).ConfigureAwait(false) : [];
        var order = new ReplicaOrder(ShiftingLabels(replica, sortedWithout), sortedWithout);
        await foreach (var series in selection.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var labels = Normalize(series.Labels);
            var answer = !Matches(labels, matchers) ? null
                : series.Labels.Equals(labels) ? series
                : new Series(labels, series.Points) { Histograms = series.Histograms };
            order.Add(series.Labels, answer);
            while (order.TryTake(out var next))
            {
                yield return next;
            }
        }
        _metrics?.BackendRequest(Name, replica, System.Diagnostics.Stopwatch.GetElapsedTime(started), failed: false);
        while (order.TryTakeAtEnd(out var next))
        {
            yield return next;
        }
    }

    /// <summary>
    /// The label names that may sit on a replica's series in its own order but not in the shard's answer, or the other
    /// way round: replica labels, the shard's external labels, and the replica's own external labels where it can tell
    /// them (a Prometheus server's, read once from its configuration).
    /// </summary>
    private HashSet<string> ShiftingLabels(ISeriesSource replica, IReadOnlyCollection<string> sortedWithout)
    {
        var names = new HashSet<string>(_replicaLabels, StringComparer.Ordinal);
        names.UnionWith(Info.ExternalLabels.Select(l => l.Name));
        names.UnionWith(replica.Info.ExternalLabels.Select(l => l.Name));
        names.UnionWith(sortedWithout);
        return names;
    }

    /// <summary>Joins one series' copies from several replicas (<see cref="ReplicaDeduplicator"/>).</summary>
    private Series Join(List<Series> copies)
    {
        if (copies.Count == 1)
        {
            return copies[0];
        }
        var points = ReplicaDeduplicator.Merge([.. copies.Select(s => s.Points)], out var switches);
        if (switches > 0)
        {
            _metrics?.ReplicaSwitches(Name, switches);
        }
        return new Series(copies[0].Labels, points) { Histograms = copies.MaxBy(s => s.Histograms.Length)!.Histograms };
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
