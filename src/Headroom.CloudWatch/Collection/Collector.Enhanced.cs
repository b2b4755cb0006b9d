using System.Collections.Concurrent;
using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Config;
using Headroom.Prometheus.Aws;

namespace Headroom.CloudWatch.Collection;

public sealed partial class Collector
{
    /// <summary>Lambda's configured memory is reported in MB; YACE exports it in bytes.</summary>
    private const double BytesPerMegabyte = 1024 * 1024;

    private readonly ConcurrentDictionary<string, (DateTimeOffset At, Task<IReadOnlyDictionary<string, double[]>> Values)> _enhanced = new(StringComparer.Ordinal);

    /// <summary>
    /// The enhanced metrics of a discovery job's resources, one series each, named as YACE names them (no statistic
    /// suffix: <c>aws_lambda_memory_size</c>). The services' answers are cached as long as discovery's.
    /// </summary>
    private async Task<IEnumerable<CollectedSeries>> EnhancedAsync(DiscoveryJob job, string region, RoleConfig role, AwsCredentials credentials,
        IReadOnlyList<DiscoveredResource> resources, CancellationToken cancellationToken)
    {
        if (job.EnhancedMetrics.Count == 0 || resources.Count == 0)
            return [];
        var names = EnhancedMetrics.Supported[job.Namespace];
        var apis = new ResourceApis(_api.Client);
        var key = $"{job.Line}|{region}|{RoleKey(role)}";
        // Values by ARN, in the order of EnhancedMetrics.Supported[namespace]; NaN where the service did not say.
        var values = await Cached(_enhanced, key, _options.DiscoveryTtl, async () =>
        {
            var result = new Dictionary<string, double[]>(StringComparer.Ordinal);
            if (job.Namespace == "AWS/Lambda")
            {
                foreach (var f in await apis.ListFunctionsAsync(region, credentials, cancellationToken).ConfigureAwait(false))
                {
                    if (f.FunctionArn is { } arn)
                        result[arn] = [f.MemorySize is { } mb ? mb * BytesPerMegabyte : double.NaN, f.Timeout ?? double.NaN];
                }
            }
            else
            {
                foreach (var r in resources)
                {
                    var table = await apis.DescribeTableAsync(region, credentials, r.Dimensions["TableName"], cancellationToken).ConfigureAwait(false);
                    result[r.Arn] = [table?.ItemCount ?? double.NaN, table?.TableSizeBytes ?? double.NaN];
                }
            }
            return (IReadOnlyDictionary<string, double[]>)result;
        }).ConfigureAwait(false);

        var series = new List<CollectedSeries>();
        foreach (var r in resources)
        {
            if (!values.TryGetValue(r.Arn, out var known))
                continue;
            var labels = CollectedSeries.SortLabels(BaseLabels(r.Arn, region, r.AccountId, r.Dimensions.Select(d => new Dimension(d.Key, d.Value)), job.CustomTags)
                .Concat(job.ExportedTagsOnMetrics.Select(t => new KeyValuePair<string, string>("tag_" + PromNames.Sanitize(t), r.Tags.GetValueOrDefault(t, "")))));
            foreach (var name in job.EnhancedMetrics)
                series.Add(new CollectedSeries(PromNames.Metric(job.Namespace, name, ""), labels, known[IndexOf(names, name)]));
        }
        return series;
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
                return i;
        }
        throw new ArgumentException($"'{name}' is not one of {string.Join(", ", names)}", nameof(name));
    }
}
