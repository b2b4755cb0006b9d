using System.Globalization;

namespace Headroom.PromQL.Testing;

/// <summary>Reads the value lists of test scripts: <c>1 2 _ stale 0+10x5 1-1x3 _x2 {{...}}</c>.</summary>
internal static class SeriesValues
{
    /// <summary>One expanded value: missing (<c>_</c>), a number (maybe the staleness marker), or a native histogram.</summary>
    public readonly record struct Value(bool Missing, double F, bool Histogram);

    /// <summary>Splits a line into a series description and its values.</summary>
    public static (string Selector, string Values) SplitSeries(string line)
    {
        line = line.Trim();
        var i = 0;
        var inQuote = '\0';
        var depth = 0;
        for (; i < line.Length; i++)
        {
            var c = line[i];
            if (inQuote != '\0')
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == inQuote)
                {
                    inQuote = '\0';
                }
                continue;
            }
            if (c is '"' or '\'' or '`')
            {
                inQuote = c;
            }
            else if (c == '{')
            {
                depth++;
            }
            else if (c == '}')
            {
                depth--;
                if (depth == 0)
                {
                    i++;
                    break;
                }
            }
            else if (char.IsWhiteSpace(c) && depth == 0)
            {
                break;
            }
        }
        return (line[..i].Trim(), line[i..].Trim());
    }

    public static List<Value> Parse(string text)
    {
        var values = new List<Value>();
        foreach (var token in Tokens(text))
        {
            Expand(token, values);
        }
        return values;
    }

    private static IEnumerable<string> Tokens(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }
            var start = i;
            if (text.AsSpan(i).StartsWith("{{", StringComparison.Ordinal))
            {
                var end = text.IndexOf("}}", i, StringComparison.Ordinal);
                i = end < 0 ? text.Length : end + 2;
                // A histogram can repeat like a float: {{...}}x3 or {{...}}+{{...}}x3.
                while (i < text.Length && !char.IsWhiteSpace(text[i]))
                {
                    if (text.AsSpan(i).StartsWith("{{", StringComparison.Ordinal))
                    {
                        end = text.IndexOf("}}", i, StringComparison.Ordinal);
                        i = end < 0 ? text.Length : end + 2;
                    }
                    else
                    {
                        i++;
                    }
                }
                yield return text[start..i];
                continue;
            }
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            yield return text[start..i];
        }
    }

    private static void Expand(string token, List<Value> values)
    {
        if (token.StartsWith("{{", StringComparison.Ordinal))
        {
            var times = 1;
            var x = token.LastIndexOf("}}x", StringComparison.Ordinal);
            if (x >= 0 && int.TryParse(token[(x + 3)..], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                times = n + 1;
            }
            for (var i = 0; i < times; i++)
            {
                values.Add(new Value(false, double.NaN, true));
            }
            return;
        }
        if (token == "_")
        {
            values.Add(new Value(true, 0, false));
            return;
        }
        if (token.StartsWith("_x", StringComparison.Ordinal))
        {
            var n = int.Parse(token[2..], NumberStyles.None, CultureInfo.InvariantCulture);
            for (var i = 0; i < n; i++)
            {
                values.Add(new Value(true, 0, false));
            }
            return;
        }
        if (token == "stale")
        {
            values.Add(new Value(false, StaleMarker.Value, false));
            return;
        }
        if (TryNumber(token, out var single))
        {
            values.Add(new Value(false, single, false));
            return;
        }
        var xAt = token.LastIndexOf('x');
        if (xAt > 0 && int.TryParse(token[(xAt + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var times2))
        {
            var body = token[..xAt];
            var split = -1;
            for (var i = body.Length - 1; i > 0; i--)
            {
                if (body[i] is '+' or '-' && body[i - 1] is not ('e' or 'E'))
                {
                    split = i;
                    break;
                }
            }
            double start, increment = 0;
            if (split < 0)
            {
                start = Number(body, token);
            }
            else
            {
                start = Number(body[..split], token);
                increment = Number(body[(split + 1)..], token);
                if (body[split] == '-')
                {
                    increment = -increment;
                }
            }
            var v = start;
            values.Add(new Value(false, v, false));
            for (var i = 0; i < times2; i++)
            {
                v += increment;
                values.Add(new Value(false, v, false));
            }
            return;
        }
        throw new FormatException($"invalid value \"{token}\"");
    }

    private static double Number(string text, string token) =>
        TryNumber(text, out var v) ? v : throw new FormatException($"invalid value \"{token}\"");

    public static bool TryNumber(string text, out double value)
    {
        var body = text.TrimStart('+', '-');
        var negative = text.StartsWith('-');
        if (body.Equals("inf", StringComparison.OrdinalIgnoreCase))
        {
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
            return text.Length - body.Length <= 1;
        }
        if (body.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return text.Length - body.Length <= 1;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
