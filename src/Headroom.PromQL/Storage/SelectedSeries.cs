namespace Headroom.PromQL.Storage;

/// <summary>
/// A selected series as the engine reads it: its float samples as a slice of an array it must not write to, so that
/// a source can lend its own arrays instead of copying them.
/// </summary>
/// <param name="Labels">The identity of the series.</param>
/// <param name="Points">The float samples in the selected range, ascending by time.</param>
/// <param name="Histograms">The native histogram samples in the selected range, ascending by time.</param>
internal readonly record struct SelectedSeries(Labels Labels, ArraySegment<FloatPoint> Points, HistogramPoint[] Histograms)
{
    public static SelectedSeries Of(Series series) => new(series.Labels, series.Points, series.Histograms);
}

/// <summary>
/// A source that can lend its sample arrays for the length of one query. Reading its data this way must be safe
/// alongside other reads; the lent arrays stay unchanged as long as nothing is written to the source.
/// </summary>
internal interface ILendingSource
{
    /// <summary>The series matching all <paramref name="matchers"/> with samples in <c>[minT, maxT]</c>, sorted by labels.</summary>
    List<SelectedSeries> SelectLent(IReadOnlyList<Syntax.LabelMatcher> matchers, long minT, long maxT);
}
