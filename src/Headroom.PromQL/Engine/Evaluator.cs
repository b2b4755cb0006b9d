using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Engine;

/// <summary>
/// Evaluates a planned tree over all steps of a query at once: one recursive switch over node types. A subquery
/// runs a nested evaluator with its own steps.
/// </summary>
internal sealed partial class Evaluator
{
    private readonly EvalContext _ctx;

    public Evaluator(EvalContext context, long start, long end, long interval)
    {
        _ctx = context;
        Start = start;
        End = end;
        Interval = interval;
        // A subquery such as x[1y:1ms] asks for 3e10 steps: counted in long, and refused before any array of that
        // many steps is allocated (in int it wrapped round and the query answered an empty vector).
        var steps = (end - start) / interval + 1;
        if (steps > Math.Min(context.Options.MaxSamples, Array.MaxLength))
        {
            throw new QueryException($"query processing would load too many samples into memory in query execution: {steps:N0} evaluation steps " +
                "(a subquery's range divided by its step); use a coarser subquery step or a shorter range");
        }
        Steps = (int)steps;
    }

    public long Start { get; }

    public long End { get; }

    public long Interval { get; }

    public int Steps { get; }

    public EvalContext Context => _ctx;

    public long Ts(int step) => Start + step * Interval;

    public EvalValue Eval(Expr expr)
    {
        _ctx.Check();
        return expr switch
        {
            NumberLiteral n => Fill(n.Value),
            StringLiteral s => new StringValue(s.Value),
            ParenExpr p => Eval(p.Inner),
            UnaryExpr u => EvalUnary(u),
            VectorSelector vs => EvalSelector(vs, keepSampleTimes: false),
            MatrixSelector ms => EvalMatrixSelector(ms),
            SubqueryExpr sq => EvalSubquery(sq),
            BinaryExpr b => EvalBinary(b),
            AggregateExpr a => EvalAggregate(a),
            Call c => EvalCall(c),
            RemoteResultExpr r => EvalRemote(r),
            _ => throw new QueryException($"unsupported expression node {expr.GetType().Name}"),
        };
    }

    public ScalarSteps Fill(double value)
    {
        var values = new double[Steps];
        Array.Fill(values, value);
        return new ScalarSteps(values);
    }

    public StepVector EvalVector(Expr expr) => Eval(expr) switch
    {
        StepVector v => v,
        var other => throw new QueryException($"expected instant vector, got {other.GetType().Name}"),
    };

    public double[] EvalScalar(Expr expr) => Eval(expr) switch
    {
        ScalarSteps s => s.Values,
        var other => throw new QueryException($"expected scalar, got {other.GetType().Name}"),
    };

    private EvalValue EvalUnary(UnaryExpr u)
    {
        var value = Eval(u.Operand);
        if (u.Operator == UnaryOperator.Plus)
        {
            return value;
        }
        switch (value)
        {
            case ScalarSteps s:
                return new ScalarSteps([.. s.Values.Select(v => -v)]);
            case StepVector v:
                var result = new List<StepSeries>(v.Series.Count);
                foreach (var series in v.Series)
                {
                    var negated = new StepSeries(series.Labels, Steps, dropName: true);
                    for (var i = 0; i < Steps; i++)
                    {
                        negated.Values[i] = -series.Values[i];
                        negated.Present[i] = series.Present[i];
                    }
                    result.Add(negated);
                }
                return new StepVector(result);
            default:
                throw new QueryException("unary minus needs a scalar or instant vector");
        }
    }

    /// <summary>The latest non-stale sample at or before each step, within the lookback delta.</summary>
    public StepVector EvalSelector(VectorSelector vs, bool keepSampleTimes)
    {
        var offset = (long)vs.Offset.TotalMilliseconds;
        var lookback = _ctx.LookbackMs;
        var result = new List<StepSeries>();
        foreach (var series in _ctx.Data(vs))
        {
            var points = series.Points.AsSpan();
            var output = new StepSeries(series.Labels, Steps, dropName: false);
            if (keepSampleTimes)
            {
                output.SampleTimes = new long[Steps];
            }
            var any = false;
            var histograms = series.Histograms;
            for (var i = 0; i < Steps; i++)
            {
                var refT = (vs.At?.TimestampMs ?? Ts(i)) - offset;
                var index = LastAtOrBefore(points, refT);
                if (histograms.Length > 0)
                {
                    var h = LastHistogramAtOrBefore(histograms, refT);
                    if (h >= 0 && histograms[h].T > refT - lookback && (index < 0 || histograms[h].T > points[index].T))
                    {
                        output.SetHistogram(i, histograms[h].H);
                        any = true;
                        continue;
                    }
                }
                if (index < 0 || points[index].T <= refT - lookback || StaleMarker.IsStale(points[index].F))
                {
                    continue;
                }
                output.Values[i] = points[index].F;
                output.Present[i] = true;
                if (output.SampleTimes is not null)
                {
                    output.SampleTimes[i] = points[index].T;
                }
                any = true;
            }
            if (any)
            {
                _ctx.CountSamples(Steps);
                result.Add(output);
            }
        }
        return new StepVector(result);
    }

