namespace Headroom.PromQL.Syntax;

public sealed partial class Parser
{
    // Unary minus binds like '*': only '^' binds tighter, so -a^b is -(a^b) and -a*b is (-a)*b.
    private const int UnaryOperandPrecedence = 6;

    /// <summary>Precedence climbing: parses operators binding at least as tight as <paramref name="minPrecedence"/>.</summary>
    private Expr ParseExpr(int minPrecedence)
    {
        Enter(Peek());
        var left = ParseUnary();
        while (BinaryOperatorOf(Peek().Kind) is { } op && op.Precedence() >= minPrecedence)
        {
            var opToken = Next();
            var (returnBool, matching) = ParseBinaryModifiers();
            // '^' is right-associative; all others associate to the left.
            var right = ParseExpr(op == BinaryOperator.Power ? op.Precedence() : op.Precedence() + 1);
            left = MakeBinary(op, opToken, left, right, returnBool, matching);
        }
        Leave();
        return left;
    }

    private Expr ParseUnary()
    {
        var token = Peek();
        if (token.Kind is not (TokenKind.Add or TokenKind.Sub))
        {
            return ParsePostfix(ParsePrimary());
        }
        Next();
        var operand = ParseExpr(UnaryOperandPrecedence);
        var position = new PositionRange(token.Start, operand.Position.End);
        if (operand is NumberLiteral number)
        {
            return new NumberLiteral(token.Kind == TokenKind.Sub ? -number.Value : number.Value) { Position = position };
        }
        if (operand.Type is not (ExprType.Scalar or ExprType.InstantVector))
        {
            throw Fail(position, $"unary expression only allowed on expressions of type scalar or instant vector, got \"{operand.Type.DocumentedName()}\"");
        }
        return new UnaryExpr(token.Kind == TokenKind.Sub ? UnaryOperator.Minus : UnaryOperator.Plus, operand) { Position = position };
    }

    private Expr ParsePrimary()
    {
        var token = Peek();
        switch (token.Kind)
        {
            case TokenKind.Number:
                Next();
                if (!Lexer.TryParseNumber(_query.AsSpan(token.Start, token.End - token.Start), out var value))
                {
                    throw Fail(token.Range, $"error parsing number: parsing {Quoting.Quote(Text(token))}: invalid syntax");
                }
                if (double.IsInfinity(value) && char.IsAsciiDigit(_query[token.Start]))
                {
                    throw Fail(token.Range, $"error parsing number: parsing {Quoting.Quote(Text(token))}: value out of range");
                }
                return new NumberLiteral(value) { Position = token.Range };
            case TokenKind.Duration:
                Next();
                return new NumberLiteral(ParseDurationToken(token).TotalSeconds) { Position = token.Range };
            case TokenKind.String:
                Next();
                return new StringLiteral(UnquoteToken(token)) { Position = token.Range };
            case TokenKind.LeftParen:
                Next();
                var inner = ParseExpr(1);
                var close = Expect(TokenKind.RightParen, "paren expression", "\")\"");
                return new ParenExpr(inner) { Position = new(token.Start, close.End) };
            case TokenKind.LeftBrace:
                return ParseVectorSelector(null, token);
            case TokenKind.Identifier when Peek(1).Kind == TokenKind.LeftParen:
                return ParseCall();
            case TokenKind.Start or TokenKind.End or TokenKind.Step or TokenKind.Range when Peek(1).Kind == TokenKind.LeftParen:
                return ParseCall();
            case TokenKind.Identifier or TokenKind.MetricIdentifier:
                Next();
                return ParseVectorSelector(Text(token), token);
            case var _ when token.IsAggregator && Peek(1).Kind is TokenKind.LeftParen or TokenKind.By or TokenKind.Without:
                return ParseAggregation();
            case var _ when CanNameMetric(token.Kind):
                Next();
                return ParseVectorSelector(Text(token), token);
            default:
                throw Unexpected(token);
        }
    }

    /// <summary>Keywords that Prometheus' grammar also accepts as metric names.</summary>
    internal static bool CanNameMetric(TokenKind kind) => kind is >= TokenKind.Sum and <= TokenKind.LimitRatio
        or TokenKind.By or TokenKind.Without or TokenKind.Offset or TokenKind.And or TokenKind.Or or TokenKind.Unless
        or TokenKind.Start or TokenKind.End or TokenKind.Step or TokenKind.Range or TokenKind.Smoothed or TokenKind.Anchored;

    private static BinaryOperator? BinaryOperatorOf(TokenKind kind) => kind switch
    {
        TokenKind.Add => BinaryOperator.Add,
        TokenKind.Sub => BinaryOperator.Subtract,
        TokenKind.Mul => BinaryOperator.Multiply,
        TokenKind.Div => BinaryOperator.Divide,
        TokenKind.Mod => BinaryOperator.Modulo,
        TokenKind.Pow => BinaryOperator.Power,
        TokenKind.Atan2 => BinaryOperator.Atan2,
        TokenKind.TrimUpper => BinaryOperator.TrimUpper,
        TokenKind.TrimLower => BinaryOperator.TrimLower,
        TokenKind.EqualEqual => BinaryOperator.Equal,
        TokenKind.NotEqual => BinaryOperator.NotEqual,
        TokenKind.Greater => BinaryOperator.Greater,
        TokenKind.Less => BinaryOperator.Less,
        TokenKind.GreaterOrEqual => BinaryOperator.GreaterOrEqual,
        TokenKind.LessOrEqual => BinaryOperator.LessOrEqual,
        TokenKind.And => BinaryOperator.And,
        TokenKind.Or => BinaryOperator.Or,
        TokenKind.Unless => BinaryOperator.Unless,
        _ => null,
    };

    private string UnquoteToken(Token token) =>
        Quoting.Unquote(_query.AsSpan(token.Start, token.End - token.Start), out var error)
        ?? throw Fail(token.Range, $"error unquoting string {Quoting.Quote(Text(token))}: {error}");

    private TimeSpan ParseDurationToken(Token token) =>
        Durations.TryParse(_query.AsSpan(token.Start, token.End - token.Start), out var duration, out var error)
            ? duration
            : throw Fail(token.Range, error!);
}
