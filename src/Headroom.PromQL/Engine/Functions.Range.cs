using System.Buffers;
using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Engine;

internal static partial class Functions
{
    private static void AddRange(Dictionary<string, FunctionImplementation> t)
    {
        void Over(string name, RangeKernel kernel, bool keepName = false) =>
            t[name] = (ev, c) => ev.RangeFunction(ev.EvalRange(c.Arguments[0]), kernel, keepName);

        t["rate"] = (ev, c) => Rate(ev, c, isCounter: true, isRate: true);
        t["increase"] = (ev, c) => Rate(ev, c, isCounter: true, isRate: false);
        t["delta"] = (ev, c) => Rate(ev, c, isCounter: false, isRate: false);
        Over("irate", (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) => Instant(w, isRate: true, out v));
        Over("idelta", (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) => Instant(w, isRate: false, out v));
        Over("changes", (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) =>
        {
            var changes = 0;
            for (var i = 1; i < w.Length; i++)
            {
                if (w[i].F != w[i - 1].F && !(double.IsNaN(w[i].F) && double.IsNaN(w[i - 1].F)))
                {
                    changes++;
                }
            }
            v = changes;
            return true;
        });
        t["resets"] = (ev, c) => ev.RangeFunction(ev.EvalRange(c.Arguments[0]), (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) =>
            CountResets(w, out v), keepName: false, histogramKernel: (ReadOnlySpan<HistogramPoint> w, in RangeStep s, out double v, out NativeHistogram? h) =>
        {
            h = null;
            var resets = 0;
            for (var i = 1; i < w.Length; i++)
            {
                if (w[i].H.IsResetFrom(w[i - 1].H))
                {
                    resets++;
                }
            }
            v = resets;
            return true;
        });
        t["count_over_time"] = (ev, c) => ev.RangeFunction(ev.EvalRange(c.Arguments[0]), (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) =>
        {
            v = w.Length;
            return true;
        }, keepName: false, histogramKernel: (ReadOnlySpan<HistogramPoint> w, in RangeStep s, out double v, out NativeHistogram? h) =>
        {
            h = null;
            v = w.Length;
            return true;
        });
        Over("sum_over_time", (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) =>
        {
            double sum = 0, c = 0;
            foreach (var p in w)
            {
                Kahan.Add(p.F, ref sum, ref c);
            }
            v = double.IsInfinity(sum) ? sum : sum + c;
            return true;
        });
        Over("avg_over_time", (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) =>
        {
            var values = ArrayPool<double>.Shared.Rent(w.Length);
            v = Evaluator.Average(CopyValues(w, values));
            ArrayPool<double>.Shared.Return(values);
            return true;
        });
        Over("present_over_time", (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) =>
        {
            v = 1;
            return true;
        });
        Over("last_over_time", (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) =>
        {
            v = w[^1].F;
            return true;
        }, keepName: true);
        Over("first_over_time", (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) =>
        {
            v = w[0].F;
            return true;
        }, keepName: true);
        Over("ts_of_last_over_time", (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) =>
        {
            v = w[^1].T / 1000.0;
            return true;
        });
        Over("ts_of_first_over_time", (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) =>
        {
            v = w[0].T / 1000.0;
            return true;
        });
        Over("max_over_time", (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) => Extreme(w, max: true, timestamp: false, out v));
        Over("min_over_time", (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) => Extreme(w, max: false, timestamp: false, out v));
        Over("ts_of_max_over_time", (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) => Extreme(w, max: true, timestamp: true, out v));
        Over("ts_of_min_over_time", (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) => Extreme(w, max: false, timestamp: true, out v));
        Over("stddev_over_time", (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) =>
        {
            v = Math.Sqrt(Variance(w));
            return true;
        });
        Over("stdvar_over_time", (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) =>
        {
            v = Variance(w);
            return true;
        });
        Over("mad_over_time", (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) =>
        {
            var values = w.ToArray().Select(p => p.F).ToArray();
            if (values.Any(double.IsNaN))
            {
                v = double.NaN;
                return true;
            }
            var median = Evaluator.Quantile(0.5, [.. values]);
            v = Evaluator.Quantile(0.5, [.. values.Select(x => Math.Abs(x - median))]);
            return true;
        });
        Over("deriv", (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) =>
        {
            v = 0;
            if (w.Length < 2)
            {
                return false;
            }
            (v, _) = LinearRegression(w, w[0].T);
            return true;
        });
        t["predict_linear"] = (ev, c) =>
        {
            var range = ev.EvalRange(c.Arguments[0]);
            var seconds = ev.EvalScalar(c.Arguments[1]);
            return ev.RangeFunction(range, (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) =>
            {
                v = 0;
                if (w.Length < 2)
                {
                    return false;
                }
                var (slope, intercept) = LinearRegression(w, s.Ts);
                v = slope * s.Arg + intercept;
                return true;
            }, keepName: false, seconds);
        };
        t["quantile_over_time"] = (ev, c) =>
        {
            var q = ev.EvalScalar(c.Arguments[0]);
            var range = ev.EvalRange(c.Arguments[1]);
            var warned = false;
            return ev.RangeFunction(range, (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) =>
            {
                if (!warned && (double.IsNaN(s.Arg) || s.Arg < 0 || s.Arg > 1))
                {
                    ev.Context.Annotations.Warn($"quantile value should be between 0 and 1, got {Evaluator.FormatValue(s.Arg)}");
                    warned = true;
                }
                var values = ArrayPool<double>.Shared.Rent(w.Length);
                v = Evaluator.Quantile(s.Arg, CopyValues(w, values));
                ArrayPool<double>.Shared.Return(values);
                return true;
            }, keepName: false, q);
        };
        t["double_exponential_smoothing"] = (ev, c) =>
        {
            var range = ev.EvalRange(c.Arguments[0]);
            var sf = ev.EvalScalar(c.Arguments[1]);
            var tf = ev.EvalScalar(c.Arguments[2]);
            return ev.RangeFunction(range, (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) =>
                Smooth(w, s.Arg, s.Arg2, out v), keepName: false, sf, tf);
        };
        t["absent_over_time"] = (ev, c) =>
        {
            var range = ev.EvalRange(c.Arguments[0]);
            var output = new StepSeries(AbsentLabels(c.Arguments[0]), ev.Steps, dropName: false);
            for (var i = 0; i < ev.Steps; i++)
            {
                var end = range.WindowEnds[i];
                if (!range.Series.Any(s => !s.Window(end, range.Selection).IsEmpty))
                {
                    output.Values[i] = 1;
                    output.Present[i] = true;
                }
            }
            return new StepVector(output.Present.Any(p => p) ? [output] : []);
        };
        t["integral"] = NotImplemented;
    }

