using System.Globalization;
using System.Text;

namespace Headroom.PromQL.Syntax;

internal static partial class Quoting
{
    /// <summary>
    /// Removes the quotes of a lexed string token and resolves escapes. Returns null and sets
    /// <paramref name="error"/> for an invalid escape.
    /// </summary>
    public static string? Unquote(ReadOnlySpan<char> token, out string? error)
    {
        error = null;
        var quote = token[0];
        var body = token[1..^1];
        if (quote == '`' || body.IndexOf('\\') < 0)
        {
            return body.ToString();
        }
        var builder = new StringBuilder(body.Length);
        var bytes = new List<byte>();
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c != '\\')
            {
                Flush(builder, bytes);
                builder.Append(c);
                continue;
            }
            if (++i >= body.Length)
            {
                error = "escape sequence not terminated";
                return null;
            }
            c = body[i];
            switch (c)
            {
                case 'a': Flush(builder, bytes); builder.Append('\a'); continue;
                case 'b': Flush(builder, bytes); builder.Append('\b'); continue;
                case 'f': Flush(builder, bytes); builder.Append('\f'); continue;
                case 'n': Flush(builder, bytes); builder.Append('\n'); continue;
                case 'r': Flush(builder, bytes); builder.Append('\r'); continue;
                case 't': Flush(builder, bytes); builder.Append('\t'); continue;
                case 'v': Flush(builder, bytes); builder.Append('\v'); continue;
                case '\\': Flush(builder, bytes); builder.Append('\\'); continue;
            }
            if (c == quote)
            {
                Flush(builder, bytes);
                builder.Append(c);
                continue;
            }
            var (digits, radix, max) = c switch
            {
                >= '0' and <= '7' => (3, 8, 255),
                'x' => (2, 16, 255),
                'u' => (4, 16, 0x10FFFF),
                'U' => (8, 16, 0x10FFFF),
                _ => (0, 0, 0),
            };
            if (digits == 0)
            {
                error = "unknown escape sequence " + DescribeChar(c);
                return null;
            }
            var start = c is >= '0' and <= '7' ? i : i + 1;
            long value = 0;
            for (var k = 0; k < digits; k++)
            {
                if (start + k >= body.Length)
                {
                    error = "escape sequence not terminated";
                    return null;
                }
                var d = HexValue(body[start + k]);
                if (d >= radix)
                {
                    error = $"illegal character {DescribeChar(body[start + k])} in escape sequence";
                    return null;
                }
                value = (value * radix) + d;
            }
            i = start + digits - 1;
            if (value > max || value is >= 0xD800 and < 0xE000)
            {
                error = "escape sequence is an invalid Unicode code point";
                return null;
            }
            if (c is 'u' or 'U')
            {
                Flush(builder, bytes);
                builder.Append(char.ConvertFromUtf32((int)value));
            }
            else
            {
                bytes.Add((byte)value);
            }
        }
        Flush(builder, bytes);
        return builder.ToString();
    }

    /// <summary>
    /// Octal and \x escapes denote bytes, which together may form UTF-8 sequences. A byte that is not part of
    /// valid UTF-8 becomes the lone surrogate U+DC00+byte (as Python's "surrogateescape"), so the engine can
    /// reject it as invalid UTF-8 and <see cref="Quote"/> can print it back as the same escape.
    /// </summary>
    private static void Flush(StringBuilder builder, List<byte> bytes)
    {
        if (bytes.Count == 0)
        {
            return;
        }
        ReadOnlySpan<byte> span = [.. bytes];
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(span, out var rune, out var consumed) == System.Buffers.OperationStatus.Done)
            {
                builder.Append(rune.ToString());
                span = span[consumed..];
            }
            else
            {
                builder.Append((char)(EscapedByteBase + span[0]));
                span = span[1..];
            }
        }
        bytes.Clear();
    }

    private const int EscapedByteBase = 0xDC00;

    /// <summary>True if <paramref name="value"/> holds a byte that was not valid UTF-8 (see <see cref="Flush"/>).</summary>
    public static bool HasInvalidUtf8(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (IsEscapedByte(value, i))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsEscapedByte(string value, int i) =>
        value[i] is >= (char)(EscapedByteBase + 0x80) and <= (char)(EscapedByteBase + 0xFF)
        && (i == 0 || !char.IsHighSurrogate(value[i - 1]));

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => 16,
    };
}
