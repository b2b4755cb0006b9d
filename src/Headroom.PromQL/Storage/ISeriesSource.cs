using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Storage;

/// <summary>
/// The engine's only view of data: series selected by label matchers over a time range. In-memory storage,
/// remote read from a Prometheus server and the gateway's fan-out implement it.
/// </summary>
public interface ISeriesSource
{
    /// <summary>
    /// Streams every series matching all <paramref name="matchers"/>, with its samples in
    /// <c>[minT, maxT]</c> (staleness markers included). Series come sorted by labels.
    /// </summary>
    /// <param name="matchers">Label matchers that must all hold.</param>
    /// <param name="minT">The earliest sample time wanted, inclusive, in milliseconds.</param>
    /// <param name="maxT">The latest sample time wanted, inclusive, in milliseconds.</param>
    /// <param name="hints">What the engine will do with the data; a source may ignore them.</param>
    /// <param name="cancellationToken">Stops the selection.</param>
    IAsyncEnumerable<Series> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SelectHints hints,
        CancellationToken cancellationToken = default);
}

/// <summary>What the engine will do with selected series; lets a federated source fetch less.</summary>
/// <param name="Step">The evaluation step in milliseconds (0 for an instant query).</param>
/// <param name="Function">The function enclosing the selector, e.g. <c>rate</c>, or null.</param>
/// <param name="Range">The range of a range selector in milliseconds, 0 for an instant selector.</param>
/// <param name="Grouping">The labels of an enclosing aggregation's <c>by</c>/<c>without</c>.</param>
/// <param name="By">True when <paramref name="Grouping"/> is a <c>by</c> list.</param>
public sealed record SelectHints(long Step = 0, string? Function = null, long Range = 0,
    IReadOnlyList<string>? Grouping = null, bool By = false);
