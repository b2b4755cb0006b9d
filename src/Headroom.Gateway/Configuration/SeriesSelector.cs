using Headroom.PromQL.Syntax;

namespace Headroom.Gateway.Configuration;

/// <summary>Reads series selectors (<c>up{job="api"}</c>, <c>{team="payments"}</c>) as the API's <c>match[]</c> does.</summary>
public static class SeriesSelector
{
    /// <summary>The matchers of <paramref name="text"/>, which must be a plain selector: no range, offset or <c>@</c>.</summary>
    /// <exception cref="ParseException">Not a valid selector; the message says why, like Prometheus'.</exception>
    public static IReadOnlyList<LabelMatcher> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var expr = Parser.Parse(text);
        if (expr is not VectorSelector { Offset.Ticks: 0, At: null } selector)
        {
            throw new ParseException(text, new PositionRange(0, text.Length),
                "not a series selector (no functions, operators, ranges, offset or @); write e.g. up{job=\"api\"}");
        }
        return [.. selector.Matchers];
    }
}
