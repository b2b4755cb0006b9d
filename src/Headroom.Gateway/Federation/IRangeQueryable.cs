using Headroom.PromQL;
using Headroom.PromQL.Storage;

namespace Headroom.Gateway.Federation;

/// <summary>
/// A replica that evaluates PromQL itself, so the gateway can push an aggregation down to it: a Prometheus server
/// over its HTTP API, or an engine over an in-process source.
/// </summary>
internal interface IRangeQueryable
{
    /// <summary>
    /// Labels the replica's server adds to its series on the way out (Prometheus' external labels) but does not hold
    /// in its TSDB, so a query evaluated there neither sees nor returns them.
    /// </summary>
    Task<Labels> ExternalLabelsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Evaluates <paramref name="expr"/> at <paramref name="start"/>, <paramref name="start"/> + <paramref name="step"/>,
    /// … up to <paramref name="end"/> (milliseconds), as Prometheus' <c>/api/v1/query_range</c> does: a matrix.
    /// A query the replica refuses as a query raises <see cref="PromQL.Engine.QueryException"/>; anything else that
    /// keeps it from answering raises another exception, and the next replica is asked.
    /// </summary>
    Task<IReadOnlyList<Series>> QueryRangeAsync(string expr, long start, long end, long step, SourceWarnings warnings,
        CancellationToken cancellationToken);
}

/// <summary>
/// A replica whose series come sorted by their labels without some of them: a Prometheus server sorts the labels its
/// TSDB holds and merges its external labels in afterwards. Any other source sorts by all labels.
/// </summary>
internal interface IServerOrdered
{
    /// <summary>The label names the order of the replica's series leaves out.</summary>
    Task<IReadOnlyCollection<string>> SortedWithoutAsync(CancellationToken cancellationToken);
}

/// <summary>A replica held in process (tests, the lake later): Headroom's own engine evaluates pushed queries over it.</summary>
internal sealed class EngineReplica(ISeriesSource source, PromQL.Engine.WindowLeftEdge leftEdge) : IRangeQueryable
{
    public Task<Labels> ExternalLabelsAsync(CancellationToken cancellationToken) => Task.FromResult(source.Info.ExternalLabels);

    public async Task<IReadOnlyList<Series>> QueryRangeAsync(string expr, long start, long end, long step, SourceWarnings warnings,
        CancellationToken cancellationToken)
    {
        // The text is parsed again, as a Prometheus server would: the gateway's printer and parser must agree.
        var result = await new PromQL.Engine.QueryEngine(source, new PromQL.Engine.EngineOptions { LeftEdge = leftEdge }).RangeAsync(expr, start, end, step, cancellationToken).ConfigureAwait(false);
        foreach (var warning in result.Annotations.Warnings)
        {
            warnings.Add(warning);
        }
        return ((PromQL.Engine.MatrixResult)result.Value).Series;
    }
}
