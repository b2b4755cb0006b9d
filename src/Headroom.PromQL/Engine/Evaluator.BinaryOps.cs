using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Engine;

internal sealed partial class Evaluator
{
    private EvalValue EvalBinary(BinaryExpr b)
    {
        var left = Eval(b.Left);
        var right = Eval(b.Right);
        return (left, right) switch
        {
            (ScalarSteps l, ScalarSteps r) => ScalarScalar(b, l, r),
            (StepVector l, ScalarSteps r) => VectorScalar(b, l, r.Values, swap: false),
            (ScalarSteps l, StepVector r) => VectorScalar(b, r, l.Values, swap: true),
            (StepVector l, StepVector r) => VectorVector(b, l, r),
            _ => throw new QueryException($"invalid operands for binary operator {b.Operator.Symbol()}"),
        };
    }

    private ScalarSteps ScalarScalar(BinaryExpr b, ScalarSteps l, ScalarSteps r)
    {
        var values = new double[Steps];
        for (var i = 0; i < Steps; i++)
        {
            var (value, keep) = Apply(b.Operator, l.Values[i], r.Values[i]);
            values[i] = b.Operator.IsComparison() ? (keep ? 1 : 0) : value;
        }
        return new ScalarSteps(values);
    }

    /// <summary>One operation on two floats; comparisons return the left value and whether the comparison holds.</summary>
    internal static (double Value, bool Keep) Apply(BinaryOperator op, double l, double r) => op switch
    {
        BinaryOperator.Add => (l + r, true),
        BinaryOperator.Subtract => (l - r, true),
        BinaryOperator.Multiply => (l * r, true),
        BinaryOperator.Divide => (l / r, true),
        BinaryOperator.Modulo => (l % r, true),
        BinaryOperator.Power => (Math.Pow(l, r), true),
        BinaryOperator.Atan2 => (Math.Atan2(l, r), true),
        BinaryOperator.Equal => (l, l == r),
        BinaryOperator.NotEqual => (l, l != r),
        BinaryOperator.Greater => (l, l > r),
        BinaryOperator.Less => (l, l < r),
        BinaryOperator.GreaterOrEqual => (l, l >= r),
        BinaryOperator.LessOrEqual => (l, l <= r),
        _ => throw new QueryException($"operator {op.Symbol()} not allowed for floats"),
    };

    private static bool DropsName(BinaryOperator op, bool returnBool) => returnBool || !op.IsComparison();

    private StepVector VectorScalar(BinaryExpr b, StepVector vector, double[] scalar, bool swap)
    {
        var result = new List<StepSeries>(vector.Series.Count);
        var dropName = DropsName(b.Operator, b.ReturnBool);
        foreach (var s in vector.Series)
        {
            var output = new StepSeries(s.Labels, Steps, dropName || s.DropName);
            var any = false;
            for (var i = 0; i < Steps; i++)
            {
                if (!s.Present[i])
                {
                    continue;
                }
                var (l, r) = swap ? (scalar[i], s.Values[i]) : (s.Values[i], scalar[i]);
                var (value, keep) = Apply(b.Operator, l, r);
                if (b.Operator.IsComparison())
                {
                    // The vector's own value survives a filter even when the scalar is on the left.
                    value = swap ? r : value;
                }
                if (b.ReturnBool)
                {
                    value = keep ? 1 : 0;
                }
                else if (!keep)
                {
                    continue;
                }
                output.Values[i] = value;
                output.Present[i] = true;
                any = true;
            }
            if (any)
            {
                result.Add(output);
            }
        }
        return new StepVector(result);
    }

    private StepVector VectorVector(BinaryExpr b, StepVector left, StepVector right)
    {
        var matching = b.Matching ?? new VectorMatching(
            b.Operator.IsSetOperator() ? VectorMatchCardinality.ManyToMany : VectorMatchCardinality.OneToOne,
            ValueArray<string>.Empty, false, ValueArray<string>.Empty);
        var matchNames = matching.MatchingLabels.ToHashSet(StringComparer.Ordinal);
        var leftSigs = left.Series.Select(s => Signature(s.Labels, matching.On, matchNames)).ToArray();
        var rightSigs = right.Series.Select(s => Signature(s.Labels, matching.On, matchNames)).ToArray();
        var builder = new StepVectorBuilder(Steps);
        var perStep = new Dictionary<Labels, int>();
        var labelCache = new ResultLabelCache(Math.Max(left.Series.Count, right.Series.Count));
        for (var i = 0; i < Steps; i++)
        {
            _ctx.Check();
            perStep.Clear();
            switch (b.Operator)
            {
                case BinaryOperator.And:
                case BinaryOperator.Unless:
                {
                    var present = new HashSet<Labels>();
                    for (var j = 0; j < right.Series.Count; j++)
                    {
                        if (right.Series[j].Present[i])
                        {
                            present.Add(rightSigs[j]);
                        }
                    }
                    for (var j = 0; j < left.Series.Count; j++)
                    {
                        var s = left.Series[j];
                        if (s.Present[i] && present.Contains(leftSigs[j]) == (b.Operator == BinaryOperator.And))
                        {
                            builder.Add(i, s.Labels, s.Values[i], s.DropName);
                        }
                    }
                    break;
                }
                case BinaryOperator.Or:
                {
                    var present = new HashSet<Labels>();
                    for (var j = 0; j < left.Series.Count; j++)
                    {
                        var s = left.Series[j];
                        if (s.Present[i])
                        {
                            present.Add(leftSigs[j]);
                            builder.Add(i, s.Labels, s.Values[i], s.DropName);
                        }
                    }
                    for (var j = 0; j < right.Series.Count; j++)
                    {
                        var s = right.Series[j];
                        if (s.Present[i] && !present.Contains(rightSigs[j]))
                        {
                            builder.Add(i, s.Labels, s.Values[i], s.DropName);
                        }
                    }
                    break;
                }
                default:
                    MatchStep(b, matching, i, left, right, leftSigs, rightSigs, builder, labelCache);
                    break;
            }
        }
        return builder.Build();
    }

