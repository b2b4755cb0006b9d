using BenchmarkDotNet.Attributes;
using Headroom.Fleet;

namespace Headroom.Benchmarks;

/// <summary>
/// The fleet's hot paths: history generation (hundreds of millions of samples for a large fleet) and one
/// host's exposition (served on every scrape). Samples per second = samples / mean time.
/// </summary>
[MemoryDiagnoser]
public class FleetBenchmarks
{
    private static readonly DateTimeOffset End = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private SimulatedFleet _fleet = null!;
    private HistoryOptions _day = null!;

    [GlobalSetup]
    public void Setup()
    {
        _fleet = SimulatedFleet.Create(20, 1);
        _day = new HistoryOptions(End.AddDays(-1), End, TimeSpan.FromMinutes(1));
    }

    /// <summary>20 hosts × 1 day at 60 s: about 830,000 samples.</summary>
    [Benchmark]
    public long History20HostsOneDay() => FleetHistory.Write(_fleet, _day, Stream.Null).Samples;

    /// <summary>One scrape of one host (2–8 CPUs).</summary>
    [Benchmark]
    public int ExpositionOneHost() => Exposition.ToBytes(_fleet.Hosts[3], End).Length;
}