    private static StepVector Rate(Evaluator ev, Call c, bool isCounter, bool isRate)
    {
        var range = ev.EvalRange(c.Arguments[0]);
        return ev.RangeFunction(range, (ReadOnlySpan<FloatPoint> w, in RangeStep s, out double v) =>
            ExtrapolatedRate(w, s, isCounter, isRate, out v), keepName: false, histogramKernel:
            (ReadOnlySpan<HistogramPoint> w, in RangeStep s, out double v, out NativeHistogram? h) =>
                HistogramRate(w, s, isCounter, isRate, out v, out h), onSeries: series =>
        {
            var name = series.Labels.Name;
            if (isCounter && name.Length > 0 && !name.EndsWith("_total", StringComparison.Ordinal)
                && !name.EndsWith("_sum", StringComparison.Ordinal) && !name.EndsWith("_count", StringComparison.Ordinal)
                && !name.EndsWith("_bucket", StringComparison.Ordinal))
            {
                ev.Context.Annotations.Info($"metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"{name}\"");
            }
        });
    }

    /// <summary>
    /// The change over a window, extrapolated towards the window's edges (by at most half an average sample
    /// interval, and for counters never below zero), per second for <c>rate</c>.
    /// </summary>
    private static bool ExtrapolatedRate(ReadOnlySpan<FloatPoint> w, in RangeStep s, bool isCounter, bool isRate, out double value)
    {
        value = 0;
        if (w.Length < 2)
        {
            return false;
        }
        var rangeStart = s.WindowEnd - s.Range;
        var rangeEnd = s.WindowEnd;
        var result = w[^1].F - w[0].F;
        if (isCounter)
        {
            var previous = w[0].F;
            for (var i = 1; i < w.Length; i++)
            {
                if (w[i].F < previous)
                {
                    result += previous;
                }
                previous = w[i].F;
            }
        }
        var durationToStart = (w[0].T - rangeStart) / 1000.0;
        var durationToEnd = (rangeEnd - w[^1].T) / 1000.0;
        var sampledInterval = (w[^1].T - w[0].T) / 1000.0;
        var averageInterval = sampledInterval / (w.Length - 1);
        var threshold = averageInterval * 1.1;
        if (durationToStart >= threshold)
        {
            durationToStart = averageInterval / 2;
        }
        if (isCounter && result > 0 && w[0].F >= 0)
        {
            var durationToZero = sampledInterval * (w[0].F / result);
            if (durationToZero < durationToStart)
            {
                durationToStart = durationToZero;
            }
        }
        if (durationToEnd >= threshold)
        {
            durationToEnd = averageInterval / 2;
        }
        var factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
        if (isRate)
        {
            factor /= s.Range / 1000.0;
        }
        value = result * factor;
        return true;
    }

