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
    public string Shard { get; } = "";
}
