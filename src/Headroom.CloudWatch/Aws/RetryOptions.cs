namespace Headroom.CloudWatch.Aws;

/// <summary>How AWS calls are retried and limited.</summary>
public sealed record RetryOptions
{
    /// <summary>Attempts per call, the first included. Default 5.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>First backoff; each retry doubles it (with full jitter) up to <see cref="MaxDelay"/>. Default 200 ms.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest backoff. Default 20 s.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Concurrent requests per API (GetMetricData, ListMetrics, GetResources, ... each its own). Default 5, as YACE.</summary>
    public int ConcurrencyPerApi { get; init; } = 5;

    /// <summary>The clock backoff waits on; null means the collector's clock. Tests that fake the collector's clock keep backoff real.</summary>
    public TimeProvider? BackoffClock { get; init; }

    public static readonly RetryOptions Default = new();
}
