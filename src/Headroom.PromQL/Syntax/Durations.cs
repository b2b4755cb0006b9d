using System.Globalization;
using System.Text;

namespace Headroom.PromQL.Syntax;

/// <summary>Prometheus durations such as <c>1h30m</c>, <c>1y</c>, <c>2w</c>, <c>500ms</c>.</summary>
public static class Durations
{
    private const long MsPerSecond = 1000, MsPerMinute = 60 * MsPerSecond, MsPerHour = 60 * MsPerMinute,
        MsPerDay = 24 * MsPerHour, MsPerWeek = 7 * MsPerDay, MsPerYear = 365 * MsPerDay;

    private static readonly long MaxMs = TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMillisecond;

    /// <summary>
    /// Parses units y, w, d, h, m, s, ms, each at most once and in that order. Returns false with
    /// <paramref name="error"/> for anything else or an out-of-range value.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out TimeSpan duration, out string? error)
    {
        duration = default;
        error = null;
        if (text.IsEmpty)
        {
            error = "empty duration string";
            return false;
        }
        if (text is "0")
        {
            return true;
        }
        long total = 0;
        var lastUnit = -1;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }
            var unit = text[unitStart..i] switch
            {
                "y" => 0,
                "w" => 1,
                "d" => 2,
                "h" => 3,
                "m" => 4,
                "s" => 5,
                "ms" => 6,
                _ => -1,
            };
            if (unitStart == start || unit <= lastUnit
                || !long.TryParse(text[start..unitStart], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                error = $"not a valid duration string: \"{text}\"";
                return false;
            }
            lastUnit = unit;
            long multiplier = unit switch { 0 => MsPerYear, 1 => MsPerWeek, 2 => MsPerDay, 3 => MsPerHour, 4 => MsPerMinute, 5 => MsPerSecond, _ => 1 };
            if (n > (MaxMs - total) / multiplier)
            {
                error = $"not a valid duration string: \"{text}\"";
                return false;
            }
            total += n * multiplier;
        }
        duration = TimeSpan.FromMilliseconds(total);
        return true;
    }

    /// <summary>Converts seconds (a number literal in duration position) to a duration, rounding to milliseconds.</summary>
    public static bool TryFromSeconds(double seconds, out TimeSpan duration)
    {
        duration = default;
        var ms = Math.Round(seconds * 1000);
        if (double.IsNaN(ms) || Math.Abs(ms) > MaxMs)
        {
            return false;
        }
        duration = TimeSpan.FromMilliseconds((long)ms);
        return true;
    }

    /// <summary>Formats a non-negative duration with the largest units first, e.g. <c>1h30m</c>; zero is <c>0s</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        var ms = (long)Math.Abs(duration.TotalMilliseconds);
        if (ms == 0)
        {
            return "0s";
        }
        var builder = new StringBuilder();
        foreach (var (unit, size) in (ReadOnlySpan<(string, long)>)[("y", MsPerYear), ("w", MsPerWeek), ("d", MsPerDay),
            ("h", MsPerHour), ("m", MsPerMinute), ("s", MsPerSecond), ("ms", 1)])
        {
            if (ms >= size)
            {
                builder.Append(ms / size).Append(unit);
                ms %= size;
            }
        }
        return builder.ToString();
    }
}
