using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Engine;

/// <summary>What to read from storage for one selector node.</summary>
/// <param name="Selector">The selector node (compared by reference).</param>
/// <param name="MinT">The earliest sample time needed.</param>
/// <param name="MaxT">The latest sample time needed.</param>
/// <param name="Hints">Hints passed to the source.</param>
internal sealed record SelectorFetch(VectorSelector Selector, long MinT, long MaxT, SelectHints Hints);

/// <summary>A node whose values come from elsewhere, and the evaluation times it is evaluated at.</summary>
internal sealed record RemoteFetch(RemoteResultExpr Node, long Start, long End, long Interval);

/// <summary>A query ready to evaluate: the tree with <c>@ start()</c>/<c>@ end()</c> resolved, and what to fetch.</summary>
internal sealed record QueryPlan(Expr Root, long Start, long End, long Interval, IReadOnlyList<SelectorFetch> Fetches,
    IReadOnlyList<RemoteFetch> Remotes);

/// <summary>
/// The planning pass: runs over the syntax tree once before evaluation. It pins <c>@ start()</c> and
/// <c>@ end()</c> to the query's bounds, lets an <see cref="IQueryRewriter"/> replace subtrees (the gateway's
/// pushdown), and works out each selector's time range and hints and the evaluation times of each
/// <see cref="RemoteResultExpr"/>.
/// </summary>
internal static class Planner
{
    public static QueryPlan Plan(Expr root, long start, long end, long interval, bool isRange, EngineOptions options,
        IQueryRewriter? rewriter = null)
    {
        var resolved = ResolveAt(root, start, end);
        if (rewriter is not null)
        {
            resolved = rewriter.Rewrite(resolved, new QuerySteps(start, end, isRange ? interval : 0))
                ?? throw new InvalidOperationException("the query rewriter returned no tree");
        }
        var fetches = new List<SelectorFetch>();
        var remotes = new List<RemoteFetch>();
        Collect(resolved, start, end, interval, null, null, options, fetches, remotes);
        return new QueryPlan(resolved, start, end, interval, fetches, remotes);
    }

    /// <summary>
    /// The evaluation times of a subquery whose windows end from <paramref name="firstEnd"/> to
    /// <paramref name="lastEnd"/>: multiples of <paramref name="step"/> after <paramref name="firstEnd"/> −
    /// <paramref name="range"/> (windows are open on the left) up to <paramref name="lastEnd"/>. The evaluator and the
    /// planner share it, so a remote node inside a subquery is fetched at exactly the times it is evaluated at.
    /// </summary>
    public static (long Start, long End) SubquerySteps(long firstEnd, long lastEnd, long range, long step)
    {
        var first = firstEnd - range;
        var start = step * (first / step);
        if (start <= first)
        {
            start += step;
        }
        return (start, lastEnd);
    }

    /// <summary>The last evaluation time of a grid: <paramref name="end"/> need not be a whole number of steps after <paramref name="start"/>.</summary>
    private static long LastStep(long start, long end, long interval) => start + (end - start) / interval * interval;

    private static AtModifier? Pin(AtModifier? at, long start, long end) => at?.Kind switch
    {
        AtKind.Start => new AtModifier(AtKind.Timestamp, start),
        AtKind.End => new AtModifier(AtKind.Timestamp, end),
        _ => at,
    };

    private static Expr ResolveAt(Expr e, long start, long end)
    {
        Expr R(Expr x) => ResolveAt(x, start, end);
        return e switch
        {
            VectorSelector vs => vs.At is null ? vs : vs with { At = Pin(vs.At, start, end) },
            MatrixSelector ms => ms with { Selector = (VectorSelector)R(ms.Selector) },
            SubqueryExpr sq => sq with { Inner = R(sq.Inner), At = Pin(sq.At, start, end) },
            ParenExpr p => p with { Inner = R(p.Inner) },
            UnaryExpr u => u with { Operand = R(u.Operand) },
            BinaryExpr b => b with { Left = R(b.Left), Right = R(b.Right) },
            AggregateExpr a => a with { Inner = R(a.Inner), Parameter = a.Parameter is null ? null : R(a.Parameter) },
            Call c => c with { Arguments = new ValueArray<Expr>(c.Arguments.Select(R)) },
            _ => e,
        };
    }

    private static void Collect(Expr e, long start, long end, long interval, string? function, AggregateExpr? aggregate,
        EngineOptions options, List<SelectorFetch> fetches, List<RemoteFetch> remotes)
    {
        void Inner(Expr x, long s, long t, long i, string? f, AggregateExpr? a) => Collect(x, s, t, i, f, a, options, fetches, remotes);
        switch (e)
        {
            case VectorSelector vs:
                Add(vs, 0, start, end, interval, function, aggregate, options, fetches);
                break;
            case MatrixSelector ms:
                Add(ms.Selector, (long)ms.Range.TotalMilliseconds, start, end, interval, function, aggregate, options, fetches);
                break;
            case SubqueryExpr sq:
            {
                var offset = (long)sq.Offset.TotalMilliseconds;
                var (s, t) = sq.At is { } at ? (at.TimestampMs, at.TimestampMs) : (start, LastStep(start, end, interval));
                var step = sq.Step > TimeSpan.Zero ? (long)sq.Step.TotalMilliseconds : (long)options.DefaultSubqueryStep.TotalMilliseconds;
                // The nested evaluator's exact times (EvalSubquery): selectors read no more than it needs, and a
                // remote node is asked for the times it will be looked up at.
                var (subStart, subEnd) = SubquerySteps(s - offset, t - offset, (long)sq.Range.TotalMilliseconds + options.EdgeMs, step);
                if (subStart <= subEnd)
                {
                    Inner(sq.Inner, subStart, subEnd, step, null, null);
                }
                break;
            }
            case RemoteResultExpr r:
                // Its subtree is evaluated elsewhere: nothing under it is read here.
                remotes.Add(new RemoteFetch(r, start, LastStep(start, end, interval), interval));
                break;
            case ParenExpr p:
                Inner(p.Inner, start, end, interval, function, aggregate);
                break;
            case UnaryExpr u:
                Inner(u.Operand, start, end, interval, function, aggregate);
                break;
            case BinaryExpr b:
                Inner(b.Left, start, end, interval, null, null);
                Inner(b.Right, start, end, interval, null, null);
                break;
            case AggregateExpr a:
                if (a.Parameter is not null)
                {
                    Inner(a.Parameter, start, end, interval, null, null);
                }
                Inner(a.Inner, start, end, interval, null, a);
                break;
            case Call c:
                foreach (var arg in c.Arguments)
                {
                    Inner(arg, start, end, interval, c.Function.Name, null);
                }
                break;
        }
    }

    private static void Add(VectorSelector vs, long range, long start, long end, long interval, string? function,
        AggregateExpr? aggregate, EngineOptions options, List<SelectorFetch> fetches)
    {
        var offset = (long)vs.Offset.TotalMilliseconds;
        var (s, t) = vs.At is { } at ? (at.TimestampMs, at.TimestampMs) : (start, end);
        var back = (range > 0 ? range : (long)options.LookbackDelta.TotalMilliseconds) + options.EdgeMs;
        var hints = new SelectHints(interval, function, range,
            aggregate is null ? null : [.. aggregate.Grouping], aggregate is { Without: false });
        fetches.Add(new SelectorFetch(vs, s - offset - back, t - offset, hints));
    }
}
