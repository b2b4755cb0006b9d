using Headroom.PromQL.Syntax;
using static Headroom.PromQL.Tests.Ast;

namespace Headroom.PromQL.Tests;

/// <summary>Syntax Prometheus ships behind feature flags: duration expressions, anchored/smoothed, fill modifiers.</summary>
public class ExperimentalSyntaxTests
{
    [Theory]
    [InlineData("x[26m+4m]", "x[30m]")]
    [InlineData("x[2m*(10+5)]", "x[30m]")]
    [InlineData("x[-5m+35m]", "x[30m]")]
    [InlineData("x[1h30m % 1h]", "x[30m]")]
    [InlineData("x[60*30]", "x[30m]")]
    [InlineData("x[min_of(1h, 30m)]", "x[30m]")]
    [InlineData("x[29s+1s:20*500ms]", "x[30s:10s]")]
    [InlineData("x offset (100 + 2)", "x offset 1m42s")]
    [InlineData("x offset -(2m - 5m)", "x offset 3m")]
    [InlineData("x[step()]", "x[step()]")]
    [InlineData("x[STep()+1ms]", "x[step() + 0.001]")]
    [InlineData("x[max_of(min_of(step()+1,1h),1ms)]", "x[max_of(min_of(step() + 1, 3600), 0.001)]")]
    [InlineData("x[range():step()]", "x[range():step()]")]
    [InlineData("x offset step()", "x offset step()")]
    [InlineData("x offset -min_of(step(), 1s)", "x offset -min_of(step(), 1)")]
    [InlineData("x offset (step())", "x offset (step())")]
    public void Duration_expressions(string query, string printed)
    {
        var expr = Parser.Parse(query);
        Assert.Equal(printed, expr.ToString());
        Assert.Equal(expr, Parser.Parse(printed));
    }

    [Fact]
    public void Offset_takes_one_operand_so_arithmetic_after_it_applies_to_the_selector()
    {
        var expr = Assert.IsType<BinaryExpr>(Parser.Parse("x offset step() * 2"));
        var selector = Assert.IsType<VectorSelector>(expr.Left);
        Assert.Equal(Fn("step"), selector.OffsetExpression);
        Assert.Equal(Num(2), expr.Right);
        Assert.IsType<BinaryExpr>(Parser.Parse("x offset 100 + 2"));
    }

    [Fact]
    public void Anchored_and_smoothed()
    {
        Assert.Equal(Fn("increase", Range(Sel("m") with { Anchored = true }, Minutes(1))), Parser.Parse("increase(m[1m] anchored)"));
        Assert.Equal(Sel("m") with { Smoothed = true, Offset = Seconds(-100) }, Parser.Parse("m offset -100 smoothed"));
        Assert.Equal("m @ 100.000 smoothed", Parser.Parse("m @ 100 smoothed").ToString());
        Assert.Equal("rate(m[5m] offset 1m smoothed)", Parser.Parse("rate(m[5m] offset 1m smoothed)").ToString());
        Assert.Equal(Sel("anchored"), Parser.Parse("anchored"));
    }

    [Theory]
    [InlineData("deriv(m[3m] smoothed)", "smoothed modifier can only be used with: delta, increase, rate - not with deriv")]
    [InlineData("max_over_time(m[3m] anchored)", "anchored modifier can only be used with: changes, delta, increase, rate, resets - not with max_over_time")]
    [InlineData("m anchored smoothed", "anchored and smoothed modifiers may only be set once and not together")]
    [InlineData("m anchored [5m]", "no anchored or smoothed modifiers allowed before range")]
    [InlineData("1 smoothed", "smoothed modifier must be preceded by an instant vector selector or range vector selector")]
    [InlineData("x[-1m]", "range duration must not be negative, got -1m")]
    [InlineData("x[1m:-1s]", "subquery duration must not be negative, got -1s")]
    [InlineData("x[foo]", "unexpected identifier \"foo\" in range, expected number or duration")]
    [InlineData("1 + fill(0) x", "filling in missing series only allowed between instant vectors")]
    [InlineData("x and fill(0) y", "filling in missing series not allowed for set operators")]
    [InlineData("x + fill(y) z", "unexpected identifier \"y\" in fill modifier, expected number")]
    public void Experimental_errors(string query, string detail) =>
        Assert.Equal(detail, Assert.Throws<ParseException>(() => Parser.Parse(query)).Detail);

    [Theory]
    [InlineData("a + fill(0) b", 0.0, 0.0, "a + fill(0) b")]
    [InlineData("a + fill_left(5) fill_right(7) b", 5.0, 7.0, "a + fill_left(5) fill_right(7) b")]
    [InlineData("a + fill_left(1) fill_right(1) b", 1.0, 1.0, "a + fill(1) b")]
    [InlineData("a > bool fill(-Inf) b", double.NegativeInfinity, double.NegativeInfinity, "a > bool fill(-Inf) b")]
    [InlineData("a * on(x) group_left(y) fill_right(0) b", null, 0.0, "a * on (x) group_left (y) fill_right(0) b")]
    public void Fill_modifiers(string query, double? left, double? right, string printed)
    {
        var expr = Assert.IsType<BinaryExpr>(Parser.Parse(query));
        Assert.Equal(left, expr.Matching!.FillLeft);
        Assert.Equal(right, expr.Matching.FillRight);
        Assert.Equal(printed, expr.ToString());
        Assert.Equal(expr, Parser.Parse(printed));
    }

    [Fact]
    public void Fill_without_parenthesis_is_a_metric_name() =>
        Assert.Equal(Bin(BinaryOperator.Add, Sel("fill"), Sel("fill")), Parser.Parse("fill + fill"));

    [Fact]
    public void Info_accepts_a_selector_of_empty_matching_matchers()
    {
        var call = Assert.IsType<Call>(Parser.Parse("info(metric, {data=~\".*\"})"));
        Assert.Equal(Sel(null, Re("data", ".*")), call.Arguments[1]);
        Assert.Throws<ParseException>(() => Parser.Parse("metric + {data=~\".*\"}"));
    }
}
