namespace Headroom.Fleet;

/// <summary>How a simulated host uses its CPUs. The names are the ground truth the reports are tested against.</summary>
public enum CpuProfile
{
    /// <summary>Under 1% CPU at all times, almost no network: a candidate to terminate.</summary>
    Idle,

    /// <summary>About 5–8% CPU on every day and little network (well under 5 MB a day): a candidate to shrink or stop.</summary>
    Underused,

    /// <summary>A flat 25–45% with small variation.</summary>
    Steady,

    /// <summary>A daily wave from under 10% at night to 50–70% at the peak.</summary>
    Diurnal,

    /// <summary>A low base with a dozen bursts to 50–80% a day.</summary>
    Bursty,

    /// <summary>80% or more, all day: a candidate to grow.</summary>
    Saturated,
}

/// <summary>How a simulated host uses its memory.</summary>
public enum MemoryProfile
{
    /// <summary>10–20% of memory in use.</summary>
    Low,

    /// <summary>35–55% in use.</summary>
    Moderate,

    /// <summary>80–90% in use.</summary>
    High,

    /// <summary>A leak: use grows from about 30% to 85% over a few days, then drops at a restart.</summary>
    Growing,
}

/// <summary>An EC2-like instance type: the capacity a simulated host reports.</summary>
public sealed record InstanceType(string Name, int VCpus, double MemoryGiB)
{
    /// <summary>The types the fleet draws from, with the weight of each.</summary>
    public static IReadOnlyList<(InstanceType Type, int Weight)> Catalog { get; } =
    [
        (new("t3.small", 2, 2), 2),
        (new("t3.medium", 2, 4), 3),
        (new("t3.large", 2, 8), 2),
        (new("m5.large", 2, 8), 4),
        (new("m5.xlarge", 4, 16), 3),
        (new("m5.2xlarge", 8, 32), 1),
        (new("c5.large", 2, 4), 2),
        (new("c5.xlarge", 4, 8), 2),
        (new("c5.2xlarge", 8, 16), 1),
        (new("r5.large", 2, 16), 2),
        (new("r5.xlarge", 4, 32), 1),
    ];
}
