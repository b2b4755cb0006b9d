using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.Gateway.Tenancy;

/// <summary>
/// A tenant's view of a source: the tenant's matchers are added to every selection, label-name and label-value
/// call. Enforcement sits here, below the query text, so nothing a query does (regexes on <c>__name__</c>,
/// <c>label_replace</c>, <c>absent</c>, <c>or vector(1)</c>, subqueries) and no endpoint (query, series, labels,
/// federate, remote read) can read past it: every read of data goes through this seam.
/// </summary>
public sealed class TenantSource(ISeriesSource inner, string tenant, IReadOnlyList<LabelMatcher> enforced) : ISeriesSource
{
    /// <summary>The tenant's id.</summary>
    public string Tenant { get; } = tenant;

    /// <summary>The matchers every read is restricted to.</summary>
    public IReadOnlyList<LabelMatcher> Enforced { get; } = enforced;

    /// <inheritdoc />
    public SourceInfo Info => inner.Info;

    /// <inheritdoc />
    public IAsyncEnumerable<Series> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SelectHints hints,
        SourceWarnings warnings, CancellationToken cancellationToken = default) =>
        inner.SelectAsync(Restrict(matchers), minT, maxT, hints, warnings, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
        SourceWarnings warnings, CancellationToken cancellationToken = default) =>
        inner.LabelNamesAsync(Restrict(matchers), minT, maxT, warnings, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
        SourceWarnings warnings, CancellationToken cancellationToken = default) =>
        inner.LabelValuesAsync(name, Restrict(matchers), minT, maxT, warnings, cancellationToken);

    private List<LabelMatcher> Restrict(IReadOnlyList<LabelMatcher> matchers)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        return [.. matchers, .. Enforced];
    }
}
