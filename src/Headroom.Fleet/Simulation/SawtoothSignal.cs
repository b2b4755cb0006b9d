namespace Headroom.Fleet.Simulation;

/// <summary>Rises linearly from <paramref name="low"/> to <paramref name="high"/> over each period, then drops back: a memory leak and its restarts.</summary>
internal sealed class SawtoothSignal(double low, double high, double periodSeconds, double phaseSeconds) : Signal
{
    public override double ValueAt(double t)
    {
        var x = t + phaseSeconds;
        var fraction = (x / periodSeconds) - Math.Floor(x / periodSeconds);
        return low + ((high - low) * fraction);
    }

    public override double IntegralTo(double t) => Antiderivative(t + phaseSeconds) - Antiderivative(phaseSeconds);

    private double Antiderivative(double x)
    {
        var periods = Math.Floor(x / periodSeconds);
        var rest = x - (periods * periodSeconds);
        var perPeriod = (low + high) / 2 * periodSeconds;
        return (periods * perPeriod) + (low * rest) + ((high - low) * rest * rest / (2 * periodSeconds));
    }
}
