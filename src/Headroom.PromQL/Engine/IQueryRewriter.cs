using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Engine;

/// <summary>
/// A hook into the planning pass: sees each query's tree once, after <c>@ start()</c> and <c>@ end()</c> are pinned
/// and before anything is read, and may return a tree with subtrees replaced, typically by a
/// <see cref="RemoteResultExpr"/> whose values another system computes (the gateway's pushdown to shards).
/// The replacement must give the same answer as the subtree it stands for; the engine cannot check that.
/// </summary>
public interface IQueryRewriter
{
    /// <summary>The tree to evaluate instead of <paramref name="expr"/>; <paramref name="expr"/> itself to change nothing.</summary>
    /// <param name="expr">The query's tree with <c>@ start()</c>/<c>@ end()</c> replaced by timestamps.</param>
    /// <param name="steps">The query's evaluation times.</param>
    Expr Rewrite(Expr expr, QuerySteps steps);
}

/// <summary>The evaluation times of a query: <see cref="Start"/>, <see cref="Start"/> + <see cref="Step"/>, … up to <see cref="End"/>.</summary>
/// <param name="Start">The first evaluation time, milliseconds since the epoch.</param>
/// <param name="End">The last evaluation time, milliseconds since the epoch.</param>
/// <param name="Step">Milliseconds between evaluation times; 0 for an instant query (<paramref name="Start"/> = <paramref name="End"/>).</param>
public readonly record struct QuerySteps(long Start, long End, long Step)
{
    /// <summary>Whether this is an instant query.</summary>
    public bool IsInstant => Step == 0;
}
