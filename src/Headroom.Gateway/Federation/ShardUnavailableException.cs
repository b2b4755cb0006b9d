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

    /// <summary>The shard's name.</summary>
    public string Shard { get; } = "";
}
