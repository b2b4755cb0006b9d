namespace Headroom.Fleet.Simulation;

/// <summary>
/// A daily wave between 0 and <paramref name="amplitude"/>, peaking at <paramref name="peakSecondOfDay"/>:
/// amplitude × (1 − cos(2π(t − peak + D/2)/D)) / 2.
/// </summary>
internal sealed class DiurnalSignal(double amplitude, double peakSecondOfDay) : Signal
{
    private const double Day = FleetClock.SecondsPerDay;
    private const double Omega = 2 * Math.PI / Day;
    private readonly double _phase = peakSecondOfDay - (Day / 2);

    public override double ValueAt(double t) => amplitude * (1 - Math.Cos(Omega * (t - _phase))) / 2;

    public override double IntegralTo(double t) =>
        amplitude / 2 * (t - ((Math.Sin(Omega * (t - _phase)) - Math.Sin(-Omega * _phase)) / Omega));
}

/// <summary>
/// Rectangular bursts that repeat every day. Bursts never overlap (each lives in its own slot of the day),
/// so the sum stays below the largest burst height.
/// </summary>
internal sealed class BurstSignal : Signal
{
    private const double Day = FleetClock.SecondsPerDay;
    private readonly Burst[] _bursts;
    private readonly double _perDay;

    public BurstSignal(IEnumerable<Burst> bursts)
    {
        _bursts = [.. bursts];
        _perDay = _bursts.Sum(static b => b.Height * b.Duration);
    }

    public override double ValueAt(double t)
    {
        var x = PositiveModulo(t, Day);
        foreach (var b in _bursts)
        {
            if (x >= b.Start && x < b.Start + b.Duration)
                return b.Height;
        }
        return 0;
    }

    public override double IntegralTo(double t)
    {
        var days = Math.Floor(t / Day);
        var x = t - (days * Day);
        var sum = days * _perDay;
        foreach (var b in _bursts)
        {
            var overlap = Math.Min(x, b.Start + b.Duration) - b.Start;
            if (overlap > 0)
                sum += b.Height * overlap;
        }
        return sum;
    }

    private static double PositiveModulo(double t, double m) => t - (Math.Floor(t / m) * m);
}

/// <summary>One burst: starts at <see cref="Start"/> seconds into the day and lasts <see cref="Duration"/> seconds.</summary>
internal readonly record struct Burst(double Start, double Duration, double Height);
