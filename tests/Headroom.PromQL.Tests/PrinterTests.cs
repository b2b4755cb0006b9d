using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Tests;

public class PrinterTests
{
    [Theory]
    [InlineData("foo{a='b'}", "foo{a=\"b\"}")]
    [InlineData("{\"my.metric\",\"label.x\"=\"v\"}", "{__name__=\"my.metric\", \"label.x\"=\"v\"}")]
    [InlineData("{__name__=\"inf\"}", "{__name__=\"inf\"}")]
    [InlineData("{\"sum\", on=\"x\"}", "{__name__=\"sum\", \"on\"=\"x\"}")]
    [InlineData("sum{on=\"x\"}", "sum{\"on\"=\"x\"}")]
    [InlineData("SUM(x)BY(job)", "sum by (job) (x)")]
    [InlineData("sum by () (x)", "sum(x)")]
    [InlineData("count without () (x)", "count without () (x)")]
    [InlineData("topk(3,x)", "topk(3, x)")]
    [InlineData("a+on(b)group_left(c)d", "a + on (b) group_left (c) d")]
    [InlineData("a + ignoring() group_left d", "a + ignoring () group_left () d")]
    [InlineData("a>bool b", "a > bool b")]
    [InlineData("1 + on() 2", "1 + 2")]
    [InlineData("foo[90s]", "foo[1m30s]")]
    [InlineData("foo[300]", "foo[5m]")]
    [InlineData("foo[1h:0s]", "foo[1h:]")]
    [InlineData("foo offset -1w @ 1.5", "foo @ 1.500 offset -1w")]
    [InlineData("foo[5m] offset 1d @ end()", "foo[5m] @ end() offset 1d")]
    // Years and weeks only when exact, as Prometheus prints them (its /api/v1/format_query gives the same).
    [InlineData("x[1y2w3d4h5m6s7ms]", "x[382d4h5m6s7ms]")]
    [InlineData("x[90d]", "x[90d]")]
    [InlineData("x[1y] offset 2w", "x[1y] offset 2w")]
    [InlineData("x offset 1w1d", "x offset 8d")]
    [InlineData("x offset -8d", "x offset -8d")]
    [InlineData("0x10 + 1e3 + .5 - Inf + -Inf + NaN", "16 + 1000 + 0.5 - Inf + -Inf + NaN")]
    [InlineData("1e30", "1E+30")]
    [InlineData("\"a\\n\\\"b\\\\\"", "\"a\\n\\\"b\\\\\"")]
    [InlineData("`a\"b`", "\"a\\\"b\"")]
    [InlineData("\"\\xc5z\"", "\"\\xc5z\"")]
    [InlineData("- -x", "--x")]
    [InlineData("-(1)", "-(1)")]
    [InlineData("a ^ -b", "a ^ -b")]
    [InlineData("h </ 2 >/ 1", "h </ 2 >/ 1")]
    public void Prints_canonical_promql(string query, string printed)
    {
        var expr = Parser.Parse(query);
        Assert.Equal(printed, expr.ToString());
        Assert.Equal(expr, Parser.Parse(printed));
    }

    [Fact]
    public void Invalid_utf8_bytes_survive_as_escaped_bytes()
    {
        var value = ((StringLiteral)Parser.Parse("\"a\\xc5z\"")).Value;
        Assert.Equal(3, value.Length);
        Assert.Equal('\uDCC5', value[1]);
        Assert.True(Quoting.HasInvalidUtf8(value));
        var valid = ((StringLiteral)Parser.Parse("\"\\xc5\\xbc\"")).Value;
        Assert.Equal("ż", valid);
        Assert.False(Quoting.HasInvalidUtf8(valid));
        Assert.False(Quoting.HasInvalidUtf8("😀"));
    }

    [Fact]
    public void Equality_ignores_positions()
    {
        var a = Parser.Parse("sum(rate(x[5m]))");
        var b = Parser.Parse("  sum ( rate ( x [ 5m ] ) )");
        Assert.NotEqual(a.Position, b.Position);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, Parser.Parse("sum(rate(x[6m]))"));
        Assert.NotEqual(Parser.Parse("a + b"), Parser.Parse("a - b"));
    }
}
