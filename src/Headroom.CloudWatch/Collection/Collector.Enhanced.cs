using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Config;
using Headroom.Prometheus.Aws;

namespace Headroom.CloudWatch.Collection;

public sealed partial class Collector
{
    /// <summary>Lambda's configured memory is reported in MB; YACE exports it in bytes.</summary>
    private const double BytesPerMegabyte = 1024 * 1024;

    /// <summary>
    /// The enhanced metrics of a discovery job's resources, one series each, named as YACE names them (no statistic
    /// suffix: <c>aws_lambda_memory_size</c>). The values come from the answers the discovery's facts were read from
    /// (<see cref="ResourceDescriptions"/>): no second DescribeTable or ListFunctions, and they are refreshed with discovery.
    /// A describe call that failed during discovery is made again here, and its error fails the job's account and region.
    /// </summary>
    private async Task<IEnumerable<CollectedSeries>> EnhancedAsync(DiscoveryJob job, string region, AwsCredentials credentials, Discovery discovery,
        CancellationToken cancellationToken)
    {
        var resources = discovery.Resources;
        if (job.EnhancedMetrics.Count == 0 || resources.Count == 0)
            return [];
        var names = EnhancedMetrics.Supported[job.Namespace];
        // Values by ARN, in the order of EnhancedMetrics.Supported[namespace]; NaN where the service did not say.
        var values = new Dictionary<string, double[]>(StringComparer.Ordinal);
        if (job.Namespace == "AWS/Lambda")
        {
            foreach (var f in await discovery.Descriptions.FunctionsAsync(null, credentials, cancellationToken).ConfigureAwait(false))
            {
                if (f.FunctionArn is { } arn)
                    values[arn] = [f.MemorySize is { } mb ? mb * BytesPerMegabyte : double.NaN, f.Timeout ?? double.NaN];
            }
        }
        else
        {
            foreach (var r in resources)
            {
                var table = await discovery.Descriptions.TableAsync(credentials, r.Dimensions["TableName"], cancellationToken).ConfigureAwait(false);
                values[r.Arn] = [table?.ItemCount ?? double.NaN, table?.TableSizeBytes ?? double.NaN];
            }
        }

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
