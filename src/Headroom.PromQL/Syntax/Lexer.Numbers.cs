using System.Buffers;
using System.Globalization;

namespace Headroom.PromQL.Syntax;

internal sealed partial class Lexer
{
    private static readonly SearchValues<char> s_octalDigits = SearchValues.Create("01234567");

    /// <summary>Scans <c>1</c>, <c>1.5e3</c>, <c>0x1F</c>, <c>1_000</c> or a duration such as <c>1h30m</c>.</summary>
    private Token ScanNumberOrDuration(int start)
    {
        var hex = Peek() == '0' && Peek(1) is 'x' or 'X';
        if (hex)
        {
            _pos += 2;
            SkipDigits(hex: true);
        }
        else
        {
            SkipDigits(hex: false);
            if (Peek() == '.')
            {
                _pos++;
                SkipDigits(hex: false);
            }
            if (Peek() is 'e' or 'E' && (char.IsAsciiDigit(Peek(1)) || (Peek(1) is '+' or '-' && char.IsAsciiDigit(Peek(2)))))
            {
                _pos += Peek(1) is '+' or '-' ? 2 : 1;
                SkipDigits(hex: false);
            }
        }
        if (!IsAlphaNumeric(Peek()) && Peek() != '.')
        {
            return _pos - start > (hex ? 2 : 0) ? Emit(TokenKind.Number, start) : BadNumber(start);
        }
        if (hex || !AcceptDurationUnits())
        {
            return BadNumber(start);
        }
        return Emit(TokenKind.Duration, start);
    }

    private Token BadNumber(int start)
    {
        while (_pos < input.Length && (IsAlphaNumeric(input[_pos]) || input[_pos] == '.'))
        {
            _pos++;
        }
        return Error(start, "bad number or duration syntax: " + Quoting.Quote(input[start.._pos]));
    }

    // Underscores may only separate digits.
    private void SkipDigits(bool hex)
    {
        while (_pos < input.Length)
        {
            var c = input[_pos];
            if (hex ? char.IsAsciiHexDigit(c) : char.IsAsciiDigit(c))
            {
                _pos++;
            }
            else if (c == '_' && _pos + 1 < input.Length && (hex ? char.IsAsciiHexDigit(input[_pos + 1]) : char.IsAsciiDigit(input[_pos + 1])))
            {
                _pos++;
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>After the leading digits: unit letters, then more digit/unit groups, then a non-word character.</summary>
    private bool AcceptDurationUnits()
    {
        if (Peek() is not ('s' or 'm' or 'h' or 'd' or 'w' or 'y'))
        {
            return false;
        }
        _pos++;
        if (Peek() == 's')
        {
            _pos++;
        }
        while (char.IsAsciiDigit(Peek()))
        {
            while (char.IsAsciiDigit(Peek()))
            {
                _pos++;
            }
            if (Peek() is not ('s' or 'm' or 'h' or 'd' or 'w'))
            {
                return false;
            }
            _pos++;
            if (Peek() == 's')
            {
                _pos++;
            }
        }
        return !IsAlphaNumeric(Peek());
    }

    /// <summary>
    /// The value of a number token: decimal, hexadecimal, octal with a leading 0 (as Go's ParseInt with base 0),
    /// Inf or NaN. Returns false for text that does not form a number.
    /// </summary>
    public static bool TryParseNumber(ReadOnlySpan<char> text, out double value)
    {
        value = 0;
        if (text.Equals("inf", StringComparison.OrdinalIgnoreCase))
        {
            value = double.PositiveInfinity;
            return true;
        }
        if (text.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return true;
        }
        Span<char> buffer = stackalloc char[Math.Min(text.Length, 256)];
        var length = 0;
        foreach (var c in text)
        {
            if (c != '_')
            {
                if (length == buffer.Length)
                {
                    return double.TryParse(text.ToString().Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
                }
                buffer[length++] = c;
            }
        }
        var digits = buffer[..length];
        if (digits.Length > 2 && digits[0] == '0' && digits[1] is 'x' or 'X')
        {
            if (!ulong.TryParse(digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
            {
                return false;
            }
            value = hex;
            return true;
        }
        if (digits.Length > 1 && digits[0] == '0' && !digits.ContainsAnyExcept(s_octalDigits))
        {
            ulong octal = 0;
            foreach (var c in digits)
            {
                if (octal > ulong.MaxValue / 8)
                {
                    return false;
                }
                octal = (octal * 8) + (ulong)(c - '0');
            }
            value = octal;
            return true;
        }
        return double.TryParse(digits, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value);
    }
}
