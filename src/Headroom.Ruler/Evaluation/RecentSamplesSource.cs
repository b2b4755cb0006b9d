using System.Runtime.CompilerServices;
using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.Ruler.Evaluation;

/// <summary>
/// The source the ruler's engine reads: the gateway, overlaid with the samples the ruler itself produced lately.
/// Prometheus commits each rule's output to its own storage before the next rule of the group runs, so a later rule
/// sees an earlier one's result of the same evaluation. The ruler's output travels by remote write and may reach the
/// gateway seconds later, or never (a receiver the gateway does not read); the overlay gives later rules the same view
/// Prometheus would. Where both hold a series, the ruler's own samples win at equal timestamps and fill in the newest.
/// </summary>
internal sealed class RecentSamplesSource(ISeriesSource inner, TimeSpan retention) : ISeriesSource
{
    private readonly Dictionary<Labels, List<FloatPoint>> _recent = [];
    private readonly Lock _lock = new();

    public SourceInfo Info => inner.Info;

    /// <summary>Keeps <paramref name="samples"/> (each series in time order) and forgets what is older than the retention.</summary>
    public void Add(IEnumerable<Sample> samples, long now)
    {
        lock (_lock)
        {
            foreach (var sample in samples)
            {
                if (!_recent.TryGetValue(sample.Labels, out var points))
                    _recent[sample.Labels] = points = [];
                if (points.Count > 0 && points[^1].T >= sample.T)
                    points.RemoveAll(p => p.T >= sample.T);
                points.Add(new FloatPoint(sample.T, sample.F));
            }
            var oldest = now - (long)retention.TotalMilliseconds;
            foreach (var (labels, points) in _recent.ToList())
            {
                points.RemoveAll(p => p.T < oldest);
                if (points.Count == 0)
                    _recent.Remove(labels);
            }
        }
    }

    public async IAsyncEnumerable<Series> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SelectHints hints,
        SourceWarnings warnings, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var own = Matching(matchers, minT, maxT);
        if (own.Count == 0)
        {
            await foreach (var series in inner.SelectAsync(matchers, minT, maxT, hints, warnings, cancellationToken).ConfigureAwait(false))
                yield return series;
            yield break;
        }
        var merged = new Dictionary<Labels, Series>();
        await foreach (var series in inner.SelectAsync(matchers, minT, maxT, hints, warnings, cancellationToken).ConfigureAwait(false))
            merged[series.Labels] = series;
        foreach (var (labels, points) in own)
        {
            if (!merged.TryGetValue(labels, out var existing))
            {
                merged[labels] = new Series(labels, points);
                continue;
            }
            var byTime = new SortedDictionary<long, double>();
            foreach (var p in existing.Points)
                byTime[p.T] = p.F;
            foreach (var p in points)
                byTime[p.T] = p.F;
            merged[labels] = new Series(labels, [.. byTime.Select(static p => new FloatPoint(p.Key, p.Value))]) { Histograms = existing.Histograms };
        }
        foreach (var series in merged.Values.OrderBy(static s => s.Labels, Comparer<Labels>.Create(Labels.Compare)))
            yield return series;
    }

    public Task<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SourceWarnings warnings,
        CancellationToken cancellationToken = default) => inner.LabelNamesAsync(matchers, minT, maxT, warnings, cancellationToken);

    public Task<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SourceWarnings warnings,
        CancellationToken cancellationToken = default) => inner.LabelValuesAsync(name, matchers, minT, maxT, warnings, cancellationToken);

    private List<(Labels Labels, FloatPoint[] Points)> Matching(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT)
    {
        var result = new List<(Labels, FloatPoint[])>();
        lock (_lock)
        {
            foreach (var (labels, points) in _recent)
            {
                if (!matchers.All(m => m.Matches(labels.Get(m.Name))))
                    continue;
                var inRange = points.Where(p => p.T >= minT && p.T <= maxT).ToArray();
                if (inRange.Length > 0)
                    result.Add((labels, inRange));
            }
        }
        return result;
    }
}
