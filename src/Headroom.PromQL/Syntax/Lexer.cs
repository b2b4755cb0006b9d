namespace Headroom.PromQL.Syntax;

/// <summary>
/// Splits a query into tokens, scanning the string directly (no regular expressions). Like Prometheus'
/// lexer it tracks whether it is inside braces (where keywords are plain identifiers) or brackets
/// (where <c>:</c> separates a subquery's range and step).
/// </summary>
internal sealed partial class Lexer(string input)
{
    private int _pos;
    private int _parenDepth;
    private bool _braceOpen;
    private bool _bracketOpen;
    private bool _done;

    /// <summary>The next token; after an error or the end, the same token again.</summary>
    public Token Next()
    {
        if (_done)
        {
            return new Token(TokenKind.Eof, input.Length, input.Length);
        }
        var token = Scan();
        _done = token.Kind is TokenKind.Eof or TokenKind.Error;
        return token;
    }

    private Token Error(int start, string message) => new(TokenKind.Error, start, Math.Max(start, _pos), message);

    private Token Emit(TokenKind kind, int start) => new(kind, start, _pos);

    private char Peek(int ahead = 0) => _pos + ahead < input.Length ? input[_pos + ahead] : '\0';

    private void SkipSpaceAndComments()
    {
        while (_pos < input.Length)
        {
            var c = input[_pos];
            if (c is ' ' or '\t' or '\n' or '\r')
            {
                _pos++;
            }
            else if (c == '#')
            {
                while (_pos < input.Length && input[_pos] is not ('\n' or '\r'))
                {
                    _pos++;
                }
            }
            else
            {
                return;
            }
        }
    }

    private Token Scan()
    {
        SkipSpaceAndComments();
        var start = _pos;
        if (_pos >= input.Length)
        {
            return _braceOpen ? Error(start, "unexpected end of input inside braces")
                : _parenDepth != 0 ? Error(start, "unclosed left parenthesis")
                : _bracketOpen ? Error(start, "unclosed left bracket")
                : Emit(TokenKind.Eof, start);
        }
        return _braceOpen ? ScanInsideBraces(start) : ScanStatement(start);
    }

    internal static bool IsAlpha(char c) => c == '_' || char.IsAsciiLetter(c);

    internal static bool IsAlphaNumeric(char c) => c == '_' || char.IsAsciiLetterOrDigit(c);
}
