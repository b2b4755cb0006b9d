namespace Headroom.Insights;

/// <summary>The CPU statistic rightsizing sizes for: a quantile of the hourly 5-minute maxima, or their maximum.</summary>
public enum CpuStatistic
{
    /// <summary>p99.5 (AWS Compute Optimizer's default).</summary>
    P995,

    /// <summary>p99.</summary>
    P99,

    /// <summary>p95.</summary>
    P95,

    /// <summary>The maximum.</summary>
    Max,
}

/// <summary>Thresholds and choices of the insights reports. Defaults follow AWS Trusted Advisor and Compute Optimizer.</summary>
public sealed record InsightsOptions
{
    /// <summary>The profile whose resources to report on. Default <c>node</c>.</summary>
    public string Profile { get; init; } = "node";

    /// <summary>Days in the window, ending with the latest day in the warehouse. Default 14.</summary>
    public int Days { get; init; } = 14;

    /// <summary>Low-utilization rule: a day counts when its average CPU is at most this (ratio). Default 0.10.</summary>
    public double LowCpu { get; init; } = 0.10;

    /// <summary>… and its network I/O (in + out) is at most this many bytes. Default 5,000,000 (5 MB).</summary>
    public double LowNetworkBytes { get; init; } = 5_000_000;

    /// <summary>Low-utilization rule: flagged on at least this many low days in the window. Default 4.</summary>
    public int LowDays { get; init; } = 4;

    /// <summary>Idle rule: the window's maximum CPU is at most this (ratio). Default 0.01.</summary>
    public double IdleCpu { get; init; } = 0.01;

    /// <summary>Rightsizing: the CPU statistic. Default p99.5 of the 5-minute maxima.</summary>
    public CpuStatistic CpuStatistic { get; init; } = CpuStatistic.P995;

    /// <summary>Rightsizing: headroom added to the measured need (0.2 = 20%). Default 0.2.</summary>
    public double Margin { get; init; } = 0.2;

    /// <summary>Rightsizing and the idle rule need at least this many hours of CPU data. Default 30 (as Compute Optimizer).</summary>
    public int MinHours { get; init; } = 30;

    /// <summary>Rightsizing may recommend a type of another family (default: the same family, which keeps the CPU/memory ratio).</summary>
    public bool AnyFamily { get; init; }

    /// <summary>Dimension names in the warehouse.</summary>
    public string CpuDimension { get; init; } = "cpu";

    /// <inheritdoc cref="CpuDimension"/>
    public string MemoryDimension { get; init; } = "memory";

    /// <inheritdoc cref="CpuDimension"/>
    public string NetworkInDimension { get; init; } = "network_in";

    /// <inheritdoc cref="CpuDimension"/>
    public string NetworkOutDimension { get; init; } = "network_out";

    /// <summary>The quantile of <see cref="CpuStatistic"/>.</summary>
    public double CpuQuantile => CpuStatistic switch
    {
        CpuStatistic.P995 => 0.995,
        CpuStatistic.P99 => 0.99,
        CpuStatistic.P95 => 0.95,
        _ => 1.0,
    };

    /// <summary>How the statistic is written in reports.</summary>
    public string CpuStatisticName => CpuStatistic switch
    {
        CpuStatistic.P995 => "p99.5",
        CpuStatistic.P99 => "p99",
        CpuStatistic.P95 => "p95",
        _ => "max",
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad setting.</summary>
    public void Validate()
    {
        static void Check(bool ok, string message)
        {
            if (!ok)
                throw new ArgumentException(message);
        }
        Check(!string.IsNullOrWhiteSpace(Profile), "the profile must not be empty");
        Check(Days is >= 1 and <= 366, $"days must be between 1 and 366, got {Days}");
        Check(LowCpu is >= 0 and <= 1, $"the low-utilization CPU threshold must be between 0 and 100%, got {LowCpu:P1}");
        Check(LowNetworkBytes >= 0 && double.IsFinite(LowNetworkBytes), "the low-utilization network threshold must be a number of bytes at or above 0");
        Check(LowDays >= 1 && LowDays <= Days, $"low days must be between 1 and the window's {Days} days, got {LowDays}");
        Check(IdleCpu is >= 0 and <= 1, $"the idle CPU threshold must be between 0 and 100%, got {IdleCpu:P1}");
        Check(Margin is >= 0 and <= 10, $"the margin must be between 0 and 1000%, got {Margin:P0}");
        Check(MinHours >= 1, $"the minimum of hours must be at least 1, got {MinHours}");
    }
}
