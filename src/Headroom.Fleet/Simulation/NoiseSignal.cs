namespace Headroom.Fleet.Simulation;

/// <summary>
/// Piecewise-constant noise whose integral telescopes. In block n (of <paramref name="blockSeconds"/>) the
/// value is a + η(n+1) − η(n) with η uniform in [0, a): always within (0, 2a), mean a, and the sum over
/// the first n blocks is S·(n·a + η(n) − η(0)). That keeps counters O(1) to evaluate at any instant while
/// every block still looks random.
/// </summary>
internal sealed class NoiseSignal(ulong stream, double blockSeconds, double amplitude) : Signal
{
    public override double ValueAt(double t)
    {
        var n = (long)Math.Floor(t / blockSeconds);
        return amplitude + Eta(n + 1) - Eta(n);
    }

    public override double IntegralTo(double t)
    {
        var n = (long)Math.Floor(t / blockSeconds);
        var whole = blockSeconds * ((n * amplitude) + Eta(n) - Eta(0));
        var partial = (t - (n * blockSeconds)) * (amplitude + Eta(n + 1) - Eta(n));
        return whole + partial;
    }

    private double Eta(long block) => amplitude * DeterministicRandom.Unit(stream, (ulong)block);
}
