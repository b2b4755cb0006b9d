namespace Headroom.Fleet;

/// <summary>The fleet's time origin. Signals take seconds since <see cref="Epoch"/>, which keeps doubles precise.</summary>
public static class FleetClock
{
    /// <summary>2025-01-01T00:00:00Z. Every simulated host booted after it.</summary>
    public static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Seconds in a day.</summary>
    public const double SecondsPerDay = 86_400;

    internal static double ToFleetSeconds(long unixMilliseconds) => (unixMilliseconds - Epoch.ToUnixTimeMilliseconds()) / 1000.0;
}
