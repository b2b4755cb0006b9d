namespace Headroom.PromQL.Syntax;

internal sealed partial class Lexer
{
    private Token ScanInsideBraces(int start)
    {
        var c = input[_pos++];
        switch (c)
        {
            case ',': return Emit(TokenKind.Comma, start);
            case '"' or '\'': return ScanString(start, c);
            case '`': return ScanRawString(start);
            case '}':
                _braceOpen = false;
                return Emit(TokenKind.RightBrace, start);
            case '=':
                if (Peek() == '~')
                {
                    _pos++;
                    return Emit(TokenKind.RegexMatch, start);
                }
                return Emit(TokenKind.Assign, start);
            case '!':
                var next = Peek();
                if (next is '~' or '=')
                {
                    _pos++;
                    return Emit(next == '~' ? TokenKind.RegexNotMatch : TokenKind.NotEqual, start);
                }
                return Error(start, "unexpected character after '!' inside braces: " + Quoting.QuoteChar(next));
            case '{': return Error(start, "unexpected left brace '{'");
        }
        if (IsAlpha(c))
        {
            while (_pos < input.Length && IsAlphaNumeric(input[_pos]))
            {
                _pos++;
            }
            return Emit(TokenKind.Identifier, start);
        }
        return Error(start, "unexpected character inside braces: " + Quoting.QuoteChar(c));
    }

    private Token ScanStatement(int start)
    {
        var c = input[_pos++];
        switch (c)
        {
            case ',': return Emit(TokenKind.Comma, start);
            case '*': return Emit(TokenKind.Mul, start);
            case '/': return Emit(TokenKind.Div, start);
            case '%': return Emit(TokenKind.Mod, start);
            case '+': return Emit(TokenKind.Add, start);
            case '-': return Emit(TokenKind.Sub, start);
            case '^': return Emit(TokenKind.Pow, start);
            case '@': return Emit(TokenKind.At, start);
            case '=':
                if (Peek() == '=')
                {
                    _pos++;
                    return Emit(TokenKind.EqualEqual, start);
                }
                return Peek() == '~' ? Error(start, "unexpected character after '=': '~'") : Emit(TokenKind.Assign, start);
            case '!':
                if (Peek() != '=')
                {
                    return Error(start, "unexpected character after '!': " + Quoting.QuoteChar(Peek()));
                }
                _pos++;
                return Emit(TokenKind.NotEqual, start);
            case '<' or '>' when Peek() == '/':
                _pos++;
                return Emit(c == '<' ? TokenKind.TrimUpper : TokenKind.TrimLower, start);
            case '<' or '>':
                var orEqual = Peek() == '=';
                if (orEqual)
                {
                    _pos++;
                }
                return Emit(c == '<' ? (orEqual ? TokenKind.LessOrEqual : TokenKind.Less)
                    : (orEqual ? TokenKind.GreaterOrEqual : TokenKind.Greater), start);
            case '"' or '\'': return ScanString(start, c);
            case '`': return ScanRawString(start);
            case '(':
                _parenDepth++;
                return Emit(TokenKind.LeftParen, start);
            case ')':
                if (--_parenDepth < 0)
                {
                    return Error(start, "unexpected right parenthesis ')'");
                }
                return Emit(TokenKind.RightParen, start);
            case '{':
                _braceOpen = true;
                return Emit(TokenKind.LeftBrace, start);
            case '[':
                if (_bracketOpen)
                {
                    return Error(start, "unexpected left bracket '['");
                }
                _bracketOpen = true;
                return Emit(TokenKind.LeftBracket, start);
            case ']':
                if (!_bracketOpen)
                {
                    return Error(start, "unexpected right bracket ']'");
                }
                _bracketOpen = false;
                return Emit(TokenKind.RightBracket, start);
            case ':' when _bracketOpen:
                return Emit(TokenKind.Colon, start);
        }
        if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Peek())))
        {
            _pos--;
            return ScanNumberOrDuration(start);
        }
        if (IsAlpha(c) || c == ':')
        {
            return ScanWord(start);
        }
        return Error(start, "unexpected character: " + Quoting.QuoteChar(c));
    }
}
