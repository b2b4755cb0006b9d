using Headroom.PromQL;
using Headroom.PromQL.Syntax;

namespace Headroom.Gateway.Pushdown;

/// <summary>
/// One aggregation the shards evaluate: the tree sent (the tenant's matchers already on its selector, so the text
/// is generated here from the syntax tree, never taken from the user), and how a shard's answer is made to look
/// as if the gateway had evaluated it over that shard's series.
/// </summary>
internal sealed class PushedAggregation
{
    private readonly long _rangeMs;

    /// <param name="aggregate">The aggregation as the shards evaluate it.</param>
    /// <param name="selector">Its one selector, a node of <paramref name="aggregate"/>.</param>
    /// <param name="enforced">The tenant's matchers, added to the selector; empty without tenancy.</param>
    public PushedAggregation(AggregateExpr aggregate, VectorSelector selector, IReadOnlyList<LabelMatcher> enforced)
    {
        Selector = enforced.Count == 0 ? selector : selector with { Matchers = new ValueArray<LabelMatcher>([.. selector.Matchers, .. enforced]) };
        Aggregate = (AggregateExpr)Replace(aggregate, selector, Selector);
        _rangeMs = RangeOf(aggregate.Inner);
        Text = Aggregate.ToString();
    }

    /// <summary>The aggregation the shards evaluate.</summary>
    public AggregateExpr Aggregate { get; }

    /// <summary>Its selector, with the tenant's matchers.</summary>
    public VectorSelector Selector { get; }

    /// <summary>The aggregation as PromQL, before any shard's external labels are taken out of it.</summary>
    public string Text { get; }

    /// <summary>The sample times the selector reads when the aggregation is evaluated from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public (long MinT, long MaxT) Window(long start, long end, long lookbackMs)
    {
        var offset = (long)Selector.Offset.TotalMilliseconds;
        return (start - offset - (_rangeMs > 0 ? _rangeMs : lookbackMs), end - offset);
    }

    /// <summary>
    /// The text one shard evaluates: matchers on a replica label are dropped (the gateway drops those labels, so
    /// they select nothing there either), and matchers on an external label are decided here against its value (the
    /// shard's TSDB does not hold the label). Null when an external label rules out every series of the shard.
    /// </summary>
    public string? TextFor(Labels external, IReadOnlySet<string> replicaLabels)
    {
        var kept = new List<LabelMatcher>(Selector.Matchers.Count);
        foreach (var matcher in Selector.Matchers)
        {
            if (replicaLabels.Contains(matcher.Name))
            {
                continue;
            }
            var value = external.Get(matcher.Name);
            if (value.Length == 0)
            {
                kept.Add(matcher);
            }
            else if (!matcher.Matches(value))
            {
                return null;
            }
        }
        if (kept.Count == Selector.Matchers.Count)
        {
            return Text;
        }
        if (kept.All(m => m.Matches("")))
        {
            // Prometheus refuses a selector that matches the empty label set; every series has a name.
            kept.Add(new LabelMatcher(LabelMatchType.Regex, Labels.MetricName, ".+"));
        }
        var local = Selector with { Matchers = new ValueArray<LabelMatcher>(kept), Name = kept.Any(IsName) ? Selector.Name : null };
        return Replace(Aggregate, Selector, local).ToString();

        bool IsName(LabelMatcher m) => m.Name == Labels.MetricName && m.Type == LabelMatchType.Equal && m.Value == Selector.Name;
    }

    /// <summary>
    /// The labels a shard's result series would have had, had the gateway aggregated that shard's series: replica
    /// labels dropped, and the shard's external labels (which its series carry in the gateway, but not in the
    /// shard's own TSDB) added where the aggregation keeps them: the <c>by</c> labels, all but the
    /// <c>without</c> labels, all for <c>topk</c>/<c>bottomk</c> (which keep their series' labels).
    /// </summary>
    public Labels Complete(Labels labels, Labels external, IReadOnlySet<string> replicaLabels)
    {
        var result = labels;
        if (labels.Any(l => replicaLabels.Contains(l.Name)))
        {
            result = labels.Without([.. replicaLabels]);
        }
        foreach (var label in external)
        {
            if (!result.Has(label.Name) && Keeps(label.Name))
            {
                result = result.With(label.Name, label.Value);
            }
        }
        return result;
    }

    private bool Keeps(string label) =>
        Aggregate.Operator is AggregationOperator.Topk or AggregationOperator.Bottomk
        || Aggregate.Without != Aggregate.Grouping.Contains(label);

    private static long RangeOf(Expr inner) => PushdownRules.Unwrap(inner) switch
    {
        Call call => call.Arguments.Select(PushdownRules.Unwrap).OfType<MatrixSelector>().Select(m => (long)m.Range.TotalMilliseconds).FirstOrDefault(),
        _ => 0,
    };

    /// <summary><paramref name="expr"/> with the node <paramref name="old"/> (by reference) replaced by <paramref name="replacement"/>.</summary>
    private static Expr Replace(Expr expr, VectorSelector old, VectorSelector replacement) => expr switch
    {
        _ when ReferenceEquals(expr, old) => replacement,
        MatrixSelector ms => ms with { Selector = (VectorSelector)Replace(ms.Selector, old, replacement) },
        ParenExpr p => p with { Inner = Replace(p.Inner, old, replacement) },
        Call c => c with { Arguments = new ValueArray<Expr>(c.Arguments.Select(a => Replace(a, old, replacement))) },
        AggregateExpr a => a with { Inner = Replace(a.Inner, old, replacement) },
        _ => expr,
    };
}
