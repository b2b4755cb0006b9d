using Headroom.Insights.Waste;
using Headroom.Warehouse;
using Xunit;

namespace Headroom.Insights.Tests;

/// <summary>The waste rules on hand-built hours: thresholds, and bad input answered with "insufficient data", never a saving.</summary>
public sealed class WasteRulesTests
{
    private static readonly DateTimeOffset End = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly WasteOptions Options = new() { Days = 14 };

    private static WasteSubject Subject(string arn, IReadOnlyDictionary<string, string>? labels, DateTimeOffset from, params (string Dimension, Func<DateTimeOffset, double?> Value)[] dims)
    {
        var resource = new WasteResource(new ReportResource($"name=\"{arn}\"", null, "111111111111", arn.Split(':')[3], labels?.GetValueOrDefault("type")),
            labels ?? new Dictionary<string, string>(), from, End);
        var hours = new List<WasteHour>();
        for (var t = from; t < End; t = t.AddHours(1))
        {
            hours.Add(new WasteHour(resource.Resource.Key, WasteSubject.Present, t, 1, 1, 12));
            foreach (var (dimension, value) in dims)
            {
                if (value(t) is { } v)
                    hours.Add(new WasteHour(resource.Resource.Key, dimension, t, v, v, 12));
            }
        }
        return new WasteSubject(resource, hours);
    }

    private static WasteSection Run(WasteKind kind, params WasteSubject[] subjects) =>
        WasteRules.Evaluate(new WasteRules.Context(WasteKindInfo.Of(kind), End, ServicePrices.BuiltIn, Options), subjects);

    /// <summary>An RDS instance's facts as DescribeDBInstances gives them: class, Single-AZ, MySQL.</summary>
    private static Dictionary<string, string> Rds(string type) => new() { ["type"] = type, ["multi_az"] = "false", ["engine"] = "mysql" };

    private const string Alb = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/1";

    [Fact]
    public void A_load_balancer_is_idle_under_100_requests_on_every_one_of_7_days()
    {
        // 99 requests a day: 99 / 86,400 per second in every hour.
        var idle = Run(WasteKind.LoadBalancer, Subject(Alb, null, End.AddDays(-14), ("requests", _ => 99.0 / 86_400)));
        Assert.Equal(WasteVerdict.Idle, idle.Findings.Single().Verdict);
        Assert.Equal(16.43m, idle.MonthlySavings);
        // One day of 150 requests in the last 7 keeps it.
        var busy = Run(WasteKind.LoadBalancer, Subject(Alb, null, End.AddDays(-14), ("requests", t => t >= End.AddDays(-2) && t < End.AddDays(-1) ? 150.0 / 86_400 : 0)));
        Assert.Equal(WasteVerdict.Ok, busy.Findings.Single().Verdict);
        Assert.Equal(0, busy.MonthlySavings);
    }

    [Fact]
    public void A_load_balancer_without_request_rows_while_others_have_them_had_no_requests()
    {
        var silent = Subject(Alb, null, End.AddDays(-14));
        var other = Subject(Alb.Replace("web", "api", StringComparison.Ordinal), null, End.AddDays(-14), ("requests", _ => 1));
        var section = Run(WasteKind.LoadBalancer, silent, other);
        Assert.Equal(WasteVerdict.Idle, section.Findings.Single(f => f.Resource.Key.Contains("web", StringComparison.Ordinal)).Verdict);
    }

    [Theory]
    [InlineData(WasteKind.LoadBalancer, "requests")]
    [InlineData(WasteKind.RdsInstance, "connections")]
    [InlineData(WasteKind.NatGateway, "bytes")]
    [InlineData(WasteKind.DynamoDbTable, "read_provisioned")]
    [InlineData(WasteKind.LambdaFunction, "memory_used_mb")]
    public void A_metric_missing_for_the_whole_kind_is_insufficient_data_never_idle(WasteKind kind, string metric)
    {
        var section = Run(kind, Subject("arn:aws:x:us-east-1:1:thing/a", new Dictionary<string, string> { ["type"] = "db.m5.large" }, End.AddDays(-14)));
        Assert.Contains($"no {metric}", section.Note, StringComparison.Ordinal);
        Assert.Contains("collect", section.Note, StringComparison.Ordinal);
        Assert.All(section.Findings, f => Assert.Equal(WasteVerdict.InsufficientData, f.Verdict));
        Assert.Equal(0, section.MonthlySavings);
    }

