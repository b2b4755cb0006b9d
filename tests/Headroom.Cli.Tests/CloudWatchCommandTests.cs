using System.Globalization;
using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Headroom.CloudWatch.Aws;
using Headroom.Prometheus.Aws;
using Headroom.Servers;
using Headroom.Testing;

namespace Headroom.Cli.Tests;

public sealed class CloudWatchCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("headroom-cw-cli-");

    public void Dispose() => _directory.Delete(recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Cost_prints_the_monthly_estimate_per_api()
    {
        var result = await Cli.RunAsync("cloudwatch", "cost", "--config", Write("c.yml", CloudWatchConfigs.FourMetrics), "--resources", "5000");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("period 300s: 20,000 queries per loop in 40 GetMetricData calls", result.Output, StringComparison.Ordinal);
        Assert.Contains("172,800,000", result.Output, StringComparison.Ordinal);
        Assert.Contains("1,728.00", result.Output, StringComparison.Ordinal);
        Assert.Contains("1,729.73", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cost_compares_strategies()
    {
        var result = await Cli.RunAsync("cloudwatch", "cost", "--config", Write("c.yml", CloudWatchConfigs.FourMetrics), "--resources", "5000", "--compare");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("cloudwatch_exporter × 2 Prometheus", result.Output, StringComparison.Ordinal);
        Assert.Contains("1,728,000,000", result.Output, StringComparison.Ordinal);
        Assert.Contains("17,314.56", result.Output, StringComparison.Ordinal);
        Assert.Contains("1,731.46", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cost_as_json()
    {
        var result = await Cli.RunAsync("cloudwatch", "cost", "--config", Write("c.yml", CloudWatchConfigs.FourMetrics), "--resources", "5000", "--format", "json");
        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        Assert.Equal(1729.73m, json.RootElement.GetProperty("total_usd_per_month").GetDecimal());
        Assert.Equal(40, json.RootElement.GetProperty("calls_per_loop").GetProperty("300").GetInt32());
    }

    [Fact]
    public async Task A_bad_config_names_the_key_and_line_and_exits_2()
    {
        var path = Write("bad.yml", CloudWatchConfigs.FourMetrics.Replace("period: 300", "perod: 300", StringComparison.Ordinal));
        var result = await Cli.RunAsync("cloudwatch", "cost", "--config", path);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{path}: line 6: unknown key 'perod' in discovery.jobs[0]", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_reads_the_fleet_back_from_moto_in_its_accounts_and_regions()
    {
        var result = await Cli.RunAsync("cloudwatch", "demo", "--hosts", "6", "--seed", "1");
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}\n{result.Error}\n{result.Output}");
        Assert.Contains("6 hosts as EC2 instances in 3 accounts and 2 regions", result.Output, StringComparison.Ordinal);
        Assert.Contains("6 of 6 hosts exported with the CPU that was put", result.Output, StringComparison.Ordinal);
        Assert.Contains("3 AssumeRole calls", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("DIFFERENT", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_config_option_is_a_usage_error()
    {
        var result = await Cli.RunAsync("cloudwatch", "serve");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--config", result.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A configuration whose role is assumed through an endpoint where nothing listens: every round fails, after retries, in
    /// account 123456789012 and us-east-1. The credentials and the external id must never reach a log line.
    /// </summary>
    private ServerProcess StartFailingServe(int port, params string[] logOptions)
    {
        var config = Write("failing.yml", """
            apiVersion: v1alpha1
            discovery:
              jobs:
                - type: ec2
                  regions: [us-east-1]
                  roles:
                    - {roleArn: "arn:aws:iam::123456789012:role/headroom", externalId: ext-s3cret}
                  metrics:
                    - {name: CPUUtilization, statistics: [Average], period: 60, length: 600}
            """);
        var environment = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = "AKIDLOGTEST",
            ["AWS_SECRET_ACCESS_KEY"] = "log-test-s3cret",
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };
        return ServerProcess.Start(environment,
            ["cloudwatch", "serve", "--config", config, "--listen", $"127.0.0.1:{port}", "--endpoint-url", $"http://127.0.0.1:{FreePort.Next()}", .. logOptions]);
    }

    private static void AssertNoSecret(ServerProcess server)
    {
        var printed = string.Join('\n', server.Error.Concat(server.Output));
        foreach (var secret in new[] { "AKIDLOGTEST", "log-test-s3cret", "ext-s3cret" })
            Assert.DoesNotContain(secret, printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_logs_aws_errors_per_account_and_region_and_one_debug_line_per_request_as_json()
    {
        var port = FreePort.Next();
        await using var server = StartFailingServe(port, "--log-format", "json", "--log-level", "debug");
        using var http = new HttpClient();
        await server.WaitForAsync(http, new Uri($"http://127.0.0.1:{port}/-/healthy"));
        await server.WaitUntilAsync(() => Task.FromResult(server.Error.Any(l => l.Contains("collection failed", StringComparison.Ordinal))), "failed round logged");
        await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        await server.WaitUntilAsync(() => Task.FromResult(server.RequestLines("/metrics").Count > 0), "log line for the request");
        Assert.Equal(0, await server.StopAsync());

        var request = Assert.Single(server.RequestLines("/metrics"));
        Assert.Equal("Debug", request.GetProperty("LogLevel").GetString());
        Assert.Equal("headroom.cloudwatch", request.GetProperty("Category").GetString());
        var failure = server.JsonLogs.First(l => l.GetProperty("State").TryGetProperty("Account", out _));
        Assert.Equal("Warning", failure.GetProperty("LogLevel").GetString());
        Assert.Equal("123456789012", failure.GetProperty("State").GetProperty("Account").GetString());
        Assert.Equal("us-east-1", failure.GetProperty("State").GetProperty("Region").GetString());
        Assert.StartsWith("AssumeRole: NetworkError:", failure.GetProperty("State").GetProperty("Problem").GetString(), StringComparison.Ordinal);
        Assert.Contains(server.JsonLogs, l => l.GetProperty("LogLevel").GetString() == "Debug"
            && l.GetProperty("Message").GetString()!.StartsWith("AWS AssumeRole: NetworkError, retrying", StringComparison.Ordinal));
        Assert.Contains(server.Output, l => l.Contains("loop failed, still serving the previous result", StringComparison.Ordinal));
        AssertNoSecret(server);
    }

    [Fact]
    public async Task Serve_at_warn_logs_the_failed_rounds_and_no_line_per_request()
    {
        var port = FreePort.Next();
        await using var server = StartFailingServe(port, "--log-level", "warn");
        using var http = new HttpClient();
        await server.WaitForAsync(http, new Uri($"http://127.0.0.1:{port}/-/healthy"));
        await server.WaitUntilAsync(() => Task.FromResult(server.Error.Any(l => l.Contains("collection failed", StringComparison.Ordinal))), "failed round logged");
        await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        Assert.Equal(0, await server.StopAsync());

        Assert.Contains(server.Error, l => l.Contains("warn: headroom.cloudwatch", StringComparison.Ordinal)
            && l.Contains("AWS call failed for account 123456789012 in us-east-1: AssumeRole: NetworkError:", StringComparison.Ordinal));
        Assert.DoesNotContain(server.Error, l => l.Contains("/metrics", StringComparison.Ordinal) || l.Contains("dbug:", StringComparison.Ordinal));
        AssertNoSecret(server);
    }

    [Fact]
    public async Task Serve_exports_what_was_put_into_moto_on_metrics()
    {
        await using var moto = await MotoServer.StartAsync();
        var (credentials, id) = await RunApiInstanceAsync(moto);
        using var http = new HttpClient();
        // A one-minute metric over the last ten minutes: the datapoint stays in the window while the test runs.
        await new CloudWatchPublisher(http, new AwsEndpoints(moto.Endpoint), credentials).PutAsync("us-east-1", "AWS/EC2",
            [new Datapoint("CPUUtilization", new Dictionary<string, string> { ["InstanceId"] = id }, DateTimeOffset.UtcNow.AddMinutes(-2), 37.5, "Percent")]);
        var config = Write("serve.yml", """
            apiVersion: v1alpha1
            discovery:
              jobs:
                - type: ec2
                  regions: [us-east-1]
                  exportedTagsOnMetrics: [Name]
                  metrics:
                    - {name: CPUUtilization, statistics: [Average], period: 60, length: 600, delay: 0}
            """);
        var port = FreePort.Next();
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var stop = new CancellationTokenSource();
        var serve = HeadroomCli.RunAsync(["cloudwatch", "serve", "--config", config, "--listen", $"127.0.0.1:{port}", "--endpoint-url", moto.Endpoint.ToString()], output, error, stop.Token);

        var baseUri = new Uri($"http://127.0.0.1:{port}/");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(serve.IsCompleted, $"serve exited: {error}");
            try
            {
                using var ready = await http.GetAsync(new Uri(baseUri, "-/ready"));
                if (ready.IsSuccessStatusCode)
                    break;
            }
            catch (HttpRequestException)
            {
            }
            Assert.True(DateTime.UtcNow < deadline, $"not ready after 60 s; output: {output}; error: {error}");
            await Task.Delay(200);
        }
        var metrics = await http.GetStringAsync(new Uri(baseUri, "metrics"));
        await stop.CancelAsync();
        Assert.Equal(0, await serve);

        Assert.Contains(string.Create(CultureInfo.InvariantCulture,
            $"aws_ec2_cpuutilization_average{{account_id=\"123456789012\",dimension_InstanceId=\"{id}\",name=\"arn:aws:ec2:us-east-1:123456789012:instance/{id}\",region=\"us-east-1\",tag_Name=\"api-1\"}} 37.5\n"), metrics, StringComparison.Ordinal);
        Assert.Matches($"aws_ec2_info\\{{.*instance_type=\"t3.medium\".*name=\"arn:aws:ec2:us-east-1:123456789012:instance/{id}\".*\\}} 0\n", metrics);
        Assert.Contains("headroom_cloudwatch_api_requests_total{api=\"GetMetricData\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("headroom_cloudwatch_metrics_requested_total 1", metrics, StringComparison.Ordinal);
        Assert.Contains("headroom_cloudwatch_last_loop_success{period=\"60\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("loops every 60s", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_from_cloudwatch_loads_the_warehouse_directly_and_reports_ready()
    {
        await using var moto = await MotoServer.StartAsync();
        var (credentials, id) = await RunApiInstanceAsync(moto);
        // Two complete hours of 5-minute datapoints that end before the 15-minute safety delay: both load on the first run.
        var to = new DateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-20).Ticks / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour, TimeSpan.Zero);
        var from = to.AddHours(-2);
        var dimensions = new Dictionary<string, string> { ["InstanceId"] = id };
        var points = new List<Datapoint>();
        for (var t = from; t < to; t = t.AddMinutes(5))
        {
            points.Add(new Datapoint("CPUUtilization", dimensions, t, 20, "Percent"));
            points.Add(new Datapoint("NetworkIn", dimensions, t, 3_000_000, "Bytes"));
            points.Add(new Datapoint("NetworkOut", dimensions, t, 1_500_000, "Bytes"));
        }
        using var http = new HttpClient();
        var publisher = new CloudWatchPublisher(http, new AwsEndpoints(moto.Endpoint), credentials);
        foreach (var chunk in points.Chunk(20))
            await publisher.PutAsync("us-east-1", "AWS/EC2", chunk);
        var config = Write("direct.yml", CloudWatchConfigs.AwsEc2Profile);
        var db = "sqlite:" + Path.Combine(_directory.FullName, "serve-cw.db");
        var port = FreePort.Next();
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var stop = new CancellationTokenSource();
        var serve = HeadroomCli.RunAsync(["serve", "--source", "cloudwatch", "--cloudwatch-config", config, "--aws-endpoint-url", moto.Endpoint.ToString(),
            "--db", db, "--from", from.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), "--listen", $"127.0.0.1:{port}"], output, error, stop.Token);

        var baseUri = new Uri($"http://127.0.0.1:{port}/");
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            if (serve.IsCompleted)
                Assert.Fail($"serve exited with {await serve}: {output} {error}");
            try
            {
                using var ready = await http.GetAsync(new Uri(baseUri, "-/ready"));
                if (ready.IsSuccessStatusCode)
                    break;
            }
            catch (HttpRequestException)
            {
            }
            Assert.True(DateTime.UtcNow < deadline, $"not ready after 90 s; output: {output}; error: {error}");
            await Task.Delay(200);
        }
        await stop.CancelAsync();
        Assert.Equal(0, await serve);

        Assert.Contains("headroom serve: aws-ec2 from cloudwatch", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("cloudwatch:123456789012/us-east-1: run 1:", output.ToString(), StringComparison.Ordinal);
        await using var warehouse = await Warehouse.Warehouse.OpenAsync(db);
        var status = await warehouse.GetStatusAsync();
        var loaded = Assert.Single(status.RecentRuns);
        Assert.Equal(Warehouse.EtlRunStatus.Succeeded, loaded.Status);
        Assert.True(loaded.RowsLoaded >= 2, $"{loaded.RowsLoaded} rows loaded; output: {output}");
        Assert.True(Assert.Single(status.Watermarks).Watermark.End >= to, $"watermark {status.Watermarks[0].Watermark.End:u}, expected at least {to:u}");
    }

    [Fact]
    public async Task Serve_from_cloudwatch_without_its_configuration_names_the_flag()
    {
        var result = await Cli.RunAsync("serve", "--source", "cloudwatch", "--db", "sqlite:" + Path.Combine(_directory.FullName, "none.db"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--cloudwatch-config", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_aws_endpoint_that_is_not_an_http_url_is_a_usage_error()
    {
        var result = await Cli.RunAsync("etl", "run", "--source", "cloudwatch", "--aws-endpoint-url", "ftp://127.0.0.1:5000");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--aws-endpoint-url: 'ftp://127.0.0.1:5000' is not an http(s) URL", result.Error, StringComparison.Ordinal);
    }

    /// <summary>One t3.medium named api-1 in moto's us-east-1, with the credentials the CLI reads from the environment.</summary>
    private static async Task<(AwsCredentials Credentials, string InstanceId)> RunApiInstanceAsync(MotoServer moto)
    {
        var credentials = new AwsCredentials("AKIDCLITEST", "cli-test-secret");
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", credentials.AccessKeyId);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", credentials.SecretAccessKey);
        using var ec2 = new AmazonEC2Client(new BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey),
            new AmazonEC2Config { ServiceURL = moto.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        var run = await ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = "ami-12c6146b", MinCount = 1, MaxCount = 1, InstanceType = InstanceType.T3Medium,
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Amazon.EC2.Model.Tag("Name", "api-1")] }],
        });
        return (credentials, run.Reservation.Instances[0].InstanceId);
    }
}