    private static Labels Signature(Labels labels, bool on, HashSet<string> names)
    {
        if (on)
        {
            return labels.Keep(names);
        }
        var without = new HashSet<string>(names, StringComparer.Ordinal) { Labels.MetricName };
        return labels.Without(without);
    }

    private void MatchStep(BinaryExpr b, VectorMatching matching, int step, StepVector left, StepVector right,
        Labels[] leftSigs, Labels[] rightSigs, StepVectorBuilder builder, ResultLabelCache labelCache)
    {
        var (many, one, manySigs, oneSigs) = matching.Cardinality == VectorMatchCardinality.OneToMany
            ? (right, left, rightSigs, leftSigs)
            : (left, right, leftSigs, rightSigs);
        var oneSide = new Dictionary<Labels, StepSeries>();
        for (var j = 0; j < one.Series.Count; j++)
        {
            var s = one.Series[j];
            if (!s.Present[step])
            {
                continue;
            }
            if (oneSide.TryGetValue(oneSigs[j], out var duplicate))
            {
                var side = matching.Cardinality == VectorMatchCardinality.OneToMany ? "left" : "right";
                var group = matching.On ? s.Labels.Keep(matching.MatchingLabels.ToHashSet()) : oneSigs[j];
                throw new QueryException($"found duplicate series for the match group {group} on the {side} hand-side of the operation: " +
                    $"[{duplicate.Labels}, {s.Labels}];many-to-many matching not allowed: matching labels must be unique on one side");
            }
            oneSide.Add(oneSigs[j], s);
        }
        var matched = new Dictionary<Labels, HashSet<Labels>?>();
        var dropName = DropsName(b.Operator, b.ReturnBool);
        for (var j = 0; j < many.Series.Count; j++)
        {
            var s = many.Series[j];
            if (!s.Present[step] || !oneSide.TryGetValue(manySigs[j], out var other))
            {
                continue;
            }
            var (l, r) = matching.Cardinality == VectorMatchCardinality.OneToMany
                ? (other.Values[step], s.Values[step])
                : (s.Values[step], other.Values[step]);
            var (value, keep) = Apply(b.Operator, l, r);
            var exists = matched.TryGetValue(manySigs[j], out var inserted);
            if (matching.Cardinality == VectorMatchCardinality.OneToOne)
            {
                // Checked before filtering, so that a comparison cannot hide an ambiguous match.
                if (exists)
                {
                    throw new QueryException("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
                }
                matched[manySigs[j]] = null;
            }
            if (b.ReturnBool)
            {
                value = keep ? 1 : 0;
            }
            else if (!keep)
            {
                continue;
            }
            var labels = labelCache.Get(j, other, s.Labels, matching);
            if (matching.Cardinality != VectorMatchCardinality.OneToOne)
            {
                if (!exists)
                {
                    inserted = [];
                    matched[manySigs[j]] = inserted;
                }
                if (!inserted!.Add(labels))
                {
                    throw new QueryException("multiple matches for labels: grouping labels must ensure unique matches");
                }
            }
            builder.Add(step, labels, value, dropName || s.DropName);
        }
    }

    /// <summary>
    /// The result labels of each many-side series, remembered with the one-side series they were built with: a
    /// pair usually matches at every step, and building labels per step cost most of a 50 s one-to-one division
    /// of 5,000 by 5,000 series over 288 steps.
    /// </summary>
    private sealed class ResultLabelCache(int capacity)
    {
        private readonly StepSeries?[] _other = new StepSeries?[capacity];
        private readonly Labels?[] _labels = new Labels?[capacity];

        public Labels Get(int many, StepSeries other, Labels manyLabels, VectorMatching matching)
        {
            if (ReferenceEquals(_other[many], other) && _labels[many] is { } cached)
            {
                return cached;
            }
            var labels = ResultLabels(manyLabels, other.Labels, matching);
            _other[many] = other;
            _labels[many] = labels;
            return labels;
        }
    }

    private static Labels ResultLabels(Labels many, Labels one, VectorMatching matching)
    {
        var labels = many;
        if (matching.Cardinality == VectorMatchCardinality.OneToOne)
        {
            var names = matching.MatchingLabels.ToHashSet(StringComparer.Ordinal);
            labels = matching.On ? labels.Keep(names) : labels.Without(names);
        }
        foreach (var name in matching.Include)
        {
            labels = labels.With(name, one.Get(name));
        }
        return labels;
    }
}
