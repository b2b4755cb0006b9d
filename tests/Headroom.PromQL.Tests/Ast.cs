using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Tests;

/// <summary>Short constructors for expected syntax trees (positions are ignored by equality).</summary>
internal static class Ast
{
    public static NumberLiteral Num(double value) => new(value);

    public static StringLiteral Str(string value) => new(value);

    public static LabelMatcher Eq(string name, string value) => new(LabelMatchType.Equal, name, value);

    public static LabelMatcher Ne(string name, string value) => new(LabelMatchType.NotEqual, name, value);

    public static LabelMatcher Re(string name, string value) => new(LabelMatchType.Regex, name, value);

    public static LabelMatcher Nre(string name, string value) => new(LabelMatchType.NotRegex, name, value);

    /// <summary>A selector named <paramref name="name"/>: the name matcher comes last, as the parser puts it.</summary>
    public static VectorSelector Sel(string? name, params LabelMatcher[] matchers) =>
        new(name, ValueArray.Of([.. matchers, .. name is null ? Array.Empty<LabelMatcher>() : [Eq("__name__", name)]]));

    public static MatrixSelector Range(VectorSelector selector, TimeSpan range) => new(selector, range);

    public static Call Fn(string name, params Expr[] args) => new(FunctionSignatures.All[name], ValueArray.Of(args));

    public static BinaryExpr Bin(BinaryOperator op, Expr left, Expr right, VectorMatching? matching = null, bool returnBool = false)
    {
        if (matching is null && left.Type == ExprType.InstantVector && right.Type == ExprType.InstantVector)
        {
            matching = new VectorMatching(op.IsSetOperator() ? VectorMatchCardinality.ManyToMany : VectorMatchCardinality.OneToOne, default, false, default);
        }
        return new BinaryExpr(op, left, right, matching, returnBool);
    }

    public static AggregateExpr Agg(AggregationOperator op, Expr inner, Expr? parameter = null, bool without = false, params string[] grouping) =>
        new(op, inner, parameter, ValueArray.Of(grouping), without);

    public static ValueArray<string> Labels(params string[] labels) => ValueArray.Of(labels);

    public static TimeSpan Minutes(double m) => TimeSpan.FromMinutes(m);

    public static TimeSpan Seconds(double s) => TimeSpan.FromSeconds(s);
}
