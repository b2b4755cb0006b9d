using System.Text;

namespace Headroom.PromQL.Syntax;

/// <summary>
/// A node of a PromQL syntax tree. Nodes are immutable records; equality is structural and ignores
/// <see cref="Position"/>, so <c>Parser.Parse(e.ToString()) == e</c> holds for every parsed <c>e</c>.
/// A query planner may derive its own node types (for example a pushed-down subtree); those print
/// through <see cref="PrintCustom"/>.
/// </summary>
public abstract record Expr
{
    /// <summary>Where the node came from in the query text; default for synthesized nodes.</summary>
    public PositionRange Position { get; init; }

    /// <summary>The type the expression evaluates to.</summary>
    public abstract ExprType Type { get; }

    /// <summary>Structural equality: same node type and contents, positions ignored.</summary>
    public virtual bool Equals(Expr? other) =>
        ReferenceEquals(this, other) || (other is not null && EqualityContract == other.EqualityContract);

    /// <inheritdoc />
    public override int GetHashCode() => EqualityContract.GetHashCode();

    /// <summary>The expression as canonical PromQL.</summary>
    public sealed override string ToString() => Printer.Print(this);

    /// <summary>Writes a node type unknown to the built-in printer; planner nodes override this.</summary>
    protected internal virtual void PrintCustom(StringBuilder builder) =>
        throw new NotSupportedException($"No PromQL text form for {GetType().Name}.");
}

/// <summary>A number such as <c>1</c>, <c>0x1f</c>, <c>1e3</c>, <c>Inf</c>, <c>NaN</c> or a duration in seconds (<c>1h</c>).</summary>
/// <param name="Value">The value.</param>
public sealed record NumberLiteral(double Value) : Expr
{
    /// <inheritdoc />
    public override ExprType Type => ExprType.Scalar;
}

/// <summary>A string literal, already unquoted.</summary>
/// <param name="Value">The unquoted text.</param>
public sealed record StringLiteral(string Value) : Expr
{
    /// <inheritdoc />
    public override ExprType Type => ExprType.String;
}

/// <summary>An expression in parentheses.</summary>
/// <param name="Inner">The wrapped expression.</param>
public sealed record ParenExpr(Expr Inner) : Expr
{
    /// <inheritdoc />
    public override ExprType Type => Inner.Type;
}

/// <summary>The sign of a <see cref="UnaryExpr"/>.</summary>
public enum UnaryOperator
{
    /// <summary><c>-x</c>.</summary>
    Minus,

    /// <summary><c>+x</c>.</summary>
    Plus,
}

/// <summary><c>-x</c> or <c>+x</c> over a scalar or instant vector (signs on number literals are folded into the literal).</summary>
/// <param name="Operator">The sign.</param>
/// <param name="Operand">The operand.</param>
public sealed record UnaryExpr(UnaryOperator Operator, Expr Operand) : Expr
{
    /// <inheritdoc />
    public override ExprType Type => Operand.Type;
}
