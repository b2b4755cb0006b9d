using System.Text.RegularExpressions;
using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Config;
using Headroom.CloudWatch.Cost;

namespace Headroom.CloudWatch.Tests;

/// <summary>The service table (Config/services.yml): every entry is checked, every example ARN gives its dimensions.</summary>
public class ServiceTableTests
{
    public static TheoryData<string> Namespaces() => [.. ServiceType.All.Select(s => s.Namespace)];

    public static TheoryData<string, string> Examples()
    {
        var data = new TheoryData<string, string>();
        foreach (var e in ServiceTable.Examples())
            data.Add(e.Namespace, e.Arn);
        return data;
    }

    private static readonly Regex s_resourceType = new(@"^[a-z0-9-]+(:[a-zA-Z0-9-]+(/[a-z]+)?)?$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    [Fact]
    public void The_table_holds_every_namespace_yace_supports()
    {
        // YACE's pkg/config/services.go (v0.62, 2025) lists 109 namespaces.
        Assert.Equal(109, ServiceType.All.Count);
        foreach (var ns in new[] { "AWS/EC2", "AWS/RDS", "AWS/ELB", "AWS/ApplicationELB", "AWS/NetworkELB", "AWS/EBS", "AWS/Lambda", "AWS/SQS", "AWS/DynamoDB", "AWS/ElastiCache", "AWS/NATGateway", "AWS/Redshift", "CWAgent", "AWS/Usage" })
            Assert.NotNull(ServiceType.Find(ns));
    }

    [Fact]
    public void Namespaces_and_aliases_name_one_service_each_ignoring_case()
    {
        // A service's alias may equal its own namespace (Glue, glue); it may not name another service.
        var ambiguous = ServiceType.All
            .SelectMany(s => new[] { (Name: s.Namespace, Service: s), (Name: s.Alias, Service: s) })
            .GroupBy(x => x.Name, StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Select(x => x.Service).Distinct().Count() > 1)
            .Select(g => g.Key)
            .ToList();
        Assert.Empty(ambiguous);
    }

    [Theory]
    [MemberData(nameof(Namespaces))]
    public void Each_service_is_found_by_namespace_and_alias_and_its_rules_are_covered_by_examples(string ns)
    {
        var service = ServiceType.Find(ns)!;
        Assert.Same(service, ServiceType.Find(service.Alias));
        Assert.Same(service, ServiceType.Find(ns.ToUpperInvariant()));
        Assert.All(service.ResourceTypeFilters, t => Assert.Matches(s_resourceType, t));
        // A rule needs a taggable service, and every rule is exercised by an example ARN that it decides.
        Assert.True(service.ArnRules.Count == 0 || service.IsTaggable, $"{ns} has ARN rules but no resource types");
        var examples = ServiceTable.Examples().Where(e => e.Namespace == ns).ToList();
        foreach (var rule in service.ArnRules)
            Assert.Contains(examples, e => service.DimensionsOf(e.Arn) is { } m && ReferenceEquals(m.Rule, rule));
        Assert.True(service.ArnRules.Count > 0 || examples.Count == 0, $"{ns} has examples but no rules");
        Assert.All(service.ArnRules, r => Assert.NotEmpty(r.Dimensions));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Each_example_arn_gives_its_dimensions(string ns, string arn)
    {
        var example = ServiceTable.Examples().Single(e => e.Namespace == ns && e.Arn == arn);
        var match = ServiceType.Find(ns)!.DimensionsOf(arn);
        if (example.Dimensions.Count == 0)
        {
            Assert.Null(match);   // another kind the same filter returns, not this service's
            return;
        }
        Assert.NotNull(match);
        Assert.Equal(example.Dimensions.OrderBy(d => d.Key, StringComparer.Ordinal), match.Value.Dimensions.OrderBy(d => d.Key, StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Namespaces))]
    public void A_job_naming_each_service_loads_and_plans(string ns)
    {
        var service = ServiceType.Find(ns)!;
        foreach (var type in new[] { ns, service.Alias })
        {
            var config = CollectorConfigReader.Read($"""
                apiVersion: v1alpha1
                discovery:
                  jobs:
                    - type: "{type}"
                      regions: [us-east-1, eu-west-1]
                      metrics:
                        - {"{"}name: SomeMetric, statistics: [Average, p90]{"}"}
                """);
            var job = Assert.Single(config.Discovery);
            Assert.Same(service, job.Service);
            Assert.Equal(ns, job.Namespace);
            var estimate = CostModel.Estimate(config, resources: 10);
            Assert.Equal(2 * 10 * 2, estimate.QueriesPerLoop[300]);   // 2 regions × 10 resources × 2 statistics
            Assert.StartsWith("aws_", PromNames.Metric(ns, "SomeMetric", "p90"), StringComparison.Ordinal);
            Assert.Matches("^[a-z0-9_]+$", PromNames.Info(ns));
        }
    }

    [Fact]
    public void Amazon_mq_brokers_and_sagemaker_names_match_their_metrics_as_yace_fixes_them()
    {
        var mq = ServiceType.Find("mq")!.ArnRules[0];
        Assert.Equal("orders", mq.MetricSuffix!.Match("orders-1").Groups["base"].Value);
        Assert.True(ServiceType.Find("sagemaker")!.ArnRules.All(r => r.IgnoreCase));
    }

    [Fact]
    public void A_broken_table_entry_is_reported_with_its_namespace()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ServiceTable.Read("""
            - namespace: AWS/Broken
              alias: broken
              resourceTypes: [broken:thing]
              arns:
                - {pattern: ':thing/([^/]+)/([^/]+)$', dimensions: [One]}
            """));
        Assert.Contains("AWS/Broken", e.Message, StringComparison.Ordinal);
        Assert.Contains("2 groups for 1 dimensions", e.Message, StringComparison.Ordinal);
    }
}
