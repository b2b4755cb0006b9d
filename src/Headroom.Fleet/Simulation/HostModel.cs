namespace Headroom.Fleet.Simulation;

/// <summary>The signals behind one host's metrics, and their long-run means.</summary>
internal sealed class HostModel
{
    /// <summary>Busy fraction of one CPU, averaged over the host's CPUs (0..1).</summary>
    public required Signal Busy { get; init; }

    /// <summary>Per-CPU busy fraction: the host's signal shifted in time so CPUs do not move in lockstep.</summary>
    public required Signal[] CpuBusy { get; init; }

    /// <summary>Shares of busy time per non-idle mode, summing to 1.</summary>
    public required (string Mode, double Share)[] ModeShares { get; init; }

    /// <summary>Fraction of memory in use (0..1).</summary>
    public required Signal MemoryUsed { get; init; }

    public required Signal ReceiveBytes { get; init; }

    public required Signal TransmitBytes { get; init; }

    public required Signal DiskReadBytes { get; init; }

    public required Signal DiskWrittenBytes { get; init; }

    /// <summary>Fraction of time the disk is busy (0..0.55).</summary>
    public required Signal DiskIoTime { get; init; }

    public required double ReadBlockBytes { get; init; }

    public required double WriteBlockBytes { get; init; }

    public required double MeanBusy { get; init; }

    public required double MeanMemoryUsed { get; init; }

    public required double MeanReceiveRate { get; init; }

    public required double MeanTransmitRate { get; init; }
}
