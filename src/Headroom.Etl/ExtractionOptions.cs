namespace Headroom.Etl;

/// <summary>How extraction talks to the source.</summary>
public sealed record ExtractionOptions
{
    /// <summary>Hours per query_range request (default 24). Chunks that are too large for the source are halved.</summary>
    public int ChunkHours { get; init; } = 24;

    /// <summary>Requests in flight at once (default 4).</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>Retries of a request after a timeout, 5xx or connection failure (default 4).</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>First retry delay; later ones grow exponentially, with jitter (default 1 s).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public void Validate()
    {
        if (ChunkHours is < 1 or > 10_000)
            throw new ArgumentException($"chunk hours must be between 1 and 10000, got {ChunkHours}", nameof(ChunkHours));
        if (MaxConcurrency is < 1 or > 64)
            throw new ArgumentException($"concurrency must be between 1 and 64, got {MaxConcurrency}", nameof(MaxConcurrency));
        if (MaxRetries is < 0 or > 20)
            throw new ArgumentException($"retries must be between 0 and 20, got {MaxRetries}", nameof(MaxRetries));
    }
}
