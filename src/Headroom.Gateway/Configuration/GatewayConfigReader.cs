using System.Globalization;
using Headroom.Prometheus.Configuration;
using Headroom.PromQL;
using Headroom.PromQL.Syntax;
using YamlDotNet.RepresentationModel;

namespace Headroom.Gateway.Configuration;

/// <summary>
/// Reads <c>gateway.yml</c> strictly: an unknown key, a value of the wrong kind or a shard without replicas is an
/// error naming the key and its line. See docs/gateway.md for the format.
/// </summary>
public static class GatewayConfigReader
{
    /// <summary>
    /// Reads a configuration file, and the topology file it names (<c>topology_file:</c>, relative to the
    /// configuration's directory), whose shards join those of the configuration.
    /// </summary>
    /// <exception cref="ConfigException">A file cannot be read or is not valid; the message names the file, line and key.</exception>
    public static GatewayConfig ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var config = ConfigFile.Read(path, Read);
        if (config.TopologyFile is not { } topology)
        {
            return config;
        }
        var full = System.IO.Path.GetFullPath(topology, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        return WithTopology(config with { TopologyFile = full }, TopologyFileReader.ReadFile(full), path);
    }

    /// <summary>A configuration with default settings over the shards of a topology file alone (<c>headroom gateway --topology FILE</c>).</summary>
    /// <exception cref="ConfigException">The file cannot be read or is not valid.</exception>
    public static GatewayConfig ForTopology(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        return WithTopology(GatewayConfig.For([]) with { TopologyFile = full }, TopologyFileReader.ReadFile(full), full);
    }

    private static GatewayConfig WithTopology(GatewayConfig config, IReadOnlyList<ShardConfig> topology, string where)
    {
        var shards = config.Shards.Concat(topology).ToList();
        if (shards.Count == 0)
        {
            throw new ConfigException($"{where}: no shards: neither the configuration nor the topology file {config.TopologyFile} lists one");
        }
        var duplicate = shards.GroupBy(static s => s.Name, StringComparer.Ordinal).FirstOrDefault(static g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ConfigException($"{where}: shard '{duplicate.Key}' is both in the configuration and in the topology file {config.TopologyFile}; give each shard its own name", 0, "shards");
        }
        return config with { Shards = shards };
    }

