using Headroom.PromQL.Syntax;
using static Headroom.PromQL.Tests.Ast;

namespace Headroom.PromQL.Tests;

public class ParserShapeTests
{
    private static void AssertParses(string query, Expr expected)
    {
        var actual = Parser.Parse(query);
        Assert.Equal(expected, actual);
        Assert.Equal(expected.ToString(), actual.ToString());
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("1.5", 1.5)]
    [InlineData(".5", 0.5)]
    [InlineData("5.", 5)]
    [InlineData("0x1f", 31)]
    [InlineData("0X1F", 31)]
    [InlineData("1e3", 1000)]
    [InlineData("1E-3", 0.001)]
    [InlineData("1_000", 1000)]
    [InlineData("010", 8)]
    [InlineData("09", 9)]
    [InlineData("-1", -1)]
    [InlineData("+2", 2)]
    [InlineData("- -3", 3)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("1ms", 0.001)]
    [InlineData("1y", 365 * 86400)]
    [InlineData("2w", 14 * 86400)]
    [InlineData("Inf", double.PositiveInfinity)]
    [InlineData("-inf", double.NegativeInfinity)]
    public void Numbers(string query, double value) => AssertParses(query, Num(value));

    [Fact]
    public void NaN_literal() => Assert.True(double.IsNaN(((NumberLiteral)Parser.Parse("NaN")).Value));

    [Theory]
    [InlineData("\"a\\nb\"", "a\nb")]
    [InlineData("'it\\'s'", "it's")]
    [InlineData("\"\\\"q\\\"\"", "\"q\"")]
    [InlineData("`raw\\n`", "raw\\n")]
    [InlineData("\"\\x41\\101\\u00e9\\U0001F600\"", "AAé😀")]
    [InlineData("\"\\xc3\\xa9\"", "é")]
    [InlineData("\"\\a\\b\\f\\r\\t\\v\\\\\"", "\a\b\f\r\t\v\\")]
    public void Strings(string query, string value) => AssertParses(query, Str(value));

    [Fact]
    public void Selectors()
    {
        AssertParses("foo", Sel("foo"));
        AssertParses("foo:bar_total", Sel("foo:bar_total"));
        AssertParses("foo{}", Sel("foo"));
        AssertParses("foo{a=\"b\", c!=\"d\", e=~\"f.*\", g!~'h',}", Sel("foo", Eq("a", "b"), Ne("c", "d"), Re("e", "f.*"), Nre("g", "h")));
        AssertParses("{a=\"b\"}", Sel(null, Eq("a", "b")));
        AssertParses("{__name__=\"foo\"}", Sel(null, Eq("__name__", "foo")));
        AssertParses("{\"my.metric\", \"label.x\"=\"v\"}", Sel(null, Eq("__name__", "my.metric"), Eq("label.x", "v")));
        AssertParses("{\"label.x\"=\"v\", \"my.metric\"}", Sel(null, Eq("label.x", "v"), Eq("__name__", "my.metric")));
        AssertParses("{\"my.metric\"}", Sel(null, Eq("__name__", "my.metric")));
        AssertParses("foo{on=\"x\", by=\"y\"}", Sel("foo", Eq("on", "x"), Eq("by", "y")));
        AssertParses("sum", Sel("sum"));
        AssertParses("start", Sel("start"));
    }

    [Fact]
    public void Ranges_subqueries_offset_and_at()
    {
        AssertParses("foo[5m]", Range(Sel("foo"), Minutes(5)));
        AssertParses("foo[300]", Range(Sel("foo"), Minutes(5)));
        AssertParses("foo[1h30m]", Range(Sel("foo"), Minutes(90)));
        AssertParses("foo offset 5m", Sel("foo") with { Offset = Minutes(5) });
        AssertParses("foo offset -5m", Sel("foo") with { Offset = Minutes(-5) });
        AssertParses("foo[5m] offset 1m", Range(Sel("foo") with { Offset = Minutes(1) }, Minutes(5)));
        AssertParses("foo @ 100", Sel("foo") with { At = new AtModifier(AtKind.Timestamp, 100_000) });
        AssertParses("foo @ -1.5", Sel("foo") with { At = new AtModifier(AtKind.Timestamp, -1500) });
        AssertParses("foo @ start()", Sel("foo") with { At = new AtModifier(AtKind.Start) });
        AssertParses("foo[1m] @ end() offset 1s", Range(Sel("foo") with { At = new AtModifier(AtKind.End), Offset = Seconds(1) }, Minutes(1)));
        AssertParses("foo offset 1s @ end()", Sel("foo") with { At = new AtModifier(AtKind.End), Offset = Seconds(1) });
        AssertParses("foo[1h:5m]", new SubqueryExpr(Sel("foo"), Minutes(60), Minutes(5)));
        AssertParses("foo[1h:]", new SubqueryExpr(Sel("foo"), Minutes(60), TimeSpan.Zero));
        AssertParses("rate(foo[5m])[1h:] offset 2m @ 10",
            new SubqueryExpr(Fn("rate", Range(Sel("foo"), Minutes(5))), Minutes(60), TimeSpan.Zero, Minutes(2), new AtModifier(AtKind.Timestamp, 10_000)));
        AssertParses("-foo offset 5m", new UnaryExpr(UnaryOperator.Minus, Sel("foo") with { Offset = Minutes(5) }));
    }

