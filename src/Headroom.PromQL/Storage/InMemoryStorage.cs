using System.Runtime.CompilerServices;
using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Storage;

/// <summary>
/// Series held in memory, for tests, test scripts and benchmarks. A sample at an existing time replaces it. Reads
/// (selections, label names and values) may run concurrently with each other: they write nothing. A write must not
/// run alongside anything else.
/// </summary>
public sealed class InMemoryStorage : ISeriesSource, ILendingSource
{
    private readonly Dictionary<Labels, SampleBuffer> _series = [];
    private readonly Dictionary<Labels, SortedList<long, NativeHistogram>> _histograms = [];

    /// <summary>The number of stored series.</summary>
    public int SeriesCount => _series.Count;

    /// <summary>Adds one sample; use <see cref="StaleMarker.Value"/> to mark the series stale.</summary>
    public void Append(Labels labels, long t, double value)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (!_series.TryGetValue(labels, out var points))
        {
            points = new SampleBuffer();
            _series.Add(labels, points);
        }
        points.Add(t, value);
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
        // Callers may keep what they select past the next write: copy the samples.
        var lent = SelectLent(matchers, minT, maxT);
        var selected = new List<Series>(lent.Count);
        foreach (var series in lent)
        {
            selected.Add(new Series(series.Labels, [.. series.Points]) { Histograms = series.Histograms });
        }
        return selected;
    }

    /// <summary>
    /// The selection without copying: each series' samples are a slice of the storage's own array. The engine reads
    /// them for one query and never writes to them; copying a day of 10,000 series (57.6 million points, mostly
    /// large-object-heap arrays) on every query cost more than evaluating it.
    /// </summary>
    List<SelectedSeries> ILendingSource.SelectLent(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT) =>
        SelectLent(matchers, minT, maxT);

    private List<SelectedSeries> SelectLent(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        var selected = new List<SelectedSeries>();
        foreach (var (labels, points) in _series)
        {
            if (Matches(labels, matchers))
            {
                Add(selected, labels, points.Window(minT, maxT), minT, maxT);
            }
        }
        foreach (var labels in _histograms.Keys)
        {
            if (!_series.ContainsKey(labels) && Matches(labels, matchers))
            {
                Add(selected, labels, ArraySegment<FloatPoint>.Empty, minT, maxT);
            }
        }
        selected.Sort((a, b) => Labels.Compare(a.Labels, b.Labels));
        return selected;
    }

    private void Add(List<SelectedSeries> selected, Labels labels, ArraySegment<FloatPoint> window, long minT, long maxT)
    {
        var histograms = _histograms.TryGetValue(labels, out var hs)
            ? hs.Where(p => p.Key >= minT && p.Key <= maxT).Select(p => new HistogramPoint(p.Key, p.Value)).ToArray()
            : [];
        if (window.Count > 0 || histograms.Length > 0)
        {
            selected.Add(new SelectedSeries(labels, window, histograms));
        }
    }

    private static bool Matches(Labels labels, IReadOnlyList<LabelMatcher> matchers)
    {
        foreach (var matcher in matchers)
        {
            if (!matcher.Matches(labels.Get(matcher.Name)))
            {
                return false;
            }
        }
        return true;
    }
}
