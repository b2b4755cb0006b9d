namespace Headroom.PromQL.Syntax;

public sealed partial class Parser
{
    /// <summary>Parses <c>op [by|without (labels)] (args) [by|without (labels)]</c>.</summary>
    private AggregateExpr ParseAggregation()
    {
        var opToken = Next();
        var op = AggregationOperatorOf(opToken.Kind);
        ValueArray<string>? grouping = null;
        var without = false;
        if (Peek().Kind is TokenKind.By or TokenKind.Without)
        {
            without = Next().Kind == TokenKind.Without;
            grouping = ParseLabelList("grouping opts");
        }
        var (args, end) = ParseArguments();
        if (grouping is null && Peek().Kind is TokenKind.By or TokenKind.Without)
        {
            without = Next().Kind == TokenKind.Without;
            grouping = ParseLabelList("grouping opts");
            end = _tokens[_index - 1].End;
        }
        var position = new PositionRange(opToken.Start, end);
        if (args.Count == 0)
        {
            throw Fail(position, "no arguments for aggregate expression provided");
        }
        var wanted = op.HasParameter() ? 2 : 1;
        if (args.Count != wanted)
        {
            throw Fail(position, $"wrong number of arguments for aggregate expression provided, expected {wanted}, got {args.Count}");
        }
        var inner = args[wanted - 1];
        if (inner.Type != ExprType.InstantVector)
        {
            throw Fail(inner.Position, $"expected type instant vector in aggregation expression, got {inner.Type.DocumentedName()}");
        }
        var parameter = wanted == 2 ? args[0] : null;
        if (parameter is not null && parameter.Type != op.ParameterType())
        {
            throw Fail(parameter.Position, $"expected type {op.ParameterType().DocumentedName()} in aggregation parameter, got {parameter.Type.DocumentedName()}");
        }
        return new AggregateExpr(op, inner, parameter, grouping ?? ValueArray<string>.Empty, without) { Position = position };
    }

    private static AggregationOperator AggregationOperatorOf(TokenKind kind) => kind switch
    {
        TokenKind.Sum => AggregationOperator.Sum,
        TokenKind.Avg => AggregationOperator.Avg,
        TokenKind.Count => AggregationOperator.Count,
        TokenKind.Min => AggregationOperator.Min,
        TokenKind.Max => AggregationOperator.Max,
        TokenKind.Group => AggregationOperator.Group,
        TokenKind.Stddev => AggregationOperator.Stddev,
        TokenKind.Stdvar => AggregationOperator.Stdvar,
        TokenKind.Topk => AggregationOperator.Topk,
        TokenKind.Bottomk => AggregationOperator.Bottomk,
        TokenKind.CountValues => AggregationOperator.CountValues,
        TokenKind.Quantile => AggregationOperator.Quantile,
        TokenKind.Limitk => AggregationOperator.Limitk,
        _ => AggregationOperator.LimitRatio,
    };

    /// <summary>Parses <c>(label, "utf8.label", ...)</c>; keywords are valid label names here.</summary>
    private ValueArray<string> ParseLabelList(string context)
    {
        Expect(TokenKind.LeftParen, context, "\"(\"");
        var labels = new List<string>();
        while (Peek().Kind != TokenKind.RightParen)
        {
            var token = Next();
            labels.Add(token.Kind switch
            {
                TokenKind.String => UnquoteToken(token),
                TokenKind.Identifier => Text(token),
                TokenKind.Number when Lexer.IsAlpha(_query[token.Start]) => Text(token),
                _ when token.IsKeyword || token.IsAggregator || token.Kind is TokenKind.And or TokenKind.Or or TokenKind.Unless or TokenKind.Atan2 => Text(token),
                _ => throw Unexpected(token, context, "label"),
            });
            if (Peek().Kind == TokenKind.Comma)
            {
                Next();
            }
            else if (Peek().Kind != TokenKind.RightParen)
            {
                throw Unexpected(Peek(), context, "\",\" or \")\"");
            }
        }
        Next();
        return ValueArray<string>.Wrap([.. labels]);
    }
}
