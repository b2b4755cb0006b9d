using Headroom.Fleet.Simulation;

namespace Headroom.Fleet.Tests;

public class SignalTests
{
    public static TheoryData<string> Signals => ["constant", "diurnal", "bursts", "noise", "sawtooth", "sum", "shifted"];

    private static Signal Make(string name) => name switch
    {
        "constant" => new ConstantSignal(0.3),
        "diurnal" => new DiurnalSignal(0.5, 15 * 3600),
        "bursts" => new BurstSignal([new Burst(3600, 1800, 0.6), new Burst(40_000, 2400, 0.7), new Burst(85_000, 1400, 0.5)]),
        "noise" => new NoiseSignal(12345, 60, 0.02),
        "sawtooth" => new SawtoothSignal(0.3, 0.85, 3 * 86_400, 7_000),
        "sum" => new ConstantSignal(0.1) + new DiurnalSignal(0.4, 3600) + new NoiseSignal(99, 3600, 0.01),
        "shifted" => new ShiftedSignal(new NoiseSignal(7, 60, 0.05) + new DiurnalSignal(0.3, 0), 617),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Signals))]
    public void Closed_form_integral_matches_a_numerical_integral(string name)
    {
        var signal = Make(name);
        // Two days from an arbitrary point, integrated at 1 s resolution with the midpoint rule.
        var from = 40_000_000.0;
        var to = from + (2 * 86_400);
        double numeric = 0;
        for (var t = from; t < to; t += 1)
            numeric += signal.ValueAt(t + 0.5);
        var closed = signal.IntegralTo(to) - signal.IntegralTo(from);
        Assert.Equal(numeric, closed, numeric * 1e-6 + 1e-3);
    }

    [Fact]
    public void Noise_stays_within_its_band_and_averages_its_amplitude()
    {
        var noise = new NoiseSignal(42, 60, 0.02);
        var values = Enumerable.Range(0, 100_000).Select(i => noise.ValueAt(i * 60.0)).ToList();
        Assert.All(values, v => Assert.InRange(v, 0.0, 0.04));
        Assert.Equal(0.02, values.Average(), 0.001);
        Assert.True(values.Distinct().Count() > 99_000, "every block should draw its own value");
    }

    [Fact]
    public void Same_stream_and_index_give_the_same_number_and_different_ones_differ()
    {
        Assert.Equal(DeterministicRandom.Unit(1, 2), DeterministicRandom.Unit(1, 2));
        Assert.NotEqual(DeterministicRandom.Unit(1, 2), DeterministicRandom.Unit(1, 3));
        Assert.NotEqual(DeterministicRandom.Unit(1, 2), DeterministicRandom.Unit(2, 2));
    }
}
