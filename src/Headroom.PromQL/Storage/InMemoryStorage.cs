using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Storage;

/// <summary>
/// Series held in memory, for tests and test scripts. A sample at an existing time replaces it. Reads (selections,
/// label names and values) may run concurrently with each other; a write must not run alongside anything else.
/// </summary>
public sealed class InMemoryStorage : ISeriesSource
{
    private readonly Dictionary<Labels, List<FloatPoint>> _series = [];
    private readonly Dictionary<Labels, SortedList<long, NativeHistogram>> _histograms = [];
    // Filled by reads, so concurrent queries each may add to it.
    private readonly ConcurrentDictionary<Labels, FloatPoint[]> _frozen = [];

    /// <summary>The number of stored series.</summary>
    public int SeriesCount => _series.Count;

    /// <summary>Adds one sample; use <see cref="StaleMarker.Value"/> to mark the series stale.</summary>
    public void Append(Labels labels, long t, double value)
    {
        ArgumentNullException.ThrowIfNull(labels);
        _frozen.TryRemove(labels, out _);
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

    /// <summary>Adds one native histogram sample.</summary>
    public void Append(Labels labels, long t, NativeHistogram histogram)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (!_histograms.TryGetValue(labels, out var points))
        {
            points = [];
            _histograms.Add(labels, points);
        }
        points[t] = histogram;
    }

    /// <summary>Drops all data.</summary>
    public void Clear()
    {
        _series.Clear();
        _histograms.Clear();
        _frozen.Clear();
    }

    /// <inheritdoc />
    public SourceInfo Info => SourceInfo.Unbounded;

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
        SourceWarnings warnings, CancellationToken cancellationToken = default)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var series in Select(matchers, minT, maxT))
        {
            foreach (var label in series.Labels)
            {
                names.Add(label.Name);
            }
        }
        return Task.FromResult<IReadOnlyList<string>>([.. names]);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
        SourceWarnings warnings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var values = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var series in Select(matchers, minT, maxT))
        {
            var value = series.Labels.Get(name);
            if (value.Length > 0)
            {
                values.Add(value);
            }
        }
        return Task.FromResult<IReadOnlyList<string>>([.. values]);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<Series> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT,
        SelectHints hints, SourceWarnings warnings, [EnumeratorCancellation] CancellationToken cancellationToken = default)
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
        foreach (var labels in _series.Keys.Union(_histograms.Keys))
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
            var window = _series.TryGetValue(labels, out var points) ? Slice(labels, points, minT, maxT) : [];
            var histograms = _histograms.TryGetValue(labels, out var hs)
                ? hs.Where(p => p.Key >= minT && p.Key <= maxT).Select(p => new HistogramPoint(p.Key, p.Value)).ToArray()
                : [];
            if (window.Length > 0 || histograms.Length > 0)
            {
                selected.Add(new Series(labels, window) { Histograms = histograms });
            }
        }
        selected.Sort((a, b) => Labels.Compare(a.Labels, b.Labels));
        return selected;
    }

    /// <summary>
    /// The points in <c>[minT, maxT]</c>, found by binary search (points are in time order). A selection covering a
    /// whole series shares one frozen array until the next append: the engine never writes to selected points, and
    /// copying a day of 10,000 series (57.6 million points, mostly large-object-heap arrays) on every query cost more
    /// than evaluating it.
    /// </summary>
    private FloatPoint[] Slice(Labels labels, List<FloatPoint> points, long minT, long maxT)
    {
        var span = CollectionsMarshal.AsSpan(points);
        var lo = FirstAtOrAfter(span, minT);
        var hi = FirstAtOrAfter(span, maxT == long.MaxValue ? maxT : maxT + 1);
        if (hi <= lo)
        {
            return [];
        }
        if (lo == 0 && hi == span.Length)
        {
            return _frozen.GetOrAdd(labels, static (_, list) => [.. list], points);
        }
        return span[lo..hi].ToArray();
    }

    private static int FirstAtOrAfter(ReadOnlySpan<FloatPoint> points, long t)
    {
        int lo = 0, hi = points.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (points[mid].T < t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}
