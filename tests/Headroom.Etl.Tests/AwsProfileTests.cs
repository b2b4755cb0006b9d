namespace Headroom.Etl.Tests;

/// <summary>The built-in profiles of the waste rules beyond EC2: they load, read YACE's names, and mark each resource's hours.</summary>
public sealed class AwsProfileTests
{
    [Theory]
    [InlineData("aws-rds", "aws_rds_database_connections_maximum")]
    [InlineData("aws-ebs", "aws_ebs_volume_read_ops_sum")]
    [InlineData("aws-elb", "aws_applicationelb_request_count_sum")]
    [InlineData("aws-nat", "aws_natgateway_")]
    [InlineData("aws-lambda", "aws_lambdainsights_used_memory_max_maximum")]
    [InlineData("aws-elasticache", "aws_elasticache_curr_connections_maximum")]
    [InlineData("aws-dynamodb", "aws_dynamodb_consumed_read_capacity_units_sum")]
    [InlineData("aws-redshift", "aws_redshift_database_connections_maximum")]
    public void Each_aws_profile_loads_with_yace_names_and_a_present_dimension(string name, string metric)
    {
        Assert.Contains(name, ProfileLoader.BuiltIn);
        var profile = ProfileLoader.Load(name);
        Assert.Equal(name, profile.Name);
        Assert.Equal(["name"], profile.Identity);
        Assert.Equal(TimeSpan.FromMinutes(5), profile.Resolution);
        Assert.Contains(profile.Dimensions, d => d.Expr.Contains(metric, StringComparison.Ordinal));
        var present = Assert.Single(profile.Dimensions, d => d.Name == "present");
        Assert.StartsWith("count by (name) (", present.Expr, StringComparison.Ordinal);
        Assert.NotNull(profile.Info);
    }

    [Fact]
    public void Info_metric_may_be_a_selector_and_anything_else_is_refused_by_name()
    {
        Assert.Equal("{__name__=~\"aws_(applicationelb|networkelb|elb)_info\"}", ProfileLoader.Load("aws-elb").Info!.Metric);
        var e = Assert.Throws<ProfileException>(() => ProfileLoader.Parse("""
            name: x
            identity: [name]
            info: {metric: "sum(aws_rds_info)"}
            dimensions: [{name: cpu, unit: ratio, expr: up}]
            """, "x.yaml"));
        Assert.Contains("info.metric must be a metric name", e.Message, StringComparison.Ordinal);
        Assert.Contains("or a selector", e.Message, StringComparison.Ordinal);
    }
}
