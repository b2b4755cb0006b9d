using System.Net;
using System.Text.Json;
using Headroom.Fleet;
using Headroom.Prometheus;
using Headroom.Prometheus.Client;
using Headroom.Servers;

namespace Headroom.Cli.Tests;

public sealed class ShardCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-shard-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("shard plan --source http://127.0.0.1:1 --targets t.json", "give exactly one of --budget-series")]
    [InlineData("shard plan --source http://127.0.0.1:1 --targets t.json --shards 2 --budget-series 10", "give exactly one of")]
    [InlineData("shard plan --source http://127.0.0.1:1 --targets t.json --budget-memory lots", "write e.g. 8GiB")]
    [InlineData("shard plan --source http://127.0.0.1:1 --targets t.json --shards 0", "--shards must be at least 1")]
    [InlineData("shard plan --source http://127.0.0.1:1 --targets /no/such.json --shards 2", "cannot read the targets file /no/such.json")]
    [InlineData("shard plan --targets t.json --shards 2", "--source")]
    [InlineData("shard autoscale --config /no/such/shards.yml", "/no/such/shards.yml")]
    [InlineData("shard autoscale --config c.yml --emit helm", "helm")]
    [InlineData("fleet serve --skew 2", "--skew must be between 0 and 1")]
    [InlineData("gateway --topology t.yml --shard http://127.0.0.1:9090", "give one of --config FILE, --topology FILE")]
    public async Task Bad_arguments_exit_with_usage_code_and_name_the_problem(string args, string expected)
    {
        var result = await Cli.RunAsync(args.Split(' '));
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_autoscaler_configuration_names_the_file_line_and_key()
    {
        var path = Path.Combine(_directory, "shards.yml");
        await File.WriteAllTextAsync(path, "targets: t.json\ndirectory: d\nbudget_series: 100\nreplica: 2\n");
        var result = await Cli.RunAsync("shard", "autoscale", "--config", path);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"{path}: line 4: unknown key 'replica'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Autoscale_once_exits_non_zero_with_one_clean_line_when_its_reconcile_fails()
    {
        var path = Path.Combine(_directory, "shards.yml");
        await File.WriteAllTextAsync(path, "targets: missing.json\ndirectory: d\nbudget_series: 100\nmode: kubernetes\n");

        var result = await Cli.RunAsync("shard", "autoscale", "--config", path, "--once");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("cannot read the targets file", result.Error + result.Output, StringComparison.Ordinal);
        Assert.Contains("the reconcile failed", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error + result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plan_over_a_real_prometheus_balances_the_skewed_fleet_and_writes_a_file_per_shard()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var fleet = SimulatedFleet.Create(60, 5, skew: 0.3);
        await using var server = await FleetServer.StartAsync(fleet, new IPEndPoint(IPAddress.Loopback, 0), cancellationToken: deadline.Token);
        var targets = Path.Combine(_directory, "fleet-sd.json");
        await FileSdTargetGroup.WriteFileAsync(targets, FleetTargets.For(fleet, server.Address), deadline.Token);
        await using var prometheus = await PrometheusServer.StartAsync(new PrometheusOptions
        {
            ScrapeInterval = "1s",
            FileServiceDiscoveryPath = targets,
            FileServiceDiscoveryJobName = "fleet",
        }, deadline.Token);
        using var http = new HttpClient();
        var client = new PrometheusClient(http, prometheus.BaseUri);
        while ((await client.QueryAsync("count(scrape_samples_post_metric_relabeling{job=\"fleet\"})", cancellationToken: deadline.Token)).Series
            is not [var counted, ..] || counted.Samples[0].Value != 60)
            await Task.Delay(500, deadline.Token);

        var output = Path.Combine(_directory, "plan");
        var result = await Cli.RunAsync("shard", "plan", "--source", prometheus.BaseUri.AbsoluteUri, "--targets", targets, "--job", "fleet",
            "--shards", "3", "--out", output, "--format", "json");
        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        Assert.Equal(3, root.GetProperty("shards").GetInt32());
        Assert.Equal(60, root.GetProperty("targets").GetInt32());
        Assert.Equal(0, root.GetProperty("estimated_targets").GetInt32());
        // Measured: every host's series plus the five Prometheus adds per target.
        Assert.Equal(fleet.Hosts.Sum(h => h.SeriesCount + 5), root.GetProperty("series").GetInt64());
        Assert.True(root.GetProperty("balance").GetDouble() <= 1.1);
        Assert.True(root.GetProperty("balance").GetDouble() < root.GetProperty("hashmod_balance").GetDouble());
        Assert.Equal("ratio", root.GetProperty("memory_model").GetString());
        var placed = Enumerable.Range(0, 3)
            .SelectMany(s => FileSdTargetGroup.Parse(File.ReadAllText(Path.Combine(output, $"shard-{s}.json"))))
            .Select(g => g.Labels["instance"]).Order().ToList();
        Assert.Equal(fleet.Hosts.Select(h => h.Id).Order(), placed);

        // The same plan again, from the files: nothing moves.
        result = await Cli.RunAsync("shard", "plan", "--source", prometheus.BaseUri.AbsoluteUri, "--targets", targets, "--job", "fleet",
            "--shards", "3", "--out", output, "--format", "json");
        using var again = JsonDocument.Parse(result.Output);
        Assert.Equal(0, again.RootElement.GetProperty("targets_moved").GetInt32());
    }
}
