using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Engine;

/// <summary>What a range-vector function sees at one step besides the samples of the window.</summary>
/// <param name="WindowEnd">The end of the window (step time, or the <c>@</c> time, minus the offset).</param>
/// <param name="Range">The window length in milliseconds.</param>
/// <param name="Ts">The evaluation time of the step.</param>
/// <param name="Arg">The scalar argument at this step (quantile, prediction time, smoothing factor), or NaN.</param>
/// <param name="Arg2">A second scalar argument at this step, or NaN.</param>
internal readonly record struct RangeStep(long WindowEnd, long Range, long Ts, double Arg, double Arg2);

/// <summary>Computes one value from the samples of a window; false means no output for the step.</summary>
internal delegate bool RangeKernel(ReadOnlySpan<FloatPoint> window, in RangeStep step, out double value);

/// <summary>Computes a float or a histogram from the histogram samples of a window; false means no output.</summary>
internal delegate bool HistogramKernel(ReadOnlySpan<HistogramPoint> window, in RangeStep step, out double value, out NativeHistogram? histogram);

internal sealed partial class Evaluator
{
    private EvalValue EvalCall(Call call)
    {
        if (!Functions.All.TryGetValue(call.Function.Name, out var implementation))
        {
            throw new QueryException($"function \"{call.Function.Name}\" is not implemented");
        }
        return implementation(this, call);
    }

    /// <summary>Applies <paramref name="f"/> to every sample; the metric name is dropped.</summary>
    public StepVector MapValues(StepVector input, Func<double, double> f) => MapValues(input, (v, _) => f(v));

    /// <summary>Applies <paramref name="f"/> (value, step) to every sample; the metric name is dropped.</summary>
    public StepVector MapValues(StepVector input, Func<double, int, double> f)
    {
        var result = new List<StepSeries>(input.Series.Count);
        foreach (var s in input.Series)
        {
            var output = new StepSeries(s.Labels, Steps, dropName: true);
            for (var i = 0; i < Steps; i++)
            {
                if (s.Present[i])
                {
                    output.Values[i] = f(s.Values[i], i);
                    output.Present[i] = true;
                }
            }
            result.Add(output);
        }
        return new StepVector(result);
    }

    /// <summary>Runs <paramref name="kernel"/> over the window of every series at every step.</summary>
    public StepVector RangeFunction(RangeVector input, RangeKernel kernel, bool keepName, double[]? arg = null,
        double[]? arg2 = null, Action<RangeSeries>? onSeries = null, HistogramKernel? histogramKernel = null)
    {
        var builder = new StepVectorBuilder(Steps);
        foreach (var s in input.Series)
        {
            _ctx.Check();
            var labels = s.Labels;
            var produced = false;
            StepSeries? output = null;
            var cursor = WindowCursor.Start;
            for (var i = 0; i < Steps; i++)
            {
                var end = input.WindowEnds[i];
                var window = s.Window(end, input.Selection, ref cursor);
                if (histogramKernel is not null && s.Histograms.Length > 0 && window.IsEmpty)
                {
                    var hWindow = s.HistogramWindow(end, input.Selection);
                    var hStep = new RangeStep(end, input.Range, Ts(i), arg?[i] ?? double.NaN, arg2?[i] ?? double.NaN);
                    if (!hWindow.IsEmpty && histogramKernel(hWindow, hStep, out var f, out var h))
                    {
                        if (h is not null)
                        {
                            builder.AddHistogram(i, labels, h, !keepName || s.DropName);
                        }
                        else
                        {
                            builder.Add(i, labels, f, !keepName || s.DropName);
                        }
                    }
                    continue;
                }
                if (window.IsEmpty)
                {
                    continue;
                }
                var step = new RangeStep(end, input.Range, Ts(i), arg?[i] ?? double.NaN, arg2?[i] ?? double.NaN);
                if (kernel(window, step, out var value))
                {
                    output ??= builder.SeriesFor(labels, !keepName || s.DropName);
                    StepVectorBuilder.Add(i, output, value, !keepName || s.DropName);
                    produced = true;
                }
            }
            if (produced)
            {
                onSeries?.Invoke(s);
            }
        }
        return builder.Build();
    }

    /// <summary>Arguments of a call: evaluated once each.</summary>
    public EvalValue Arg(Call call, int index) => Eval(call.Arguments[index]);

    public string StringArg(Call call, int index) => Eval(call.Arguments[index]) switch
    {
        StringValue s => s.Value,
        _ => throw new QueryException("expected string argument"),
    };
}
