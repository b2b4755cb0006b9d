using System.Globalization;
using System.Text;
using Headroom.PromQL;

namespace Headroom.Ruler.Templating;

/// <summary>
/// Go's <c>fmt</c> formatting of floats and the printf verbs alert templates use, so that an annotation reads the same
/// from Headroom's ruler as from Prometheus (<c>%v</c> of 1000000 is <c>1e+06</c>, <c>%.4g</c> drops trailing zeros).
/// </summary>
internal static class GoFormat
{
    /// <summary><c>%v</c> of a float64: the shortest digits that read back, in <c>%e</c> form when the exponent is below -4 or at least 6 (so 1000000 prints as <c>1e+06</c>).</summary>
    public static string Value(double value) => G(value, -1);

    /// <summary><c>%.{precision}g</c> (shortest digits for -1).</summary>
    public static string G(double value, int precision)
    {
        if (Special(value) is { } special)
            return special;
        if (value == 0)
            return double.IsNegative(value) ? "-0" : "0";
        var (negative, digits, pointAt) = Decompose(value, precision);
        var exponentPrecision = precision < 0 ? 6 : precision == 0 ? 1 : precision;
        if (precision >= 0 && exponentPrecision > digits.Length && digits.Length >= pointAt)
            exponentPrecision = digits.Length;
        var exponent = pointAt - 1;
        var text = exponent < -4 || exponent >= exponentPrecision ? Exponential(digits, exponent) : Fixed(digits, pointAt);
        return negative ? "-" + text : text;
    }

