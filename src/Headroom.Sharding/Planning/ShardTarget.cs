namespace Headroom.Sharding;

/// <summary>A scrape target as the planner sees it: who it is and how many head series it costs a shard.</summary>
/// <param name="Id">
/// The target's identity, its <c>instance</c> label (the <c>__address__</c> when no instance label is set), as the
/// shards' <c>scrape_samples_scraped</c> and the file_sd files name it.
/// </param>
/// <param name="Series">Head series the target adds to the shard that scrapes it (its samples per scrape plus the five series Prometheus adds per target).</param>
public readonly record struct ShardTarget(string Id, long Series);
