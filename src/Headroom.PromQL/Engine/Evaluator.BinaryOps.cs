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
        // Signatures become numbers once per query, so that matching at each step marks arrays instead of filling
        // dictionaries.
        var ids = new Dictionary<Labels, int>();
        var leftIds = SignatureIds(leftSigs, ids);
        var rightIds = SignatureIds(rightSigs, ids);
        var match = new StepMatch(ids.Count);
        var builder = new StepVectorBuilder(Steps);
        var labelCache = new ResultLabelCache(Math.Max(left.Series.Count, right.Series.Count));
        for (var i = 0; i < Steps; i++)
        {
            _ctx.Check();
            switch (b.Operator)
            {
                case BinaryOperator.And:
                case BinaryOperator.Unless:
                {
                    for (var j = 0; j < right.Series.Count; j++)
                    {
                        if (right.Series[j].Present[i])
                        {
                            match.SeenAt[rightIds[j]] = i;
                        }
                    }
                    for (var j = 0; j < left.Series.Count; j++)
                    {
                        var s = left.Series[j];
                        if (s.Present[i] && (match.SeenAt[leftIds[j]] == i) == (b.Operator == BinaryOperator.And))
                        {
                            builder.Add(i, s.Labels, s.Values[i], s.DropName);
                        }
                    }
                    break;
                }
                case BinaryOperator.Or:
                {
                    for (var j = 0; j < left.Series.Count; j++)
                    {
                        var s = left.Series[j];
                        if (s.Present[i])
                        {
                            match.SeenAt[leftIds[j]] = i;
                            builder.Add(i, s.Labels, s.Values[i], s.DropName);
                        }
                    }
                    for (var j = 0; j < right.Series.Count; j++)
                    {
                        var s = right.Series[j];
                        if (s.Present[i] && match.SeenAt[rightIds[j]] != i)
                        {
                            builder.Add(i, s.Labels, s.Values[i], s.DropName);
                        }
                    }
                    break;
                }
                default:
                    MatchStep(b, matching, i, left, right, (leftSigs, leftIds), (rightSigs, rightIds), match, builder, labelCache);
                    break;
            }
        }
        return builder.Build();
    }

    private static int[] SignatureIds(Labels[] signatures, Dictionary<Labels, int> ids)
    {
        var result = new int[signatures.Length];
        for (var j = 0; j < signatures.Length; j++)
        {
            if (!ids.TryGetValue(signatures[j], out var id))
            {
                id = ids.Count;
                ids.Add(signatures[j], id);
            }
            result[j] = id;
        }
        return result;
    }

    /// <summary>
    /// Per signature number, what one step of a vector match has seen: the step it was last seen at on the one side
    /// (or the right side of a set operator) with the series index, and the step it was last matched at. Stamping
    /// with the step number makes clearing between steps unnecessary.
    /// </summary>
    private sealed class StepMatch
    {
        public StepMatch(int signatures)
        {
            SeenAt = new int[signatures];
            SeriesIndex = new int[signatures];
            MatchedAt = new int[signatures];
            Array.Fill(SeenAt, -1);
            Array.Fill(MatchedAt, -1);
        }

        public int[] SeenAt { get; }

        public int[] SeriesIndex { get; }

        public int[] MatchedAt { get; }

        /// <summary>The result labels matched so far at this step, per many-side signature (group_left/group_right only).</summary>
        public Dictionary<int, HashSet<Labels>> Grouped { get; } = [];
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
        (Labels[] Sigs, int[] Ids) leftSide, (Labels[] Sigs, int[] Ids) rightSide, StepMatch match, StepVectorBuilder builder,
        ResultLabelCache labelCache)
    {
        var oneToMany = matching.Cardinality == VectorMatchCardinality.OneToMany;
        var (many, one, manyIds, oneSide) = oneToMany
            ? (right, left, rightSide.Ids, leftSide)
            : (left, right, leftSide.Ids, rightSide);
        for (var j = 0; j < one.Series.Count; j++)
        {
            var s = one.Series[j];
            if (!s.Present[step])
            {
                continue;
            }
            var id = oneSide.Ids[j];
            if (match.SeenAt[id] == step)
            {
                var duplicate = one.Series[match.SeriesIndex[id]];
                var side = oneToMany ? "left" : "right";
                var group = matching.On ? s.Labels.Keep(matching.MatchingLabels.ToHashSet()) : oneSide.Sigs[j];
                throw new QueryException($"found duplicate series for the match group {group} on the {side} hand-side of the operation: " +
                    $"[{duplicate.Labels}, {s.Labels}];many-to-many matching not allowed: matching labels must be unique on one side");
            }
            match.SeenAt[id] = step;
            match.SeriesIndex[id] = j;
        }
        match.Grouped.Clear();
        var dropName = DropsName(b.Operator, b.ReturnBool);
        for (var j = 0; j < many.Series.Count; j++)
        {
            var s = many.Series[j];
            var id = manyIds[j];
            if (!s.Present[step] || match.SeenAt[id] != step)
            {
                continue;
            }
            var other = one.Series[match.SeriesIndex[id]];
            var (l, r) = oneToMany
                ? (other.Values[step], s.Values[step])
                : (s.Values[step], other.Values[step]);
            var (value, keep) = Apply(b.Operator, l, r);
            var exists = match.MatchedAt[id] == step;
            match.MatchedAt[id] = step;
            if (matching.Cardinality == VectorMatchCardinality.OneToOne && exists)
            {
                // Checked before filtering, so that a comparison cannot hide an ambiguous match.
                throw new QueryException("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
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
                if (!match.Grouped.TryGetValue(id, out var inserted))
                {
                    inserted = [];
                    match.Grouped[id] = inserted;
                }
                if (!inserted.Add(labels))
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
