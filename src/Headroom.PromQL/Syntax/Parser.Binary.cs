namespace Headroom.PromQL.Syntax;

public sealed partial class Parser
{
    /// <summary>Modifiers between an operator and its right operand: <c>bool</c>, <c>on/ignoring(...)</c>, <c>group_left/right(...)</c>.</summary>
    private (bool ReturnBool, VectorMatching? Matching) ParseBinaryModifiers()
    {
        var returnBool = false;
        if (Peek().Kind == TokenKind.Bool)
        {
            Next();
            returnBool = true;
        }
        VectorMatching? matching = null;
        if (Peek().Kind is TokenKind.On or TokenKind.Ignoring)
        {
            var on = Next().Kind == TokenKind.On;
            var labels = ParseLabelList("grouping opts");
            var cardinality = VectorMatchCardinality.OneToOne;
            var include = ValueArray<string>.Empty;
            if (Peek().Kind is TokenKind.GroupLeft or TokenKind.GroupRight)
            {
                cardinality = Next().Kind == TokenKind.GroupLeft ? VectorMatchCardinality.ManyToOne : VectorMatchCardinality.OneToMany;
                if (Peek().Kind == TokenKind.LeftParen)
                {
                    include = ParseLabelList("grouping opts");
                }
            }
            matching = new VectorMatching(cardinality, labels, on, include);
        }
        return (returnBool, ParseFillModifiers(matching));
    }

    /// <summary>The experimental <c>fill(v)</c>, <c>fill_left(v)</c> and <c>fill_right(v)</c> modifiers.</summary>
    private VectorMatching? ParseFillModifiers(VectorMatching? matching)
    {
        while (Peek().Kind is TokenKind.Fill or TokenKind.FillLeft or TokenKind.FillRight)
        {
            var kind = Next().Kind;
            Expect(TokenKind.LeftParen, "fill modifier", "\"(\"");
            var sign = Peek().Kind is TokenKind.Sub or TokenKind.Add ? Next().Kind : TokenKind.Add;
            var number = Expect(TokenKind.Number, "fill modifier", "number");
            if (!Lexer.TryParseNumber(_query.AsSpan(number.Start, number.End - number.Start), out var value))
            {
                throw Fail(number.Range, $"error parsing number: invalid syntax: {Quoting.Quote(Text(number))}");
            }
            value = sign == TokenKind.Sub ? -value : value;
            Expect(TokenKind.RightParen, "fill modifier", "\")\"");
            matching ??= new VectorMatching(VectorMatchCardinality.OneToOne, ValueArray<string>.Empty, false, ValueArray<string>.Empty);
            matching = matching with
            {
                FillLeft = kind == TokenKind.FillRight ? matching.FillLeft : value,
                FillRight = kind == TokenKind.FillLeft ? matching.FillRight : value,
            };
        }
        return matching;
    }

    /// <summary>Builds a binary expression and applies Prometheus' checks on operand types and modifiers.</summary>
    private BinaryExpr MakeBinary(BinaryOperator op, Token opToken, Expr left, Expr right, bool returnBool, VectorMatching? matching)
    {
        var position = new PositionRange(left.Position.Start, right.Position.End);
        var (lt, rt) = (left.Type, right.Type);
        if (returnBool && !op.IsComparison())
        {
            throw Fail(opToken.Range, "bool modifier can only be used on comparison operators");
        }
        if (op.IsComparison() && !returnBool && lt == ExprType.Scalar && rt == ExprType.Scalar)
        {
            throw Fail(opToken.Range, "comparisons between scalars must use BOOL modifier");
        }
        if (matching is { On: true })
        {
            foreach (var label in matching.MatchingLabels)
            {
                if (matching.Include.Contains(label))
                {
                    throw Fail(opToken.Range, $"label {Quoting.Quote(label)} must not occur in ON and GROUP clause at once");
                }
            }
        }
        if (lt is not (ExprType.Scalar or ExprType.InstantVector))
        {
            throw Fail(left.Position, "binary expression must contain only scalar and instant vector types");
        }
        if (rt is not (ExprType.Scalar or ExprType.InstantVector))
        {
            throw Fail(right.Position, "binary expression must contain only scalar and instant vector types");
        }
        if (lt != ExprType.InstantVector || rt != ExprType.InstantVector)
        {
            if (matching is { MatchingLabels.Count: > 0 })
            {
                throw Fail(position, "vector matching only allowed between instant vectors");
            }
            if (matching is { FillLeft: not null } or { FillRight: not null })
            {
                throw Fail(position, "filling in missing series only allowed between instant vectors");
            }
            if (op.IsSetOperator())
            {
                throw Fail(position, $"set operator \"{op.Symbol()}\" not allowed in binary scalar expression");
            }
            matching = null;
        }
        else
        {
            matching ??= new VectorMatching(VectorMatchCardinality.OneToOne, ValueArray<string>.Empty, false, ValueArray<string>.Empty);
            if (op.IsSetOperator())
            {
                if (matching.Cardinality is VectorMatchCardinality.ManyToOne or VectorMatchCardinality.OneToMany)
                {
                    throw Fail(position, $"no grouping allowed for \"{op.Symbol()}\" operation");
                }
                if (matching is { FillLeft: not null } or { FillRight: not null })
                {
                    throw Fail(position, "filling in missing series not allowed for set operators");
                }
                matching = matching with { Cardinality = VectorMatchCardinality.ManyToMany };
            }
        }
        return new BinaryExpr(op, left, right, matching, returnBool) { Position = position };
    }
}
