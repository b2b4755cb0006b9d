using System.Globalization;

namespace Headroom.Sharding;

/// <summary>Sizes as people write them: <c>8GiB</c>, <c>512MiB</c>, <c>2GB</c>, <c>1048576</c>.</summary>
public static class ByteSize
{
    private static readonly (string Suffix, double Factor)[] Units =
    [
        ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30), ("TiB", 1L << 40),
        ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("B", 1),
    ];

    /// <summary>Parses a size; false, with the reason, when it is not one.</summary>
    public static bool TryParse(string text, out double bytes, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var factor = 1.0;
        foreach (var (suffix, f) in Units)
        {
            if (trimmed.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                trimmed = trimmed[..^suffix.Length].TrimEnd();
                factor = f;
                break;
            }
        }
        if (!double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number) || number <= 0)
        {
            bytes = 0;
            error = $"'{text}' is not a positive size; write e.g. 8GiB, 512MiB or 2GB";
            return false;
        }
        bytes = number * factor;
        error = null;
        return true;
    }

    /// <summary>A size for people, in binary units: <c>7.5 GiB</c>.</summary>
    public static string Format(double bytes)
    {
        string[] names = ["B", "KiB", "MiB", "GiB", "TiB"];
        var i = 0;
        while (Math.Abs(bytes) >= 1024 && i < names.Length - 1)
        {
            bytes /= 1024;
            i++;
        }
        return string.Create(CultureInfo.InvariantCulture, $"{bytes:0.#} {names[i]}");
    }
}
