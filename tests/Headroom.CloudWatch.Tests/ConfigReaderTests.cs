using Headroom.CloudWatch.Config;
using Headroom.Prometheus.Configuration;

namespace Headroom.CloudWatch.Tests;

public class ConfigReaderTests
{
    private static string Config(string name) => Path.Combine(AppContext.BaseDirectory, "testdata", "configs", name);

    [Fact]
    public void Reads_a_yace_config_with_every_kind_of_job()
    {
        var config = CollectorConfigReader.ReadFile(Config("valid.yml"));
        Assert.Equal("us-east-1", config.StsRegion);

        var ec2 = config.Discovery[0];
        Assert.Equal("AWS/EC2", ec2.Namespace);
        Assert.Equal(["us-east-1", "eu-west-1"], ec2.Regions);
        Assert.Equal(2, ec2.Roles.Count);
        Assert.Equal("111111111111", ec2.Roles[0].AccountId);
        Assert.Equal("shared-secret", ec2.Roles[0].ExternalId);
        Assert.Null(ec2.Roles[1].ExternalId);
        Assert.Equal(["Name"], ec2.ExportedTagsOnMetrics);
        Assert.Matches(ec2.SearchTags[0].Value, "staging");
        Assert.DoesNotMatch(ec2.SearchTags[0].Value, "production");   // anchored, as YACE matches the whole value

        var cpu = ec2.Metrics[0];
        Assert.Equal(["Average", "Maximum"], cpu.Statistics);
        Assert.Equal(TimeSpan.FromMinutes(5), cpu.Period);          // from the job
        Assert.Equal(TimeSpan.FromMinutes(5), cpu.Length);          // defaults to the period
        Assert.Equal(TimeSpan.Zero, cpu.Delay);
        Assert.False(cpu.NilToZero);
        Assert.True(ec2.Metrics[1].NilToZero);
        var status = ec2.Metrics[2];
        Assert.Equal(TimeSpan.FromMinutes(1), status.Period);
        Assert.Equal(TimeSpan.FromMinutes(10), status.Length);
        Assert.Equal(TimeSpan.FromSeconds(120), status.Delay);     // one-minute metrics end two minutes back by default

        var rds = config.Discovery[1];
        Assert.Equal("AWS/RDS", rds.Namespace);
        Assert.Equal(["Average"], rds.Metrics[0].Statistics);       // job-level statistics
        Assert.Single(rds.Roles);
        Assert.Null(rds.Roles[0].RoleArn);                          // ambient credentials

        var nat = Assert.Single(config.Static);
        Assert.Equal("nat-gateway", nat.Name);
        Assert.Equal(new DimensionConfig("NatGatewayId", "nat-0123"), nat.Dimensions[0]);
        Assert.Equal(TimeSpan.FromSeconds(300), nat.Metrics[0].Delay);

        var agent = Assert.Single(config.CustomNamespace);
        Assert.Equal("CWAgent", agent.Namespace);
        Assert.Equal(new DimensionConfig("team", "infra"), agent.CustomTags[0]);
        Assert.Equal(["p99"], agent.Metrics[0].Statistics);
        Assert.Equal(6, config.AllMetrics.Count());
    }