    /// <summary><c>%.{precision}f</c>.</summary>
    public static string F(double value, int precision) =>
        Special(value) ?? value.ToString("F" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary><c>%.{precision}e</c>.</summary>
    public static string E(double value, int precision)
    {
        if (Special(value) is { } special)
            return special;
        var text = value.ToString("E" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var e = text.IndexOf('E', StringComparison.Ordinal);
        var exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return text[..e] + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
    }

    private static string? Special(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : null;

    /// <summary>The significant digits (no trailing zeros) and where the decimal point goes, rounded to <paramref name="precision"/> digits (-1: shortest).</summary>
    private static (bool Negative, string Digits, int PointAt) Decompose(double value, int precision)
    {
        var text = precision < 0
            ? Shortest(value)
            : value.ToString("E" + Math.Max(precision - 1, 0).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var negative = text[0] == '-';
        if (negative)
            text = text[1..];
        var e = text.IndexOf('E', StringComparison.Ordinal);
        var exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var digits = text[..e].Replace(".", "", StringComparison.Ordinal).TrimEnd('0');
        return (negative, digits.Length == 0 ? "0" : digits, exponent + 1);
    }

    /// <summary>The shortest round-trip digits in E notation: d.dddE±x.</summary>
    private static string Shortest(double value)
    {
        var r = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = r[0] == '-';
        if (negative)
            r = r[1..];
        var e = r.IndexOfAny(['E', 'e']);
        var exponent = 0;
        if (e >= 0)
        {
            exponent = int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }
        var point = r.IndexOf('.', StringComparison.Ordinal);
        var integer = point < 0 ? r : r[..point];
        var fraction = point < 0 ? "" : r[(point + 1)..];
        var all = (integer + fraction).TrimStart('0');
        var leading = (integer + fraction).Length - all.Length;
        var pointAt = integer.Length - leading + exponent;
        all = all.TrimEnd('0');
        if (all.Length == 0)
            all = "0";
        return (negative ? "-" : "") + all[0] + (all.Length > 1 ? "." + all[1..] : "") + "E" + (pointAt - 1).ToString(CultureInfo.InvariantCulture);
    }

    private static string Exponential(string digits, int exponent) =>
        digits[0] + (digits.Length > 1 ? "." + digits[1..] : "") + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);

    private static string Fixed(string digits, int pointAt)
    {
        if (pointAt <= 0)
            return "0." + new string('0', -pointAt) + digits;
        if (pointAt >= digits.Length)
            return digits + new string('0', pointAt - digits.Length);
        return digits[..pointAt] + "." + digits[pointAt..];
    }

    /// <summary>Go's <c>fmt.Sprintf</c> for the verbs templates use: <c>%s %v %d %f %g %e %q %x %%</c>, with flags, width and precision.</summary>
    public static string Printf(string format, IReadOnlyList<object?> arguments)
    {
        var output = new StringBuilder();
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                output.Append(format[i]);
                continue;
            }
            if (++i >= format.Length)
            {
                output.Append("%!(NOVERB)");
                break;
            }
            var (minus, plus, zero) = (false, false, false);
            for (; i < format.Length && format[i] is '-' or '+' or '0' or ' ' or '#'; i++)
            {
                minus |= format[i] == '-';
                plus |= format[i] == '+';
                zero |= format[i] == '0';
            }
            var width = ReadNumber(format, ref i);
            int? precision = null;
            if (i < format.Length && format[i] == '.')
            {
                i++;
                precision = ReadNumber(format, ref i) ?? 0;
            }
            if (i >= format.Length)
            {
                output.Append("%!(NOVERB)");
                break;
            }
            var verb = format[i];
            if (verb == '%')
            {
                output.Append('%');
                continue;
            }
            if (next >= arguments.Count)
            {
                output.Append("%!").Append(verb).Append("(MISSING)");
                continue;
            }
            var text = Verb(verb, arguments[next++], precision);
            if (plus && text.Length > 0 && text[0] != '-' && verb is 'd' or 'f' or 'g' or 'e' or 'v' && arguments[next - 1] is double)
                text = "+" + text;
            if (width is { } w && text.Length < w)
            {
                text = minus ? text.PadRight(w)
                    : zero && verb is 'd' or 'f' or 'g' or 'e' && text.Length > 0 && text[0] is '-' or '+' ? text[0] + text[1..].PadLeft(w - 1, '0')
                    : zero && verb is 'd' or 'f' or 'g' or 'e' ? text.PadLeft(w, '0')
                    : text.PadLeft(w);
            }
            output.Append(text);
        }
        if (next < arguments.Count)
            output.Append("%!(EXTRA ").AppendJoin(", ", arguments.Skip(next).Select(a => $"{TypeName(a)}={TemplateExecution.Print(a)}")).Append(')');
        return output.ToString();
    }

    private static int? ReadNumber(string format, ref int i)
    {
        var start = i;
        while (i < format.Length && char.IsAsciiDigit(format[i]))
            i++;
        return i > start ? int.Parse(format.AsSpan(start, i - start), CultureInfo.InvariantCulture) : null;
    }

    private static string Verb(char verb, object? argument, int? precision) => (verb, argument) switch
    {
        ('v', _) => TemplateExecution.Print(argument),
        ('s', string s) => precision is { } p && p < s.Length ? s[..p] : s,
        ('s', bool or Labels) => TemplateExecution.Print(argument),
        ('q', string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
        ('d', double d) when d == Math.Floor(d) && Math.Abs(d) < 9.2e18 => ((long)d).ToString(CultureInfo.InvariantCulture),
        ('x', double d) when d == Math.Floor(d) && Math.Abs(d) < 9.2e18 => ((long)d).ToString("x", CultureInfo.InvariantCulture),
        ('f' or 'F', double d) => F(d, precision ?? 6),
        ('g' or 'G', double d) => G(d, precision ?? -1),
        ('e' or 'E', double d) => E(d, precision ?? 6),
        _ => $"%!{verb}({TypeName(argument)}={TemplateExecution.Print(argument)})",
    };

    private static string TypeName(object? value) => value switch
    {
        null => "<nil>",
        string => "string",
        double => "float64",
        bool => "bool",
        Labels => "map[string]string",
        _ => value.GetType().Name,
    };
}
