namespace Headroom.PromQL.Syntax;

public sealed partial class Parser
{
    private Call ParseCall()
    {
        var nameToken = Next();
        var name = Text(nameToken);
        if (!FunctionSignatures.TryGet(name, out var function))
        {
            throw Fail(nameToken.Range, $"unknown function with name {Quoting.Quote(name)}");
        }
        var (args, end) = ParseArguments(name == "info");
        var position = new PositionRange(nameToken.Start, end);
        if (args.Count < function.MinArguments || args.Count > function.MaxArguments)
        {
            var message = function.Variadic == 0
                ? $"expected {function.ArgumentTypes.Count} argument(s) in call to {Quoting.Quote(name)}, got {args.Count}"
                : args.Count < function.MinArguments
                    ? $"expected at least {function.MinArguments} argument(s) in call to {Quoting.Quote(name)}, got {args.Count}"
                    : $"expected at most {function.MaxArguments} argument(s) in call to {Quoting.Quote(name)}, got {args.Count}";
            throw Fail(position, message);
        }
        for (var i = 0; i < args.Count; i++)
        {
            var want = function.ArgumentType(i);
            if (args[i].Type != want)
            {
                throw Fail(args[i].Position, $"expected type {want.DocumentedName()} in call to function {Quoting.Quote(name)}, got {args[i].Type.DocumentedName()}");
            }
        }
        foreach (var arg in args)
        {
            CheckExtendedRange(name, arg);
        }
        return new Call(function, ValueArray<Expr>.Wrap([.. args])) { Position = position };
    }

    private void CheckExtendedRange(string function, Expr arg)
    {
        if (arg is not MatrixSelector { Selector: var selector })
        {
            return;
        }
        if (selector.Smoothed && function is not ("delta" or "increase" or "rate"))
        {
            throw Fail(arg.Position, $"smoothed modifier can only be used with: delta, increase, rate - not with {function}");
        }
        if (selector.Anchored && function is not ("changes" or "delta" or "increase" or "rate" or "resets"))
        {
            throw Fail(arg.Position, $"anchored modifier can only be used with: changes, delta, increase, rate, resets - not with {function}");
        }
    }

    /// <summary>Parses <c>( expr, expr, ... )</c>; returns the arguments and the end of the closing parenthesis.</summary>
    /// <param name="infoCall">
    /// For <c>info(v, {selector})</c> the second argument only filters info metrics, so it may consist of
    /// matchers that all match the empty string.
    /// </param>
    private (List<Expr> Args, int End) ParseArguments(bool infoCall = false)
    {
        Expect(TokenKind.LeftParen, "function call", "\"(\"");
        var args = new List<Expr>();
        while (Peek().Kind != TokenKind.RightParen)
        {
            _allowEmptySelector = infoCall && args.Count == 1 && Peek().Kind == TokenKind.LeftBrace;
            args.Add(ParseExpr(1));
            _allowEmptySelector = false;
            var separator = Peek();
            if (separator.Kind == TokenKind.Comma)
            {
                Next();
                if (Peek().Kind == TokenKind.RightParen)
                {
                    throw Fail(separator.Range, "trailing commas not allowed in function call args");
                }
            }
            else if (separator.Kind != TokenKind.RightParen)
            {
                throw Unexpected(separator, "function call arguments", "\",\" or \")\"");
            }
        }
        return (args, Next().End);
    }
}
