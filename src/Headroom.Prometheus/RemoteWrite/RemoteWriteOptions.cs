namespace Headroom.Prometheus.RemoteWrite;

/// <summary>How a <see cref="RemoteWriteQueue"/> batches, retries and bounds what waits. Defaults follow Prometheus' <c>queue_config</c>.</summary>
public sealed record RemoteWriteOptions
{
    /// <summary>
    /// The most samples that may wait (queued or being sent); what arrives beyond is dropped and counted. Default
    /// 500,000: ten minutes of a ruler writing about 800 series every second, so an outage of minutes loses nothing.
    /// </summary>
    public int Capacity { get; init; } = 500_000;

    /// <summary>The most samples in one request. Default 2,000, as Prometheus' <c>max_samples_per_send</c>.</summary>
    public int MaxSamplesPerSend { get; init; } = 2_000;

    /// <summary>The longest a sample waits for its batch to fill before it is sent anyway. Default 5 s (<c>batch_send_deadline</c>).</summary>
    public TimeSpan BatchSendDeadline { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The first wait before sending a failed request again; doubled after each failure. Default 30 ms.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(30);

    /// <summary>The longest wait between two attempts. Default 5 s.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting that cannot work.</summary>
    public void Validate()
    {
        if (Capacity < 1 || MaxSamplesPerSend < 1)
            throw new ArgumentException($"{nameof(Capacity)} and {nameof(MaxSamplesPerSend)} must be at least 1.", nameof(RemoteWriteOptions));
        if (BatchSendDeadline <= TimeSpan.Zero || MinBackoff <= TimeSpan.Zero || MaxBackoff < MinBackoff)
            throw new ArgumentException($"{nameof(BatchSendDeadline)} and {nameof(MinBackoff)} must be positive and {nameof(MaxBackoff)} at least {nameof(MinBackoff)}.",
                nameof(RemoteWriteOptions));
    }
}

/// <summary>Hears what a <see cref="RemoteWriteQueue"/> does, e.g. to count it in metrics. Called from the queue's own task.</summary>
public interface IRemoteWriteObserver
{
    /// <summary>A request of <paramref name="samples"/> samples was taken; the newest had <paramref name="highestTimestamp"/> (ms).</summary>
    void Sent(int samples, long highestTimestamp);

    /// <summary><paramref name="samples"/> samples will never be sent, for <paramref name="reason"/> (<see cref="DropReasons"/>).</summary>
    void Dropped(string reason, int samples);

    /// <summary>A request failed and will be sent again.</summary>
    void FailedRequest();

    /// <summary>Samples now waiting, queued or being sent.</summary>
    void Pending(int samples);
}

/// <summary>Why samples were dropped: the values of the <c>reason</c> label.</summary>
public static class DropReasons
{
    /// <summary>The queue was full when they arrived.</summary>
    public const string QueueFull = "queue_full";

    /// <summary>The receiver refused them with a 4xx other than 429.</summary>
    public const string Rejected = "rejected";

    /// <summary>They were still waiting when the queue was stopped and its flush time ran out.</summary>
    public const string Shutdown = "shutdown";
}
