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
/// request (<see cref="PartialResponse.Fail"/>). A shard whose replicas are gateways (hierarchical federation) that have
/// shards of their own down is, under warn, read in part: the healthy shards below are kept and the warning names the
/// gateway and its shards that are down.
/// </summary>
public sealed class FederatedSource : ISeriesSource
{
    private readonly IReadOnlyList<ISeriesSource> _shards;
    private readonly PartialResponse _partial;
    private readonly GatewayMetrics? _metrics;
    private readonly LeftOutShards? _leftOut;

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

    private FederatedSource(IReadOnlyList<ISeriesSource> shards, PartialResponse partial, GatewayMetrics? metrics, LeftOutShards? leftOut)
        : this(shards, partial, metrics) => _leftOut = leftOut;

    /// <summary>The same shards with another partial-response policy (a request's <c>partial_response</c>).</summary>
    public FederatedSource With(PartialResponse partial) => partial == _partial && _leftOut is null ? this : new FederatedSource(_shards, partial, _metrics);

    /// <summary>
    /// The same shards for one request under <paramref name="partial"/>, recording every shard its answer leaves out in
    /// <paramref name="leftOut"/> (for an answer that names them in a header rather than a warning).
    /// </summary>
    internal FederatedSource With(PartialResponse partial, LeftOutShards leftOut) => new(_shards, partial, _metrics, leftOut);

