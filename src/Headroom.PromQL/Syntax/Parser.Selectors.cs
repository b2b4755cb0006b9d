namespace Headroom.PromQL.Syntax;

public sealed partial class Parser
{
    private const string MetricNameLabel = "__name__";

    /// <summary>Parses the optional <c>{...}</c> after a metric name (or the braces alone when <paramref name="name"/> is null).</summary>
    private VectorSelector ParseVectorSelector(string? name, Token first)
    {
        var allowEmpty = _allowEmptySelector;
        _allowEmptySelector = false;
        var matchers = new List<LabelMatcher>();
        var end = first.End;
        if (Peek().Kind == TokenKind.LeftBrace)
        {
            Next();
            while (Peek().Kind != TokenKind.RightBrace)
            {
                var label = Peek();
                if (label.Kind is not (TokenKind.Identifier or TokenKind.String))
                {
                    throw Unexpected(label, "label matching", "identifier or \"}\"");
                }
                Next();
                var labelName = label.Kind == TokenKind.String ? UnquoteToken(label) : Text(label);
                // A lone quoted string inside the braces names the metric: {"my.metric"} is {__name__="my.metric"}.
                matchers.Add(label.Kind == TokenKind.String && Peek().Kind is TokenKind.Comma or TokenKind.RightBrace
                    ? new LabelMatcher(LabelMatchType.Equal, MetricNameLabel, labelName)
                    : ParseMatcher(label, labelName));
                if (Peek().Kind == TokenKind.Comma)
                {
                    Next();
                }
                else if (Peek().Kind != TokenKind.RightBrace)
                {
                    throw Unexpected(Peek(), "label matching", "\",\" or \"}\"");
                }
            }
            end = Next().End;
        }
        var position = new PositionRange(first.Start, end);
        if (name is not null)
        {
            foreach (var m in matchers)
            {
                if (m.Name == MetricNameLabel)
                {
                    throw Fail(position, $"metric name must not be set twice: {Quoting.Quote(name)} or {Quoting.Quote(m.Value)}");
                }
            }
            matchers.Add(new LabelMatcher(LabelMatchType.Equal, MetricNameLabel, name));
        }
        else if (!allowEmpty && !matchers.Exists(m => !m.Matches(string.Empty)))
        {
            throw Fail(position, "vector selector must contain at least one non-empty matcher");
        }
        return new VectorSelector(name, ValueArray<LabelMatcher>.Wrap([.. matchers])) { Position = position };
    }

    private LabelMatcher ParseMatcher(Token label, string labelName)
    {
        var op = Next();
        var type = op.Kind switch
        {
            TokenKind.Assign => LabelMatchType.Equal,
            TokenKind.NotEqual => LabelMatchType.NotEqual,
            TokenKind.RegexMatch => LabelMatchType.Regex,
            TokenKind.RegexNotMatch => LabelMatchType.NotRegex,
            _ => throw Unexpected(op, "label matching", "label matching operator"),
        };
        var value = Expect(TokenKind.String, "label matching", "string");
        try
        {
            return new LabelMatcher(type, labelName, UnquoteToken(value));
        }
        catch (RegexSyntaxException e)
        {
            // Go's message as Prometheus reports it, e.g. error parsing regexp: invalid escape sequence: `\1`.
            throw Fail(new PositionRange(label.Start, value.End), e.Message);
        }
    }
}
