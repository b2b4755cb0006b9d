namespace Headroom.PromQL.Engine;

/// <summary>Turns the evaluator's value into the public result shape, removing metric names marked for removal.</summary>
internal static class ResultBuilder
{
    public static QueryValue Build(EvalValue value, Evaluator ev, bool isRange)
    {
        switch (value)
        {
            case StringValue s:
                return new StringResult(ev.Start, s.Value);
            case ScalarSteps sc when !isRange:
                return new ScalarResult(ev.Start, sc.Values[0]);
            case ScalarSteps sc:
                return new MatrixResult([new Series(Labels.Empty, [.. sc.Values.Select((f, i) => new FloatPoint(ev.Ts(i), f))])]);
            case StepVector v when !isRange:
            {
                var samples = new List<Sample>(v.Series.Count);
                var seen = new HashSet<Labels>();
                foreach (var s in v.Series)
                {
                    if (!s.Present[0])
                    {
                        continue;
                    }
                    var labels = s.DropName ? s.Labels.WithoutName() : s.Labels;
                    if (!seen.Add(labels))
                    {
                        throw new QueryException("vector cannot contain metrics with the same labelset");
                    }
                    samples.Add(new Sample(labels, ev.Start, s.Values[0]));
                }
                return new VectorResult(samples);
            }
            case StepVector v:
            {
                // Steps are already in time order: merge series that share labels (after name removal) per step,
                // instead of sorting every point (a SortedDictionary per series cost 15 s of a 22 s rate over
                // 10,000 series × 288 steps).
                var merged = new Dictionary<Labels, StepSeries>();
                var order = new List<StepSeries>();
                foreach (var s in v.Series)
                {
                    var labels = s.DropName ? s.Labels.WithoutName() : s.Labels;
                    if (!merged.TryGetValue(labels, out var into))
                    {
                        merged.Add(labels, s);
                        order.Add(s);
                        s.Labels = labels;
                        continue;
                    }
                    for (var i = 0; i < ev.Steps; i++)
                    {
                        if (!s.Present[i])
                        {
                            continue;
                        }
                        if (into.Present[i])
                        {
                            throw new QueryException("vector cannot contain metrics with the same labelset");
                        }
                        into.Present[i] = true;
                        into.Values[i] = s.Values[i];
                    }
                }
                var series = new List<Series>(order.Count);
                foreach (var s in order)
                {
                    var count = 0;
                    for (var i = 0; i < ev.Steps; i++)
                    {
                        count += s.Present[i] ? 1 : 0;
                    }
                    if (count == 0)
                    {
                        continue;
                    }
                    var points = new FloatPoint[count];
                    var k = 0;
                    for (var i = 0; i < ev.Steps; i++)
                    {
                        if (s.Present[i])
                        {
                            points[k++] = new FloatPoint(ev.Ts(i), s.Values[i]);
                        }
                    }
                    series.Add(new Series(s.Labels, points));
                }
                series.Sort((a, b) => Labels.Compare(a.Labels, b.Labels));
                return new MatrixResult(series);
            }
            case RangeVector r:
            {
                var series = new List<Series>();
                foreach (var s in r.Series)
                {
                    var window = s.Window(r.WindowEnds[0], r.Selection);
                    if (window.Length > 0)
                    {
                        series.Add(new Series(s.DropName ? s.Labels.WithoutName() : s.Labels, window.ToArray()));
                    }
                }
                return new MatrixResult(series);
            }
            default:
                throw new QueryException("unexpected result type");
        }
    }
}
