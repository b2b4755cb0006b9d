using Headroom.Fleet.Simulation;

namespace Headroom.Fleet.Aws;

/// <summary>
/// Simulated AWS resources beyond EC2 — load balancers (ALB, NLB, classic), EBS volumes, RDS and ElastiCache
/// instances, Redshift clusters, NAT gateways, Lambda functions, DynamoDB tables — with known truth (waste, busy,
/// appeared late), exporting what YACE would: <c>aws_*_info</c> (with the describe APIs' facts headroom cloudwatch adds:
/// class, size, node count, memory, capacity) and the CloudWatch metrics the waste rules read, one value per 5-minute period. Deterministic for a seed.
/// </summary>
public sealed class AwsFleet
{
    /// <summary>The kinds, as their ETL profile names.</summary>
    public static IReadOnlyList<string> Kinds { get; } =
        ["aws-elb", "aws-ebs", "aws-rds", "aws-elasticache", "aws-redshift", "aws-nat", "aws-lambda", "aws-dynamodb"];

    /// <summary>The region every built-in price is for; one resource a kind lives elsewhere (no price there).</summary>
    public const string PricedRegion = "us-east-1";

    /// <summary>The region without built-in prices.</summary>
    public const string UnpricedRegion = "eu-north-1";

    private const string Account = "111111111111";

    private AwsFleet(IReadOnlyList<AwsResource> resources) => Resources = resources;

    /// <summary>Every resource.</summary>
    public IReadOnlyList<AwsResource> Resources { get; }

    /// <summary>
    /// Six resources a kind: two waste (one of them in <see cref="UnpricedRegion"/>), three busy (one just past the
    /// threshold), one that appears <paramref name="lateBy"/> before <paramref name="end"/>.
    /// </summary>
    public static AwsFleet Create(int seed, DateTimeOffset end, TimeSpan lateBy)
    {
        var resources = new List<AwsResource>();
        var builder = new Builder((ulong)seed, end - lateBy);
        foreach (var kind in Kinds)
        {
            for (var i = 0; i < 6; i++)
            {
                var truth = i switch { 0 or 1 => AwsTruth.Waste, 5 => AwsTruth.Late, _ => AwsTruth.Busy };
                var region = i == 1 ? UnpricedRegion : PricedRegion;
                // The late one is waste by its metrics: only its short history keeps it from being flagged.
                resources.Add(builder.Build(kind, i, truth == AwsTruth.Late || truth == AwsTruth.Waste, i == 4, region, truth));
            }
        }
        return new AwsFleet(resources);
    }

    /// <summary>The fleet as history families for <see cref="FleetHistory.WriteGauges"/>, with <paramref name="job"/> and <paramref name="instance"/> labels as a scrape adds.</summary>
    public IReadOnlyList<HistoryFamily> History(string job, string instance) =>
        [.. Resources.SelectMany(r => r.Series.Select(s => (r, s)))
            .GroupBy(static x => x.s.Metric, StringComparer.Ordinal)
            .OrderBy(static g => g.Key, StringComparer.Ordinal)
            .Select(g => new HistoryFamily(g.Key, $"CloudWatch {g.Key}, as YACE exports it",
                [.. g.Select(x => new HistorySeries([.. x.s.Labels, new("job", job), new("instance", instance)],
                    t => t < x.r.Appears ? double.NaN : x.s.Value(t)))]))];

