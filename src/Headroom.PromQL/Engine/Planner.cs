using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Engine;

/// <summary>What to read from storage for one selector node.</summary>
/// <param name="Selector">The selector node (compared by reference).</param>
/// <param name="MinT">The earliest sample time needed.</param>
/// <param name="MaxT">The latest sample time needed.</param>
/// <param name="Hints">Hints passed to the source.</param>
internal sealed record SelectorFetch(VectorSelector Selector, long MinT, long MaxT, SelectHints Hints);

/// <summary>A query ready to evaluate: the tree with <c>@ start()</c>/<c>@ end()</c> resolved, and what to fetch.</summary>
internal sealed record QueryPlan(Expr Root, long Start, long End, long Interval, IReadOnlyList<SelectorFetch> Fetches);

/// <summary>
/// The planning pass: runs over the syntax tree once before evaluation. It pins <c>@ start()</c> and
/// <c>@ end()</c> to the query's bounds and works out each selector's time range and hints. The gateway's
/// pushdown will hook in here, replacing subtrees before the evaluator sees them.
/// </summary>
internal static class Planner
{
    public static QueryPlan Plan(Expr root, long start, long end, long interval, EngineOptions options)
    {
        var resolved = ResolveAt(root, start, end);
        var fetches = new List<SelectorFetch>();
        Collect(resolved, start, end, interval, null, null, options, fetches);
        return new QueryPlan(resolved, start, end, interval, fetches);
    }

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
        EngineOptions options, List<SelectorFetch> fetches)
    {
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
                var (s, t) = sq.At is { } at ? (at.TimestampMs, at.TimestampMs) : (start, end);
                var step = sq.Step > TimeSpan.Zero ? (long)sq.Step.TotalMilliseconds : (long)options.DefaultSubqueryStep.TotalMilliseconds;
                Collect(sq.Inner, s - offset - (long)sq.Range.TotalMilliseconds - step, t - offset, step, null, null, options, fetches);
                break;
            }
            case ParenExpr p:
                Collect(p.Inner, start, end, interval, function, aggregate, options, fetches);
                break;
            case UnaryExpr u:
                Collect(u.Operand, start, end, interval, function, aggregate, options, fetches);
                break;
            case BinaryExpr b:
                Collect(b.Left, start, end, interval, null, null, options, fetches);
                Collect(b.Right, start, end, interval, null, null, options, fetches);
                break;
            case AggregateExpr a:
                if (a.Parameter is not null)
                {
                    Collect(a.Parameter, start, end, interval, null, null, options, fetches);
                }
                Collect(a.Inner, start, end, interval, null, a, options, fetches);
                break;
            case Call c:
                foreach (var arg in c.Arguments)
                {
                    Collect(arg, start, end, interval, c.Function.Name, null, options, fetches);
                }
                break;
        }
    }

    private static void Add(VectorSelector vs, long range, long start, long end, long interval, string? function,
        AggregateExpr? aggregate, EngineOptions options, List<SelectorFetch> fetches)
    {
        var offset = (long)vs.Offset.TotalMilliseconds;
        var (s, t) = vs.At is { } at ? (at.TimestampMs, at.TimestampMs) : (start, end);
        var back = range > 0 ? range : (long)options.LookbackDelta.TotalMilliseconds;
        var hints = new SelectHints(interval, function, range,
            aggregate is null ? null : [.. aggregate.Grouping], aggregate is { Without: false });
        fetches.Add(new SelectorFetch(vs, s - offset - back, t - offset, hints));
    }
}