    [Fact]
    public void Precedence_and_associativity()
    {
        var (a, b, c) = (Sel("a"), Sel("b"), Sel("c"));
        AssertParses("a + b * c", Bin(BinaryOperator.Add, a, Bin(BinaryOperator.Multiply, b, c)));
        AssertParses("a - b - c", Bin(BinaryOperator.Subtract, Bin(BinaryOperator.Subtract, a, b), c));
        AssertParses("a ^ b ^ c", Bin(BinaryOperator.Power, a, Bin(BinaryOperator.Power, b, c)));
        AssertParses("a or b and c", Bin(BinaryOperator.Or, a, Bin(BinaryOperator.And, b, c)));
        AssertParses("a == b + c", Bin(BinaryOperator.Equal, a, Bin(BinaryOperator.Add, b, c)));
        AssertParses("a unless b or c", Bin(BinaryOperator.Or, Bin(BinaryOperator.Unless, a, b), c));
        AssertParses("a atan2 b + c", Bin(BinaryOperator.Add, Bin(BinaryOperator.Atan2, a, b), c));
        AssertParses("-a ^ b", new UnaryExpr(UnaryOperator.Minus, Bin(BinaryOperator.Power, a, b)));
        AssertParses("-a * b", Bin(BinaryOperator.Multiply, new UnaryExpr(UnaryOperator.Minus, a), b));
        AssertParses("2 ^ -1", Bin(BinaryOperator.Power, Num(2), Num(-1)));
        AssertParses("-1 ^ 2", new UnaryExpr(UnaryOperator.Minus, Bin(BinaryOperator.Power, Num(1), Num(2))));
        AssertParses("(a + b) * c", Bin(BinaryOperator.Multiply, new ParenExpr(Bin(BinaryOperator.Add, a, b)), c));
        AssertParses("a % b / c", Bin(BinaryOperator.Divide, Bin(BinaryOperator.Modulo, a, b), c));
        AssertParses("h </ 2", Bin(BinaryOperator.TrimUpper, Sel("h"), Num(2)));
    }

    [Fact]
    public void Binary_modifiers()
    {
        var (a, b) = (Sel("a"), Sel("b"));
        AssertParses("a > bool b", Bin(BinaryOperator.Greater, a, b, returnBool: true));
        AssertParses("1 < bool 2", Bin(BinaryOperator.Less, Num(1), Num(2), returnBool: true));
        AssertParses("a + on(x, y) b", Bin(BinaryOperator.Add, a, b, new VectorMatching(VectorMatchCardinality.OneToOne, Labels("x", "y"), true, default)));
        AssertParses("a + ignoring(x) group_left(z) b", Bin(BinaryOperator.Add, a, b, new VectorMatching(VectorMatchCardinality.ManyToOne, Labels("x"), false, Labels("z"))));
        AssertParses("a * on() group_right b", Bin(BinaryOperator.Multiply, a, b, new VectorMatching(VectorMatchCardinality.OneToMany, default, true, default)));
        AssertParses("a + ignoring() group_left b", Bin(BinaryOperator.Add, a, b, new VectorMatching(VectorMatchCardinality.ManyToOne, default, false, default)));
        AssertParses("a and on(x) b", Bin(BinaryOperator.And, a, b, new VectorMatching(VectorMatchCardinality.ManyToMany, Labels("x"), true, default)));
        AssertParses("a == bool on(\"x.y\") b", Bin(BinaryOperator.Equal, a, b, new VectorMatching(VectorMatchCardinality.OneToOne, Labels("x.y"), true, default), true));
        AssertParses("a + 1", Bin(BinaryOperator.Add, a, Num(1)));
    }

