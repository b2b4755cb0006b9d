namespace Headroom.PromQL.Syntax;

/// <summary>How series of the two sides of a vector/vector operation pair up.</summary>
public enum VectorMatchCardinality
{
    /// <summary>Each series matches at most one on the other side.</summary>
    OneToOne,
    /// <summary><c>group_left</c>: many on the left match one on the right.</summary>
    ManyToOne,
    /// <summary><c>group_right</c>: one on the left matches many on the right.</summary>
    OneToMany,
    /// <summary>Set operators (<c>and</c>, <c>or</c>, <c>unless</c>).</summary>
    ManyToMany,
}

/// <summary>The vector matching of a binary operation between two instant vectors.</summary>
/// <param name="Cardinality">One-to-one, group_left/right, or many-to-many for set operators.</param>
/// <param name="MatchingLabels">The labels of <c>on(...)</c> or <c>ignoring(...)</c>.</param>
/// <param name="On">True for <c>on</c>, false for <c>ignoring</c> (or neither).</param>
/// <param name="Include">The extra labels of <c>group_left(...)</c>/<c>group_right(...)</c>.</param>
/// <param name="FillLeft">Experimental <c>fill</c>/<c>fill_left</c>: the value for series missing on the left side, or null.</param>
/// <param name="FillRight">Experimental <c>fill</c>/<c>fill_right</c>: the value for series missing on the right side, or null.</param>
public sealed record VectorMatching(
    VectorMatchCardinality Cardinality,
    ValueArray<string> MatchingLabels,
    bool On,
    ValueArray<string> Include,
    double? FillLeft = null,
    double? FillRight = null);

/// <summary>A binary operation <c>left op [bool] [on|ignoring(...)] [group_left|group_right(...)] right</c>.</summary>
/// <param name="Operator">The operator.</param>
/// <param name="Left">The left operand.</param>
/// <param name="Right">The right operand.</param>
/// <param name="Matching">Vector matching; null unless both operands are instant vectors.</param>
/// <param name="ReturnBool">The <c>bool</c> modifier of a comparison.</param>
public sealed record BinaryExpr(BinaryOperator Operator, Expr Left, Expr Right, VectorMatching? Matching = null, bool ReturnBool = false) : Expr
{
    /// <inheritdoc />
    public override ExprType Type =>
        Left.Type == ExprType.Scalar && Right.Type == ExprType.Scalar ? ExprType.Scalar : ExprType.InstantVector;
}
