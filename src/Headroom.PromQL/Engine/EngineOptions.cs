namespace Headroom.PromQL.Engine;

/// <summary>Settings of a <see cref="QueryEngine"/>.</summary>
public sealed record EngineOptions
{
    /// <summary>How far back an instant selector looks for the latest sample. Default 5 minutes, as in Prometheus.</summary>
    public TimeSpan LookbackDelta { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The most samples one query may hold in memory at once. Default 50 million, as in Prometheus.</summary>
    public long MaxSamples { get; init; } = 50_000_000;

    /// <summary>How long one query may run. Default 2 minutes, as in Prometheus.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The step of a subquery written without one (<c>x[5m:]</c>) when the query has no step. Default 1 minute.</summary>
    public TimeSpan DefaultSubqueryStep { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (LookbackDelta <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LookbackDelta), "must be positive");
        }
        if (MaxSamples <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSamples), "must be positive");
        }
        if (Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), "must be positive");
        }
        if (DefaultSubqueryStep <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultSubqueryStep), "must be positive");
        }
    }
}
