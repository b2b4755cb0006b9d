using System.Collections.Concurrent;
using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Config;
using Headroom.Prometheus.Aws;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Headroom.CloudWatch.Collection;

/// <summary>
/// One collection pass over a configuration: discovers resources (cached), lists metrics (cached), plans GetMetricData
/// queries and runs them in batches of at most 500, grouped by region, account, period, length and delay. Accounts and
/// regions are independent: one that fails keeps serving its own previous series while the others are fresh; a pass throws
/// only when every account and region failed, and the loop above then keeps serving the previous result.
/// </summary>
public sealed partial class Collector
{
    private readonly CollectorConfig _config;
    private readonly CloudWatchApi _api;
    private readonly AwsAccounts _accounts;
    private readonly CollectorOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, Task<Discovery> Found)> _discovery = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, Task<IReadOnlyList<Metric>> Metrics)> _listed = new(StringComparer.Ordinal);

    /// <summary>Creates a collector that calls AWS through <paramref name="http"/>.</summary>
    /// <param name="ambient">Credentials to use instead of AWSSDK.Core's standard chain (tests).</param>
    /// <param name="logging">
    /// Where collection logs: each pass at information, each AWS failure with its account and region at warning, retries at
    /// debug. None by default.
    /// </param>
    public Collector(CollectorConfig config, HttpClient http, AwsEndpoints endpoints, CollectorMetrics metrics,
        TimeProvider? time = null, CollectorOptions? options = null, Func<AwsCredentials>? ambient = null, ILoggerFactory? logging = null)
    {
        _config = config;
        _options = options ?? CollectorOptions.Default;
        _time = time ?? TimeProvider.System;
        Logger = (logging ?? NullLoggerFactory.Instance).CreateLogger("headroom.cloudwatch");
        var client = new AwsHttpClient(http, endpoints, metrics, _time, _options.Retry, Logger);
        _api = new CloudWatchApi(client);
        _accounts = new AwsAccounts(client, endpoints, config.StsRegion, ambient);
        Metrics = metrics;
    }

    public CollectorMetrics Metrics { get; }

    /// <summary>The logger of this collector, shared with the loops that run it.</summary>
    internal ILogger Logger { get; }

    /// <summary>The distinct periods of the configuration's metrics: one loop each.</summary>
    public IReadOnlyList<TimeSpan> Periods => _config.AllMetrics.Select(m => m.Period).Distinct().Order().ToList();

    /// <summary>Collects every metric whose period is <paramref name="period"/> (all metrics when null).</summary>
    public async Task<CollectionResult> CollectAsync(TimeSpan? period = null, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var queries = new List<PlannedQuery>();
        var failures = new Dictionary<string, AwsApiException>(StringComparer.Ordinal);
        var info = new Dictionary<string, List<CollectedSeries>>(StringComparer.Ordinal);
        // Answers the jobs of this pass share: a GetResources or a region-wide describe call asked alike by two jobs.
        var pass = new AnswerMemo();
        bool Wanted(MetricConfig m) => period is null || m.Period == period;
        // Info series go with the shortest period's loop so that one loop owns them.
        var periods = Periods;
        var ownsInfo = period is null || period == (periods.Count > 0 ? periods[0] : default);

        foreach (var job in _config.Discovery)
        {
            foreach (var (region, role) in Targets(job))
            {
                try
                {
                    var credentials = await _accounts.CredentialsAsync(role, region, cancellationToken).ConfigureAwait(false);
                    var discovery = await DiscoverAsync(job, region, role, credentials, pass, cancellationToken).ConfigureAwait(false);
                    var resources = discovery.Resources;
                    if (ownsInfo)
                    {
                        var own = InfoOf(info, region, role);
                        own.AddRange(resources.Select(r => InfoSeries(job, r)));
                        own.AddRange(await EnhancedAsync(job, region, credentials, discovery, cancellationToken).ConfigureAwait(false));
                    }
                    var global = IsGlobal(job.Service, resources);
                    var account = global ? await _accounts.AccountIdAsync(role, region, cancellationToken).ConfigureAwait(false) : "";
                    foreach (var metric in job.Metrics.Where(Wanted))
                    {
                        // A taggable service with no resource found has nothing to collect (YACE does the same).
                        if (job.Service.IsTaggable && resources.Count == 0)
                            continue;
                        var listed = await ListAsync(region, role, credentials, metric.Namespace, metric.Name, job.RecentlyActiveOnly, cancellationToken).ConfigureAwait(false);
                        queries.AddRange(global
                            ? PlanGlobal(job, metric, region, role, account, listed)
                            : PlanDiscovery(job, metric, region, role, resources, listed));
                    }
                }
                catch (AwsApiException e)
                {
                    CollectorLog.AwsFailed(Logger, e, region, role);
                    failures.TryAdd(TargetKey(region, role), e);
                }
            }
        }
        foreach (var job in _config.Static)
        {
            foreach (var (region, role) in Targets(job))
            {
                string account;
                try
                {
                    account = await _accounts.AccountIdAsync(role, region, cancellationToken).ConfigureAwait(false);
                }
                catch (AwsApiException e)
                {
                    CollectorLog.AwsFailed(Logger, e, region, role);
                    failures.TryAdd(TargetKey(region, role), e);
                    continue;
                }
                var dimensions = job.Dimensions.Select(d => new Dimension(d.Name, d.Value)).ToList();
                foreach (var metric in job.Metrics.Where(Wanted))
                {
                    var labels = BaseLabels(job.Name, region, account, dimensions, job.CustomTags);
                    queries.AddRange(metric.Statistics.Select(stat => new PlannedQuery(region, role, metric, stat, new Metric(metric.Namespace, metric.Name, dimensions), labels)));
                }
            }
        }
        foreach (var job in _config.CustomNamespace)
        {
            foreach (var (region, role) in Targets(job))
            {
                try
                {
                    var credentials = await _accounts.CredentialsAsync(role, region, cancellationToken).ConfigureAwait(false);
                    var account = await _accounts.AccountIdAsync(role, region, cancellationToken).ConfigureAwait(false);
                    foreach (var metric in job.Metrics.Where(Wanted))
                    {
                        var listed = await ListAsync(region, role, credentials, metric.Namespace, metric.Name, job.RecentlyActiveOnly, cancellationToken).ConfigureAwait(false);
                        foreach (var m in listed.Where(m => MeetsRequirements(m, job.DimensionNameRequirements)))
                        {
                            var labels = BaseLabels(job.Name, region, account, m.Dimensions ?? [], job.CustomTags);
                            queries.AddRange(metric.Statistics.Select(stat => new PlannedQuery(region, role, metric, stat, m, labels)));
                        }
                    }
                }
                catch (AwsApiException e)
                {
                    CollectorLog.AwsFailed(Logger, e, region, role);
                    failures.TryAdd(TargetKey(region, role), e);
                }
            }
        }

        return await FinishAsync(period, queries, info, failures, now, cancellationToken).ConfigureAwait(false);
    }

    private static IEnumerable<(string Region, RoleConfig Role)> Targets(JobConfig job) =>
        job.Regions.SelectMany(region => job.Roles.Select(role => (region, role)));

    private static string RoleKey(RoleConfig role) => $"{role.RoleArn}|{role.ExternalId}";

    /// <summary>One discovery's resources and the describe answers their facts came from, reused together for <see cref="CollectorOptions.DiscoveryTtl"/>.</summary>
    private sealed record Discovery(IReadOnlyList<DiscoveredResource> Resources, ResourceDescriptions Descriptions);

    /// <summary>
    /// The job's resources in a region and account (<see cref="FindAsync"/>), cached for <see cref="CollectorOptions.DiscoveryTtl"/>;
    /// when it is refreshed, the calls other jobs of the same <paramref name="pass"/> made alike are not made again.
    /// </summary>
    private Task<Discovery> DiscoverAsync(DiscoveryJob job, string region, RoleConfig role, AwsCredentials credentials, AnswerMemo pass, CancellationToken cancellationToken)
    {
        var key = $"{job.Line}|{region}|{RoleKey(role)}";
        return Cached(_discovery, key, _options.DiscoveryTtl, async () =>
        {
            var descriptions = new ResourceDescriptions(new ResourceApis(_api.Client), region, RoleKey(role));
            var resources = await FindAsync(job, region, role, credentials, pass, descriptions, cancellationToken).ConfigureAwait(false);
            return new Discovery(resources, descriptions);
        });
    }

    /// <summary>Resources of the job's type in a region and account, matching its search tags; EC2 instances that are not running are dropped.</summary>
    private async Task<IReadOnlyList<DiscoveredResource>> FindAsync(DiscoveryJob job, string region, RoleConfig role, AwsCredentials credentials,
        AnswerMemo pass, ResourceDescriptions descriptions, CancellationToken cancellationToken)
    {
        if (!job.Service.IsTaggable)
            return [];
        // The tags' values are matched here, not by AWS: jobs of one service whose search tags have the same keys (team=web,
        // team=api) ask GetResources the same question.
        var tagKeys = job.SearchTags.Select(t => t.Key).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var mappings = await pass.OnceAsync($"GetResources|{region}|{RoleKey(role)}|{string.Join(',', job.Service.ResourceTypeFilters)}|{string.Join(',', tagKeys)}",
            () => _api.GetResourcesAsync(region, credentials, job.Service.ResourceTypeFilters, tagKeys, cancellationToken)).ConfigureAwait(false);
        var resources = new List<DiscoveredResource>();
        foreach (var mapping in mappings)
        {
            var tags = (mapping.Tags ?? []).GroupBy(t => t.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
            if (!job.SearchTags.All(t => tags.TryGetValue(t.Key, out var v) && t.Value.IsMatch(v)))
                continue;
            // A resource no rule matches is another kind the filter also returns (a filter of classic load balancers
            // returns ALBs too); a service without rules keeps every resource for its info series.
            var match = job.Service.DimensionsOf(mapping.ResourceARN);
            if (match is null && job.Service.ArnRules.Count > 0)
                continue;
            resources.Add(new DiscoveredResource(mapping.ResourceARN, region, DiscoveredResource.AccountOf(mapping.ResourceARN), tags,
                match?.Dimensions ?? new Dictionary<string, string>(), Rule: match?.Rule));
        }
        if (!job.Service.IsEc2 || resources.Count == 0)
            return await WithFactsAsync(job, region, role, credentials, pass, descriptions, resources, cancellationToken).ConfigureAwait(false);

        var instances = await _accounts.DescribeInstancesAsync(credentials, region, resources.Select(r => r.Dimensions["InstanceId"]).ToList(), cancellationToken).ConfigureAwait(false);
        return resources
            .Where(r => instances.TryGetValue(r.Dimensions["InstanceId"], out var i) && i.State is "running" or "pending")
            .Select(r => r with { InstanceType = instances[r.Dimensions["InstanceId"]].Type })
            .ToList();
    }

    private Task<IReadOnlyList<Metric>> ListAsync(string region, RoleConfig role, AwsCredentials credentials, string ns, string name, bool recentlyActive, CancellationToken cancellationToken) =>
        Cached(_listed, $"{region}|{RoleKey(role)}|{ns}|{name}|{recentlyActive}", _options.ListMetricsTtl,
            () => _api.ListMetricsAsync(region, credentials, ns, name, recentlyActive, cancellationToken));

    /// <summary>Reuses a result younger than <paramref name="ttl"/>; a failed fetch is not kept, so the next loop tries again.</summary>
    private Task<T> Cached<T>(ConcurrentDictionary<string, (DateTimeOffset At, Task<T> Value)> cache, string key, TimeSpan ttl, Func<Task<T>> fetch)
    {
        var now = _time.GetUtcNow();
        if (cache.TryGetValue(key, out var entry) && now - entry.At < ttl && !entry.Value.IsFaulted && !entry.Value.IsCanceled)
            return entry.Value;
        var task = fetch();
        cache[key] = (now, task);
        return task;
    }

    private static bool MeetsRequirements(Metric metric, IReadOnlyList<string> required) =>
        required.Count == 0 || (metric.Dimensions ?? []).Select(d => d.Name).Order(StringComparer.Ordinal).SequenceEqual(required.Order(StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>
    /// Whether a discovery job's metrics are exported with <c>name="global"</c>: the service's resources are not in the
    /// tagging API, or its ARNs do not carry the values its metrics' dimensions hold (resources found, no rule).
    /// </summary>
    private static bool IsGlobal(ServiceType service, IReadOnlyList<DiscoveredResource> resources) =>
        !service.IsTaggable || (service.ArnRules.Count == 0 && resources.Count > 0);

    /// <summary>Every listed metric that meets the dimension requirements, as one series with <c>name="global"</c>.</summary>
    private static IEnumerable<PlannedQuery> PlanGlobal(DiscoveryJob job, MetricConfig metric, string region, RoleConfig role, string account, IReadOnlyList<Metric> listed)
    {
        foreach (var m in listed.Where(m => MeetsRequirements(m, job.DimensionNameRequirements)))
        {
            var labels = CollectedSeries.SortLabels(BaseLabels("global", region, account, m.Dimensions ?? [], job.CustomTags)
                .Concat(job.ExportedTagsOnMetrics.Select(t => new KeyValuePair<string, string>("tag_" + PromNames.Sanitize(t), ""))));
            foreach (var stat in metric.Statistics)
                yield return new PlannedQuery(region, role, metric, stat, m, labels);
        }
    }

    /// <summary>
    /// Matches each listed metric to a resource, as YACE's associator does: the ARN rules that matched some resource are
    /// tried from the most dimensions to the fewest; a rule applies when the metric carries all its dimensions (and maybe
    /// more, e.g. AvailabilityZone), and the resource is the one whose ARN gave the same values. Metrics no resource
    /// matches (per-ASG or per-instance-type aggregates, deleted resources) are not queried.
    /// </summary>
    private static IEnumerable<PlannedQuery> PlanDiscovery(DiscoveryJob job, MetricConfig metric, string region, RoleConfig role, IReadOnlyList<DiscoveredResource> resources, IReadOnlyList<Metric> listed)
    {
        var rules = job.Service.ArnRules
            .Select((rule, order) => (rule, order))
            .Where(r => resources.Any(x => ReferenceEquals(x.Rule, r.rule)))
            .OrderByDescending(r => r.rule.Dimensions.Count).ThenBy(r => r.order)
            .Select(r => r.rule)
            .ToList();
        var index = new Dictionary<(ArnRule, string), DiscoveredResource>();
        foreach (var r in resources.Where(r => r.Rule is not null))
            index.TryAdd((r.Rule!, MatchKey(r.Rule!, r.Dimensions, trimSuffix: false)), r);
        foreach (var m in listed)
        {
            if (!MeetsRequirements(m, job.DimensionNameRequirements))
                continue;
            var dims = (m.Dimensions ?? []).GroupBy(d => d.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
            DiscoveredResource? resource = null;
            foreach (var rule in rules)
            {
                if (!rule.Dimensions.All(dims.ContainsKey))
                    continue;
                if (index.TryGetValue((rule, MatchKey(rule, dims, trimSuffix: false)), out resource)
                    || (rule.MetricSuffix is not null && index.TryGetValue((rule, MatchKey(rule, dims, trimSuffix: true)), out resource)))
                    break;
            }
            if (resource is null)
                continue;
            var labels = BaseLabels(resource.Arn, region, resource.AccountId, m.Dimensions ?? [], job.CustomTags)
                .Concat(job.ExportedTagsOnMetrics.Select(t => new KeyValuePair<string, string>("tag_" + PromNames.Sanitize(t), resource.Tags.GetValueOrDefault(t, ""))));
            var sorted = CollectedSeries.SortLabels(labels);
            foreach (var stat in metric.Statistics)
                yield return new PlannedQuery(region, role, metric, stat, m, sorted);
        }
    }

    /// <summary>A rule's dimension values as one key; values without case where the rule says so, a metric's suffix trimmed on request.</summary>
    private static string MatchKey(ArnRule rule, IReadOnlyDictionary<string, string> values, bool trimSuffix)
    {
        var builder = new System.Text.StringBuilder();
        foreach (var name in rule.Dimensions)
        {
            var value = values[name];
            if (trimSuffix && rule.MetricSuffix!.Match(value) is { Success: true } trimmed)
                value = trimmed.Groups["base"].Value;
            if (rule.IgnoreCase)
                value = value.ToLowerInvariant();
            builder.Append('\u0001').Append(name).Append('=').Append(value);
        }
        return builder.ToString();
    }

    private static IReadOnlyList<KeyValuePair<string, string>> BaseLabels(string name, string region, string account, IEnumerable<Dimension> dimensions, IReadOnlyList<DimensionConfig> customTags) =>
        CollectedSeries.SortLabels(
            new KeyValuePair<string, string>[] { new("name", name), new("region", region), new("account_id", account) }
                .Concat(dimensions.Select(d => new KeyValuePair<string, string>("dimension_" + PromNames.Sanitize(d.Name), d.Value)))
                .Concat(customTags.Select(t => new KeyValuePair<string, string>("custom_tag_" + PromNames.Sanitize(t.Name), t.Value))));

    private static CollectedSeries InfoSeries(DiscoveryJob job, DiscoveredResource r)
    {
        var labels = new List<KeyValuePair<string, string>> { new("name", r.Arn), new("region", r.Region), new("account_id", r.AccountId) };
        labels.AddRange(r.Tags.Select(t => new KeyValuePair<string, string>("tag_" + PromNames.Sanitize(t.Key), t.Value)));
        if (r.InstanceType is { Length: > 0 } type)
            labels.Add(new(InfoLabels.InstanceType, type));
        labels.AddRange((r.Facts ?? new Dictionary<string, string>()).Where(static f => f.Value.Length > 0));
        labels.AddRange(job.CustomTags.Select(t => new KeyValuePair<string, string>("custom_tag_" + PromNames.Sanitize(t.Name), t.Value)));
        return new CollectedSeries(PromNames.Info(job.Namespace), CollectedSeries.SortLabels(labels), 0);
    }
}