    /// <inheritdoc />
    /// <remarks>
    /// The shards' answers stream through <see cref="SortedSeriesMerge"/>: every candidate shard is asked at once and a
    /// series is handed on as soon as every shard still answering has passed its labels. A shard that fails is handled
    /// by the partial-response policy when it fails: under <see cref="PartialResponse.Warn"/> the series it sent before
    /// stay in the answer and the warning says how many; under <see cref="PartialResponse.Fail"/> the selection throws,
    /// whatever was handed on before.
    /// </remarks>
    public async IAsyncEnumerable<Series> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SelectHints hints,
        SourceWarnings warnings, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        ArgumentNullException.ThrowIfNull(warnings);
        var candidates = Candidates(matchers, minT, maxT).ToList();
        var inputs = candidates.Select(shard => (Func<CancellationToken, IAsyncEnumerable<List<Series>>>)(token =>
            SelectOrAskInPartAsync(shard, source => source.SelectAsync(matchers, minT, maxT, hints, warnings, token),
                (inPart, leftOut) => inPart.SelectAsync(matchers, minT, maxT, hints, warnings, leftOut, token)))).ToList();
        await foreach (var copies in SortedSeriesMerge.MergeAsync(inputs, Failed, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return Join(copies);
        }

        void Failed(int index, Exception error, int sent)
        {
            if (error is QueryException)
            {
                // The query's own fault: every shard would say the same.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
            }
            var shard = ShardName(candidates, index);
            var message = error is ShardUnavailableException ? error.Message : $"shard {shard}: {error.Message}";
            Partial(shard, message, error);
            warnings.Add(sent == 0
                ? $"partial response: {message}; the answer leaves out that shard's series"
                : $"partial response: {message}; the answer holds the {sent} series that shard sent before it failed and leaves out the rest of its series");
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

    /// <summary>
    /// Asks every candidate shard at once and applies the partial-response policy to those that fail. Under
    /// <see cref="PartialResponse.Warn"/> each shard is asked for a partial answer (<see cref="ShardSource.AllowingPartial"/>):
    /// a gateway below with a shard down answers these JSON requests with its other shards' data and a warning, which
    /// goes on beside the answer; under <see cref="PartialResponse.Fail"/> it answers 503 naming the shard, and the
    /// request fails.
    /// </summary>
    internal Task<List<T>> AskAsync<T>(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SourceWarnings warnings,
        Func<ISeriesSource, CancellationToken, Task<T>> ask, CancellationToken cancellationToken) =>
        AskAsync(matchers, minT, maxT, warnings, static _ => 0, (shard, _, token) => ask(shard, token), cancellationToken);

    /// <summary>
    /// As the other overload, with a state made from the number of shards asked (<paramref name="start"/>, called once
    /// before any is asked) and handed to every <paramref name="ask"/>: a pushed query's <see cref="PushRound"/>.
    /// </summary>
    internal async Task<List<T>> AskAsync<TState, T>(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SourceWarnings warnings,
        Func<int, TState> start, Func<ISeriesSource, TState, CancellationToken, Task<T>> ask, CancellationToken cancellationToken)
    {
        var candidates = Candidates(matchers, minT, maxT).ToList();
        var state = start(candidates.Count);
        var tasks = candidates.Select(async shard =>
        {
            try
            {
                var asked = _partial == PartialResponse.Warn && shard is ShardSource source ? source.AllowingPartial() : shard;
                return (Ok: true, Answer: await ask(asked, state, cancellationToken).ConfigureAwait(false), Error: (Exception?)null);
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
            var shard = ShardName(candidates, i);
            var message = error is ShardUnavailableException ? error.Message : $"shard {shard}: {error!.Message}";
            Partial(shard, message, error!);
            warnings.Add($"partial response: {message}; the answer leaves out that shard's series");
        }
        return answers;
    }

    private static string ShardName(List<ISeriesSource> candidates, int index) =>
        (candidates[index] as ShardSource)?.Name ?? index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Counts a shard's failure and throws under <see cref="PartialResponse.Fail"/>, or when the answer has started and
    /// can no longer name the shard (<see cref="LeftOutShards"/>).
    /// </summary>
    private void Partial(string shard, string message, Exception error)
    {
        var failed = error as ShardUnavailableException;
        if (_partial == PartialResponse.Fail)
        {
            Count(shard);
            throw new ShardUnavailableException(message + "; the request asked for no partial response", error) { Shard = shard, LowerShards = failed?.LowerShards ?? [] };
        }
        // Under warn the whole shard is left out here, whatever it said of the shards below it (a re-asked partial read
        // that failed too, a failure mid-answer): naming only those would tell the reader above it has the rest.
        string? refusal = null;
        if (_leftOut?.TryAdd([shard], out refusal) == false)
        {
            // Not counted: no answer leaves the shard out, the request fails.
            throw new ShardUnavailableException($"{message}; {refusal}", error) { Shard = shard, LowerShards = failed?.LowerShards ?? [] };
        }
        Count(shard);
    }

    /// <summary>Counts <paramref name="shard"/> in the partial-response metric, once per request (<see cref="LeftOutShards.CountOnce"/>).</summary>
    private void Count(string shard)
    {
        if (_leftOut?.CountOnce(shard) ?? true)
        {
            _metrics?.PartialResponse(shard);
        }
    }

    /// <summary>
    /// A shard's series as the merge takes them: each its own item (a shard answers each series once). Under
    /// <see cref="PartialResponse.Warn"/>, a shard whose replicas are gateways that answered they have shards down
    /// (<see cref="ShardUnavailableException.LowerShards"/>: a 503 comes before any series) is asked again for their
    /// partial answer, which keeps their healthy shards. That answer names the shards it leaves out (which may no longer be
    /// those of the 503: one may have gone down since, or come back); the shard warns of them, naming the gateway, and
    /// they are recorded by their path (<c>lower/shard-1</c>) for an answer that names them in its header: one that has
    /// begun without naming them is cut.
    /// </summary>
    private async IAsyncEnumerable<List<Series>> SelectOrAskInPartAsync(ISeriesSource shard, Func<ISeriesSource, IAsyncEnumerable<Series>> select,
        Func<ShardSource, Action<IReadOnlyList<string>>, IAsyncEnumerable<Series>> selectInPart)
    {
        ShardSource? inPart = null;
        var whole = select(shard).GetAsyncEnumerator();
        await using (whole.ConfigureAwait(false))
        {
            bool any;
            try
            {
                any = await whole.MoveNextAsync().ConfigureAwait(false);
            }
            catch (ShardUnavailableException e) when (_partial == PartialResponse.Warn && e is { HandedOn: 0, DownInPart: true }
                && shard is ShardSource source && _leftOut?.CouldAdd(e.Unavailable) != false)
            {
                inPart = source.AllowingPartial();
                any = false;
            }
            while (any)
            {
                yield return [whole.Current];
                any = await whole.MoveNextAsync().ConfigureAwait(false);
            }
        }
        if (inPart is null)
        {
            yield break;
        }
        var name = inPart.Name;
        await foreach (var series in selectInPart(inPart, LeftOutBelow).ConfigureAwait(false))
        {
            yield return [series];
        }

        void LeftOutBelow(IReadOnlyList<string> lower)
        {
            List<string> paths = [.. lower.Select(s => name + "/" + s)];
            string? refusal = null;
            if (_leftOut?.TryAdd(paths, out refusal) == false)
            {
                throw new ShardUnavailableException($"shard {name}: its gateway's answer leaves out {string.Join(", ", paths)}; {refusal}") { Shard = name };
            }
            // Counted when the answer in part leaves shards out (not when the shard came back whole in between), or in
            // Partial when it fails too: once either way.
            Count(name);
        }
    }

    /// <summary>Joins one series' copies from several shards (<see cref="ShardOverlap"/>).</summary>
    internal static Series Join(IReadOnlyList<Series> copies) => copies.Count == 1
        ? copies[0]
        : new Series(copies[0].Labels, ShardOverlap.Merge([.. copies.Select(static s => s.Points)])) { Histograms = copies.MaxBy(s => s.Histograms.Length)!.Histograms };
}
