using System.Globalization;
using System.Text;

namespace Headroom.PromQL.Syntax;

/// <summary>
/// Prometheus durations such as <c>1h30m</c>, <c>1y</c>, <c>2w</c>, <c>500ms</c>: the one parser and formatter for
/// them, used by PromQL and by every flag and configuration setting that takes a duration.
/// </summary>
public static class Durations
{
    private const long MsPerSecond = 1000, MsPerMinute = 60 * MsPerSecond, MsPerHour = 60 * MsPerMinute,
        MsPerDay = 24 * MsPerHour, MsPerWeek = 7 * MsPerDay, MsPerYear = 365 * MsPerDay;

    private static readonly long MaxMs = TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMillisecond;

    /// <summary>
    /// Parses units y, w, d, h, m, s, ms, each at most once and in that order, or a bare <c>0</c>. Returns false with
    /// <paramref name="error"/> in Prometheus' words (PromQL's parse errors quote it) for anything else or an
    /// out-of-range value.
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

    /// <summary>
    /// Parses a duration a person wrote in a flag or a configuration file: the syntax of <see cref="TryParse"/>, with an
    /// <paramref name="error"/> that says what to write instead, e.g. <c>'5x' is not a duration: use a number and a
    /// unit (ms, s, m, h, d, w, y), largest first, e.g. 60s, 1h30m or 14d</c>.
    /// </summary>
    public static bool TryParseSetting(string? text, out TimeSpan duration, out string error)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            duration = default;
            error = "a duration is required, e.g. 60s, 5m, 1h or 14d";
            return false;
        }
        if (TryParse(text, out duration, out _))
        {
            error = string.Empty;
            return true;
        }
        error = $"'{text}' is not a duration: use a number and a unit (ms, s, m, h, d, w, y), largest first, e.g. 60s, 1h30m or 14d";
        return false;
    }

    /// <summary>Parses a duration setting (<see cref="TryParseSetting"/>) or throws <see cref="FormatException"/> saying what to write.</summary>
    public static TimeSpan Parse(string text) =>
        TryParseSetting(text, out var duration, out var error) ? duration : throw new FormatException(error);

    /// <summary>
    /// Formats as Prometheus does (<c>model.Duration.String</c>): the largest units first, years and weeks only when
    /// they divide the duration exactly (<c>90d</c> reads better than <c>12w6d</c>), <c>0s</c> for zero, a leading
    /// <c>-</c> for a negative duration. Below a millisecond is dropped.
    /// </summary>
    public static string Format(TimeSpan duration)
    {
        var ms = duration.Ticks / TimeSpan.TicksPerMillisecond;
        if (ms == 0)
        {
            return "0s";
        }
        var builder = new StringBuilder();
        if (ms < 0)
        {
            builder.Append('-');
            ms = -ms;
        }
        foreach (var (unit, size, exact) in (ReadOnlySpan<(string, long, bool)>)[("y", MsPerYear, true), ("w", MsPerWeek, true),
            ("d", MsPerDay, false), ("h", MsPerHour, false), ("m", MsPerMinute, false), ("s", MsPerSecond, false), ("ms", 1, false)])
        {
            if (ms >= size && (!exact || ms % size == 0))
            {
                builder.Append(CultureInfo.InvariantCulture, $"{ms / size}{unit}");
                ms %= size;
            }
        }
        return builder.ToString();
    }
}
