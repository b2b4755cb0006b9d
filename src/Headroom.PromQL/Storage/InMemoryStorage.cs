using System.Runtime.CompilerServices;
using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Storage;

/// <summary>
/// Series held in memory, for tests and test scripts. Appends must be in time order per series; a sample at
/// an existing time replaces it. Not thread-safe for concurrent writes.
/// </summary>
public sealed class InMemoryStorage : ISeriesSource
{
    private readonly Dictionary<Labels, List<FloatPoint>> _series = [];

    /// <summary>The number of stored series.</summary>
    public int SeriesCount => _series.Count;

    /// <summary>Adds one sample; use <see cref="StaleMarker.Value"/> to mark the series stale.</summary>
    public void Append(Labels labels, long t, double value)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (!_series.TryGetValue(labels, out var points))
        {
            points = [];
            _series.Add(labels, points);
        }
        if (points.Count > 0 && points[^1].T >= t)
        {
            var index = points.FindIndex(p => p.T >= t);
            if (points[index].T == t)
            {
                points[index] = new FloatPoint(t, value);
            }
            else
            {
                points.Insert(index, new FloatPoint(t, value));
            }
            return;
        }
        points.Add(new FloatPoint(t, value));
    }

    /// <summary>Drops all data.</summary>
    public void Clear() => _series.Clear();

    /// <inheritdoc />
    public async IAsyncEnumerable<Series> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
        SelectHints hints, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (var series in Select(matchers, minT, maxT))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return series;
        }
    }

    /// <summary>The synchronous form of <see cref="SelectAsync"/>.</summary>
    public IEnumerable<Series> Select(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        var selected = new List<Series>();
        foreach (var (labels, points) in _series)
        {
            var match = true;
            foreach (var matcher in matchers)
            {
                if (!matcher.Matches(labels.Get(matcher.Name)))
                {
                    match = false;
                    break;
                }
            }
            if (!match)
            {
                continue;
            }
            var window = points.Where(p => p.T >= minT && p.T <= maxT).ToArray();
            if (window.Length > 0)
            {
                selected.Add(new Series(labels, window));
            }
        }
        selected.Sort((a, b) => Labels.Compare(a.Labels, b.Labels));
        return selected;
    }
}
