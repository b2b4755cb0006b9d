using System.Globalization;

namespace Headroom.Fleet;

/// <summary>Byte counts as people read them (decimal units), for the sizes of histories and the fleet's traffic.</summary>
public static class ByteSize
{
    /// <summary><paramref name="bytes"/> as <c>12.3 MB</c>, <c>4.0 kB</c> or <c>512 B</c>.</summary>
    public static string Format(double bytes) => bytes switch
    {
        >= 1e9 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:F1} GB"),
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:F1} MB"),
        >= 1e3 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e3:F1} kB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes:F0} B"),
    };
}
