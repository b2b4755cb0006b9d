using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Config;

namespace Headroom.CloudWatch.Collection;

public sealed partial class Collector
{
    /// <summary>Every (region, role) the configuration's jobs name, each once.</summary>
    public IReadOnlyList<CollectorTarget> Targets() =>
        _config.Discovery.Cast<JobConfig>().Concat(_config.Static).Concat(_config.CustomNamespace)
            .SelectMany(Targets)
            .DistinctBy(t => (t.Region, RoleKey(t.Role)))
            .Select(t => new CollectorTarget(t.Region, t.Role))
            .ToList();

    /// <summary>The account id of a target: from its role ARN, else from STS GetCallerIdentity.</summary>
    public Task<string> AccountIdAsync(CollectorTarget target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        return _accounts.AccountIdAsync(target.Role, target.Region, cancellationToken);
    }

    /// <summary>
    /// Reads [<paramref name="start"/>, <paramref name="end"/>) for one target: discovery and ListMetrics as a collection pass
    /// does them (cached alike), then one GetMetricData query per metric and statistic over the whole window at the metric's
    /// period, batched under <paramref name="limits"/>, every NextToken page followed.
    /// </summary>
    /// <param name="wanted">Which series (by exported name, e.g. <c>aws_ec2_cpuutilization_average</c>) to query; the others are not asked for.</param>
    /// <exception cref="AwsApiException">A call failed (after retries where retrying helps).</exception>
    public async Task<WindowRead> ReadWindowAsync(CollectorTarget target, DateTimeOffset start, DateTimeOffset end, Func<string, bool> wanted,
        WindowLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(wanted);
        var (region, role) = (target.Region, target.Role);
        var (info, queries, _) = await PlanWindowAsync(target, wanted, cancellationToken).ConfigureAwait(false);

        limits ??= WindowLimits.Default;
        var series = new List<WindowSeries>(queries.Count);
        var calls = 0;
        var requested = 0;
        foreach (var group in queries.GroupBy(q => q.Config.Period))
        {
            var period = group.Key;
            // Whole periods only: CloudWatch aligns datapoints to the start time, and a partial last period would be a partial value.
            var (slices, perCall) = limits.Plan(start, end, period);
            var batches = group.Chunk(perCall).ToList();
            var results = await Task.WhenAll(batches.SelectMany(b => slices.Select(s => ReadBatchAsync(region, role, b, s.Start, s.End, cancellationToken)))).ConfigureAwait(false);
            calls += results.Sum(r => r.Calls);
            requested += results.Sum(r => r.Requested);
            var points = new Dictionary<PlannedQuery, SortedDictionary<long, double>>(ReferenceEqualityComparer.Instance);
            foreach (var (batchPoints, _, _) in results)
            {
                foreach (var (query, byTime) in batchPoints)
                {
                    if (!points.TryGetValue(query, out var all))
                        points[query] = all = [];
                    foreach (var (t, v) in byTime)
                        all[t] = v;
                }
            }
            foreach (var q in group)
            {
                var name = PromNames.Metric(q.Metric.Namespace, q.Metric.MetricName, q.Statistic);
                series.Add(new WindowSeries(name, q.Labels, points.TryGetValue(q, out var p) ? [.. p.Select(x => (x.Key, x.Value))] : []));
            }
        }
        return new WindowRead(info, series, requested, calls);
    }

    /// <summary>
    /// Whether <paramref name="target"/> has anything to read for <paramref name="wanted"/>: discovery and ListMetrics as a
    /// window's read does them (cached alike, so the read that follows repeats no call), no GetMetricData. An account and
    /// region where discovery finds no resource, or CloudWatch lists no metric, holds nothing a window could load.
    /// </summary>
    /// <exception cref="AwsApiException">A call failed (after retries where retrying helps).</exception>
    public async Task<bool> HoldsMetricsAsync(CollectorTarget target, Func<string, bool> wanted, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(wanted);
        var (_, queries, _) = await PlanWindowAsync(target, wanted, cancellationToken).ConfigureAwait(false);
        return queries.Count > 0;
    }

