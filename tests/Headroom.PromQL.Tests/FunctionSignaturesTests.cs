using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Tests;

public class FunctionSignaturesTests
{
    [Fact]
    public void Table_holds_every_Prometheus_3_function()
    {
        string[] expected =
        [
            "abs", "absent", "absent_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "avg_over_time", "ceil",
            "changes", "clamp", "clamp_max", "clamp_min", "cos", "cosh", "count_over_time", "day_of_month", "day_of_week",
            "day_of_year", "days_in_month", "deg", "delta", "deriv", "double_exponential_smoothing", "end", "exp",
            "first_over_time", "floor", "histogram_avg", "histogram_count", "histogram_fraction", "histogram_quantile",
            "histogram_quantiles", "histogram_stddev", "histogram_stdvar", "histogram_sum", "hour", "idelta", "increase",
            "info", "integral", "irate", "label_join", "label_replace", "last_over_time", "ln", "log10", "log2",
            "mad_over_time", "max_of", "max_over_time", "min_of", "min_over_time", "minute", "month", "pi",
            "predict_linear", "present_over_time", "quantile_over_time", "rad", "range", "rate", "resets", "round",
            "scalar", "sgn", "sin", "sinh", "sort", "sort_by_label", "sort_by_label_desc", "sort_desc", "sqrt", "start",
            "start_timestamp", "stddev_over_time", "stdvar_over_time", "step", "sum_over_time", "tan", "tanh", "time",
            "timestamp", "ts_of_first_over_time", "ts_of_last_over_time", "ts_of_max_over_time", "ts_of_min_over_time",
            "vector", "year",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), FunctionSignatures.All.Keys.Order(StringComparer.Ordinal));
        Assert.All(FunctionSignatures.All, pair => Assert.Equal(pair.Key, pair.Value.Name));
    }

    [Fact]
    public void Signatures_describe_arity_and_types()
    {
        var round = FunctionSignatures.All["round"];
        Assert.Equal((1, 2), (round.MinArguments, round.MaxArguments));
        var labelJoin = FunctionSignatures.All["label_join"];
        Assert.Equal((3, int.MaxValue), (labelJoin.MinArguments, labelJoin.MaxArguments));
        Assert.Equal(ExprType.String, labelJoin.ArgumentType(10));
        Assert.Equal(ExprType.RangeVector, FunctionSignatures.All["rate"].ArgumentType(0));
        Assert.Equal(ExprType.Scalar, FunctionSignatures.All["time"].ReturnType);
        Assert.True(FunctionSignatures.All["double_exponential_smoothing"].Experimental);
        Assert.True(FunctionSignatures.TryGet("histogram_quantile", out var hq));
        Assert.Equal([ExprType.Scalar, ExprType.InstantVector], hq.ArgumentTypes);
        Assert.False(FunctionSignatures.TryGet("Rate", out _));
    }

    // Each call the parser built, outermost first, as name(argument types): the parser never returns null, so the
    // check is that optional and variadic arguments were taken with the right count and types.
    [Theory]
    [InlineData("day_of_month()", "day_of_month()")]
    [InlineData("day_of_month(x)", "day_of_month(InstantVector)")]
    [InlineData("label_join(x, \"a\", \",\")", "label_join(InstantVector, String, String)")]
    [InlineData("sort_by_label(x)", "sort_by_label(InstantVector)")]
    [InlineData("sort_by_label(x, \"a\", \"b\", \"c\")", "sort_by_label(InstantVector, String, String, String)")]
    [InlineData("histogram_quantiles(x, \"q\", 0.5, 0.9, 0.99)", "histogram_quantiles(InstantVector, String, Scalar, Scalar, Scalar)")]
    [InlineData("info(x)", "info(InstantVector)")]
    [InlineData("double_exponential_smoothing(x[5m], 0.5, 0.5)", "double_exponential_smoothing(RangeVector, Scalar, Scalar)")]
    [InlineData("pi() + time() + step() + range()", "pi() time() step() range()")]
    public void Optional_and_variadic_arguments(string query, string calls)
    {
        var found = new List<Call>();
        Collect(Parser.Parse(query), found);
        Assert.Equal(calls, string.Join(' ', found.Select(c => $"{c.Function.Name}({string.Join(", ", c.Arguments.Select(a => a.Type))})")));
        foreach (var call in found)
        {
            Assert.InRange(call.Arguments.Count, call.Function.MinArguments, call.Function.MaxArguments);
            for (var i = 0; i < call.Arguments.Count; i++)
                Assert.Equal(call.Function.ArgumentType(i), call.Arguments[i].Type);
        }
    }

    [Theory]
    [InlineData("label_join(x, \"a\")", "label_join")]
    [InlineData("round(x, 1, 2)", "round")]
    [InlineData("rate(x)", "rate")]
    [InlineData("day_of_month(x[5m])", "day_of_month")]
    [InlineData("histogram_quantiles(x, \"q\", \"0.5\")", "histogram_quantiles")]
    [InlineData("sort_by_label(x, 1)", "sort_by_label")]
    public void Wrong_arity_or_argument_type_is_refused(string query, string function)
    {
        var error = Assert.Throws<ParseException>(() => Parser.Parse(query));
        Assert.Contains(function, error.Message, StringComparison.Ordinal);
    }

    private static void Collect(Expr expr, List<Call> calls)
    {
        switch (expr)
        {
            case Call call:
                calls.Add(call);
                foreach (var argument in call.Arguments)
                    Collect(argument, calls);
                break;
            case BinaryExpr binary:
                Collect(binary.Left, calls);
                Collect(binary.Right, calls);
                break;
            case ParenExpr paren:
                Collect(paren.Inner, calls);
                break;
        }
    }
}
