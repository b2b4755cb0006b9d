namespace Headroom.PromQL.Syntax;

/// <summary>
/// Parses PromQL into a syntax tree and type-checks it: a hand-written precedence-climbing parser over
/// <see cref="Lexer"/> tokens. Errors surface as <see cref="ParseException"/> at the first problem found.
/// </summary>
public sealed partial class Parser
{
    // Each nesting level costs a handful of stack frames; this keeps deep inputs far from a stack overflow.
    private const int MaxDepth = 256;

    private readonly string _query;
    private readonly Lexer _lexer;
    private readonly List<Token> _tokens = [];
    private int _index;
    private int _depth;
    private bool _allowEmptySelector;

    private Parser(string query)
    {
        _query = query;
        _lexer = new Lexer(query);
    }

    /// <summary>Parses and type-checks <paramref name="query"/>.</summary>
    /// <exception cref="ParseException">The query is not valid PromQL.</exception>
    public static Expr Parse(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new Parser(query).ParseQuery();
    }

    private Expr ParseQuery()
    {
        if (Peek().Kind == TokenKind.Eof)
        {
            throw Fail(new PositionRange(0, 0), "no expression found in input");
        }
        var expr = ParseExpr(1);
        if (Peek().Kind != TokenKind.Eof)
        {
            throw Unexpected(Peek());
        }
        return expr;
    }

    /// <summary>The token <paramref name="ahead"/> positions on; lexer errors are raised as soon as they are looked at.</summary>
    private Token Peek(int ahead = 0)
    {
        while (_tokens.Count <= _index + ahead)
        {
            _tokens.Add(_lexer.Next());
        }
        var token = _tokens[_index + ahead];
        if (token.Kind == TokenKind.Error)
        {
            throw Fail(token.Range, token.ErrorMessage!);
        }
        return token;
    }

    private Token Next()
    {
        var token = Peek();
        _index++;
        return token;
    }

    private Token Expect(TokenKind kind, string context, string expected)
    {
        var token = Peek();
        if (token.Kind != kind)
        {
            throw Unexpected(token, context, expected);
        }
        return Next();
    }

    private string Text(Token token) => _query[token.Start..token.End];

    private ParseException Fail(PositionRange range, string message) => new(_query, range, message);

    private ParseException Unexpected(Token token, string context = "", string expected = "")
    {
        var message = "unexpected " + token.Describe(_query);
        if (context.Length > 0)
        {
            message += " in " + context;
        }
        if (expected.Length > 0)
        {
            message += ", expected " + expected;
        }
        return Fail(token.Range, message);
    }

    private void Enter(Token at)
    {
        if (++_depth > MaxDepth)
        {
            throw Fail(at.Range, $"expression nesting exceeds {MaxDepth} levels");
        }
    }

    private void Leave() => _depth--;
}
