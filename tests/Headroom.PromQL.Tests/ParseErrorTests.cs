using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Tests;

public class ParseErrorTests
{
    [Theory]
    [InlineData("", "1:1: parse error: no expression found in input", 0, 0)]
    [InlineData("*1", "1:1: parse error: unexpected <op:*>", 0, 1)]
    [InlineData("1 * * 2", "1:5: parse error: unexpected <op:*>", 4, 5)]
    [InlineData("1 +", "1:4: parse error: unexpected end of input", 3, 3)]
    [InlineData("foo bar", "1:5: parse error: unexpected identifier \"bar\"", 4, 7)]
    [InlineData("foo group_left bar", "1:5: parse error: unexpected <group_left>", 4, 14)]
    [InlineData("sum(foo) by (a) by (b)", "1:17: parse error: unexpected <by>", 16, 18)]
    [InlineData("(1", "1:3: parse error: unclosed left parenthesis", 2, 2)]
    [InlineData("1)", "1:2: parse error: unexpected right parenthesis ')'", 1, 2)]
    [InlineData("foo[5m", "1:7: parse error: unclosed left bracket", 6, 6)]
    [InlineData("]", "1:1: parse error: unexpected right bracket ']'", 0, 1)]
    [InlineData("foo{", "1:5: parse error: unexpected end of input inside braces", 4, 4)]
    [InlineData("foo{a=b}", "1:7: parse error: unexpected identifier \"b\" in label matching, expected string", 6, 7)]
    [InlineData("foo{a}", "1:6: parse error: unexpected \"}\" in label matching, expected label matching operator", 5, 6)]
    [InlineData("foo{a=\"b\" c=\"d\"}", "1:11: parse error: unexpected identifier \"c\" in label matching, expected \",\" or \"}\"", 10, 11)]
    [InlineData("foo{a!b=\"c\"}", "1:6: parse error: unexpected character after '!' inside braces: 'b'", 5, 6)]
    [InlineData("foo =~ bar", "1:5: parse error: unexpected character after '=': '~'", 4, 5)]
    [InlineData("foo != ~ bar", "1:8: parse error: unexpected character: '~'", 7, 8)]
    [InlineData("{}", "1:1: parse error: vector selector must contain at least one non-empty matcher", 0, 2)]
    [InlineData("{a=~\".*\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher", 0, 9)]
    [InlineData("foo{__name__=\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\"", 0, 19)]
    [InlineData("foo{a=~\"(\"}", "1:5: parse error: error parsing regexp: missing closing ): `(`", 4, 10)]
    [InlineData("foo{a=\"\\q\"}", "1:7: parse error: error unquoting string \"\\\"\\\\q\\\"\": unknown escape sequence U+0071 'q'", 6, 10)]
    [InlineData("\"unterminated", "1:1: parse error: unterminated quoted string", 0, 13)]
    [InlineData("`raw", "1:1: parse error: unterminated raw string", 0, 4)]
    [InlineData("rate(foo)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector", 5, 8)]
    [InlineData("rate(foo[5m], 1)", "1:1: parse error: expected 1 argument(s) in call to \"rate\", got 2", 0, 16)]
    [InlineData("round(foo, 1, 2)", "1:1: parse error: expected at most 2 argument(s) in call to \"round\", got 3", 0, 16)]
    [InlineData("label_join(foo)", "1:1: parse error: expected at least 3 argument(s) in call to \"label_join\", got 1", 0, 15)]
    [InlineData("unknown_fn(foo)", "1:1: parse error: unknown function with name \"unknown_fn\"", 0, 10)]
    [InlineData("rate(foo[5m],)", "1:13: parse error: trailing commas not allowed in function call args", 12, 13)]
    [InlineData("sum(foo[5m])", "1:5: parse error: expected type instant vector in aggregation expression, got range vector", 4, 11)]
    [InlineData("topk(foo, bar)", "1:6: parse error: expected type scalar in aggregation parameter, got instant vector", 5, 8)]
    [InlineData("count_values(1, foo)", "1:14: parse error: expected type string in aggregation parameter, got scalar", 13, 14)]
    [InlineData("topk(1)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1", 0, 7)]
    [InlineData("sum()", "1:1: parse error: no arguments for aggregate expression provided", 0, 5)]
    [InlineData("sum(foo) by (1)", "1:14: parse error: unexpected number \"1\" in grouping opts, expected label", 13, 14)]
    [InlineData("1 and 2", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression", 0, 7)]
    [InlineData("1 + on(a) foo", "1:1: parse error: vector matching only allowed between instant vectors", 0, 13)]
    [InlineData("foo + on(a) group_left(a) bar", "1:5: parse error: label \"a\" must not occur in ON and GROUP clause at once", 4, 5)]
    [InlineData("foo and on(a) group_left bar", "1:1: parse error: no grouping allowed for \"and\" operation", 0, 28)]
    [InlineData("foo + bool bar", "1:5: parse error: bool modifier can only be used on comparison operators", 4, 5)]
    [InlineData("1 > 2", "1:3: parse error: comparisons between scalars must use BOOL modifier", 2, 3)]
    [InlineData("\"a\" + 1", "1:1: parse error: binary expression must contain only scalar and instant vector types", 0, 3)]
    [InlineData("-\"a\"", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"string\"", 0, 4)]
    [InlineData("1 offset 5m", "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery", 0, 1)]
    [InlineData("foo offset 5m offset 1m", "1:1: parse error: offset may not be set multiple times", 0, 13)]
    [InlineData("foo @ 1 @ 2", "1:1: parse error: @ <timestamp> may not be set multiple times", 0, 7)]
    [InlineData("# just a comment\n\n", "1:1: parse error: no expression found in input", 0, 0)]
    [InlineData("2.5.", "1:1: parse error: bad number or duration syntax: \"2.5.\"", 0, 4)]
    [InlineData(".", "1:1: parse error: unexpected character: '.'", 0, 1)]
    [InlineData("@@", "1:1: parse error: unexpected <op:@>", 0, 1)]
    [InlineData("a - on(b) ignoring(c) d", "1:11: parse error: unexpected <ignoring>", 10, 18)]
    [InlineData("1e999", "1:1: parse error: error parsing number: parsing \"1e999\": value out of range", 0, 5)]
    [InlineData("foo{\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\"", 0, 10)]
    [InlineData("foo @ Inf", "1:7: parse error: timestamp out of bounds for @ modifier: +Inf", 6, 9)]
    [InlineData("foo offset 5m [10m]", "1:1: parse error: no offset modifiers allowed before range", 0, 19)]
    [InlineData("foo @ 1 [10m]", "1:1: parse error: no @ modifiers allowed before range", 0, 13)]
    [InlineData("(foo)[5m]", "1:1: parse error: ranges only allowed for vector selectors", 0, 9)]
    [InlineData("foo[5m][5m:1m]", "1:1: parse error: subquery is only allowed on instant vector, got matrix instead", 0, 14)]
    [InlineData("foo[5x]", "1:5: parse error: bad number or duration syntax: \"5x\"", 4, 6)]
    [InlineData("1.5h", "1:1: parse error: not a valid duration string: \"1.5h\"", 0, 4)]
    [InlineData("1e", "1:1: parse error: bad number or duration syntax: \"1e\"", 0, 2)]
    [InlineData("foo offset", "1:11: parse error: unexpected end of input in offset, expected number or duration", 10, 10)]
    [InlineData("foo\n  + *", "2:5: parse error: unexpected <op:*>", 8, 9)]
    public void Reports_message_and_position(string query, string message, int start, int end)
    {
        var e = Assert.Throws<ParseException>(() => Parser.Parse(query));
        Assert.Equal(message, e.Message);
        Assert.Equal(new PositionRange(start, end), e.Position);
        Assert.Equal(query, e.Query);
        Assert.EndsWith(e.Detail, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_an_error_not_a_stack_overflow()
    {
        var e = Assert.Throws<ParseException>(() => Parser.Parse(new string('(', 100_000) + "1" + new string(')', 100_000)));
        Assert.Contains("nesting", e.Detail, StringComparison.Ordinal);
        Assert.Throws<ParseException>(() => Parser.Parse(new string('-', 100_000) + "1"));
        Assert.Throws<ParseException>(() => Parser.Parse(string.Concat(Enumerable.Repeat("abs(", 100_000))));
    }

    [Fact]
    public void Moderate_nesting_parses() =>
        Assert.IsType<ParenExpr>(Parser.Parse(new string('(', 100) + "1" + new string(')', 100)));
}
