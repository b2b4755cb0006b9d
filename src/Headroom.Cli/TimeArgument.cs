using System.CommandLine.Parsing;
using System.Globalization;
using Headroom.Prometheus.Client;
using Headroom.PromQL.Syntax;

namespace Headroom.Cli;

/// <summary>
/// Times on the command line: RFC 3339 (<c>2026-11-01T00:00:00Z</c>), Unix seconds, or relative to now (<c>-7d</c>,
/// <c>now</c>), from 1970-01-01 to 9999-12-31.
/// </summary>
internal static class TimeArgument
{
    /// <summary>The latest Unix second a <see cref="DateTimeOffset"/> holds (9999-12-31T23:59:59Z).</summary>
    private static readonly double s_maxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    public static DateTimeOffset? Parse(ArgumentResult result, string name, TimeProvider? time = null)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (TryParse(text, (time ?? TimeProvider.System).GetUtcNow(), out var value))
            return value;
        result.AddError($"{name}: '{text}' is not a time from 1970-01-01 to 9999-12-31; use RFC 3339 (2026-11-01T00:00:00Z), Unix seconds (1793491200), 'now', or a duration before now such as -7d");
        return null;
    }

    /// <summary>
    /// Parses a time, refusing one before the Unix epoch or beyond <see cref="DateTimeOffset.MaxValue"/>: no metrics are
    /// older than 1970, and such values (<c>1e300</c>, <c>Infinity</c>, <c>NaN</c>, <c>-1000000d</c>) are mistakes that
    /// would otherwise overflow the date arithmetic or silently become 1970-01-01.
    /// </summary>
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
            if (ago > now - DateTimeOffset.UnixEpoch)
                return false;
            value = now - ago;
            return true;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var unix))
        {
            // Written so that NaN fails too: it compares false with everything.
            if (!(unix >= 0 && unix <= s_maxUnixSeconds))
                return false;
            value = DateTimeOffset.FromUnixTimeMilliseconds((long)(unix * 1000));
            return true;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value)
            && value >= DateTimeOffset.UnixEpoch;
    }
}