    private static bool HasStaleMarker(ReadOnlySpan<FloatPoint> points)
    {
        foreach (var p in points)
        {
            if (StaleMarker.IsStale(p.F))
            {
                return true;
            }
        }
        return false;
    }

    private static int LastHistogramAtOrBefore(HistogramPoint[] points, long t)
    {
        var index = -1;
        for (var k = 0; k < points.Length && points[k].T <= t; k++)
        {
            index = k;
        }
        return index;
    }

    private static int LastAtOrBefore(ReadOnlySpan<FloatPoint> points, long t)
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
        return lo - 1;
    }

    private long[] WindowEnds(AtModifier? at, long offset)
    {
        var ends = new long[Steps];
        for (var i = 0; i < Steps; i++)
        {
            ends[i] = (at?.TimestampMs ?? Ts(i)) - offset;
        }
        return ends;
    }

    /// <summary>A range selector: all samples the windows of all steps cover, staleness markers dropped.</summary>
    public RangeVector EvalMatrixSelector(MatrixSelector ms)
    {
        var vs = ms.Selector;
        var range = (long)ms.Range.TotalMilliseconds;
        var ends = WindowEnds(vs.At, (long)vs.Offset.TotalMilliseconds);
        var series = new List<RangeSeries>();
        foreach (var s in _ctx.Data(vs))
        {
            // Storage lends arrays of its own; copy only when there are staleness markers to drop.
            var points = HasStaleMarker(s.Points)
                ? (ArraySegment<FloatPoint>)s.Points.Where(static p => !StaleMarker.IsStale(p.F)).ToArray()
                : s.Points;
            series.Add(new RangeSeries(s.Labels, points, dropName: false) { Histograms = s.Histograms });
        }
        return new RangeVector(series, ends, range, _ctx.EdgeMs);
    }

    /// <summary>
    /// A subquery: the inner expression evaluated by a nested evaluator at steps aligned to multiples of the
    /// subquery step, covering the windows of all outer steps.
    /// </summary>
    public RangeVector EvalSubquery(SubqueryExpr sq)
    {
        var offset = (long)sq.Offset.TotalMilliseconds;
        var range = (long)sq.Range.TotalMilliseconds;
        var step = sq.Step > TimeSpan.Zero ? (long)sq.Step.TotalMilliseconds : _ctx.DefaultSubqueryStepMs;
        var ends = WindowEnds(sq.At, offset);
        var (subStart, last) = Planner.SubquerySteps(ends.Min(), ends.Max(), range + _ctx.EdgeMs, step);
        var series = new List<RangeSeries>();
        if (subStart <= last)
        {
            var nested = new Evaluator(_ctx, subStart, last, step);
            var value = nested.Eval(sq.Inner);
            switch (value)
            {
                case StepVector v:
                    foreach (var s in v.Series)
                    {
                        // Exact-size arrays: a subquery at a fine step has many points per series.
                        var floats = 0;
                        var histogramCount = 0;
                        for (var i = 0; i < nested.Steps; i++)
                        {
                            if (s.Present[i])
                            {
                                floats++;
                            }
                            else if (s.HistogramAt(i) is not null)
                            {
                                histogramCount++;
                            }
                        }
                        var points = new FloatPoint[floats];
                        var histograms = histogramCount == 0 ? [] : new HistogramPoint[histogramCount];
                        int f = 0, h = 0;
                        for (var i = 0; i < nested.Steps; i++)
                        {
                            if (s.Present[i])
                            {
                                points[f++] = new FloatPoint(nested.Ts(i), s.Values[i]);
                            }
                            else if (s.HistogramAt(i) is { } histogram)
                            {
                                histograms[h++] = new HistogramPoint(nested.Ts(i), histogram);
                            }
                        }
                        series.Add(new RangeSeries(s.Labels, points, s.DropName) { Histograms = histograms });
                    }
                    break;
                case ScalarSteps sc:
                    series.Add(new RangeSeries(Labels.Empty,
                        sc.Values.Select((f, i) => new FloatPoint(nested.Ts(i), f)).ToArray(), dropName: false));
                    break;
                default:
                    throw new QueryException("subquery needs an instant vector or scalar");
            }
        }
        return new RangeVector(series, ends, range, _ctx.EdgeMs);
    }

    /// <summary>Evaluates the range-vector argument of a function, looking through parentheses.</summary>
    public RangeVector EvalRange(Expr expr) => expr switch
    {
        ParenExpr p => EvalRange(p.Inner),
        MatrixSelector ms => EvalMatrixSelector(ms),
        SubqueryExpr sq => EvalSubquery(sq),
        _ => throw new QueryException("expected range vector"),
    };
}
