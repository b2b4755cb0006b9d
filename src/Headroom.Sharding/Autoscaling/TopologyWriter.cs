using System.Globalization;
using System.Text;

namespace Headroom.Sharding;

/// <summary>
/// Writes the topology file the gateway reads (<c>topology_file:</c> or <c>headroom gateway --topology</c>): every
/// shard still readable, its replicas and the time it held samples in. The format is the gateway's <c>shards:</c>
/// list with <c>active_from</c> and <c>retired_at</c>; see docs/sharding.md.
/// </summary>
public static class TopologyWriter
{
    /// <summary>The file's text.</summary>
    public static string Render(IReadOnlyList<ShardState> shards, long generation, DateTimeOffset writtenAt)
    {
        ArgumentNullException.ThrowIfNull(shards);
        var yaml = new StringBuilder();
        yaml.Append("# Written by headroom shard autoscale; read by headroom gateway (topology_file:). Do not edit: the next reconcile rewrites it.\n");
        yaml.Append("generation: ").Append(generation.ToString(CultureInfo.InvariantCulture)).Append('\n');
        yaml.Append("written_at: ").Append(Time(writtenAt)).Append('\n');
        yaml.Append("shards:\n");
        foreach (var shard in shards)
        {
            yaml.Append("  - name: ").Append(shard.Name).Append('\n');
            yaml.Append("    replicas: [").AppendJoin(", ", shard.Replicas.Select(static r => "'" + r.AbsoluteUri + "'")).Append("]\n");
            yaml.Append("    active_from: ").Append(Time(shard.ActiveFrom)).Append('\n');
            if (shard.RetiredAt is { } retired)
                yaml.Append("    retired_at: ").Append(Time(retired)).Append('\n');
        }
        return yaml.ToString();
    }

    /// <summary>Writes the file atomically (a temporary file, then a rename), so the gateway never reads half of it.</summary>
    public static async Task WriteAsync(string path, IReadOnlyList<ShardState> shards, long generation, DateTimeOffset writtenAt, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, Render(shards, generation, writtenAt), cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
