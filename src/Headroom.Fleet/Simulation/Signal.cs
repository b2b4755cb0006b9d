namespace Headroom.Fleet.Simulation;

/// <summary>
/// A non-negative rate over time with a closed-form integral. Counters are integrals of signals, so a
/// counter's value at any instant costs O(1) regardless of how long the host has been up: the live
/// targets and the history generator call the same function and therefore agree sample for sample.
/// Time is seconds since <see cref="FleetClock.Epoch"/>.
/// </summary>
internal abstract class Signal
{
    /// <summary>The instantaneous value (a rate for counters, a level for gauges).</summary>
    public abstract double ValueAt(double t);

    /// <summary>The integral of <see cref="ValueAt"/> from 0 to <paramref name="t"/>.</summary>
    public abstract double IntegralTo(double t);

    public static Signal operator +(Signal a, Signal b) => new SumSignal(a, b);

    public static Signal operator *(double factor, Signal s) => new ScaledSignal(s, factor);
}

internal sealed class ConstantSignal(double value) : Signal
{
    public override double ValueAt(double t) => value;

    public override double IntegralTo(double t) => value * t;
}

internal sealed class SumSignal(Signal a, Signal b) : Signal
{
    public override double ValueAt(double t) => a.ValueAt(t) + b.ValueAt(t);

    public override double IntegralTo(double t) => a.IntegralTo(t) + b.IntegralTo(t);
}

internal sealed class ScaledSignal(Signal inner, double factor) : Signal
{
    public override double ValueAt(double t) => factor * inner.ValueAt(t);

    public override double IntegralTo(double t) => factor * inner.IntegralTo(t);
}

/// <summary>The same signal shifted in time, so that the CPUs of one host do not move in lockstep.</summary>
internal sealed class ShiftedSignal(Signal inner, double shiftSeconds) : Signal
{
    public override double ValueAt(double t) => inner.ValueAt(t + shiftSeconds);

    public override double IntegralTo(double t) => inner.IntegralTo(t + shiftSeconds) - inner.IntegralTo(shiftSeconds);
}
