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
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, Task<IReadOnlyList<DiscoveredResource>> Resources)> _discovery = new(StringComparer.Ordinal);
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
                    var resources = await DiscoverAsync(job, region, role, credentials, cancellationToken).ConfigureAwait(false);
                    if (ownsInfo)
                        InfoOf(info, region, role).AddRange(resources.Select(r => InfoSeries(job, r)));
                    foreach (var metric in job.Metrics.Where(Wanted))
                    {
                        var listed = await ListAsync(region, role, credentials, metric.Namespace, metric.Name, job.RecentlyActiveOnly, cancellationToken).ConfigureAwait(false);
                        queries.AddRange(PlanDiscovery(job, metric, region, role, resources, listed));
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

    /// <summary>Resources of the job's type in a region and account, matching its search tags; EC2 instances that are not running are dropped.</summary>
    private Task<IReadOnlyList<DiscoveredResource>> DiscoverAsync(DiscoveryJob job, string region, RoleConfig role, AwsCredentials credentials, CancellationToken cancellationToken)
    {
        var key = $"{job.Line}|{region}|{RoleKey(role)}";
        return Cached(_discovery, key, _options.DiscoveryTtl, async () =>
        {
            var mappings = await _api.GetResourcesAsync(region, credentials, job.Service.ResourceTypeFilters, job.SearchTags.Select(t => t.Key).ToList(), cancellationToken).ConfigureAwait(false);
            var resources = new List<DiscoveredResource>();
            foreach (var mapping in mappings)
            {
                var tags = (mapping.Tags ?? []).GroupBy(t => t.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
                if (!job.SearchTags.All(t => tags.TryGetValue(t.Key, out var v) && t.Value.IsMatch(v)))
                    continue;
                if (DimensionsOf(job.Service, mapping.ResourceARN) is not { } dimensions)
                    continue;
                resources.Add(new DiscoveredResource(mapping.ResourceARN, region, DiscoveredResource.AccountOf(mapping.ResourceARN), tags, dimensions));
            }
            if (!job.Service.IsEc2 || resources.Count == 0)
                return (IReadOnlyList<DiscoveredResource>)resources;

            var instances = await _accounts.DescribeInstancesAsync(credentials, region, resources.Select(r => r.Dimensions["InstanceId"]).ToList(), cancellationToken).ConfigureAwait(false);
            return resources
                .Where(r => instances.TryGetValue(r.Dimensions["InstanceId"], out var i) && i.State is "running" or "pending")
                .Select(r => r with { InstanceType = instances[r.Dimensions["InstanceId"]].Type })
                .ToList();
        });
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

    private static Dictionary<string, string>? DimensionsOf(ServiceType service, string arn)
    {
        foreach (var regex in service.DimensionsFromArn)
        {
            var match = regex.Match(arn);
            if (!match.Success)
                continue;
            return regex.GetGroupNames().Where(n => !int.TryParse(n, out _))
                .ToDictionary(n => n, n => match.Groups[n].Value, StringComparer.Ordinal);
        }
        return null;
    }

    private static bool MeetsRequirements(Metric metric, IReadOnlyList<string> required) =>
        required.Count == 0 || (metric.Dimensions ?? []).Select(d => d.Name).Order(StringComparer.Ordinal).SequenceEqual(required.Order(StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>Matches each listed metric to the resource whose ARN gives its dimension values; unmatched metrics (e.g. per-ASG aggregates) are left out.</summary>
    private static IEnumerable<PlannedQuery> PlanDiscovery(DiscoveryJob job, MetricConfig metric, string region, RoleConfig role, IReadOnlyList<DiscoveredResource> resources, IReadOnlyList<Metric> listed)
    {
        var index = new Dictionary<string, DiscoveredResource>(StringComparer.Ordinal);
        foreach (var r in resources)
            index.TryAdd(MatchKey(r.Dimensions.Keys, r.Dimensions), r);
        var shapes = resources.Select(r => r.Dimensions.Keys.Order(StringComparer.Ordinal).ToArray()).DistinctBy(k => string.Join(',', k)).ToList();
        foreach (var m in listed)
        {
            if (!MeetsRequirements(m, job.DimensionNameRequirements))
                continue;
            var dims = (m.Dimensions ?? []).ToDictionary(d => d.Name, d => d.Value, StringComparer.Ordinal);
            DiscoveredResource? resource = null;
            foreach (var shape in shapes)
            {
                if (shape.All(dims.ContainsKey) && index.TryGetValue(MatchKey(shape, dims), out resource))
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

    private static string MatchKey(IEnumerable<string> names, IReadOnlyDictionary<string, string> values) =>
        string.Join('\u0001', names.Order(StringComparer.Ordinal).Select(n => n + "=" + values[n]));

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
            labels.Add(new("instance_type", type));
        labels.AddRange(job.CustomTags.Select(t => new KeyValuePair<string, string>("custom_tag_" + PromNames.Sanitize(t.Name), t.Value)));
        return new CollectedSeries(PromNames.Info(job.Namespace), CollectedSeries.SortLabels(labels), 0);
    }
}
