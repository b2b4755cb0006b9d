using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Storage;

/// <summary>
/// The engine's only view of data, shaped like Prometheus' <c>storage.Querier</c> plus the <c>Info</c> of Thanos'
/// StoreAPI: series selected by label matchers over a time range, label names and values, and what the source can
/// hold. In-memory storage, remote read from a Prometheus server and the gateway's fan-out implement it.
/// Every call may be made concurrently with others on the same source.
/// </summary>
public interface ISeriesSource
{
    /// <summary>
    /// Streams every series matching all <paramref name="matchers"/>, with its samples in
    /// <c>[minT, maxT]</c> (staleness markers included), each series once. In-memory storage and the gateway's
    /// sources send them sorted by labels; remote read sends them in the server's order, which differs where one
    /// label set extends another (Prometheus sorts before adding its external labels). The engine needs no order.
    /// </summary>
    /// <param name="matchers">Label matchers that must all hold.</param>
    /// <param name="minT">The earliest sample time wanted, inclusive, in milliseconds.</param>
    /// <param name="maxT">The latest sample time wanted, inclusive, in milliseconds.</param>
    /// <param name="hints">What the engine will do with the data; a source may ignore them.</param>
    /// <param name="warnings">Where the source reports non-fatal problems (partial data, say) that travel with the answer.</param>
    /// <param name="cancellationToken">Stops the selection.</param>
    IAsyncEnumerable<Series> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SelectHints hints,
        SourceWarnings warnings, CancellationToken cancellationToken = default);

    /// <summary>
    /// The label names of the series that match all <paramref name="matchers"/> (every series when empty) and have
    /// samples in <c>[minT, maxT]</c>, sorted and distinct.
    /// </summary>
    Task<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
        SourceWarnings warnings, CancellationToken cancellationToken = default);

    /// <summary>
    /// The values of label <paramref name="name"/> on the series that match all <paramref name="matchers"/> and have
    /// samples in <c>[minT, maxT]</c>, sorted and distinct; empty values are left out.
    /// </summary>
    Task<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
        SourceWarnings warnings, CancellationToken cancellationToken = default);

    /// <summary>What the source holds, so a federation can skip it without asking when a selection cannot match.</summary>
    SourceInfo Info { get; }
}

/// <summary>What the engine will do with selected series; lets a federated source fetch less.</summary>
/// <param name="Step">The evaluation step in milliseconds (0 for an instant query).</param>
/// <param name="Function">The function enclosing the selector, e.g. <c>rate</c>, or null.</param>
/// <param name="Range">The range of a range selector in milliseconds, 0 for an instant selector.</param>
/// <param name="Grouping">The labels of an enclosing aggregation's <c>by</c>/<c>without</c>.</param>
/// <param name="By">True when <paramref name="Grouping"/> is a <c>by</c> list.</param>
public sealed record SelectHints(long Step = 0, string? Function = null, long Range = 0,
    IReadOnlyList<string>? Grouping = null, bool By = false);

/// <summary>
/// The labels every series of a source carries (Prometheus' external labels) and the time range it can answer,
/// as Thanos' <c>Info</c> call gives them.
/// </summary>
/// <param name="ExternalLabels">Labels on every series of the source; empty when unknown.</param>
/// <param name="MinT">The earliest time it may hold, in milliseconds (<see cref="long.MinValue"/> when unknown).</param>
/// <param name="MaxT">The latest time it may hold, in milliseconds (<see cref="long.MaxValue"/> when unknown).</param>
public sealed record SourceInfo(Labels ExternalLabels, long MinT = long.MinValue, long MaxT = long.MaxValue)
{
    /// <summary>A source that may hold anything at any time.</summary>
    public static SourceInfo Unbounded { get; } = new(Labels.Empty);

    /// <summary>
    /// Whether a selection could find anything here: the time ranges overlap and no matcher contradicts an external
    /// label (a series of this source always carries it).
    /// </summary>
    public bool CanMatch(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        if (maxT < MinT || minT > MaxT)
        {
            return false;
        }
        foreach (var matcher in matchers)
        {
            var value = ExternalLabels.Get(matcher.Name);
            if (value.Length > 0 && !matcher.Matches(value))
            {
                return false;
            }
        }
        return true;
    }
}
