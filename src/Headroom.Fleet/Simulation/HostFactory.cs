namespace Headroom.Fleet.Simulation;

/// <summary>Draws a host's identity and signals from (seed, index). No state is shared between hosts.</summary>
internal static class HostFactory
{
    private static readonly string[] Regions = ["us-east-1", "us-west-2", "eu-west-1"];
    private static readonly string[] Roles = ["web", "api", "worker", "db", "cache", "batch", "search", "queue", "etl", "auth"];

    // Where the daily peak falls (seconds into the UTC day) for each region: mid-afternoon local time.
    private static readonly Dictionary<string, double> RegionPeak = new()
    {
        ["us-east-1"] = 19 * 3600,
        ["us-west-2"] = 22 * 3600,
        ["eu-west-1"] = 14 * 3600,
    };

    /// <summary>Fewest and most container interfaces a container host has.</summary>
    private const double MinInterfaces = 8, MaxInterfaces = 512;

    public static SimulatedHost Create(long seed, int index, int idWidth, CpuProfile cpuProfile, IReadOnlyList<string> accounts, double skew = 0)
    {
        var stream = DeterministicRandom.Stream((ulong)seed, (ulong)index, 0x486f7374);
        var draw = new Draw(stream);
        var region = draw.Pick(Regions);
        var type = PickType(draw);
        var memoryProfile = PickMemoryProfile(draw, cpuProfile);
        var boot = FleetClock.Epoch.AddSeconds(Math.Round(draw.Between(0, 300) * FleetClock.SecondsPerDay));
        var name = $"{draw.Pick(Roles)}-{draw.Below(90) + 10}";

        var bootSeconds = (boot - FleetClock.Epoch).TotalSeconds;
        var model = BuildModel(draw, stream, cpuProfile, memoryProfile, type, RegionPeak[region]);
        return new SimulatedHost
        {
            Id = $"host-{(index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(idWidth, '0')}",
            Name = name,
            Account = draw.Pick(accounts),
            Region = region,
            InstanceType = type,
            CpuProfile = cpuProfile,
            MemoryProfile = memoryProfile,
            BootTime = boot,
            Model = model,
            BootSeconds = bootSeconds,
            ContainerInterfaces = ContainerInterfaces(seed, index, skew),
        };
    }

    /// <summary>
    /// Drawn from a stream of its own, so that a skewed fleet's hosts equal the plain fleet's in everything else.
    /// Log-uniform: as many hosts with 8–16 interfaces as with 256–512.
    /// </summary>
    private static int ContainerInterfaces(long seed, int index, double skew)
    {
        if (skew <= 0)
            return 0;
        var draw = new Draw(DeterministicRandom.Stream((ulong)seed, (ulong)index, 0x736b6577));
        if (draw.Unit() >= skew)
            return 0;
        return (int)Math.Exp(draw.Between(Math.Log(MinInterfaces), Math.Log(MaxInterfaces)));
    }

    private static InstanceType PickType(Draw draw)
    {
        var total = InstanceType.Catalog.Sum(static c => c.Weight);
        var x = draw.Below(total);
        foreach (var (type, weight) in InstanceType.Catalog)
        {
            if (x < weight)
                return type;
            x -= weight;
        }
        return InstanceType.Catalog[^1].Type;
    }

    private static MemoryProfile PickMemoryProfile(Draw draw, CpuProfile cpu)
    {
        var x = draw.Unit();
        return cpu switch
        {
            CpuProfile.Idle or CpuProfile.Underused => x < 0.7 ? MemoryProfile.Low : MemoryProfile.Moderate,
            CpuProfile.Saturated => x < 0.5 ? MemoryProfile.High : MemoryProfile.Moderate,
            _ => x < 0.2 ? MemoryProfile.Low : x < 0.65 ? MemoryProfile.Moderate : x < 0.85 ? MemoryProfile.High : MemoryProfile.Growing,
        };
    }

    private static HostModel BuildModel(Draw draw, ulong stream, CpuProfile cpu, MemoryProfile memory, InstanceType type, double peak)
    {
        var (busy, meanBusy) = CpuSignal(draw, stream, cpu, peak + draw.Between(-3600, 3600));
        var cpus = new Signal[type.VCpus];
        for (var k = 0; k < cpus.Length; k++)
            cpus[k] = k == 0 ? busy : new ShiftedSignal(busy, k * draw.Between(300, 900));

        var shares = ModeShares(draw);
        var (memorySignal, meanMemory) = MemorySignal(draw, stream, memory);

        var quiet = cpu is CpuProfile.Idle or CpuProfile.Underused;
        // Quiet hosts stay far below the low-utilization rule's 5 MB of network a day: at most about 3.5 MB.
        var rx = quiet ? draw.Between(12, 20) : Math.Exp(draw.Between(Math.Log(50e3), Math.Log(2e6)));
        var tx = quiet ? draw.Between(8, 14) : rx * draw.Between(0.3, 1.2);
        var activity = (1 / meanBusy) * busy;
        Signal Traffic(double rate, ulong purpose) => quiet
            ? (0.8 * rate * new ConstantSignal(1)) + new NoiseSignal(stream ^ purpose, 3600, 0.1 * rate)
            : (0.3 * rate * new ConstantSignal(1)) + (0.6 * rate * activity) + new NoiseSignal(stream ^ purpose, 60, 0.05 * rate);

        var disk = quiet ? draw.Between(1e3, 5e3) : Math.Exp(draw.Between(Math.Log(20e3), Math.Log(5e6)));
        return new HostModel
        {
            Busy = busy,
            CpuBusy = cpus,
            ModeShares = shares,
            MemoryUsed = memorySignal,
            ReceiveBytes = Traffic(rx, 0x7278),
            TransmitBytes = Traffic(tx, 0x7478),
            DiskReadBytes = Traffic(disk, 0x6472),
            DiskWrittenBytes = Traffic(disk * draw.Between(0.5, 2), 0x6477),
            DiskIoTime = new ConstantSignal(0.02) + (0.5 * busy),
            ReadBlockBytes = draw.Pick([16384.0, 32768.0, 65536.0]),
            WriteBlockBytes = draw.Pick([4096.0, 16384.0, 32768.0]),
            MeanBusy = meanBusy,
            MeanMemoryUsed = meanMemory,
            MeanReceiveRate = quiet ? rx * 0.9 : rx * 0.95,
            MeanTransmitRate = quiet ? tx * 0.9 : tx * 0.95,
        };
    }

