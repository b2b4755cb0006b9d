namespace Headroom.PromQL.Engine;

/// <summary>An intermediate value of evaluation over all steps of a query.</summary>
internal abstract class EvalValue;

/// <summary>A scalar at every step.</summary>
internal sealed class ScalarSteps(double[] values) : EvalValue
{
    public double[] Values { get; } = values;
}

/// <summary>A string literal.</summary>
internal sealed class StringValue(string value) : EvalValue
{
    public string Value { get; } = value;
}

/// <summary>One series of an instant vector over all steps; <see cref="Present"/> marks the steps with a sample.</summary>
internal sealed class StepSeries(Labels labels, int steps, bool dropName)
{
    public Labels Labels { get; set; } = labels;

    public double[] Values { get; } = new double[steps];

    public bool[] Present { get; } = new bool[steps];

    /// <summary>
    /// The metric name is to be removed when the result is returned: Prometheus 3 removes names late so that
    /// <c>label_replace</c> and <c>by (__name__)</c> can still see them.
    /// </summary>
    public bool DropName { get; set; } = dropName;

    /// <summary>Sample times for <c>timestamp()</c> of a selector; null otherwise.</summary>
    public long[]? SampleTimes { get; set; }

    /// <summary>
    /// Native histogram samples by step, or null when the series has none. A step holds a float
    /// (<see cref="Present"/>) or a histogram, never both, so float-only code ignores histograms.
    /// </summary>
    public NativeHistogram?[]? Histograms { get; set; }

    public NativeHistogram? HistogramAt(int step) => Histograms?[step];

    public void SetHistogram(int step, NativeHistogram histogram)
    {
        Histograms ??= new NativeHistogram?[Values.Length];
        Histograms[step] = histogram;
    }
}

/// <summary>An instant vector over all steps.</summary>
internal sealed class StepVector(List<StepSeries> series) : EvalValue
{
    public List<StepSeries> Series { get; } = series;
}

/// <summary>A series of a range vector: every sample of the whole query window, staleness markers removed.</summary>
internal sealed class RangeSeries(Labels labels, ArraySegment<FloatPoint> points, bool dropName)
{
    public HistogramPoint[] Histograms { get; init; } = [];

    /// <summary>The histogram samples in <c>(end - range, end]</c>.</summary>
    public ReadOnlySpan<HistogramPoint> HistogramWindow(long end, long range)
    {
        var lo = 0;
        while (lo < Histograms.Length && Histograms[lo].T <= end - range)
        {
            lo++;
        }
        var hi = lo;
        while (hi < Histograms.Length && Histograms[hi].T <= end)
        {
            hi++;
        }
        return Histograms.AsSpan(lo, hi - lo);
    }

    public Labels Labels { get; } = labels;

    /// <summary>The samples, ascending by time; possibly a slice of the storage's own array, never to be written.</summary>
    public ArraySegment<FloatPoint> Points { get; } = points;

    public bool DropName { get; } = dropName;

    /// <summary>
    /// The samples in <c>(end - range, end]</c> for windows visited in order of their ends: the bounds move forward
    /// from where <paramref name="cursor"/> left them instead of being searched again at every step.
    /// </summary>
    public ReadOnlySpan<FloatPoint> Window(long end, long range, ref WindowCursor cursor)
    {
        var points = Points.AsSpan();
        if (end < cursor.End || cursor.End == long.MinValue)
        {
            cursor = new WindowCursor(FirstAfter(points, end - range), FirstAfter(points, end), end);
            return points[cursor.Lo..cursor.Hi];
        }
        int lo = cursor.Lo, hi = cursor.Hi;
        while (lo < points.Length && points[lo].T <= end - range)
        {
            lo++;
        }
        hi = Math.Max(hi, lo);
        while (hi < points.Length && points[hi].T <= end)
        {
            hi++;
        }
        cursor = new WindowCursor(lo, hi, end);
        return points[lo..hi];
    }

    /// <summary>The samples in <c>(end - range, end]</c>.</summary>
    public ReadOnlySpan<FloatPoint> Window(long end, long range)
    {
        var points = Points.AsSpan();
        var lo = FirstAfter(points, end - range);
        var hi = FirstAfter(points, end);
        return points[lo..hi];
    }

    private static int FirstAfter(ReadOnlySpan<FloatPoint> points, long t)
    {
        int lo = 0, hi = points.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (points[mid].T <= t)
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

/// <summary>Where the last window of a series was: its bounds in the points and its end time.</summary>
internal readonly record struct WindowCursor(int Lo, int Hi, long End)
{
    public static WindowCursor Start { get; } = new(0, 0, long.MinValue);
}

/// <summary>A range vector: series plus, for each step, where its window ends.</summary>
/// <param name="series">The series.</param>
/// <param name="windowEnds">Where each step's window ends.</param>
/// <param name="range">The nominal range, which <c>rate</c>'s extrapolation reads.</param>
/// <param name="edgeMs">How much further back than the range the windows select (1 ms when their left edge counts).</param>
internal sealed class RangeVector(List<RangeSeries> series, long[] windowEnds, long range, long edgeMs) : EvalValue
{
    public List<RangeSeries> Series { get; } = series;

    public long[] WindowEnds { get; } = windowEnds;

    public long Range { get; } = range;

    /// <summary>The span a window selects samples from, as a left-open window: <c>(end - Selection, end]</c>.</summary>
    public long Selection { get; } = range + edgeMs;
}

/// <summary>Collects the output of a per-step computation into series keyed by labels.</summary>
internal sealed class StepVectorBuilder(int steps)
{
    private readonly Dictionary<Labels, StepSeries> _byLabels = [];
    private readonly List<StepSeries> _series = [];

    public void Add(int step, Labels labels, double value, bool dropName) => Add(step, SeriesFor(labels, dropName), value, dropName);

    /// <summary>
    /// The output series for <paramref name="labels"/>, created on first use: a caller adding many steps of one
    /// series looks it up once instead of at every step.
    /// </summary>
    public StepSeries SeriesFor(Labels labels, bool dropName)
    {
        if (!_byLabels.TryGetValue(labels, out var series))
        {
            series = new StepSeries(labels, steps, dropName);
            _byLabels.Add(labels, series);
            _series.Add(series);
        }
        return series;
    }

    /// <summary>Sets the value of <paramref name="series"/> (from <see cref="SeriesFor"/>) at <paramref name="step"/>.</summary>
    public static void Add(int step, StepSeries series, double value, bool dropName)
    {
        if (series.Present[step])
        {
            throw new QueryException("vector cannot contain metrics with the same labelset");
        }
        series.DropName |= dropName;
        series.Values[step] = value;
        series.Present[step] = true;
    }

    public void AddHistogram(int step, Labels labels, NativeHistogram histogram, bool dropName)
    {
        if (!_byLabels.TryGetValue(labels, out var series))
        {
            series = new StepSeries(labels, steps, dropName);
            _byLabels.Add(labels, series);
            _series.Add(series);
        }
        else if (series.Present[step] || series.HistogramAt(step) is not null)
        {
            throw new QueryException("vector cannot contain metrics with the same labelset");
        }
        series.DropName |= dropName;
        series.SetHistogram(step, histogram);
    }

    public StepVector Build() => new(_series);
}
