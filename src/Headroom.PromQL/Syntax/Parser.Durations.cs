namespace Headroom.PromQL.Syntax;

/// <summary>
/// Durations of ranges, subquery steps and offsets, including Prometheus' experimental duration expressions:
/// arithmetic over numbers (seconds) and durations with <c>step()</c>, <c>range()</c>, <c>min_of</c> and
/// <c>max_of</c>. Constant expressions are folded here; the others stay as scalar expression trees for the
/// engine, which knows the query's step and range.
/// </summary>
public sealed partial class Parser
{
    /// <summary>A range or step inside brackets: a full arithmetic duration expression that must not be negative.</summary>
    private (TimeSpan Value, Expr? Expression) ParseBracketDuration(string context)
    {
        var expr = ParseDurationExpr(1, context);
        var resolved = Resolve(expr);
        if (resolved.Value < TimeSpan.Zero)
        {
            throw Fail(expr.Position, $"{context} duration must not be negative, got {Durations.Format(resolved.Value)}");
        }
        return resolved;
    }

    /// <summary>
    /// An offset: an optional sign and one operand. <c>x offset 1m + 1</c> stays <c>(x offset 1m) + 1</c>; longer
    /// expressions need parentheses.
    /// </summary>
    private (TimeSpan Value, Expr? Expression) ParseOffsetDuration()
    {
        var sign = Peek();
        if (sign.Kind is not (TokenKind.Add or TokenKind.Sub))
        {
            return Resolve(ParseDurationOperand("offset"));
        }
        Next();
        var operand = ParseDurationOperand("offset");
        var op = sign.Kind == TokenKind.Sub ? UnaryOperator.Minus : UnaryOperator.Plus;
        return Resolve(new UnaryExpr(op, operand) { Position = new(sign.Start, operand.Position.End) });
    }

    private (TimeSpan Value, Expr? Expression) Resolve(Expr expr)
    {
        if (FoldDuration(expr) is not { } seconds)
        {
            return (TimeSpan.Zero, expr);
        }
        return Durations.TryFromSeconds(seconds, out var duration)
            ? (duration, null)
            : throw Fail(expr.Position, $"duration out of range: {Printer.FormatNumber(seconds)}s");
    }

    private Expr ParseDurationExpr(int minPrecedence, string context)
    {
        Enter(Peek());
        Expr left;
        var token = Peek();
        if (token.Kind is TokenKind.Add or TokenKind.Sub)
        {
            Next();
            var operand = ParseDurationExpr(UnaryOperandPrecedence, context);
            var op = token.Kind == TokenKind.Sub ? UnaryOperator.Minus : UnaryOperator.Plus;
            left = new UnaryExpr(op, operand) { Position = new(token.Start, operand.Position.End) };
        }
        else
        {
            left = ParseDurationOperand(context);
        }
        while (DurationOperatorOf(Peek().Kind) is { } binary && binary.Precedence() >= minPrecedence)
        {
            Next();
            var right = ParseDurationExpr(binary == BinaryOperator.Power ? binary.Precedence() : binary.Precedence() + 1, context);
            left = new BinaryExpr(binary, left, right) { Position = new(left.Position.Start, right.Position.End) };
        }
        Leave();
        return left;
    }

    private static BinaryOperator? DurationOperatorOf(TokenKind kind) => kind switch
    {
        TokenKind.Add => BinaryOperator.Add,
        TokenKind.Sub => BinaryOperator.Subtract,
        TokenKind.Mul => BinaryOperator.Multiply,
        TokenKind.Div => BinaryOperator.Divide,
        TokenKind.Mod => BinaryOperator.Modulo,
        TokenKind.Pow => BinaryOperator.Power,
        _ => null,
    };

    private Expr ParseDurationOperand(string context)
    {
        var token = Peek();
        switch (token.Kind)
        {
            case TokenKind.Number or TokenKind.Duration:
                return ParsePrimary();
            case TokenKind.LeftParen:
                Next();
                var inner = ParseDurationExpr(1, context);
                var close = Expect(TokenKind.RightParen, "duration expression", "\")\"");
                return new ParenExpr(inner) { Position = new(token.Start, close.End) };
            case TokenKind.Step or TokenKind.Range when Peek(1).Kind == TokenKind.LeftParen:
                Next();
                Next();
                var end = Expect(TokenKind.RightParen, "duration expression", "\")\"").End;
                var function = FunctionSignatures.All[Text(token).ToLowerInvariant()];
                return new Call(function, ValueArray<Expr>.Empty) { Position = new(token.Start, end) };
            case TokenKind.Identifier when Text(token) is "min_of" or "max_of" && Peek(1).Kind == TokenKind.LeftParen:
                Next();
                Next();
                var a = ParseDurationExpr(1, context);
                Expect(TokenKind.Comma, "duration expression", "\",\"");
                var b = ParseDurationExpr(1, context);
                var last = Expect(TokenKind.RightParen, "duration expression", "\")\"").End;
                return new Call(FunctionSignatures.All[Text(token)], ValueArray.Of(a, b)) { Position = new(token.Start, last) };
            default:
                throw Unexpected(token, context, "number or duration");
        }
    }

    /// <summary>The value in seconds of a duration expression without <c>step()</c> or <c>range()</c>; otherwise null.</summary>
    private static double? FoldDuration(Expr expr) => expr switch
    {
        NumberLiteral n => n.Value,
        ParenExpr p => FoldDuration(p.Inner),
        UnaryExpr u => FoldDuration(u.Operand) is { } v ? (u.Operator == UnaryOperator.Minus ? -v : v) : null,
        BinaryExpr b when FoldDuration(b.Left) is { } l && FoldDuration(b.Right) is { } r => b.Operator switch
        {
            BinaryOperator.Add => l + r,
            BinaryOperator.Subtract => l - r,
            BinaryOperator.Multiply => l * r,
            BinaryOperator.Divide => l / r,
            BinaryOperator.Modulo => l % r,
            _ => Math.Pow(l, r),
        },
        Call { Function.Name: "min_of" } c when FoldDuration(c.Arguments[0]) is { } a && FoldDuration(c.Arguments[1]) is { } b => Math.Min(a, b),
        Call { Function.Name: "max_of" } c when FoldDuration(c.Arguments[0]) is { } a && FoldDuration(c.Arguments[1]) is { } b => Math.Max(a, b),
        _ => null,
    };
}