    /// <summary>The host's busy fraction. Each profile's parameters keep the sum below 1 (see the bounds in comments).</summary>
    private static (Signal Signal, double Mean) CpuSignal(Draw draw, ulong stream, CpuProfile profile, double peak)
    {
        double baseLevel, hourly, minutely;
        Signal shape;
        double shapeMean;
        switch (profile)
        {
            case CpuProfile.Idle: // max 0.004 + 2·0.0005 + 2·0.0005 = 0.006
                baseLevel = draw.Between(0.0015, 0.004); hourly = 0.0005; minutely = 0.0005;
                shape = new ConstantSignal(0); shapeMean = 0;
                break;
            case CpuProfile.Underused: // daily mean at most 0.055 + 0.01 + 0.004 + 0.005 < 0.08
                baseLevel = draw.Between(0.035, 0.055); hourly = 0.004; minutely = 0.005;
                var wave = draw.Between(0.01, 0.02);
                shape = new DiurnalSignal(wave, peak); shapeMean = wave / 2;
                break;
            case CpuProfile.Steady: // max 0.45 + 0.06 + 0.04 + 0.04
                baseLevel = draw.Between(0.25, 0.45); hourly = 0.02; minutely = 0.02;
                var ripple = draw.Between(0.02, 0.06);
                shape = new DiurnalSignal(ripple, peak); shapeMean = ripple / 2;
                break;
            case CpuProfile.Diurnal: // max 0.08 + 0.6 + 0.04 + 0.04
                baseLevel = draw.Between(0.04, 0.08); hourly = 0.02; minutely = 0.02;
                var amplitude = draw.Between(0.45, 0.6);
                shape = new DiurnalSignal(amplitude, peak); shapeMean = amplitude / 2;
                break;
            case CpuProfile.Bursty: // max 0.14 + 0.78 + 0.02 + 0.04 (bursts never overlap)
                baseLevel = draw.Between(0.10, 0.14); hourly = 0.01; minutely = 0.02;
                var count = 8 + draw.Below(7);
                var slot = FleetClock.SecondsPerDay / count;
                var bursts = new Burst[count];
                for (var i = 0; i < count; i++)
                {
                    var duration = draw.Between(15, 45) * 60;
                    bursts[i] = new Burst((i * slot) + draw.Between(0, slot - duration), duration, draw.Between(0.5, 0.78));
                }
                var burstSignal = new BurstSignal(bursts);
                shape = burstSignal; shapeMean = bursts.Sum(static b => b.Height * b.Duration) / FleetClock.SecondsPerDay;
                break;
            case CpuProfile.Saturated: // max 0.86 + 0.04 + 0.04 + 0.04 = 0.98
                baseLevel = draw.Between(0.80, 0.86); hourly = 0.02; minutely = 0.02;
                var top = draw.Between(0.02, 0.04);
                shape = new DiurnalSignal(top, peak); shapeMean = top / 2;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(profile), profile, null);
        }

        var signal = new ConstantSignal(baseLevel) + shape
            + new NoiseSignal(stream ^ 0x68, 3600, hourly)
            + new NoiseSignal(stream ^ 0x6d, 60, minutely);
        return (signal, baseLevel + shapeMean + hourly + minutely);
    }

    private static (Signal Signal, double Mean) MemorySignal(Draw draw, ulong stream, MemoryProfile profile)
    {
        const double noise = 0.01;
        var (signal, mean) = profile switch
        {
            MemoryProfile.Low => Flat(draw.Between(0.08, 0.18)),
            MemoryProfile.Moderate => Flat(draw.Between(0.35, 0.53)),
            MemoryProfile.High => Flat(draw.Between(0.78, 0.88)),
            MemoryProfile.Growing => (new SawtoothSignal(0.3, 0.85, draw.Between(2, 5) * FleetClock.SecondsPerDay, draw.Between(0, 5) * FleetClock.SecondsPerDay), 0.575),
            _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, null),
        };
        return (signal + new NoiseSignal(stream ^ 0x6d656d, 60, noise), mean + noise);

        static (Signal, double) Flat(double level) => (new ConstantSignal(level), level);
    }

    private static (string Mode, double Share)[] ModeShares(Draw draw)
    {
        (string Mode, double Weight)[] weights =
        [
            ("iowait", draw.Between(0.03, 0.10)),
            ("softirq", draw.Between(0.02, 0.05)),
            ("steal", draw.Between(0.0, 0.03)),
            ("system", draw.Between(0.15, 0.25)),
            ("user", draw.Between(0.55, 0.70)),
        ];
        var total = weights.Sum(static w => w.Weight);
        return [.. weights.Select(w => (w.Mode, w.Weight / total))];
    }
}
