namespace Headroom.PromQL.Syntax;

/// <summary>An aggregation operator.</summary>
public enum AggregationOperator
{
    /// <summary><c>sum</c></summary>
    Sum,
    /// <summary><c>avg</c></summary>
    Avg,
    /// <summary><c>min</c></summary>
    Min,
    /// <summary><c>max</c></summary>
    Max,
    /// <summary><c>count</c></summary>
    Count,
    /// <summary><c>stddev</c></summary>
    Stddev,
    /// <summary><c>stdvar</c></summary>
    Stdvar,
    /// <summary><c>group</c></summary>
    Group,
    /// <summary><c>topk(k, v)</c></summary>
    Topk,
    /// <summary><c>bottomk(k, v)</c></summary>
    Bottomk,
    /// <summary><c>quantile(φ, v)</c></summary>
    Quantile,
    /// <summary><c>count_values("label", v)</c></summary>
    CountValues,
    /// <summary><c>limitk(k, v)</c></summary>
    Limitk,
    /// <summary><c>limit_ratio(r, v)</c></summary>
    LimitRatio,
}

/// <summary>Facts about <see cref="AggregationOperator"/>.</summary>
public static class AggregationOperators
{
    /// <summary>The operator as written in PromQL.</summary>
    public static string Keyword(this AggregationOperator op) => op switch
    {
        AggregationOperator.CountValues => "count_values",
        AggregationOperator.LimitRatio => "limit_ratio",
        _ => op.ToString().ToLowerInvariant(),
    };

    /// <summary>True for operators with a parameter before the vector argument.</summary>
    public static bool HasParameter(this AggregationOperator op) => op is AggregationOperator.Topk
        or AggregationOperator.Bottomk or AggregationOperator.Quantile or AggregationOperator.CountValues
        or AggregationOperator.Limitk or AggregationOperator.LimitRatio;

    /// <summary>The type the parameter must have: string for <c>count_values</c>, scalar otherwise.</summary>
    public static ExprType ParameterType(this AggregationOperator op) =>
        op == AggregationOperator.CountValues ? ExprType.String : ExprType.Scalar;
}

/// <summary>An aggregation such as <c>sum by (job) (x)</c> or <c>topk(3, x)</c>.</summary>
/// <param name="Operator">The aggregation.</param>
/// <param name="Inner">The aggregated instant vector.</param>
/// <param name="Parameter">The parameter of topk, bottomk, quantile, count_values, limitk, limit_ratio; otherwise null.</param>
/// <param name="Grouping">The labels of <c>by</c>/<c>without</c>.</param>
/// <param name="Without">True for <c>without</c>, false for <c>by</c> or no clause.</param>
public sealed record AggregateExpr(AggregationOperator Operator, Expr Inner, Expr? Parameter, ValueArray<string> Grouping, bool Without) : Expr
{
    /// <inheritdoc />
    public override ExprType Type => ExprType.InstantVector;
}
