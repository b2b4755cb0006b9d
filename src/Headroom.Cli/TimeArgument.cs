using System.CommandLine.Parsing;
using System.Globalization;
using Headroom.Prometheus.Client;
using Headroom.PromQL.Syntax;

namespace Headroom.Cli;

/// <summary>Times on the command line: RFC 3339 (<c>2026-11-01T00:00:00Z</c>), a Unix timestamp, or relative to now (<c>-7d</c>, <c>now</c>).</summary>
internal static class TimeArgument
{
    public static DateTimeOffset? Parse(ArgumentResult result, string name, TimeProvider? time = null)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (TryParse(text, (time ?? TimeProvider.System).GetUtcNow(), out var value))
            return value;
        result.AddError($"{name}: '{text}' is not a time; use RFC 3339 (2026-11-01T00:00:00Z), a Unix timestamp, 'now', or a duration before now such as -7d");
        return null;
    }

    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset value)
    {
        value = default;
        if (text == "now")
        {
            value = now;
            return true;
        }
        if (text.StartsWith('-') && Durations.TryParseSetting(text[1..], out var ago, out _))
        {
            value = now - ago;
            return true;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var unix))
        {
            value = DateTimeOffset.FromUnixTimeMilliseconds((long)(unix * 1000));
            return true;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }
}