    /// <summary>
    /// The info series of the resources discovered for <paramref name="target"/>, one query per wanted metric, statistic and
    /// resource, and the wanted metrics there was something to ask for (a discovery job that found resources, a static or
    /// custom-namespace job), whether CloudWatch listed them or not.
    /// </summary>
    private async Task<(List<CollectedSeries> Info, List<PlannedQuery> Queries, List<MetricConfig> Configured)> PlanWindowAsync(CollectorTarget target,
        Func<string, bool> wanted, CancellationToken cancellationToken)
    {
        var (region, role) = (target.Region, target.Role);
        var info = new List<CollectedSeries>();
        var queries = new List<PlannedQuery>();
        var configured = new List<MetricConfig>();
        var pass = new AnswerMemo();
        bool Mine(JobConfig job) => job.Regions.Contains(region) && job.Roles.Any(r => RoleKey(r) == RoleKey(role));
        MetricConfig? Narrow(MetricConfig m) =>
            m.Statistics.Where(s => wanted(PromNames.Metric(m.Namespace, m.Name, s))).ToList() is { Count: > 0 } statistics ? m with { Statistics = statistics } : null;

        foreach (var job in _config.Discovery.Where(Mine))
        {
            var metrics = job.Metrics.Select(Narrow).OfType<MetricConfig>().ToList();
            if (metrics.Count == 0)
                continue;
            var credentials = await _accounts.CredentialsAsync(role, region, cancellationToken).ConfigureAwait(false);
            var resources = (await DiscoverAsync(job, region, role, credentials, pass, cancellationToken).ConfigureAwait(false)).Resources;
            info.AddRange(resources.Select(r => InfoSeries(job, r)));
            if (resources.Count > 0)
                configured.AddRange(metrics);
            foreach (var metric in metrics)
            {
                var listed = await ListAsync(region, role, credentials, metric.Namespace, metric.Name, job.RecentlyActiveOnly, cancellationToken).ConfigureAwait(false);
                queries.AddRange(PlanDiscovery(job, metric, region, role, resources, listed));
            }
        }
        foreach (var job in _config.Static.Where(Mine))
        {
            var account = await _accounts.AccountIdAsync(role, region, cancellationToken).ConfigureAwait(false);
            var dimensions = job.Dimensions.Select(d => new Dimension(d.Name, d.Value)).ToList();
            foreach (var metric in job.Metrics.Select(Narrow).OfType<MetricConfig>())
            {
                configured.Add(metric);
                var labels = BaseLabels(job.Name, region, account, dimensions, job.CustomTags);
                queries.AddRange(metric.Statistics.Select(stat => new PlannedQuery(region, role, metric, stat, new Metric(metric.Namespace, metric.Name, dimensions), labels)));
            }
        }
        foreach (var job in _config.CustomNamespace.Where(Mine))
        {
            var metrics = job.Metrics.Select(Narrow).OfType<MetricConfig>().ToList();
            if (metrics.Count == 0)
                continue;
            var credentials = await _accounts.CredentialsAsync(role, region, cancellationToken).ConfigureAwait(false);
            var account = await _accounts.AccountIdAsync(role, region, cancellationToken).ConfigureAwait(false);
            configured.AddRange(metrics);
            foreach (var metric in metrics)
            {
                var listed = await ListAsync(region, role, credentials, metric.Namespace, metric.Name, job.RecentlyActiveOnly, cancellationToken).ConfigureAwait(false);
                foreach (var m in listed.Where(m => MeetsRequirements(m, job.DimensionNameRequirements)))
                {
                    var labels = BaseLabels(job.Name, region, account, m.Dimensions ?? [], job.CustomTags);
                    queries.AddRange(metric.Statistics.Select(stat => new PlannedQuery(region, role, metric, stat, m, labels)));
                }
            }
        }

        return (info, queries, configured);
    }

    /// <summary>One batch over one time slice, every page followed; points by query, keyed by time (a later page wins).</summary>
    private async Task<(List<(PlannedQuery Query, Dictionary<long, double> Points)> Points, int Calls, int Requested)> ReadBatchAsync(
        string region, RoleConfig role, PlannedQuery[] batch, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var credentials = await _accounts.CredentialsAsync(role, region, cancellationToken).ConfigureAwait(false);
        var requests = batch.Select((q, i) => new MetricDataQuery($"q{i}", new MetricStat(q.Metric, (int)q.Config.Period.TotalSeconds, q.Statistic))).ToList();
        var byId = batch.Select(_ => new Dictionary<long, double>()).ToArray();
        var calls = 0;
        string? token = null;
        // Bounded: a source that keeps answering with a token would otherwise loop forever; 10,000 pages is far beyond any real window.
        for (var page = 0; page < 10_000; page++)
        {
            var answer = await _api.GetMetricDataPageAsync(region, credentials,
                new GetMetricDataRequest(requests, start.ToUnixTimeSeconds(), end.ToUnixTimeSeconds(), token, "TimestampAscending"), cancellationToken).ConfigureAwait(false);
            calls++;
            foreach (var result in answer.MetricDataResults ?? [])
            {
                if (!result.Id.StartsWith('q') || !int.TryParse(result.Id.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture, out var index) || index < 0 || index >= batch.Length)
                    continue;
                var times = result.Timestamps ?? [];
                var values = result.Values ?? [];
                for (var i = 0; i < Math.Min(times.Length, values.Length); i++)
                    byId[index][(long)(times[i] * 1000)] = values[i];
            }
            token = answer.NextToken;
            if (string.IsNullOrEmpty(token))
                break;
        }
        return ([.. batch.Select((q, i) => (q, byId[i]))], calls, calls * batch.Length);
    }
}
