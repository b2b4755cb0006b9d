using System.Globalization;
using System.Text;
using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Tests;
using Headroom.Prometheus.Aws;

namespace Headroom.Etl.CloudWatch.Tests;

/// <summary>
/// Five-minute EC2 history for a few instances: put into moto_server with PutMetricData, and written as the series the
/// collector exports (YACE names and labels, with <c>addCloudwatchTimestamp</c>, so each sample carries its datapoint's time)
/// for a Prometheus to hold. The same points, two paths.
/// </summary>
internal static class DirectHistory
{
    public static readonly string[] Metrics = ["CPUUtilization", "NetworkIn", "NetworkOut"];

    /// <summary>A value that varies by instance, metric and time, deterministically.</summary>
    public static double Value(int instance, string metric, long seconds)
    {
        var slot = seconds / 300;
        var wave = Math.Sin((slot + instance * 7) / 9.0) * 0.5 + 0.5;
        var noise = (slot * 2654435761L + instance * 40503L + metric.Length * 97L) % 1000 / 1000.0;
        return metric == "CPUUtilization"
            ? Math.Round(5 + 60 * wave + 10 * noise, 3)
            : Math.Round(1_000_000 * (instance + 1) * (wave + noise), 0);
    }

    /// <summary>Puts every 5-minute datapoint of [start, end) for the instances into moto (of <paramref name="metrics"/>, by default all three).</summary>
    public static async Task PutAsync(MotoAws moto, AwsCredentials credentials, IReadOnlyList<string> instances, DateTimeOffset start, DateTimeOffset end, string region = MotoAws.Region,
        IReadOnlyList<string>? metrics = null)
    {
        var data = new List<MetricDatum>();
        for (var t = start.ToUnixTimeSeconds(); t < end.ToUnixTimeSeconds(); t += 300)
        {
            for (var i = 0; i < instances.Count; i++)
            {
                foreach (var metric in metrics ?? Metrics)
                    data.Add(new MetricDatum(metric, [new Headroom.CloudWatch.Aws.Dimension("InstanceId", instances[i])], t, Value(i, metric, t), metric == "CPUUtilization" ? "Percent" : "Bytes"));
            }
        }
        var client = new AwsHttpClient(moto.Http, new AwsEndpoints(moto.Endpoint), new CollectorMetrics(), TimeProvider.System);
        await new CloudWatchApi(client).PutMetricDataAsync(region, credentials, "AWS/EC2", data, CancellationToken.None);
    }

    /// <summary>The collector's view of the same points in OpenMetrics, for promtool to turn into blocks.</summary>
    public static string OpenMetrics(IReadOnlyList<string> instances, IReadOnlyList<string> types, DateTimeOffset start, DateTimeOffset end)
    {
        var text = new StringBuilder();
        string Labels(int i) => $"account_id=\"{MotoAws.DefaultAccount}\",dimension_InstanceId=\"{instances[i]}\",name=\"arn:aws:ec2:{MotoAws.Region}:{MotoAws.DefaultAccount}:instance/{instances[i]}\",region=\"{MotoAws.Region}\"";
        foreach (var (metric, name) in new[] { ("CPUUtilization", "aws_ec2_cpuutilization_average"), ("NetworkIn", "aws_ec2_network_in_sum"), ("NetworkOut", "aws_ec2_network_out_sum") })
        {
            text.Append("# TYPE ").Append(name).Append(" gauge\n");
            for (var i = 0; i < instances.Count; i++)
            {
                for (var t = start.ToUnixTimeSeconds(); t < end.ToUnixTimeSeconds(); t += 300)
                    text.Append(CultureInfo.InvariantCulture, $"{name}{{{Labels(i)}}} {Value(i, metric, t).ToString("R", CultureInfo.InvariantCulture)} {t}\n");
            }
        }
        text.Append("# TYPE aws_ec2_info gauge\n");
        for (var i = 0; i < instances.Count; i++)
        {
            for (var t = start.ToUnixTimeSeconds(); t < end.ToUnixTimeSeconds(); t += 300)
                text.Append(CultureInfo.InvariantCulture, $"aws_ec2_info{{{Labels(i)},instance_type=\"{types[i]}\",tag_Name=\"host-{i}\",tag_env=\"prod\"}} 0 {t}\n");
        }
        return text.Append("# EOF\n").ToString();
    }
}
