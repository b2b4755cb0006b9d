using System.Runtime.CompilerServices;
using Headroom.Gateway.Configuration;
using Headroom.PromQL;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.Gateway.Federation;

/// <summary>
/// Many shards as one source. Shards whose external labels or time range cannot match a selection are not asked;
/// the rest are asked at once; a series found on several shards (during a handover or after a reshard) is one
/// series, its copies joined as replicas are (<see cref="ShardOverlap"/>). A shard
/// with no healthy replica is left out with a warning naming it (<see cref="PartialResponse.Warn"/>) or fails the
/// request (<see cref="PartialResponse.Fail"/>).
/// </summary>
public sealed class FederatedSource : ISeriesSource
{
    private readonly IReadOnlyList<ISeriesSource> _shards;
    private readonly PartialResponse _partial;
    private readonly GatewayMetrics? _metrics;

    /// <summary>Federates <paramref name="shards"/> (each typically a shard of replicas).</summary>
    public FederatedSource(IReadOnlyList<ISeriesSource> shards, PartialResponse partial, GatewayMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(shards);
        _shards = shards;
        _partial = partial;
        _metrics = metrics;
    }

    /// <inheritdoc />
    public SourceInfo Info => SourceInfo.Unbounded;

    /// <summary>The same shards with another partial-response policy (a request's <c>partial_response</c>).</summary>
    public FederatedSource With(PartialResponse partial) => partial == _partial ? this : new FederatedSource(_shards, partial, _metrics);

    /// <inheritdoc />
    public async IAsyncEnumerable<Series> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SelectHints hints,
        SourceWarnings warnings, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        var answers = await AskAsync(matchers, minT, maxT, warnings,
            (shard, token) => ReadAsync(shard, matchers, minT, maxT, hints, warnings, token), cancellationToken).ConfigureAwait(false);
        foreach (var series in Merge(answers))
        {
            yield return series;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
        SourceWarnings warnings, CancellationToken cancellationToken = default)
    {
        var answers = await AskAsync(matchers, minT, maxT, warnings,
            (shard, token) => shard.LabelNamesAsync(matchers, minT, maxT, warnings, token), cancellationToken).ConfigureAwait(false);
        return [.. answers.SelectMany(a => a).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
        SourceWarnings warnings, CancellationToken cancellationToken = default)
    {
        var answers = await AskAsync(matchers, minT, maxT, warnings,
            (shard, token) => shard.LabelValuesAsync(name, matchers, minT, maxT, warnings, token), cancellationToken).ConfigureAwait(false);
        return [.. answers.SelectMany(a => a).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>Every shard, in configuration order.</summary>
    internal IReadOnlyList<ISeriesSource> Shards => _shards;

    /// <summary>The shards a selection could match.</summary>
    internal IEnumerable<ISeriesSource> Candidates(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT) =>
        _shards.Where(s => s.Info.CanMatch(matchers, minT, maxT));

    /// <summary>Asks every candidate shard at once and applies the partial-response policy to those that fail.</summary>
    internal async Task<List<T>> AskAsync<T>(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SourceWarnings warnings,
        Func<ISeriesSource, CancellationToken, Task<T>> ask, CancellationToken cancellationToken)
    {
        var candidates = Candidates(matchers, minT, maxT).ToList();
        var tasks = candidates.Select(async shard =>
        {
            try
            {
                return (Ok: true, Answer: await ask(shard, cancellationToken).ConfigureAwait(false), Error: (Exception?)null);
            }
            // A query error (a pushed query a shard refused as a query) is the query's: every shard would say the same.
            catch (Exception e) when (e is not QueryException && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
            {
                return (Ok: false, Answer: default(T)!, Error: e);
            }
        }).ToList();
        var results = await Task.WhenAll(tasks).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var answers = new List<T>(results.Length);
        for (var i = 0; i < results.Length; i++)
        {
            var (ok, answer, error) = results[i];
            if (ok)
            {
                answers.Add(answer);
                continue;
            }
            var shard = (candidates[i] as ShardSource)?.Name ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _metrics?.PartialResponse(shard);
            var message = error is ShardUnavailableException ? error.Message : $"shard {shard}: {error!.Message}";
            if (_partial == PartialResponse.Fail)
            {
                throw new ShardUnavailableException(message + "; the request asked for no partial response", error!);
            }
            warnings.Add($"partial response: {message}; the answer leaves out that shard's series");
        }
        return answers;
    }

    private static async Task<List<Series>> ReadAsync(ISeriesSource shard, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
        SelectHints hints, SourceWarnings warnings, CancellationToken cancellationToken)
    {
        var list = new List<Series>();
        await foreach (var series in shard.SelectAsync(matchers, minT, maxT, hints, warnings, cancellationToken).ConfigureAwait(false))
        {
            list.Add(series);
        }
        return list;
    }

    /// <summary>Merges sorted answers into one sorted stream; a series on several shards is deduplicated across them.</summary>
    internal static IEnumerable<Series> Merge(List<List<Series>> answers)
    {
        if (answers.Count == 1)
        {
            foreach (var s in answers[0])
            {
                yield return s;
            }
            yield break;
        }
        var heads = new int[answers.Count];
        var same = new List<Series>(answers.Count);
        while (true)
        {
            Series? lowest = null;
            for (var i = 0; i < answers.Count; i++)
            {
                if (heads[i] < answers[i].Count && (lowest is null || Labels.Compare(answers[i][heads[i]].Labels, lowest.Labels) < 0))
                {
                    lowest = answers[i][heads[i]];
                }
            }
            if (lowest is null)
            {
                yield break;
            }
            same.Clear();
            for (var i = 0; i < answers.Count; i++)
            {
                if (heads[i] < answers[i].Count && answers[i][heads[i]].Labels.Equals(lowest.Labels))
                {
                    same.Add(answers[i][heads[i]]);
                    heads[i]++;
                }
            }
            yield return same.Count == 1
                ? same[0]
                : new Series(lowest.Labels, ShardOverlap.Merge([.. same.Select(static s => s.Points)])) { Histograms = same.MaxBy(s => s.Histograms.Length)!.Histograms };
        }
    }
}
