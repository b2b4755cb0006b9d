using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Config;

namespace Headroom.CloudWatch.Tests;

public class NamingAndEndpointTests
{
    [Theory]
    [InlineData("AWS/EC2", "CPUUtilization", "Average", "aws_ec2_cpuutilization_average")]
    [InlineData("AWS/EC2", "NetworkIn", "Sum", "aws_ec2_network_in_sum")]
    [InlineData("AWS/EC2", "StatusCheckFailed_Instance", "Maximum", "aws_ec2_status_check_failed_instance_maximum")]
    [InlineData("AWS/EC2", "EBSReadOps", "Sum", "aws_ec2_ebsread_ops_sum")]
    [InlineData("AWS/RDS", "FreeStorageSpace", "Average", "aws_rds_free_storage_space_average")]
    [InlineData("AWS/ApplicationELB", "RequestCount", "Sum", "aws_applicationelb_request_count_sum")]
    [InlineData("AWS/EC2", "CPUUtilization", "p99", "aws_ec2_cpuutilization_p99")]
    [InlineData("CWAgent", "mem_used_percent", "SampleCount", "aws_cwagent_mem_used_percent_sample_count")]
    [InlineData("AWS/DirectoryService", "% Processor Time", "Average", "aws_directoryservice_percent_processor_time_average")]
    [InlineData("AWS/DirectoryService", "Bytes Sent/sec", "Average", "aws_directoryservice_bytes_sent_sec_average")]
    [InlineData("AWS/EC2", "EBSByteBalance%", "Minimum", "aws_ec2_ebsbyte_balance_percent_minimum")]
    [InlineData("Glue", "glue.driver.ExecutorAllocationManager.executors.numberAllExecutors", "Average", "aws_glue_driver_executor_allocation_manager_executors_number_all_executors_average")]
    [InlineData("/aws/sagemaker/Endpoints", "CPUUtilization", "Average", "aws_sagemaker_endpoints_cpuutilization_average")]
    [InlineData("AWS/Network Manager", "BytesIn", "Sum", "aws_network_manager_bytes_in_sum")]
    [InlineData("ECS/ContainerInsights", "CpuUtilized", "Average", "aws_ecs_containerinsights_cpu_utilized_average")]
    [InlineData("AWS/Redshift-Serverless", "ComputeCapacity", "Average", "aws_redshift_serverless_compute_capacity_average")]
    [InlineData("AWS/ApiGateway", "4xx", "Sum", "aws_apigateway_4xx_sum")]
    [InlineData("AWS/Lambda", "Duration", "p99.9", "aws_lambda_duration_p99_9")]
    public void Metric_names_follow_yace(string ns, string metric, string statistic, string expected) =>
        Assert.Equal(expected, PromNames.Metric(ns, metric, statistic));

    [Fact]
    public void The_aws_ec2_profile_reads_names_the_collector_exports()
    {
        // src/Headroom.Etl/Profiles/aws-ec2.yaml reads these three series and aws_ec2_info.
        Assert.Equal("aws_ec2_cpuutilization_average", PromNames.Metric("AWS/EC2", "CPUUtilization", "Average"));
        Assert.Equal("aws_ec2_network_in_sum", PromNames.Metric("AWS/EC2", "NetworkIn", "Sum"));
        Assert.Equal("aws_ec2_network_out_sum", PromNames.Metric("AWS/EC2", "NetworkOut", "Sum"));
        Assert.Equal("aws_ec2_info", PromNames.Info("AWS/EC2"));
    }

    [Theory]
    [InlineData("Name", "Name")]
    [InlineData("aws:cloudformation:stack-name", "aws_cloudformation_stack_name")]
    [InlineData("2fa", "_2fa")]
    public void Label_names_keep_case_and_replace_other_characters(string tag, string expected) =>
        Assert.Equal(expected, PromNames.Sanitize(tag));

