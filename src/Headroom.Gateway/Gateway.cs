using Headroom.Gateway.Configuration;
using Headroom.Gateway.Federation;
using Headroom.Gateway.Tenancy;
using Headroom.PromQL.Storage;

namespace Headroom.Gateway;

/// <summary>
/// The gateway's current topology: its configuration, one source per shard (each over its replicas), and the
/// federation of them. Immutable; a reload builds a new one and swaps it in, so a request in flight finishes on the
/// topology it started with.
/// </summary>
public sealed class Gateway
{
    private readonly Dictionary<string, TenantConfig> _tenantsById;
    private readonly Dictionary<string, TenantConfig> _tenantsByToken;
    private readonly SemaphoreSlim _semanticsLock = new(1, 1);
    private WindowSemantics? _semantics;

    /// <summary>How long the replicas' versions are waited for before a query goes ahead without them.</summary>
    private static readonly TimeSpan s_versionPatience = TimeSpan.FromSeconds(5);

    /// <summary>Builds the topology of <paramref name="config"/>, reaching replicas with <paramref name="http"/>.</summary>
    public Gateway(GatewayConfig config, HttpClient http, GatewayMetrics metrics)
        : this(config, [.. config.Shards.Select(shard => (ISeriesSource)new ShardSource(shard.Name,
            [.. shard.Replicas.Select(uri => (ISeriesSource)new ReplicaBackend(shard.Name, uri, http))],
            config.ReplicaLabels, shard.ExternalLabels, metrics, shard.Info))], metrics)
    {
    }

    /// <summary>A gateway over ready-made shard sources (in-process shards in tests, the lake later).</summary>
    public Gateway(GatewayConfig config, IReadOnlyList<ISeriesSource> shards, GatewayMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(shards);
        Config = config;
        Metrics = metrics;
        Shards = shards;
        Federation = new FederatedSource(shards, config.PartialResponse, metrics);
        _tenantsById = config.Tenancy?.Tenants.ToDictionary(t => t.Id, StringComparer.Ordinal) ?? [];
        _tenantsByToken = config.Tenancy?.Tenants.SelectMany(t => t.Tokens.Select(token => (token, t)))
            .ToDictionary(p => p.token, p => p.t, StringComparer.Ordinal) ?? [];
    }

    /// <summary>The configuration this topology was built from.</summary>
    public GatewayConfig Config { get; }

    /// <summary>The gateway's metrics.</summary>
    public GatewayMetrics Metrics { get; }

    /// <summary>One source per shard, in configuration order.</summary>
    public IReadOnlyList<ISeriesSource> Shards { get; }

    /// <summary>All shards as one source, with the configured partial-response policy.</summary>
    public FederatedSource Federation { get; }

    /// <summary>
    /// The engine's window edges and whether pushdown keeps answers exact, from <see cref="GatewayConfig.Compatibility"/>
    /// and the versions the replicas name. Asked once per topology (a reload asks again) and kept once any replica
    /// answered; replicas held in process have no version of their own (the gateway's engine evaluates them).
    /// </summary>
    internal async Task<WindowSemantics> SemanticsAsync(CancellationToken cancellationToken)
    {
        if (_semantics is { } known)
        {
            return known;
        }
        await _semanticsLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_semantics is { } again)
            {
                return again;
            }
            var backends = Shards.OfType<ShardSource>().SelectMany(s => s.Replicas).OfType<ReplicaBackend>().ToList();
            using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            patience.CancelAfter(s_versionPatience);
            var versions = await Task.WhenAll(backends.Select(async b =>
            {
                try
                {
                    return await b.MajorVersionAsync(patience.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return null;
                }
            })).ConfigureAwait(false);
            var semantics = WindowSemantics.From(Config.Compatibility, versions);
            if (backends.Count == 0 || versions.Any(v => v is not null))
            {
                _semantics = semantics;
            }
            return semantics;
        }
        finally
        {
            _semanticsLock.Release();
        }
    }

    /// <summary>
    /// The source one request reads: the federation under the request's partial-response policy, restricted to its
    /// tenant when tenancy is on. Null, with the reason, when tenancy is on and the request names no known tenant.
    /// The shards the answer leaves out are recorded in <paramref name="leftOut"/> when given.
    /// </summary>
    internal (ISeriesSource? Source, string? Tenant, string? Refusal) SourceFor(string? tenantHeader, string? authorization, PartialResponse partial,
        LeftOutShards? leftOut = null)
    {
        var source = leftOut is null ? Federation.With(partial) : Federation.With(partial, leftOut);
        if (Config.Tenancy is not { } tenancy)
        {
            return (source, null, null);
        }
        TenantConfig? tenant = null;
        if (authorization is { } auth && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            _tenantsByToken.TryGetValue(auth["Bearer ".Length..].Trim(), out tenant);
            if (tenant is null)
            {
                return (null, null, "the bearer token names no tenant; send a token from the gateway's tenancy configuration");
            }
        }
        if (tenantHeader is { Length: > 0 } id)
        {
            if (!_tenantsById.TryGetValue(id, out var byHeader))
            {
                return (null, null, $"unknown tenant in the {tenancy.Header} header; use a tenant id from the gateway's configuration");
            }
            if (tenant is not null && !ReferenceEquals(tenant, byHeader))
            {
                return (null, null, $"the bearer token and the {tenancy.Header} header name different tenants");
            }
            tenant = byHeader;
        }
        if (tenant is null)
        {
            return (null, null, $"tenancy is on: name the tenant in the {tenancy.Header} header or with a bearer token");
        }
        return (new TenantSource(source, tenant.Id, tenant.Matchers), tenant.Id, null);
    }
}