    [Fact]
    public void A_resource_that_appeared_mid_window_or_a_partial_window_gives_insufficient_data()
    {
        var late = Subject("arn:aws:rds:us-east-1:1:db:late", Rds("db.m5.large"), End.AddDays(-3), ("connections", _ => 0));
        // Rows in only every other hour of the 7 days: half the data is missing.
        var gappy = Subject("arn:aws:rds:us-east-1:1:db:gappy", Rds("db.m5.large"), End.AddDays(-14), ("connections", t => t.Hour % 2 == 0 ? 0 : null));
        var section = Run(WasteKind.RdsInstance, late, gappy);
        var lateFinding = section.Findings.Single(f => f.Resource.Key.Contains("late", StringComparison.Ordinal));
        Assert.Equal(WasteVerdict.InsufficientData, lateFinding.Verdict);
        Assert.Contains("first seen", lateFinding.Evidence, StringComparison.Ordinal);
        var gappyFinding = section.Findings.Single(f => f.Resource.Key.Contains("gappy", StringComparison.Ordinal));
        Assert.Equal(WasteVerdict.InsufficientData, gappyFinding.Verdict);
        Assert.Contains("DatabaseConnections for 84 of the last 168 hours", gappyFinding.Evidence, StringComparison.Ordinal);
        Assert.Equal(0, section.MonthlySavings);
    }

