namespace Headroom.PromQL.Syntax;

internal enum TokenKind
{
    Eof, Error, Identifier, MetricIdentifier, Number, Duration, String,
    LeftParen, RightParen, LeftBrace, RightBrace, LeftBracket, RightBracket, Comma, Assign, Colon,

    // Operators (described as <op:…>).
    Add, Sub, Mul, Div, Mod, Pow, EqualEqual, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual,
    RegexMatch, RegexNotMatch, TrimUpper, TrimLower, At, And, Or, Unless, Atan2,

    // Aggregators (described as <aggr:…>).
    Sum, Avg, Count, Min, Max, Group, Stddev, Stdvar, Topk, Bottomk, CountValues, Quantile, Limitk, LimitRatio,

    // Keywords (described as <…>).
    Offset, By, Without, On, Ignoring, GroupLeft, GroupRight, Bool, Start, End, Step, Range, Smoothed, Anchored,
    Fill, FillLeft, FillRight,
}

/// <summary>A lexeme: its kind and where it is; the text is sliced from the query on demand.</summary>
internal readonly record struct Token(TokenKind Kind, int Start, int End, string? ErrorMessage = null)
{
    public PositionRange Range => new(Start, End);

    public bool IsOperator => Kind is >= TokenKind.Add and <= TokenKind.Atan2;

    public bool IsAggregator => Kind is >= TokenKind.Sum and <= TokenKind.LimitRatio;

    public bool IsKeyword => Kind >= TokenKind.Offset;

    /// <summary>How Prometheus names a token in "unexpected …" messages.</summary>
    public string Describe(string query)
    {
        var text = query[Start..End];
        return Kind switch
        {
            TokenKind.Eof => "end of input",
            TokenKind.Error => ErrorMessage ?? "error",
            TokenKind.Identifier => "identifier " + Quoting.Quote(text),
            TokenKind.MetricIdentifier => "metric identifier " + Quoting.Quote(text),
            TokenKind.Number => "number " + Shorten(text),
            TokenKind.Duration => "duration " + Shorten(text),
            TokenKind.String => "string " + Shorten(text),
            _ when IsOperator => $"<op:{text}>",
            _ when IsAggregator => $"<aggr:{text}>",
            _ when IsKeyword => $"<{text}>",
            _ => Quoting.Quote(text),
        };
    }

    private static string Shorten(string text) => text.Length > 10 ? Quoting.Quote(text[..10]) + "..." : Quoting.Quote(text);
}