    private static bool HistogramRate(ReadOnlySpan<HistogramPoint> w, in RangeStep s, bool isCounter, bool isRate,
        out double value, out NativeHistogram? histogram)
    {
        value = 0;
        histogram = null;
        if (w.Length < 2)
        {
            return false;
        }
        var result = w[^1].H;
        if (!result.SameBounds(w[0].H))
        {
            return false;
        }
        result = result.Add(w[0].H, -1);
        if (isCounter)
        {
            for (var i = 1; i < w.Length; i++)
            {
                if (w[i].H.IsResetFrom(w[i - 1].H))
                {
                    if (!w[i - 1].H.SameBounds(result))
                    {
                        return false;
                    }
                    result = result.Add(w[i - 1].H);
                }
            }
        }
        var durationToStart = (w[0].T - (s.WindowEnd - s.Range)) / 1000.0;
        var durationToEnd = (s.WindowEnd - w[^1].T) / 1000.0;
        var sampledInterval = (w[^1].T - w[0].T) / 1000.0;
        var averageInterval = sampledInterval / (w.Length - 1);
        var threshold = averageInterval * 1.1;
        if (durationToStart >= threshold)
        {
            durationToStart = averageInterval / 2;
        }
        if (durationToEnd >= threshold)
        {
            durationToEnd = averageInterval / 2;
        }
        var factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
        if (isRate)
        {
            factor /= s.Range / 1000.0;
        }
        histogram = result.Scale(factor);
        return true;
    }

    /// <summary>The values of a window copied into <paramref name="buffer"/> (at least as long), for functions that sort or scan them.</summary>
    private static Span<double> CopyValues(ReadOnlySpan<FloatPoint> w, double[] buffer)
    {
        var values = buffer.AsSpan(0, w.Length);
        for (var i = 0; i < w.Length; i++)
        {
            values[i] = w[i].F;
        }
        return values;
    }

    private static bool CountResets(ReadOnlySpan<FloatPoint> w, out double value)
    {
        var resets = 0;
        for (var i = 1; i < w.Length; i++)
        {
            if (w[i].F < w[i - 1].F)
            {
                resets++;
            }
        }
        value = resets;
        return true;
    }

    private static bool Instant(ReadOnlySpan<FloatPoint> w, bool isRate, out double value)
    {
        value = 0;
        if (w.Length < 2)
        {
            return false;
        }
        var last = w[^1];
        var previous = w[^2];
        value = isRate && last.F < previous.F ? last.F : last.F - previous.F;
        var interval = last.T - previous.T;
        if (interval == 0)
        {
            return false;
        }
        if (isRate)
        {
            value /= interval / 1000.0;
        }
        return true;
    }

    private static bool Extreme(ReadOnlySpan<FloatPoint> w, bool max, bool timestamp, out double value)
    {
        var best = w[0];
        foreach (var p in w[1..])
        {
            if (double.IsNaN(best.F) || (max ? p.F > best.F : p.F < best.F))
            {
                best = p;
            }
        }
        value = timestamp ? best.T / 1000.0 : best.F;
        return true;
    }

    private static double Variance(ReadOnlySpan<FloatPoint> w)
    {
        double count = 0, mean = 0, meanC = 0, aux = 0, auxC = 0;
        foreach (var p in w)
        {
            count++;
            var delta = p.F - (mean + meanC);
            Kahan.Add(delta / count, ref mean, ref meanC);
            Kahan.Add(delta * (p.F - (mean + meanC)), ref aux, ref auxC);
        }
        return (aux + auxC) / count;
    }

    internal static (double Slope, double Intercept) LinearRegression(ReadOnlySpan<FloatPoint> w, long interceptTime)
    {
        double n = 0, sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
        var initY = w[0].F;
        var constY = true;
        for (var i = 0; i < w.Length; i++)
        {
            if (constY && i > 0 && w[i].F != initY)
            {
                constY = false;
            }
            n++;
            var x = (w[i].T - interceptTime) / 1e3;
            Kahan.Add(x, ref sumX, ref cX);
            Kahan.Add(w[i].F, ref sumY, ref cY);
            Kahan.Add(x * w[i].F, ref sumXY, ref cXY);
            Kahan.Add(x * x, ref sumX2, ref cX2);
        }
        if (constY)
        {
            return double.IsInfinity(initY) ? (double.NaN, double.NaN) : (0, initY);
        }
        sumX += cX;
        sumY += cY;
        sumXY += cXY;
        sumX2 += cX2;
        var covXY = sumXY - sumX * sumY / n;
        var varX = sumX2 - sumX * sumX / n;
        var slope = covXY / varX;
        return (slope, sumY / n - slope * sumX / n);
    }

    private static bool Smooth(ReadOnlySpan<FloatPoint> w, double sf, double tf, out double value)
    {
        value = 0;
        if (sf <= 0 || sf >= 1)
        {
            throw new QueryException($"invalid smoothing factor. Expected: 0 < sf < 1, got: {Evaluator.FormatValue(sf)}");
        }
        if (tf <= 0 || tf >= 1)
        {
            throw new QueryException($"invalid trend factor. Expected: 0 < tf < 1, got: {Evaluator.FormatValue(tf)}");
        }
        if (w.Length < 2)
        {
            return false;
        }
        double s0 = 0, s1 = w[0].F, b = w[1].F - w[0].F;
        for (var i = 1; i < w.Length; i++)
        {
            var x = sf * w[i].F;
            if (i > 1)
            {
                b = tf * (s1 - s0) + (1 - tf) * b;
            }
            var y = (1 - sf) * (s1 + b);
            s0 = s1;
            s1 = x + y;
        }
        value = s1;
        return true;
    }
}