    [Fact]
    public void A_region_without_prices_flags_with_no_saving_and_names_the_region()
    {
        var section = Run(WasteKind.RdsInstance, Subject("arn:aws:rds:ap-south-1:1:db:x", Rds("db.m5.large"), End.AddDays(-14), ("connections", _ => 0)));
        var f = section.Findings.Single();
        Assert.Equal(WasteVerdict.Idle, f.Verdict);
        Assert.Null(f.MonthlyCost);
        Assert.Equal(0, f.MonthlySavings);
        Assert.Contains("no prices for region ap-south-1", f.PriceNote, StringComparison.Ordinal);
        Assert.Contains("1 flagged without a price", section.SummaryLine(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_instance_class_is_not_priced()
    {
        var f = Run(WasteKind.RdsInstance, Subject("arn:aws:rds:us-east-1:1:db:x", Rds("db.z9.huge"), End.AddDays(-14), ("connections", _ => 0))).Findings.Single();
        Assert.Equal(0, f.MonthlySavings);
        Assert.Contains("no rds price for db.z9.huge in us-east-1", f.PriceNote, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ebs_volume_is_under_used_when_unattached_or_under_1_iops_every_day()
    {
        var size = new Dictionary<string, string> { ["type"] = "gp2", ["size_gib"] = "100" };
        var unattached = Subject("arn:aws:ec2:us-east-1:1:volume/vol-a", new Dictionary<string, string>(size) { ["state"] = "available" }, End.AddDays(-14));
        var quiet = Subject("arn:aws:ec2:us-east-1:1:volume/vol-b", size, End.AddDays(-14), ("read_ops", _ => 0.5), ("write_ops", _ => 0.4));
        var busy = Subject("arn:aws:ec2:us-east-1:1:volume/vol-c", size, End.AddDays(-14), ("read_ops", _ => 0.6), ("write_ops", _ => 0.5));
        var unknown = Subject("arn:aws:ec2:us-east-1:1:volume/vol-d", size, End.AddDays(-14));
        var section = Run(WasteKind.EbsVolume, unattached, quiet, busy, unknown);
        WasteFinding F(string id) => section.Findings.Single(f => f.Resource.Key.Contains(id, StringComparison.Ordinal));
        Assert.Equal(WasteVerdict.Underused, F("vol-a").Verdict);
        Assert.Equal(10.00m, F("vol-a").MonthlySavings); // 100 GiB gp2 × $0.10
        Assert.Equal(WasteVerdict.Underused, F("vol-b").Verdict);
        Assert.Equal(WasteVerdict.Ok, F("vol-c").Verdict);
        // Attached (or unknown) and no operations collected for it: no verdict.
        Assert.Equal(WasteVerdict.InsufficientData, F("vol-d").Verdict);
    }

    [Fact]
    public void Lambda_memory_is_sized_from_the_peak_with_margin_in_64_mb_steps()
    {
        Assert.Equal(128, WasteRules.LambdaRecommendedMemory(50, 0.2));
        Assert.Equal(192, WasteRules.LambdaRecommendedMemory(150, 0.2));   // 180 → 192
        Assert.Equal(320, WasteRules.LambdaRecommendedMemory(230, 0.2));   // 276 → 320
        var fn = "arn:aws:lambda:us-east-1:1:function:f";
        // 1 invocation an hour of 2 s at 1024 MB configured, 150 MB used.
        var section = Run(WasteKind.LambdaFunction, Subject(fn, null, End.AddDays(-14),
            ("invocations", _ => 1.0 / 3600), ("duration_ms", _ => 2000.0 / 3600), ("memory_used_mb", _ => 150), ("memory_configured_mb", _ => 1024)));
        var f = section.Findings.Single();
        Assert.Equal(WasteVerdict.OverProvisioned, f.Verdict);
        Assert.Equal("set memory to 192 MB", f.Action);
        // 336 invocations × 2 s × (1024 − 192) / 1024 GB × $0.0000166667, scaled from 336 hours to 730.
        var expected = decimal.Round(0.0000166667m * 336 * 2 * 832 / 1024 * 730 / 336, 2, MidpointRounding.AwayFromZero);
        Assert.Equal(expected, f.MonthlySavings);
        // Too few invocations: no recommendation.
        var rare = Run(WasteKind.LambdaFunction, Subject(fn, null, End.AddDays(-14),
            ("invocations", t => t.Hour == 0 ? 1.0 / 3600 : 0), ("memory_used_mb", _ => 150), ("memory_configured_mb", _ => 1024)));
        Assert.Equal(WasteVerdict.InsufficientData, rare.Findings.Single().Verdict);
        Assert.Contains("14 invocations", rare.Findings.Single().Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Redshift_is_idle_without_connections_and_under_used_under_5_percent_cpu_in_99_percent_of_hours()
    {
        var labels = new Dictionary<string, string> { ["type"] = "dc2.large", ["node_count"] = "3" };
        var idle = Subject("arn:aws:redshift:us-east-1:1:cluster:a", labels, End.AddDays(-14), ("connections", _ => 0), ("cpu", _ => 0.01));
        var low = Subject("arn:aws:redshift:us-east-1:1:cluster:b", labels, End.AddDays(-14), ("connections", _ => 2), ("cpu", _ => 0.02));
        var section = Run(WasteKind.RedshiftCluster, idle, low);
        var a = section.Findings.Single(f => f.Resource.Key.Contains("cluster:a", StringComparison.Ordinal));
        Assert.Equal(WasteVerdict.Idle, a.Verdict);
        Assert.Equal(547.50m, a.MonthlySavings); // 3 × $0.25 × 730
        var b = section.Findings.Single(f => f.Resource.Key.Contains("cluster:b", StringComparison.Ordinal));
        Assert.Equal(WasteVerdict.Underused, b.Verdict);
        Assert.Equal(0, b.MonthlySavings);
    }

    [Fact]
    public void A_waste_resource_whose_pricing_facts_are_missing_is_insufficient_data_never_a_guessed_saving()
    {
        var from = End.AddDays(-14);
        // EBS: unattached, but no size (the info series lacks size_gib).
        var volume = Run(WasteKind.EbsVolume, Subject("arn:aws:ec2:us-east-1:1:volume/vol-a", new Dictionary<string, string> { ["type"] = "gp3", ["state"] = "available" }, from)).Findings.Single();
        // RDS: no connection, but no class, or no Multi-AZ flag.
        var noClass = Run(WasteKind.RdsInstance, Subject("arn:aws:rds:us-east-1:1:db:a", new Dictionary<string, string> { ["multi_az"] = "false" }, from, ("connections", _ => 0))).Findings.Single();
        var noMultiAz = Run(WasteKind.RdsInstance, Subject("arn:aws:rds:us-east-1:1:db:b", new Dictionary<string, string> { ["type"] = "db.m5.large" }, from, ("connections", _ => 0))).Findings.Single();
        // ElastiCache and Redshift: no node count.
        var cache = Run(WasteKind.ElastiCacheCluster, Subject("arn:aws:elasticache:us-east-1:1:cluster:c", new Dictionary<string, string> { ["type"] = "cache.m5.large" }, from, ("connections", _ => 0))).Findings.Single();
        var redshift = Run(WasteKind.RedshiftCluster, Subject("arn:aws:redshift:us-east-1:1:cluster:d", new Dictionary<string, string> { ["type"] = "dc2.large" }, from, ("connections", _ => 0), ("cpu", _ => 1))).Findings.Single();
        // Lambda: used memory measured, configured memory known from neither Lambda Insights nor ListFunctions.
        var function = Run(WasteKind.LambdaFunction, Subject("arn:aws:lambda:us-east-1:1:function:f", null, from,
            ("invocations", _ => 1.0 / 3600), ("duration_ms", _ => 2000.0 / 3600), ("memory_used_mb", _ => 150))).Findings.Single();
        // DynamoDB: consumed capacity only; whether it is provisioned is not known.
        var table = Run(WasteKind.DynamoDbTable, Subject("arn:aws:dynamodb:us-east-1:1:table/t", null, from, ("read_consumed", _ => 1))).Findings.Single();

        foreach (var (f, fact, call) in new[]
        {
            (volume, "size_gib", "ec2:DescribeVolumes"), (noClass, "instance_type", "rds:DescribeDBInstances"), (noMultiAz, "multi_az", "rds:DescribeDBInstances"),
            (cache, "node_count", "elasticache:DescribeCacheClusters"), (redshift, "node_count", "redshift:DescribeClusters"),
            (function, "memory_size_mb", "lambda:ListFunctions"), (table, "billing_mode", "dynamodb:DescribeTable"),
        })
        {
            Assert.Equal(WasteVerdict.InsufficientData, f.Verdict);
            Assert.Equal(0, f.MonthlySavings);
            Assert.Null(f.MonthlyCost);
            Assert.Contains(fact, f.Evidence, StringComparison.Ordinal);
            Assert.Contains(call, f.Evidence, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_describe_apis_facts_price_what_the_metrics_do_not_carry()
    {
        var from = End.AddDays(-14);
        // Lambda: configured memory from ListFunctions (memory_size_mb) when Lambda Insights' total_memory is not collected.
        var function = Run(WasteKind.LambdaFunction, Subject("arn:aws:lambda:us-east-1:1:function:f", new Dictionary<string, string> { ["memory_size_mb"] = "1024" }, from,
            ("invocations", _ => 1.0 / 3600), ("duration_ms", _ => 2000.0 / 3600), ("memory_used_mb", _ => 150))).Findings.Single();
        Assert.Equal(WasteVerdict.OverProvisioned, function.Verdict);
        Assert.Equal(decimal.Round(0.0000166667m * 336 * 2 * 832 / 1024 * 730 / 336, 2, MidpointRounding.AwayFromZero), function.MonthlySavings);
        // DynamoDB: provisioned units from DescribeTable when ProvisionedCapacityUnits is not collected: 100 read units, peak 3/s
        // consumed → 4 required; (100 − 4) × $0.00013 × 730. Write: 10 units, peak 4/s → 5 required, exactly 2×: kept.
        var table = Run(WasteKind.DynamoDbTable, Subject("arn:aws:dynamodb:us-east-1:1:table/t",
            new Dictionary<string, string> { ["billing_mode"] = "PROVISIONED", ["read_capacity_units"] = "100", ["write_capacity_units"] = "10" }, from,
            ("read_consumed", _ => 3), ("write_consumed", _ => 4))).Findings.Single();
        Assert.Equal(WasteVerdict.OverProvisioned, table.Verdict);
        Assert.Equal(decimal.Round(96 * 0.00013m * 730, 2, MidpointRounding.AwayFromZero), table.MonthlySavings);
        Assert.Equal("set read capacity 4", table.Action);
        var onDemand = Run(WasteKind.DynamoDbTable, Subject("arn:aws:dynamodb:us-east-1:1:table/o", new Dictionary<string, string> { ["billing_mode"] = "PAY_PER_REQUEST" }, from,
            ("read_consumed", _ => 3))).Findings.Single();
        Assert.Equal(WasteVerdict.Ok, onDemand.Verdict);
        // A load balancer's type from DescribeLoadBalancers wins over its ARN (moto names an NLB loadbalancer/app/…).
        var nlb = Run(WasteKind.LoadBalancer, Subject(Alb, new Dictionary<string, string> { ["load_balancer_type"] = "network" }, from, ("requests", _ => 0))).Findings.Single();
        Assert.Contains("network: new flows", nlb.Evidence, StringComparison.Ordinal);
        // RDS Multi-AZ doubles the price; an engine other than MySQL says the saving is a lower bound.
        var multiAz = Run(WasteKind.RdsInstance, Subject("arn:aws:rds:us-east-1:1:db:m", new Dictionary<string, string> { ["type"] = "db.m5.large", ["multi_az"] = "true", ["engine"] = "postgres" }, from,
            ("connections", _ => 0))).Findings.Single();
        Assert.Equal(decimal.Round(2 * 0.171m * 730, 2, MidpointRounding.AwayFromZero), multiAz.MonthlySavings);
        Assert.Contains("lower bound", multiAz.PriceNote, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kind_not_loaded_says_so_and_how_to_load_it()
    {
        var section = WasteRules.NotLoaded(WasteKindInfo.Of(WasteKind.NatGateway));
        Assert.Contains("headroom etl run --profile aws-nat", section.SummaryLine(), StringComparison.Ordinal);
        Assert.Equal(0, section.MonthlySavings);
    }

    [Fact]
    public void Every_kind_names_its_source_and_profile_and_the_profile_is_built_in()
    {
        foreach (var info in WasteKindInfo.All)
        {
            Assert.False(string.IsNullOrWhiteSpace(info.Source));
            Assert.Contains(info.Profile, Headroom.Etl.ProfileLoader.BuiltIn);
            var profile = Headroom.Etl.ProfileLoader.Load(info.Profile);
            Assert.Contains(profile.Dimensions, d => d.Name == WasteSubject.Present);
        }
        Assert.Equal(Enum.GetValues<WasteKind>().Length, WasteKindInfo.All.Count);
    }
}
