namespace Headroom.Gateway.Federation;

/// <summary>No replica of a shard answered.</summary>
public sealed class ShardUnavailableException : Exception
{
    public ShardUnavailableException()
    {
    }

    public ShardUnavailableException(string message) : base(message)
    {
    }

    public ShardUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>A shard none of whose replicas answered, with each replica's reason.</summary>
    public ShardUnavailableException(string shard, IReadOnlyList<string> reasons)
        : base($"shard {shard}: no replica answered ({string.Join("; ", reasons)})")
    {
        Shard = shard;
    }

    /// <summary>
    /// A shard whose last replica still answering failed after the shard had handed on <paramref name="handedOn"/>
    /// series: a partial answer, those series stand but the rest is missing.
    /// </summary>
    public ShardUnavailableException(string shard, IReadOnlyList<string> reasons, int handedOn)
        : base($"shard {shard}: every replica failed mid-answer, after {handedOn} series ({string.Join("; ", reasons)})")
    {
        Shard = shard;
        HandedOn = handedOn;
    }

    /// <summary>Series the shard had handed on before it failed; 0 when it failed before answering anything.</summary>
    public int HandedOn { get; }

    /// <summary>The shard's name.</summary>
    public string Shard { get; init; } = "";

    /// <summary>
    /// When the shard's replicas are gateways themselves (hierarchical federation) and answered that they had no replica
    /// answering for some of their own shards (<see cref="Headroom.Prometheus.RemoteRead.UnavailableShardsHeader"/>):
    /// those shards, which leaves the others readable with <c>partial_response=true</c>. Empty otherwise.
    /// </summary>
    public IReadOnlyList<string> LowerShards { get; init; } = [];

    /// <summary>
    /// What this gateway names as unavailable in its own <see cref="Headroom.Prometheus.RemoteRead.UnavailableShardsHeader"/>:
    /// the shard, or the path down to each shard of the gateways below it that is (<c>lower/shard-1</c>) when the header
    /// can name them all (<see cref="Headroom.Prometheus.RemoteRead.UnavailableShardsHeader.Fits"/>).
    /// </summary>
    public IReadOnlyList<string> Unavailable => Shard.Length == 0 ? [] : BelowByPath ?? [Shard];

    /// <summary>
    /// Whether the shard is down only in part: gateways below have shards down and the header can name them all, so the
    /// rest can be read with <c>partial_response=true</c>.
    /// </summary>
    public bool DownInPart => Shard.Length > 0 && BelowByPath is not null;

    private List<string>? BelowByPath => LowerShards.Count == 0 ? null
        : LowerShards.Select(lower => Shard + "/" + lower).ToList() is var paths && Headroom.Prometheus.RemoteRead.UnavailableShardsHeader.Fits(paths) ? paths
        : null;
}
