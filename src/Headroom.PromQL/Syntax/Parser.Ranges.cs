namespace Headroom.PromQL.Syntax;

public sealed partial class Parser
{
    /// <summary>Parses <c>[range]</c> after a vector selector or <c>[range:step]</c> after any instant-vector expression.</summary>
    private Expr ParseRangeOrSubquery(Expr expr)
    {
        Next();
        var (range, rangeExpression) = ParseBracketDuration("range");
        if (Peek().Kind == TokenKind.Colon)
        {
            Next();
            var (step, stepExpression) = Peek().Kind == TokenKind.RightBracket ? (TimeSpan.Zero, null) : ParseBracketDuration("subquery");
            var close = Expect(TokenKind.RightBracket, "subquery selector", "\"]\"");
            var position = new PositionRange(expr.Position.Start, close.End);
            if (expr.Type != ExprType.InstantVector)
            {
                throw Fail(position, $"subquery is only allowed on instant vector, got {GoTypeName(expr.Type)} instead");
            }
            return new SubqueryExpr(expr, range, step, RangeExpression: rangeExpression, StepExpression: stepExpression) { Position = position };
        }
        var end = Expect(TokenKind.RightBracket, "range selector", "\":\" or \"]\"");
        var rangePosition = new PositionRange(expr.Position.Start, end.End);
        if (expr is not VectorSelector selector)
        {
            throw Fail(rangePosition, "ranges only allowed for vector selectors");
        }
        if (selector.Offset != TimeSpan.Zero || selector.OffsetExpression is not null)
        {
            throw Fail(rangePosition, "no offset modifiers allowed before range");
        }
        if (selector.At is not null)
        {
            throw Fail(rangePosition, "no @ modifiers allowed before range");
        }
        if (selector.Anchored || selector.Smoothed)
        {
            throw Fail(rangePosition, "no anchored or smoothed modifiers allowed before range");
        }
        return new MatrixSelector(selector, range, rangeExpression) { Position = rangePosition };
    }

    /// <summary>Go's internal type names, which one Prometheus message uses.</summary>
    private static string GoTypeName(ExprType type) => type switch
    {
        ExprType.RangeVector => "matrix",
        ExprType.InstantVector => "vector",
        ExprType.Scalar => "scalar",
        ExprType.String => "string",
        _ => "none",
    };
}
