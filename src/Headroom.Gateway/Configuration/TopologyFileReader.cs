using Headroom.Prometheus.Configuration;

namespace Headroom.Gateway.Configuration;

/// <summary>
/// Reads the topology file <c>headroom shard autoscale</c> writes: the shards, their replicas and when each held
/// samples (<c>active_from</c>, <c>retired_at</c>). Its <c>shards:</c> entries have the same keys as those of
/// <c>gateway.yml</c>; <c>generation</c> and <c>written_at</c> say which version it is. See docs/sharding.md.
/// </summary>
public static class TopologyFileReader
{
    /// <summary>Reads a topology file.</summary>
    /// <exception cref="ConfigException">The file cannot be read or is not valid; the message names the file, line and key.</exception>
    public static IReadOnlyList<ShardConfig> ReadFile(string path) => ConfigFile.Read(path, Read);

    /// <summary>Reads topology text.</summary>
    /// <exception cref="ConfigException">The text is not valid.</exception>
    public static IReadOnlyList<ShardConfig> Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var root = YamlMap.Parse(text, "the topology file is empty; it needs 'shards:' (headroom shard autoscale writes it)");
        // Which version this is, for people and logs; the gateway takes whatever the file holds now.
        _ = root.String("generation");
        _ = GatewayConfigReader.Time(root, "written_at");
        var shards = GatewayConfigReader.Shards(root, required: true);
        root.EnsureAllKeysKnown();
        return shards;
    }
}
