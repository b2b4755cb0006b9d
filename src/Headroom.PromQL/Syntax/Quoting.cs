using System.Globalization;
using System.Text;

namespace Headroom.PromQL.Syntax;

/// <summary>PromQL string quoting: Go-style escapes in '…' and "…", none in `…`.</summary>
internal static partial class Quoting
{
    /// <summary>Double-quotes <paramref name="value"/> with Go-style escapes, as Prometheus prints strings.</summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2);
        builder.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (IsEscapedByte(value, i))
            {
                builder.Append("\\x").Append((c - EscapedByteBase).ToString("x2", CultureInfo.InvariantCulture));
                continue;
            }
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\a': builder.Append("\\a"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\v': builder.Append("\\v"); break;
                case < ' ' or '\x7f':
                    builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    break;
                default: builder.Append(c); break;
            }
        }
        return builder.Append('"').ToString();
    }

    /// <summary>Go's <c>%q</c> of a single character: <c>'x'</c>.</summary>
    public static string QuoteChar(char c) => c switch
    {
        '\'' => "'\\''",
        '\\' => "'\\\\'",
        '\n' => "'\\n'",
        '\r' => "'\\r'",
        '\t' => "'\\t'",
        < ' ' or '\x7f' => "'\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture) + "'",
        _ => "'" + c + "'",
    };

    /// <summary>Go's <c>%#U</c>: <c>U+0071 'q'</c>.</summary>
    private static string DescribeChar(char c) =>
        "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) + (char.IsControl(c) ? "" : " '" + c + "'");
}