    [Fact]
    public void Aggregations()
    {
        var x = Sel("x");
        AssertParses("sum(x)", Agg(AggregationOperator.Sum, x));
        AssertParses("sum by (job) (x)", Agg(AggregationOperator.Sum, x, grouping: "job"));
        AssertParses("sum(x) by (job, le)", Agg(AggregationOperator.Sum, x, grouping: ["job", "le"]));
        AssertParses("SUM(x) BY (job)", Agg(AggregationOperator.Sum, x, grouping: "job"));
        AssertParses("avg without (a) (x)", Agg(AggregationOperator.Avg, x, without: true, grouping: "a"));
        AssertParses("count(x) without ()", Agg(AggregationOperator.Count, x, without: true));
        AssertParses("topk(3, x)", Agg(AggregationOperator.Topk, x, Num(3)));
        AssertParses("bottomk by (a) (1 + 1, x)", Agg(AggregationOperator.Bottomk, x, Bin(BinaryOperator.Add, Num(1), Num(1)), grouping: "a"));
        AssertParses("quantile(0.9, x)", Agg(AggregationOperator.Quantile, x, Num(0.9)));
        AssertParses("count_values(\"v\", x)", Agg(AggregationOperator.CountValues, x, Str("v")));
        AssertParses("limitk(2, x)", Agg(AggregationOperator.Limitk, x, Num(2)));
        AssertParses("limit_ratio(0.5, x)", Agg(AggregationOperator.LimitRatio, x, Num(0.5)));
        AssertParses("group by (\"a.b\", on) (x)", Agg(AggregationOperator.Group, x, grouping: ["a.b", "on"]));
        foreach (var op in new[] { "min", "max", "stddev", "stdvar", "group" })
        {
            Assert.IsType<AggregateExpr>(Parser.Parse(op + "(x)"));
        }
    }

    [Fact]
    public void Calls()
    {
        AssertParses("rate(foo[5m])", Fn("rate", Range(Sel("foo"), Minutes(5))));
        AssertParses("time()", Fn("time"));
        AssertParses("round(x)", Fn("round", Sel("x")));
        AssertParses("round(x, 5)", Fn("round", Sel("x"), Num(5)));
        AssertParses("label_join(x, \"d\", \",\", \"a\", \"b\", \"c\")", Fn("label_join", Sel("x"), Str("d"), Str(","), Str("a"), Str("b"), Str("c")));
        AssertParses("histogram_quantile(0.9, sum by (le) (rate(x[5m])))",
            Fn("histogram_quantile", Num(0.9), Agg(AggregationOperator.Sum, Fn("rate", Range(Sel("x"), Minutes(5))), grouping: "le")));
        AssertParses("min_of(3, 5)", Fn("min_of", Num(3), Num(5)));
        AssertParses("vector(time())", Fn("vector", Fn("time")));
        Assert.Equal(ExprType.Scalar, Parser.Parse("scalar(x)").Type);
    }

    [Theory]
    [InlineData("1", ExprType.Scalar)]
    [InlineData("\"s\"", ExprType.String)]
    [InlineData("x", ExprType.InstantVector)]
    [InlineData("x[1m]", ExprType.RangeVector)]
    [InlineData("x[1m:]", ExprType.RangeVector)]
    [InlineData("1 + 2", ExprType.Scalar)]
    [InlineData("1 + x", ExprType.InstantVector)]
    [InlineData("(x)", ExprType.InstantVector)]
    [InlineData("-time()", ExprType.Scalar)]
    public void Types(string query, ExprType type) => Assert.Equal(type, Parser.Parse(query).Type);

    [Fact]
    public void Positions_cover_the_source_text()
    {
        var expr = (BinaryExpr)Parser.Parse("  sum(rate(x[5m])) by (a) + 1 ");
        Assert.Equal(new PositionRange(2, 29), expr.Position);
        Assert.Equal(new PositionRange(2, 25), expr.Left.Position);
        var call = (Call)((AggregateExpr)expr.Left).Inner;
        Assert.Equal(new PositionRange(6, 17), call.Position);
        Assert.Equal(new PositionRange(11, 16), call.Arguments[0].Position);
        Assert.Equal(new PositionRange(28, 29), expr.Right.Position);
    }

    [Fact]
    public void Comments_and_whitespace_are_ignored() =>
        AssertParses("foo # a comment\n  + # another\n bar", Bin(BinaryOperator.Add, Sel("foo"), Sel("bar")));
}