    [Fact]
    public void Exposition_escapes_label_values_and_writes_nan()
    {
        var text = Exposition.Write([new CollectedSeries("aws_ec2_info", [new("tag_Note", "a \"quoted\" \\ value\nnext")], double.NaN)]);
        Assert.Contains("aws_ec2_info{tag_Note=\"a \\\"quoted\\\" \\\\ value\\nnext\"} NaN\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE aws_ec2_info gauge\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Endpoints_prefer_the_flag_then_the_service_variable_then_the_global_one()
    {
        var env = new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1111",
            ["AWS_ENDPOINT_URL_CLOUDWATCH"] = "http://127.0.0.1:2222",
        };
        var fromEnv = new AwsEndpoints(null, n => env.GetValueOrDefault(n));
        Assert.Equal(new Uri("http://127.0.0.1:2222"), fromEnv.For(AwsService.CloudWatch, "eu-west-1"));
        Assert.Equal(new Uri("http://127.0.0.1:1111"), fromEnv.For(AwsService.Tagging, "eu-west-1"));
        Assert.True(fromEnv.IsCustom(AwsService.Ec2));

        var flag = new AwsEndpoints(new Uri("http://127.0.0.1:3333"), n => env.GetValueOrDefault(n));
        Assert.Equal(new Uri("http://127.0.0.1:3333"), flag.For(AwsService.CloudWatch, "eu-west-1"));

        var none = new AwsEndpoints(null, _ => null);
        Assert.Equal(new Uri("https://monitoring.eu-west-1.amazonaws.com/"), none.For(AwsService.CloudWatch, "eu-west-1"));
        Assert.Equal(new Uri("https://tagging.us-east-2.amazonaws.com/"), none.For(AwsService.Tagging, "us-east-2"));
        Assert.False(none.IsCustom(AwsService.Sts));
    }

    [Fact]
    public void A_bad_endpoint_variable_says_which_one()
    {
        var endpoints = new AwsEndpoints(null, n => n == "AWS_ENDPOINT_URL_CLOUDWATCH" ? "not a url" : null);
        var e = Assert.Throws<ArgumentException>(() => endpoints.For(AwsService.CloudWatch, "us-east-1"));
        Assert.Contains("AWS_ENDPOINT_URL_CLOUDWATCH='not a url'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_query_window_ends_at_a_whole_period_before_the_delay()
    {
        var metric = new MetricConfig
        {
            Name = "CPUUtilization", Namespace = "AWS/EC2", Statistics = ["Average"],
            Period = TimeSpan.FromMinutes(1), Length = TimeSpan.FromMinutes(5), Delay = TimeSpan.FromSeconds(120),
        };
        var now = new DateTimeOffset(2026, 11, 23, 12, 0, 59, TimeSpan.Zero);
        var (start, end) = Collector.Window(metric, now);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 11, 58, 0, TimeSpan.Zero), end);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 11, 53, 0, TimeSpan.Zero), start);
    }

    [Fact]
    public void Batches_hold_at_most_500_queries_and_never_mix_windows()
    {
        MetricConfig Metric(int period) => new()
        {
            Name = "m", Namespace = "N", Statistics = ["Sum"], Period = TimeSpan.FromSeconds(period), Length = TimeSpan.FromSeconds(period), Delay = TimeSpan.Zero,
        };
        var m60 = Metric(60);
        var m300 = Metric(300);
        var queries = Enumerable.Range(0, 1001).Select(i => new PlannedQuery("us-east-1", RoleConfig.Ambient, m60, "Sum", new Metric("N", "m", []), []))
            .Concat(Enumerable.Range(0, 10).Select(i => new PlannedQuery("us-east-1", RoleConfig.Ambient, m300, "Sum", new Metric("N", "m", []), [])))
            .Concat(Enumerable.Range(0, 10).Select(i => new PlannedQuery("eu-west-1", RoleConfig.Ambient, m60, "Sum", new Metric("N", "m", []), [])))
            .ToList();
        var batches = Collector.Batches(queries).ToList();
        Assert.Equal([500, 500, 1, 10, 10], batches.Select(b => b.Length));
        Assert.All(batches, b => Assert.Single(b.Select(q => (q.Region, q.Config.Period)).Distinct()));
    }
}
