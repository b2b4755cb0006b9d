namespace Headroom.PromQL.Syntax;

public sealed partial class Parser
{
    private const string ModifierTargets = "an instant vector selector or range vector selector or a subquery";

    /// <summary>Applies <c>[range]</c>, <c>[range:step]</c>, <c>offset</c> and <c>@</c>, which bind tighter than any operator.</summary>
    private Expr ParsePostfix(Expr expr)
    {
        while (true)
        {
            var token = Peek();
            switch (token.Kind)
            {
                case TokenKind.LeftBracket:
                    expr = ParseRangeOrSubquery(expr);
                    break;
                case TokenKind.Offset:
                    Next();
                    expr = ApplyOffset(expr, token, ParseOffsetDuration());
                    break;
                case TokenKind.Anchored or TokenKind.Smoothed:
                    Next();
                    expr = ApplyExtendedRange(expr, token);
                    break;
                case TokenKind.At:
                    Next();
                    expr = ApplyAt(expr, token, ParseAtValue(out var end));
                    expr = expr with { Position = expr.Position with { End = end } };
                    break;
                default:
                    return expr;
            }
        }
    }

    private AtModifier ParseAtValue(out int end)
    {
        var token = Peek();
        if (token.Kind is TokenKind.Start or TokenKind.End)
        {
            Next();
            Expect(TokenKind.LeftParen, "@", "\"(\"");
            end = Expect(TokenKind.RightParen, "@", "\")\"").End;
            return new AtModifier(token.Kind == TokenKind.Start ? AtKind.Start : AtKind.End);
        }
        var negative = token.Kind == TokenKind.Sub;
        if (negative || token.Kind == TokenKind.Add)
        {
            Next();
        }
        var number = Peek();
        double seconds;
        if (number.Kind == TokenKind.Number && Lexer.TryParseNumber(_query.AsSpan(number.Start, number.End - number.Start), out var value))
        {
            seconds = value;
        }
        else if (number.Kind == TokenKind.Duration)
        {
            seconds = ParseDurationToken(number).TotalSeconds;
        }
        else
        {
            throw Unexpected(number, "@", "number, start() or end()");
        }
        Next();
        end = number.End;
        seconds = negative ? -seconds : seconds;
        var ms = Math.Round(seconds * 1000);
        if (!double.IsFinite(seconds) || ms >= long.MaxValue || ms <= long.MinValue)
        {
            throw Fail(new PositionRange(token.Start, number.End), $"timestamp out of bounds for @ modifier: {GoFloat(seconds)}");
        }
        return new AtModifier(AtKind.Timestamp, (long)ms);
    }

    /// <summary>Go's <c>%f</c>: six decimals, and <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    private static string GoFloat(double value) =>
        value switch
        {
            double.PositiveInfinity => "+Inf",
            double.NegativeInfinity => "-Inf",
            double.NaN => "NaN",
            _ => value.ToString("F6", System.Globalization.CultureInfo.InvariantCulture),
        };

    private Expr ApplyOffset(Expr expr, Token token, (TimeSpan Value, Expr? Expression) offset)
    {
        var position = expr.Position with { End = _tokens[_index - 1].End };
        var (value, expression) = offset;
        switch (expr)
        {
            case VectorSelector { Offset.Ticks: 0, OffsetExpression: null } v:
                return v with { Offset = value, OffsetExpression = expression, Position = position };
            case MatrixSelector { Selector: { Offset.Ticks: 0, OffsetExpression: null } } m:
                return m with { Selector = m.Selector with { Offset = value, OffsetExpression = expression }, Position = position };
            case SubqueryExpr { Offset.Ticks: 0, OffsetExpression: null } s:
                return s with { Offset = value, OffsetExpression = expression, Position = position };
            case VectorSelector or MatrixSelector or SubqueryExpr:
                throw Fail(expr.Position, "offset may not be set multiple times");
            default:
                throw Fail(expr.Position, "offset modifier must be preceded by " + ModifierTargets);
        }
    }

    /// <summary>The experimental <c>anchored</c> and <c>smoothed</c> modifiers of (range) vector selectors.</summary>
    private Expr ApplyExtendedRange(Expr expr, Token token)
    {
        var anchored = token.Kind == TokenKind.Anchored;
        var keyword = anchored ? "anchored" : "smoothed";
        var selector = expr switch
        {
            VectorSelector v => v,
            MatrixSelector m => m.Selector,
            _ => throw Fail(token.Range, $"{keyword} modifier must be preceded by an instant vector selector or range vector selector"),
        };
        if (selector.Anchored || selector.Smoothed)
        {
            throw Fail(token.Range, "anchored and smoothed modifiers may only be set once and not together");
        }
        selector = selector with { Anchored = anchored, Smoothed = !anchored };
        var position = expr.Position with { End = token.End };
        return expr is MatrixSelector matrix
            ? matrix with { Selector = selector, Position = position }
            : selector with { Position = position };
    }

    private Expr ApplyAt(Expr expr, Token token, AtModifier at)
    {
        switch (expr)
        {
            case VectorSelector { At: null } v:
                return v with { At = at };
            case MatrixSelector { Selector.At: null } m:
                return m with { Selector = m.Selector with { At = at } };
            case SubqueryExpr { At: null } s:
                return s with { At = at };
            case VectorSelector or MatrixSelector or SubqueryExpr:
                throw Fail(expr.Position, "@ <timestamp> may not be set multiple times");
            default:
                throw Fail(expr.Position, "@ modifier must be preceded by " + ModifierTargets);
        }
    }
}
