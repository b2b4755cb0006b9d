namespace Headroom.PromQL.Syntax;

/// <summary>What an <c>@</c> modifier pins evaluation to.</summary>
public enum AtKind
{
    /// <summary>A fixed timestamp, <see cref="AtModifier.TimestampMs"/>.</summary>
    Timestamp,

    /// <summary><c>@ start()</c>: the start of the query range.</summary>
    Start,

    /// <summary><c>@ end()</c>: the end of the query range.</summary>
    End,
}

/// <summary>An <c>@</c> modifier.</summary>
/// <param name="Kind">Fixed timestamp, <c>start()</c> or <c>end()</c>.</param>
/// <param name="TimestampMs">Milliseconds since the epoch when <paramref name="Kind"/> is <see cref="AtKind.Timestamp"/>.</param>
public sealed record AtModifier(AtKind Kind, long TimestampMs = 0);

/// <summary>An instant vector selector such as <c>http_requests_total{job="api"} offset 5m @ 100</c>.</summary>
/// <param name="Name">The metric name given before or as the first string inside the braces, or null.</param>
/// <param name="Matchers">All matchers; a metric name adds a <c>__name__</c> equality matcher as the last one.</param>
/// <param name="Offset">The <c>offset</c> modifier, zero when absent; negative offsets look ahead.</param>
/// <param name="At">The <c>@</c> modifier, or null.</param>
/// <param name="OffsetExpression">
/// An offset that depends on the query (experimental duration expression such as <c>offset step()</c>); when set,
/// <paramref name="Offset"/> is zero. Constant expressions are folded into <paramref name="Offset"/> by the parser.
/// </param>
/// <param name="Anchored">The experimental <c>anchored</c> modifier.</param>
/// <param name="Smoothed">The experimental <c>smoothed</c> modifier.</param>
public sealed record VectorSelector(
    string? Name,
    ValueArray<LabelMatcher> Matchers,
    TimeSpan Offset = default,
    AtModifier? At = null,
    Expr? OffsetExpression = null,
    bool Anchored = false,
    bool Smoothed = false) : Expr
{
    /// <inheritdoc />
    public override ExprType Type => ExprType.InstantVector;
}

/// <summary>A range vector selector <c>selector[range]</c>; offset and <c>@</c> live on the inner selector.</summary>
/// <param name="Selector">The selected series with their offset and <c>@</c> modifier.</param>
/// <param name="Range">The window length.</param>
/// <param name="RangeExpression">A query-dependent window (experimental duration expression such as <c>[step()]</c>); when set, <paramref name="Range"/> is zero.</param>
public sealed record MatrixSelector(VectorSelector Selector, TimeSpan Range, Expr? RangeExpression = null) : Expr
{
    /// <inheritdoc />
    public override ExprType Type => ExprType.RangeVector;
}

/// <summary>A subquery <c>expr[range:step]</c>.</summary>
/// <param name="Inner">The instant-vector expression evaluated at each sub-step.</param>
/// <param name="Range">The window length.</param>
/// <param name="Step">The resolution; zero means the engine's default step.</param>
/// <param name="Offset">The <c>offset</c> modifier, zero when absent.</param>
/// <param name="At">The <c>@</c> modifier, or null.</param>
/// <param name="RangeExpression">A query-dependent range (experimental duration expression); when set, <paramref name="Range"/> is zero.</param>
/// <param name="StepExpression">A query-dependent step; when set, <paramref name="Step"/> is zero.</param>
/// <param name="OffsetExpression">A query-dependent offset; when set, <paramref name="Offset"/> is zero.</param>
public sealed record SubqueryExpr(
    Expr Inner,
    TimeSpan Range,
    TimeSpan Step,
    TimeSpan Offset = default,
    AtModifier? At = null,
    Expr? RangeExpression = null,
    Expr? StepExpression = null,
    Expr? OffsetExpression = null) : Expr
{
    /// <inheritdoc />
    public override ExprType Type => ExprType.RangeVector;
}
