using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.Gateway.Configuration;

/// <summary>What to do when a shard has no healthy replica.</summary>
public enum PartialResponse
{
    /// <summary>Answer with the other shards and a warning naming the missing one (the default).</summary>
    Warn,

    /// <summary>Answer an error.</summary>
    Fail,
}

/// <summary>
/// Which Prometheus the gateway's answers agree with where versions 2 and 3 differ: whether a sample exactly on the
/// left edge of a window (a range selector's, the lookback's, a subquery's range) counts. Prometheus 2 counts it,
/// Prometheus 3 does not.
/// </summary>
public enum Compatibility
{
    /// <summary>As the shards' replicas do, read from their <c>/api/v1/status/buildinfo</c> (the default).</summary>
    Auto,

    /// <summary>As Prometheus 2: a sample on a window's left edge counts.</summary>
    Prometheus2,

    /// <summary>As Prometheus 3: it does not.</summary>
    Prometheus3,
}

/// <summary>The gateway's configuration: shards and replicas, deduplication, limits and tenants.</summary>
/// <param name="Shards">The shards; each holds a part of the series, served by one or more replicas.</param>
/// <param name="ReplicaLabels">Labels that tell replicas apart; dropped before deduplication.</param>
/// <param name="PartialResponse">What a shard with no healthy replica does to an answer.</param>
/// <param name="BackendTimeout">The longest a replica may take to answer one request.</param>
/// <param name="Limits">Query limits.</param>
/// <param name="Tenancy">Tenants and how requests name them; null when tenancy is off.</param>
/// <param name="Pushdown">
/// Whether the data is partitioned by shard (each series on exactly one shard), so that aggregations may be
/// evaluated on the shards and finished in the gateway. Off by default: during a reshard a series can be on two
/// shards, and a pushed-down <c>sum</c> would count it twice where the gateway's own merge counts it once.
/// </param>
/// <param name="Compatibility">Which Prometheus the answers agree with where versions 2 and 3 differ.</param>
/// <param name="TopologyFile">
/// The full path of a topology file (written by <c>headroom shard autoscale</c>) whose shards join
/// <paramref name="Shards"/>; the gateway reloads it when it changes. Null when there is none.
/// </param>
public sealed record GatewayConfig(
    IReadOnlyList<ShardConfig> Shards,
    IReadOnlyList<string> ReplicaLabels,
    PartialResponse PartialResponse,
    TimeSpan BackendTimeout,
    QueryLimits Limits,
    TenancyConfig? Tenancy,
    bool Pushdown = false,
    string? TopologyFile = null,
    Compatibility Compatibility = Compatibility.Auto)
{
    /// <summary>Replica labels dropped when none are configured: Prometheus Operator's and the usual hand-written one.</summary>
    public static IReadOnlyList<string> DefaultReplicaLabels { get; } = ["replica", "prometheus_replica"];

    /// <summary>How long a replica may take by default.</summary>
    public static TimeSpan DefaultBackendTimeout { get; } = TimeSpan.FromSeconds(30);

    /// <summary>A configuration with default settings over <paramref name="shards"/>.</summary>
    public static GatewayConfig For(IReadOnlyList<ShardConfig> shards) =>
        new(shards, DefaultReplicaLabels, PartialResponse.Warn, DefaultBackendTimeout, new QueryLimits(), null);
}

/// <summary>One shard: a name, its replicas, labels every one of its series carries and the time it may hold samples in.</summary>
/// <param name="Name">The shard's name, used in warnings and metrics.</param>
/// <param name="Replicas">The base URLs of the replicas, e.g. <c>http://10.0.0.1:9090/</c>.</param>
/// <param name="ExternalLabels">Labels added to the shard's series (and used to skip the shard when a selector contradicts them).</param>
/// <param name="ActiveFrom">When the shard started scraping: it holds nothing earlier, so queries that end before are not sent to it. Null: always.</param>
/// <param name="RetiredAt">
/// When the shard stopped scraping: it holds nothing later, so queries that start after are not sent to it; it is still
/// read for earlier times until its retention passes and it leaves the topology. Null: still scraping.
/// </param>
public sealed record ShardConfig(string Name, IReadOnlyList<Uri> Replicas, Labels ExternalLabels,
    DateTimeOffset? ActiveFrom = null, DateTimeOffset? RetiredAt = null)
{
    /// <summary>What the shard can hold, for pruning: its external labels and time range in milliseconds.</summary>
    public SourceInfo Info => new(ExternalLabels,
        ActiveFrom?.ToUnixTimeMilliseconds() ?? long.MinValue,
        RetiredAt?.ToUnixTimeMilliseconds() ?? long.MaxValue);
}

/// <summary>Limits that keep one query from taking the gateway down.</summary>
/// <param name="Timeout">The longest a query may run.</param>
/// <param name="MaxSamples">The most samples one query may hold in memory.</param>
/// <param name="MaxConcurrent">Queries evaluated at once.</param>
/// <param name="MaxQueued">Queries that may wait for a slot; past that the gateway answers 503.</param>
public sealed record QueryLimits(TimeSpan? Timeout = null, long MaxSamples = 50_000_000, int MaxConcurrent = 20, int MaxQueued = 100)
{
    /// <summary>The query timeout, two minutes unless set, as Prometheus' default.</summary>
    public TimeSpan QueryTimeout => Timeout ?? TimeSpan.FromMinutes(2);
}

/// <summary>Tenants and how a request names its tenant.</summary>
/// <param name="Header">The header carrying the tenant's id (<c>X-Scope-OrgID</c> by default).</param>
/// <param name="Tenants">The known tenants.</param>
public sealed record TenancyConfig(string Header, IReadOnlyList<TenantConfig> Tenants)
{
    /// <summary>The header Cortex, Mimir and Thanos use for the tenant.</summary>
    public const string DefaultHeader = "X-Scope-OrgID";
}

/// <summary>A tenant: its id, the label matchers every one of its reads is restricted to, and bearer tokens that name it.</summary>
/// <param name="Id">The tenant's id, as sent in the tenant header.</param>
/// <param name="Matchers">Matchers added to every selection the tenant makes.</param>
/// <param name="Tokens">Bearer tokens that authenticate as this tenant.</param>
public sealed record TenantConfig(string Id, IReadOnlyList<LabelMatcher> Matchers, IReadOnlyList<string> Tokens);