    private sealed class Builder(ulong seed, DateTimeOffset lateStart)
    {
        public AwsResource Build(string kind, int index, bool waste, bool nearThreshold, string region, AwsTruth truth)
        {
            var noise = DeterministicRandom.Stream(seed, (ulong)(Kinds.ToList().IndexOf(kind) * 100 + index), 7);
            double Jitter(DateTimeOffset t) => DeterministicRandom.Unit(noise, (ulong)(t.ToUnixTimeSeconds() / 300));
            var appears = truth == AwsTruth.Late ? lateStart : FleetClock.Epoch;
            var id = $"{kind[4..]}-{index}";
            var series = new List<(string, IReadOnlyList<KeyValuePair<string, string>>, Func<DateTimeOffset, double>)>();
            var arn = ArnOf(kind, index, region);
            List<KeyValuePair<string, string>> Labels(params (string, string)[] extra) =>
                [new("name", arn), new("region", region), new("account_id", Account), .. extra.Select(static e => new KeyValuePair<string, string>(e.Item1, e.Item2))];
            void Info(string metric, params (string, string)[] extra) => series.Add((metric, Labels([("tag_Name", id), .. extra]), static _ => 0));
            void Metric(string metric, Func<DateTimeOffset, double> value, params (string, string)[] extra) => series.Add((metric, Labels(extra), value));
            var description = "";
            switch (kind)
            {
                case "aws-elb":
                {
                    var type = (index % 3) switch { 0 => "app", 1 => "net", _ => "classic" };
                    var (info, metric) = type switch
                    {
                        "app" => ("aws_applicationelb_info", "aws_applicationelb_request_count_sum"),
                        "net" => ("aws_networkelb_info", "aws_networkelb_new_flow_count_sum"),
                        _ => ("aws_elb_info", "aws_elb_request_count_sum"),
                    };
                    Info(info, ("load_balancer_type", type switch { "app" => "application", "net" => "network", _ => "classic" }));
                    // Idle: a request in about one period of 20 (~14 a day), and no datapoint otherwise (CloudWatch
                    // publishes RequestCount only when requests flow). Busy: ~290 a day just past 100, or thousands.
                    Func<DateTimeOffset, double> value = waste ? t => Jitter(t) < 0.05 ? 1 : double.NaN
                        : nearThreshold ? t => Jitter(t) < 0.5 ? 2 : double.NaN
                        : t => 20 + (40 * Jitter(t));
                    Metric(metric, value, ("dimension_LoadBalancer", arn[(arn.IndexOf('/') + 1)..]));
                    description = $"{type} load balancer, {(waste ? "~14 requests a day" : nearThreshold ? "~290 requests a day" : "~11,000 requests a day")}";
                    break;
                }
                case "aws-ebs":
                {
                    var unattached = waste && index == 0;
                    Info("aws_ebs_info", ("volume_type", "gp3"), ("size_gib", "500"), ("state", unattached ? "available" : "in-use"));
                    if (!unattached)
                    {
                        // Under 1 IOPS: ~0.2 IOPS (60 operations a period). Busy: 1.5 IOPS just past 1, or 50–150.
                        var iops = waste ? 0.2 : nearThreshold ? 1.5 : 50;
                        Metric("aws_ebs_volume_read_ops_sum", t => iops * 300 * (0.5 + Jitter(t)) / 2, ("dimension_VolumeId", arn[(arn.LastIndexOf('/') + 1)..]));
                        Metric("aws_ebs_volume_write_ops_sum", t => iops * 300 * (0.5 + Jitter(t)) / 2, ("dimension_VolumeId", arn[(arn.LastIndexOf('/') + 1)..]));
                    }
                    description = unattached ? "500 GiB gp3, unattached" : $"500 GiB gp3, ~{(waste ? 0.2 : nearThreshold ? 1.5 : 50)} IOPS";
                    break;
                }
                case "aws-rds":
                case "aws-elasticache":
                {
                    var rds = kind == "aws-rds";
                    Info(rds ? "aws_rds_info" : "aws_elasticache_info", ("instance_type", rds ? "db.m5.large" : "cache.m5.large"), rds ? ("multi_az", "false") : ("node_count", "2"), ("engine", rds ? "mysql" : "redis"));
                    // Busy near the threshold: one connection in one period a day.
                    Func<DateTimeOffset, double> connections = waste ? static _ => 0
                        : nearThreshold ? t => t.ToUnixTimeSeconds() % 86_400 < 300 ? 1 : 0
                        : t => 5 + Math.Floor(20 * Jitter(t));
                    Metric(rds ? "aws_rds_database_connections_maximum" : "aws_elasticache_curr_connections_maximum", connections);
                    Metric(rds ? "aws_rds_cpuutilization_average" : "aws_elasticache_cpuutilization_average", t => waste ? 2 + Jitter(t) : 20 + (30 * Jitter(t)));
                    description = waste ? "no connection" : nearThreshold ? "one connection a day" : "5–25 connections";
                    break;
                }
                case "aws-redshift":
                {
                    Info("aws_redshift_info", ("instance_type", "ra3.xlplus"), ("node_count", "2"));
                    // Waste: index 0 idle (no connection); index 1 under-used (connections, CPU ~2%). Busy near: CPU
                    // under 5% in ~97% of hours (a busy hour a day), just short of Trusted Advisor's 99%.
                    var idle = waste && index == 0;
                    Metric("aws_redshift_database_connections_maximum", t => idle ? 0 : 3);
                    Func<DateTimeOffset, double> cpu = waste ? t => 1 + (2 * Jitter(t))
                        : nearThreshold ? t => t.ToUnixTimeSeconds() % 86_400 < 3600 ? 40 : 2
                        : t => 30 + (30 * Jitter(t));
                    Metric("aws_redshift_cpuutilization_average", cpu);
                    description = idle ? "no connection" : waste ? "connections, CPU ~2%" : nearThreshold ? "CPU under 5% but one busy hour a day" : "CPU 30–60%";
                    break;
                }
                case "aws-nat":
                {
                    Info("aws_natgateway_info");
                    // Busy near: one 1 KB burst a day.
                    Func<DateTimeOffset, double> bytes = waste ? static _ => 0
                        : nearThreshold ? t => t.ToUnixTimeSeconds() % 86_400 < 300 ? 1000 : 0
                        : t => 1e6 * (1 + Jitter(t));
                    foreach (var m in new[] { "bytes_out_to_destination", "bytes_out_to_source", "bytes_in_from_source", "bytes_in_from_destination" })
                        Metric($"aws_natgateway_{m}_sum", bytes);
                    description = waste ? "no bytes" : nearThreshold ? "1 KB a day" : "~2 MB a period";
                    break;
                }
                case "aws-lambda":
                {
                    // Waste: 1024 MB configured, ~150 MB used (192 MB recommended). Busy: 256 MB, 200–230 MB used (320 recommended).
                    var configured = waste ? 1024 : 256;
                    Info("aws_lambda_info", ("memory_size_mb", configured.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("architecture", "x86_64"));
                    Metric("aws_lambda_invocations_sum", t => 30 + Math.Floor(10 * Jitter(t)));
                    Metric("aws_lambda_duration_sum", t => 30 * 200 * (1 + Jitter(t)));
                    series.Add(("aws_lambdainsights_used_memory_max_maximum",
                        [new("region", region), new("account_id", Account), new("dimension_function_name", id)],
                        t => waste ? 130 + (20 * Jitter(t)) : 200 + (30 * Jitter(t))));
                    series.Add(("aws_lambdainsights_total_memory_maximum",
                        [new("region", region), new("account_id", Account), new("dimension_function_name", id)], _ => configured));
                    description = waste ? "1024 MB configured, ~150 MB used" : "256 MB configured, ~230 MB used";
                    break;
                }
                default:
                {
                    Info("aws_dynamodb_info", ("billing_mode", "PROVISIONED"), ("read_capacity_units", "100"), ("write_capacity_units", "50"));
                    // Waste: 100 RCU / 50 WCU provisioned, ~3/s and ~1/s consumed. Busy: ~60/s and ~30/s; near: 45/s and 22/s (provisioned just under 2× peak + 20%).
                    var (reads, writes) = waste ? (3.0, 1.0) : nearThreshold ? (45.0, 22.0) : (60.0, 30.0);
                    Metric("aws_dynamodb_provisioned_read_capacity_units_average", static _ => 100);
                    Metric("aws_dynamodb_provisioned_write_capacity_units_average", static _ => 50);
                    Metric("aws_dynamodb_consumed_read_capacity_units_sum", t => reads * 300 * (0.8 + (0.2 * Jitter(t))));
                    Metric("aws_dynamodb_consumed_write_capacity_units_sum", t => writes * 300 * (0.8 + (0.2 * Jitter(t))));
                    description = $"100 RCU / 50 WCU provisioned, ~{reads}/{writes} consumed per second";
                    break;
                }
            }
            if (truth == AwsTruth.Late)
                description += $", created {lateStart:yyyy-MM-dd HH:mm}Z";
            return new AwsResource(kind, arn, Account, region, truth, description, appears, series);
        }

        /// <summary>The resource's ARN in AWS's format for its kind (a load balancer's type follows its index: ALB, NLB, classic).</summary>
        private string ArnOf(string kind, int index, string region)
        {
            var id = $"{kind[4..]}-{index}";
            return kind switch
            {
                "aws-elb" => (index % 3) switch
                {
                    0 => $"arn:aws:elasticloadbalancing:{region}:{Account}:loadbalancer/app/{id}/50dc6c495c0c9188",
                    1 => $"arn:aws:elasticloadbalancing:{region}:{Account}:loadbalancer/net/{id}/50dc6c495c0c9188",
                    _ => $"arn:aws:elasticloadbalancing:{region}:{Account}:loadbalancer/{id}",
                },
                "aws-ebs" => $"arn:aws:ec2:{region}:{Account}:volume/vol-0{index}{seed:x4}",
                "aws-rds" => $"arn:aws:rds:{region}:{Account}:db:{id}",
                "aws-elasticache" => $"arn:aws:elasticache:{region}:{Account}:cluster:{id}",
                "aws-redshift" => $"arn:aws:redshift:{region}:{Account}:cluster:{id}",
                "aws-nat" => $"arn:aws:ec2:{region}:{Account}:natgateway/nat-0{index}{seed:x4}",
                "aws-lambda" => $"arn:aws:lambda:{region}:{Account}:function:{id}",
                _ => $"arn:aws:dynamodb:{region}:{Account}:table/{id}",
            };
        }
    }
}
