using System.Globalization;
using Headroom.Prometheus.Exposition;

namespace Headroom.Prometheus.ServerApi;

/// <summary>
/// Numbers as Prometheus' HTTP API writes them: sample values as strings, timestamps as seconds. Both come from
/// <see cref="NumberText"/>, which the text exposition uses too; the API spells exponents as Go does.
/// </summary>
public static class PromValueFormat
{
    /// <summary>
    /// A sample value as Prometheus writes it: the shortest text that reads back to the same double, in exponent form
    /// only below 1e-6 or from 1e21 up (<c>1e-07</c>, <c>1.5e+22</c>; <c>1e20</c> is written
    /// <c>100000000000000000000</c>), and <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.
    /// </summary>
    public static string Value(double value)
    {
        var shortest = NumberText.Value(value);
        var e = shortest.IndexOf('E', StringComparison.Ordinal);
        if (e < 0)
        {
            return shortest;
        }
        // .NET's round-trip form already has Go's shape (mantissa, sign, at least two exponent digits): 1E-07.
        var magnitude = Math.Abs(value);
        return magnitude < 1e-6 || magnitude >= 1e21 ? shortest.Replace('E', 'e') : ExpandExponent(shortest, e);
    }

    /// <summary>
    /// A scalar's value as Prometheus writes it (through Go's <c>FormatFloat(v, 'f', -1)</c>, not the vector
    /// writer): the shortest text that reads back to the same double, never in exponent form (<c>1e21</c> is
    /// <c>1000000000000000000000</c>, <c>1e-7</c> is <c>0.0000001</c>).
    /// </summary>
    public static string ScalarValue(double value)
    {
        var shortest = NumberText.Value(value);
        var e = shortest.IndexOf('E', StringComparison.Ordinal);
        return e < 0 ? shortest : ExpandExponent(shortest, e);
    }

    /// <summary>A sample's time in a vector or matrix as Prometheus writes it: three decimals unless whole (<c>1793491207.500</c>).</summary>
    public static string Timestamp(long milliseconds)
    {
        Span<byte> utf8 = stackalloc byte[NumberText.MaxLength];
        return System.Text.Encoding.ASCII.GetString(utf8[..NumberText.FormatSeconds(milliseconds, utf8, threeDigits: true)]);
    }

    private static string ExpandExponent(string text, int e)
    {
        var negative = text[0] == '-';
        var mantissa = text[(negative ? 1 : 0)..e];
        var exponent = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        var integerDigits = (point < 0 ? mantissa.Length : point) + exponent;
        string result;
        if (integerDigits <= 0)
            result = "0." + new string('0', -integerDigits) + digits;
        else if (integerDigits >= digits.Length)
            result = digits + new string('0', integerDigits - digits.Length);
        else
            result = digits[..integerDigits] + "." + digits[integerDigits..];
        return negative ? "-" + result : result;
    }
}
