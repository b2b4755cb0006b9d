using System.Globalization;
using Headroom.Prometheus.Exposition;

namespace Headroom.Prometheus.ServerApi;

/// <summary>
/// Numbers as Prometheus' HTTP API writes them: sample values as strings, timestamps as seconds. Both come from
/// <see cref="NumberText"/>, which the text exposition uses too; the API only spells exponents out.
/// </summary>
public static class PromValueFormat
{
    /// <summary>
    /// A sample value: the shortest text that reads back to the same double, never in exponent form
    /// (<c>1e+21</c> is written <c>1000000000000000000000</c>), and <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.
    /// </summary>
    public static string Value(double value)
    {
        var shortest = NumberText.Value(value);
        var e = shortest.IndexOf('E', StringComparison.Ordinal);
        return e < 0 ? shortest : ExpandExponent(shortest, e);
    }

    /// <summary>Milliseconds as seconds with up to three decimals and no trailing zeros, e.g. 1793491207500 → <c>1793491207.5</c>.</summary>
    public static string Timestamp(long milliseconds) => NumberText.Seconds(milliseconds);

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
