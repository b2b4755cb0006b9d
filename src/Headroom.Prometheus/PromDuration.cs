using System.Globalization;
using System.Text;

namespace Headroom.Prometheus;

/// <summary>Durations as Prometheus writes them: <c>90s</c>, <c>5m</c>, <c>1h30m</c>, <c>14d</c>, <c>1w</c>, <c>1y</c>, <c>500ms</c>.</summary>
public static class PromDuration
{
    private static readonly (string Unit, long Ms)[] Units =
    [
        ("y", 365L * 24 * 3600 * 1000),
        ("w", 7L * 24 * 3600 * 1000),
        ("d", 24L * 3600 * 1000),
        ("h", 3600L * 1000),
        ("m", 60L * 1000),
        ("s", 1000L),
        ("ms", 1L),
    ];

    /// <summary>Parses a duration; returns false with a message saying what is wrong and what is expected.</summary>
    public static bool TryParse(string? text, out TimeSpan duration, out string error)
    {
        duration = TimeSpan.Zero;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "a duration is required, e.g. 60s, 5m, 1h or 14d";
            return false;
        }

        long total = 0;
        var i = 0;
        var lastUnit = -1;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
                i++;
            if (i == start)
                return Fail(text, out error);
            var number = long.Parse(text.AsSpan(start, i - start), CultureInfo.InvariantCulture);
            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetterLower(text[i]))
                i++;
            var unit = Array.FindIndex(Units, u => u.Unit == text[unitStart..i]);
            if (unit < 0 || unit <= lastUnit)
                return Fail(text, out error);
            lastUnit = unit;
            total = checked(total + (number * Units[unit].Ms));
        }
        duration = TimeSpan.FromMilliseconds(total);
        return true;
    }

    /// <summary>Parses a duration or throws <see cref="FormatException"/>.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var duration, out var error) ? duration : throw new FormatException(error);

    /// <summary>Formats as Prometheus does: the largest units first, <c>0s</c> for zero.</summary>
    public static string Format(TimeSpan duration)
    {
        var ms = (long)duration.TotalMilliseconds;
        if (ms == 0)
            return "0s";
        var sb = new StringBuilder();
        if (ms < 0)
        {
            sb.Append('-');
            ms = -ms;
        }
        foreach (var (unit, size) in Units)
        {
            if (ms >= size)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{ms / size}{unit}");
                ms %= size;
            }
        }
        return sb.ToString();
    }

    private static bool Fail(string text, out string error)
    {
        error = $"'{text}' is not a duration: use a number and a unit (ms, s, m, h, d, w, y), largest first, e.g. 60s, 1h30m or 14d";
        return false;
    }
}
