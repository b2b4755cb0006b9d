using System.Text;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Engine;

/// <summary>
/// Computes the values of a <see cref="RemoteResultExpr"/> elsewhere: series with at most one point per evaluation
/// time of <paramref name="request"/> (points at other times are ignored), with labels as the original expression
/// would give them.
/// </summary>
/// <param name="request">The evaluation times and where to report warnings.</param>
/// <param name="cancellationToken">Cancelled when the query is cancelled or times out.</param>
public delegate Task<IReadOnlyList<Series>> RemoteEvaluation(RemoteRequest request, CancellationToken cancellationToken);

/// <summary>What a <see cref="RemoteEvaluation"/> is asked for.</summary>
/// <param name="Start">The first evaluation time, milliseconds since the epoch.</param>
/// <param name="End">The last evaluation time; equal to <paramref name="Start"/> for one step.</param>
/// <param name="Step">Milliseconds between evaluation times (positive; any value when <paramref name="Start"/> = <paramref name="End"/>).</param>
/// <param name="Warnings">Where to report non-fatal problems (a shard left out, say); they reach the query's warnings.</param>
public sealed record RemoteRequest(long Start, long End, long Step, SourceWarnings Warnings);

/// <summary>
/// An instant-vector subtree whose values come from elsewhere, put in place by an <see cref="IQueryRewriter"/>. The
/// engine calls <see cref="Evaluate"/> in the same concurrent fetch phase as it reads selectors, at the evaluation
/// times where the node is evaluated (the query's, or a subquery's), so evaluation itself stays synchronous. It
/// prints as <see cref="Original"/>, so the text can be sent to the system that evaluates it.
/// </summary>
/// <param name="Original">The subtree this node stands for; must be an instant vector.</param>
/// <param name="Evaluate">Computes the subtree's values.</param>
public sealed record RemoteResultExpr(Expr Original, RemoteEvaluation Evaluate) : Expr
{
    /// <summary>The subtree this node stands for.</summary>
    public Expr Original { get; } = Original?.Type == ExprType.InstantVector
        ? Original
        : throw new ArgumentException("a remote result stands for an instant vector expression", nameof(Original));

    /// <summary>Computes the subtree's values.</summary>
    public RemoteEvaluation Evaluate { get; } = Evaluate ?? throw new ArgumentNullException(nameof(Evaluate));

    /// <inheritdoc />
    public override ExprType Type => ExprType.InstantVector;

    /// <inheritdoc />
    protected internal override void PrintCustom(StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Append(Printer.Print(Original));
    }
}
