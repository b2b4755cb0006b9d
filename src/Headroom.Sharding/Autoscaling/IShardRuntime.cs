namespace Headroom.Sharding;

/// <summary>Where the autoscaler's shards run: local Prometheus processes, or manifests for an orchestrator.</summary>
public interface IShardRuntime
{
    /// <summary>
    /// Starts shard <paramref name="shard"/> scraping the targets of <paramref name="fileSdPath"/> (which exists, maybe
    /// empty) and returns its replicas' base URLs once they answer.
    /// </summary>
    Task<IReadOnlyList<Uri>> StartAsync(string shard, string fileSdPath, CancellationToken cancellationToken);

    /// <summary>Stops shard <paramref name="shard"/> and lets its data go: its retention has passed.</summary>
    Task StopAsync(string shard, CancellationToken cancellationToken);

    /// <summary>Called after every reconcile with the shards in force, so a runtime that writes files can write them.</summary>
    Task ReconciledAsync(IReadOnlyList<ShardState> shards, CancellationToken cancellationToken);
}

/// <summary>One shard as the autoscaler keeps it.</summary>
/// <param name="Name">Its name, never reused: <c>shard-0</c>, <c>shard-1</c>, … in the order shards were created.</param>
/// <param name="Replicas">Its replicas' base URLs.</param>
/// <param name="FileSdPath">The file_sd file it scrapes.</param>
/// <param name="ActiveFrom">When it started.</param>
/// <param name="RetiredAt">When it stopped scraping; null while it scrapes.</param>
public sealed record ShardState(string Name, IReadOnlyList<Uri> Replicas, string FileSdPath, DateTimeOffset ActiveFrom, DateTimeOffset? RetiredAt = null)
{
    /// <summary>Set once the shard is to be retired: it hands its targets over, then stops scraping.</summary>
    public bool Retiring { get; init; }
}