    [Fact]
    public void The_shipped_ec2_config_exports_what_the_aws_ec2_profile_reads()
    {
        var config = CollectorConfigReader.ReadFile(Headroom.Testing.RepositoryPaths.Combine("deploy", "cloudwatch", "ec2.yml"));
        var job = Assert.Single(config.Discovery);
        Assert.Equal(["Name"], job.ExportedTagsOnMetrics);
        var names = job.Metrics.SelectMany(m => m.Statistics.Select(s => Collection.PromNames.Metric(m.Namespace, m.Name, s))).ToList();
        var profile = File.ReadAllText(Headroom.Testing.RepositoryPaths.Combine("src", "Headroom.Etl", "Profiles", "aws-ec2.yaml"));
        foreach (var name in names)
            Assert.Contains(name, profile, StringComparison.Ordinal);
        Assert.Equal(3, names.Count);
        Assert.Contains(Collection.PromNames.Info(job.Namespace), profile, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_exported_tags_from_the_older_per_service_map()
    {
        var config = CollectorConfigReader.ReadFile(Config("legacy-tags.yml"));
        Assert.Equal(["Name", "team"], config.Discovery[0].ExportedTagsOnMetrics);
    }

    [Theory]
    [InlineData("unknown-top-key.yml", 9, "scrapeInterval", "unknown key 'scrapeInterval' in the top level")]
    [InlineData("unknown-metric-key.yml", 9, "peroid", "unknown key 'peroid' in discovery.jobs[0].metrics[0]")]
    [InlineData("unknown-job-key.yml", 4, "regions", "discovery.jobs[0].regions is required")]
    [InlineData("unknown-searchtag-key.yml", 9, "regex", "unknown key 'regex' in discovery.jobs[0].searchTags[0]")]
    [InlineData("bad-statistic.yml", 8, "statistics", "unknown statistic 'Avg'")]
    [InlineData("bad-period.yml", 9, "period", "must be a whole number of seconds")]
    [InlineData("period-not-allowed.yml", 9, "period", "45s is not a period CloudWatch allows (1, 5, 10, 30 or a multiple of 60)")]
    [InlineData("period-not-minutes.yml", 9, "period", "90s is not a period CloudWatch allows")]
    [InlineData("bad-regex.yml", 8, "value", "'prod(' is not a valid regular expression")]
    [InlineData("unknown-type.yml", 4, "type", "unknown service 'AWS/Teleporter'")]
    [InlineData("wrong-version.yml", 1, "apiVersion", "apiVersion 'v2' is not supported")]
    [InlineData("no-regions.yml", 3, "regions", "static[0].regions is required")]
    [InlineData("bad-role.yml", 7, "roleArn", "'headroom-role' is not an ARN")]
    [InlineData("length-short.yml", 7, "length", "is shorter than period")]
    [InlineData("bad-bool.yml", 9, "nilToZero", "must be true or false")]
    [InlineData("export-all-datapoints.yml", 9, "exportAllDataPoints", "discovery.jobs[0].exportAllDataPoints is not supported: Headroom exports the newest datapoint")]
    [InlineData("enhanced-metrics.yml", 7, "name", "discovery.jobs[0].enhancedMetrics[0]: enhanced metric 'AllocatedStorage' of AWS/RDS is not supported: it is read with RDS's DescribeDBInstances")]
    [InlineData("searchtags-untaggable.yml", 6, "searchTags", "AWS/AutoScaling resources are not in the Resource Groups Tagging API")]
    public void Malformed_configs_name_the_key_and_the_line(string file, int line, string key, string message)
    {
        var e = Assert.Throws<ConfigException>(() => CollectorConfigReader.ReadFile(Config(file)));
        Assert.Equal(line, e.Line);
        Assert.Equal(key, e.Key);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Contains($"{file}: line {line}: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_yaml_reports_the_line()
    {
        var e = Assert.Throws<ConfigException>(() => CollectorConfigReader.ReadFile(Config("not-yaml.yml")));
        Assert.Contains("not valid YAML", e.Message, StringComparison.Ordinal);
        Assert.InRange(e.Line, 5, 7);
    }

    [Fact]
    public void A_config_without_jobs_says_what_to_add()
    {
        var e = Assert.Throws<ConfigException>(() => CollectorConfigReader.ReadFile(Config("no-jobs.yml")));
        Assert.Contains("no jobs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_a_config_error()
    {
        var e = Assert.Throws<ConfigException>(() => CollectorConfigReader.ReadFile(Config("does-not-exist.yml")));
        Assert.Contains("cannot read", e.Message, StringComparison.Ordinal);
    }
}
