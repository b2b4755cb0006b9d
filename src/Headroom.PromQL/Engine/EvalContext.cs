using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Engine;

/// <summary>State shared by every evaluator of one query: fetched data, limits, annotations.</summary>
internal sealed class EvalContext(EngineOptions options, CancellationToken cancellationToken, bool isRangeQuery)
{
    private readonly Dictionary<VectorSelector, List<SelectedSeries>> _data = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<RemoteResultExpr, (RemoteFetch Fetch, IReadOnlyList<Series> Series)> _remote = new(ReferenceEqualityComparer.Instance);
    private long _samples;

    public EngineOptions Options { get; } = options;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public bool IsRangeQuery { get; } = isRangeQuery;

    public Annotations Annotations { get; } = new();

    /// <summary>The lookback as a left-open window: one millisecond longer when the left edge counts.</summary>
    public long LookbackMs { get; } = (long)options.LookbackDelta.TotalMilliseconds + options.EdgeMs;

    /// <summary>What a window selects beyond its nominal range (<see cref="EngineOptions.EdgeMs"/>).</summary>
    public long EdgeMs { get; } = options.EdgeMs;

    public long DefaultSubqueryStepMs { get; } = (long)options.DefaultSubqueryStep.TotalMilliseconds;

    /// <summary>Warnings the storage raised while this query's selections ran.</summary>
    public SourceWarnings SourceWarnings { get; } = new();

    /// <summary>
    /// Runs every selection and remote evaluation of the plan at once: a federated source answers each from several
    /// backends, so the slowest one, not their sum, sets the query's latency.
    /// </summary>
    public async Task FetchAsync(ISeriesSource source, IReadOnlyList<SelectorFetch> fetches, IReadOnlyList<RemoteFetch> remotes)
    {
        var remoteTasks = remotes.Select(FetchRemoteAsync).ToList();
        var selectTask = Task.WhenAll(fetches.Select(fetch => FetchOneAsync(source, fetch)));
        await Task.WhenAll(remoteTasks.Append<Task>(selectTask)).ConfigureAwait(false);
        var lists = await selectTask.ConfigureAwait(false);
        for (var i = 0; i < remotes.Count; i++)
        {
            _remote[remotes[i].Node] = (remotes[i], await remoteTasks[i].ConfigureAwait(false));
        }
        for (var i = 0; i < fetches.Count; i++)
        {
            var fetch = fetches[i];
            var list = lists[i];
            if (_data.TryGetValue(fetch.Selector, out var existing))
            {
                // The same node reached twice (it cannot be today, but planner rewrites may share nodes): keep the wider read.
                if (existing.Sum(s => s.Points.Count) >= list.Sum(s => s.Points.Count))
                {
                    continue;
                }
            }
            _data[fetch.Selector] = list;
        }
        foreach (var warning in SourceWarnings.Messages)
        {
            Annotations.WarnFromSource(warning);
        }
    }

    private async Task<List<SelectedSeries>> FetchOneAsync(ISeriesSource source, SelectorFetch fetch)
    {
        if (source is ILendingSource lending)
        {
            // In memory: the source's own arrays, read in place for the length of the query.
            var lent = lending.SelectLent([.. fetch.Selector.Matchers], fetch.MinT, fetch.MaxT);
            foreach (var series in lent)
            {
                Check();
                CountSamples(series.Points.Count);
            }
            return lent;
        }
        var list = new List<SelectedSeries>();
        await foreach (var series in source.SelectAsync([.. fetch.Selector.Matchers], fetch.MinT, fetch.MaxT, fetch.Hints, SourceWarnings, CancellationToken)
            .ConfigureAwait(false))
        {
            CountSamples(series.Points.Length);
            list.Add(SelectedSeries.Of(series));
        }
        return list;
    }

    private async Task<IReadOnlyList<Series>> FetchRemoteAsync(RemoteFetch fetch)
    {
        var request = new RemoteRequest(fetch.Start, fetch.End, fetch.Interval, SourceWarnings);
        var series = await fetch.Node.Evaluate(request, CancellationToken).ConfigureAwait(false);
        foreach (var s in series)
        {
            CountSamples(s.Points.Length);
        }
        return series;
    }

    /// <summary>The series a remote node's evaluation returned, for the evaluation times it was asked for.</summary>
    public IReadOnlyList<Series> RemoteData(RemoteResultExpr node, long start, long interval)
    {
        if (!_remote.TryGetValue(node, out var entry))
        {
            throw new QueryException("a remote result was not fetched before evaluation");
        }
        if (entry.Fetch.Start != start || (entry.Fetch.Interval != interval && entry.Fetch.Start != entry.Fetch.End))
        {
            // The planner and the evaluator disagree about where the node is evaluated: answering would be wrong.
            throw new QueryException($"a remote result was fetched for other evaluation times than it is evaluated at ({entry.Fetch.Start}/{entry.Fetch.Interval} against {start}/{interval})");
        }
        return entry.Series;
    }

    public List<SelectedSeries> Data(VectorSelector selector) =>
        _data.TryGetValue(selector, out var list) ? list : [];

    public void CountSamples(long n)
    {
        // Selections run concurrently and count as they stream.
        if (Interlocked.Add(ref _samples, n) > Options.MaxSamples)
        {
            throw new QueryException("query processing would load too many samples into memory in query execution");
        }
    }

    public void Check() => CancellationToken.ThrowIfCancellationRequested();
}