    /// <summary>Reads configuration text (a <c>topology_file:</c> is named, not read: see <see cref="ReadFile"/>).</summary>
    /// <exception cref="ConfigException">The text is not valid.</exception>
    public static GatewayConfig Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var root = YamlMap.Parse(text, "the configuration is empty; it needs at least 'shards:' with one shard and its replicas");
        var topologyFile = root.String("topology_file");
        var shards = Shards(root, required: topologyFile is null);
        var replicaLabels = root.Strings("replica_labels") ?? GatewayConfig.DefaultReplicaLabels;
        var partial = root.String("partial_response") switch
        {
            null or "warn" => PartialResponse.Warn,
            "fail" => PartialResponse.Fail,
            var other => throw new ConfigException($"partial_response must be 'warn' or 'fail', got '{other}'", LineOf(root, "partial_response"), "partial_response"),
        };
        var backendTimeout = Duration(root, "backend_timeout") ?? GatewayConfig.DefaultBackendTimeout;
        var limits = Limits(root);
        var tenancy = Tenancy(root);
        // Off unless declared: a series on two shards (mid-reshard) would be counted twice by a pushed-down sum.
        var pushdown = root.Bool("pushdown") ?? false;
        var compatibility = root.String("compatibility") switch
        {
            null or "auto" => Compatibility.Auto,
            "prometheus-2" => Compatibility.Prometheus2,
            "prometheus-3" => Compatibility.Prometheus3,
            var other => throw new ConfigException($"compatibility must be 'auto', 'prometheus-2' or 'prometheus-3', got '{other}'",
                LineOf(root, "compatibility"), "compatibility"),
        };
        root.EnsureAllKeysKnown();
        return new GatewayConfig(shards, replicaLabels, partial, backendTimeout, limits, tenancy, pushdown, topologyFile, compatibility);
    }

    /// <summary>The <c>shards:</c> list of a mapping, names checked for duplicates.</summary>
    internal static List<ShardConfig> Shards(YamlMap root, bool required)
    {
        var shards = new List<ShardConfig>();
        foreach (var (map, index) in root.Maps("shards"))
        {
            shards.Add(Shard(map, index));
        }
        if (shards.Count == 0 && required)
        {
            throw new ConfigException("'shards' is required: list each shard with its replicas' URLs (or name a topology_file)", root.Line, "shards");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var shard in shards)
        {
            if (!names.Add(shard.Name))
            {
                throw new ConfigException($"two shards are named '{shard.Name}'; give each shard its own name", root.Line, "shards");
            }
        }
        return shards;
    }

    private static ShardConfig Shard(YamlMap map, int index)
    {
        var name = map.String("name") ?? index.ToString(CultureInfo.InvariantCulture);
        var urls = map.Strings("replicas")
            ?? throw new ConfigException($"{map.Path} has no 'replicas': list the base URL of each replica, e.g. [http://127.0.0.1:9090]", map.Line, "replicas");
        if (urls.Count == 0)
        {
            throw new ConfigException($"{map.Child("replicas")} is empty; list at least one replica URL", map.Line, "replicas");
        }
        // Each URL's own line in an error: the shard's mapping may start lines above a long list.
        var lines = map.Sequence("replicas")!.Children.Select(YamlMap.LineOf).ToList();
        var replicas = urls.Select((u, i) => ReplicaUrl(u, map, lines[i])).ToList();
        var external = new List<Label>();
        if (map.Get("external_labels") is { } node)
        {
            var labels = new YamlMap(node, map.Child("external_labels"));
            foreach (var (key, value) in labels.Entries)
            {
                var labelName = (key as YamlScalarNode)?.Value ?? "";
                if (!IsLabelName(labelName) || value is not YamlScalarNode { Value: { Length: > 0 } labelValue })
                {
                    throw new ConfigException($"{labels.Path}: '{labelName}' must be a label name ([a-zA-Z_][a-zA-Z0-9_]*) with a non-empty string value",
                        YamlMap.LineOf(key), labelName);
                }
                external.Add(new Label(labelName, labelValue));
            }
        }
        var activeFrom = Time(map, "active_from");
        var retiredAt = Time(map, "retired_at");
        if (activeFrom > retiredAt)
        {
            throw new ConfigException($"{map.Path}: retired_at ({retiredAt:O}) is before active_from ({activeFrom:O})", LineOf(map, "retired_at"), "retired_at");
        }
        map.EnsureAllKeysKnown();
        return new ShardConfig(name, replicas, Labels.From(external), activeFrom, retiredAt);
    }

    /// <summary>An RFC 3339 time such as <c>2026-11-30T01:00:00Z</c>, or null when absent.</summary>
    internal static DateTimeOffset? Time(YamlMap map, string key)
    {
        var text = map.String(key);
        if (text is null)
        {
            return null;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }
        throw new ConfigException($"{map.Child(key)}: '{text}' is not a time; write RFC 3339, e.g. 2026-11-30T01:00:00Z", LineOf(map, key), key);
    }

    /// <summary>A replica URL as given on the command line or in the file.</summary>
    /// <exception cref="ConfigException">Not an absolute http(s) URL.</exception>
    public static Uri ReplicaUrl(string text, YamlMap? where = null, int line = 0)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            var at = where is null ? "" : $"{where.Child("replicas")}: ";
            throw new ConfigException($"{at}'{text}' is not an http(s) URL; write e.g. http://127.0.0.1:9090", line > 0 ? line : where?.Line ?? 0, "replicas");
        }
        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    private static QueryLimits Limits(YamlMap root)
    {
        if (root.Get("limits") is not { } node)
        {
            return new QueryLimits();
        }
        var map = new YamlMap(node, "limits");
        var defaults = new QueryLimits();
        var limits = new QueryLimits(
            Duration(map, "query_timeout"),
            Whole(map, "max_samples") ?? defaults.MaxSamples,
            (int)(Whole(map, "max_concurrent_queries", maximum: int.MaxValue) ?? defaults.MaxConcurrent),
            (int)(Whole(map, "max_queued_queries", minimum: 0, maximum: int.MaxValue) ?? defaults.MaxQueued));
        map.EnsureAllKeysKnown();
        return limits;
    }

    private static TenancyConfig? Tenancy(YamlMap root)
    {
        if (root.Get("tenancy") is not { } node)
        {
            return null;
        }
        var map = new YamlMap(node, "tenancy");
        var header = map.String("header") ?? TenancyConfig.DefaultHeader;
        var tenants = new List<TenantConfig>();
        foreach (var (tenant, _) in map.Maps("tenants"))
        {
            var id = tenant.RequiredString("id");
            var matchers = new List<LabelMatcher>();
            foreach (var text in tenant.Strings("matchers") ?? [])
            {
                try
                {
                    matchers.AddRange(SeriesSelector.Parse("{" + text + "}"));
                }
                catch (ParseException e)
                {
                    throw new ConfigException($"{tenant.Child("matchers")}: '{text}' is not a label matcher ({e.Detail}); write e.g. team=\"payments\"",
                        tenant.Line, "matchers");
                }
            }
            if (matchers.Count == 0)
            {
                throw new ConfigException($"{tenant.Path} ('{id}') has no 'matchers': a tenant must be limited to some series, e.g. matchers: ['team=\"payments\"']",
                    tenant.Line, "matchers");
            }
            var tokens = tenant.Strings("tokens") ?? [];
            tenant.EnsureAllKeysKnown();
            tenants.Add(new TenantConfig(id, matchers, tokens));
        }
        if (tenants.Count == 0)
        {
            throw new ConfigException("tenancy.tenants is empty: list each tenant with its id and matchers, or remove 'tenancy'", map.Line, "tenants");
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var tokenOwners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tenant in tenants)
        {
            if (!ids.Add(tenant.Id))
            {
                throw new ConfigException($"two tenants have the id '{tenant.Id}'", map.Line, "tenants");
            }
            foreach (var token in tenant.Tokens)
            {
                if (!tokenOwners.TryAdd(token, tenant.Id))
                {
                    // The token itself is a secret: name the tenants, not the token.
                    throw new ConfigException($"tenants '{tokenOwners[token]}' and '{tenant.Id}' share a bearer token; give each tenant its own", map.Line, "tokens");
                }
            }
        }
        map.EnsureAllKeysKnown();
        return new TenancyConfig(header, tenants);
    }

    private static TimeSpan? Duration(YamlMap map, string key)
    {
        var text = map.String(key);
        if (text is null)
        {
            return null;
        }
        if (Durations.TryParse(text, out var duration, out var error) && duration > TimeSpan.Zero)
        {
            return duration;
        }
        throw new ConfigException($"{map.Child(key)}: '{text}' is not a positive duration ({error ?? "zero"}); write e.g. 30s or 2m", LineOf(map, key), key);
    }

    private static long? Whole(YamlMap map, string key, long minimum = 1, long maximum = long.MaxValue)
    {
        var text = map.String(key);
        if (text is null)
        {
            return null;
        }
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum && value <= maximum)
        {
            return value;
        }
        var range = maximum == long.MaxValue ? $"of at least {minimum}" : $"from {minimum} to {maximum}";
        throw new ConfigException($"{map.Child(key)} must be a whole number {range}, got '{text}'", LineOf(map, key), key);
    }

    internal static int LineOf(YamlMap map, string key) => map.Get(key) is { } node ? YamlMap.LineOf(node) : map.Line;

    private static bool IsLabelName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
