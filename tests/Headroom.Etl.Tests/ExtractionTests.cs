using Headroom.Fleet;

using Headroom.Testing;

namespace Headroom.Etl.Tests;

[Collection(FleetPrometheusCollection.Name)]
public class ExtractionTests(FleetPrometheus source)
{
    private static readonly Profile Node = ProfileLoader.Load("node");
    private static readonly DateTimeOffset From = FleetPrometheus.End.AddHours(-30);
    private static readonly DateTimeOffset To = FleetPrometheus.End.AddHours(-24);

    [Fact]
    public async Task Every_host_gets_a_row_per_hour_with_a_full_hour_of_points()
    {
        var extractor = new HourlyExtractor(source.Client, new ExtractionOptions { ChunkHours = 4 });
        var rows = await extractor.ExtractAsync(Node, Node.Dimensions.Single(d => d.Name == "cpu"), From, To);
        Assert.Equal(source.Fleet.Hosts.Count * 6, rows.Count);
        Assert.Equal(Enumerable.Range(0, 6).Select(h => From.AddHours(h)), rows.Select(r => r.HourStart).Distinct().Order());
        Assert.All(rows, r => Assert.Equal(60, r.Samples));
        Assert.All(rows, r => Assert.Equal(60, r.Expected));
        Assert.All(rows, r => Assert.True(r.Min <= r.Avg && r.Avg <= r.Max && r.Min <= r.P95 && r.P95 <= r.Max, r.ToString()));
        Assert.Equal(2, extractor.Requests); // 6 hours in chunks of 4
    }

    [Fact]
    public async Task Hourly_statistics_equal_prometheus_own_answers_per_hour()
    {
        var cpu = Node.Dimensions.Single(d => d.Name == "cpu");
        var rows = await new HourlyExtractor(source.Client, new ExtractionOptions()).ExtractAsync(Node, cpu, From, To);
        foreach (var hour in new[] { From, From.AddHours(3) })
        {
            // An independent path: one instant query per statistic at the end of the hour.
            var at = hour.AddHours(1).AddMilliseconds(-1);
            foreach (var (function, pick) in new (string, Func<HourlyRow, double>)[]
                     { ("avg_over_time", r => r.Avg), ("max_over_time", r => r.Max), ("min_over_time", r => r.Min) })
            {
                var expected = await source.Client.QueryAsync($"{function}(({cpu.Expr})[1h:1m])", at);
                Assert.Equal(source.Fleet.Hosts.Count, expected.Series.Count);
                foreach (var series in expected.Series)
                {
                    var row = rows.Single(r => r.HourStart == hour && r.Labels["instance"] == series.Labels["instance"]);
                    Assert.Equal(series.Samples[0].Value, pick(row), 1e-9);
                }
            }
        }
    }

    [Fact]
    public async Task Extracted_cpu_matches_each_hosts_profile()
    {
        var rows = await new HourlyExtractor(source.Client, new ExtractionOptions())
            .ExtractAsync(Node, Node.Dimensions.Single(d => d.Name == "cpu"), FleetPrometheus.End.AddHours(-24), FleetPrometheus.End);
        foreach (var host in source.Fleet.Hosts)
        {
            var mine = rows.Where(r => r.Labels["instance"] == host.Id).ToList();
            Assert.Equal(24, mine.Count);
            var daily = mine.Average(r => r.Avg);
            Assert.Equal(host.MeanCpuUtilization, daily, host.CpuProfile == CpuProfile.Bursty ? 0.1 : 0.02);
            if (host.CpuProfile == CpuProfile.Idle)
                Assert.True(mine.Max(r => r.Max) < 0.01);
        }
    }

    [Fact]
    public async Task An_unreachable_source_fails_after_retries_with_a_clear_message()
    {
        using var http = new HttpClient();
        var client = new Prometheus.Client.PrometheusClient(http, new Uri($"http://127.0.0.1:{Servers.FreePort.Next()}/"));
        var extractor = new HourlyExtractor(client, new ExtractionOptions { MaxRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(10) });
        var e = await Assert.ThrowsAsync<Prometheus.Client.PrometheusApiException>(() =>
            extractor.ExtractAsync(Node, Node.Dimensions[0], From, To));
        Assert.Contains("cannot reach", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, extractor.Requests);
    }

    [Fact]
    public async Task A_bad_expression_fails_at_once_with_prometheus_message()
    {
        var broken = Node with { Dimensions = [new Dimension("cpu", Unit.Ratio, "rate(node_cpu_seconds_total[5m]", null)] };
        var extractor = new HourlyExtractor(source.Client, new ExtractionOptions { RetryDelay = TimeSpan.FromMilliseconds(10) });
        var e = await Assert.ThrowsAsync<Prometheus.Client.PrometheusApiException>(() => extractor.ExtractAsync(broken, broken.Dimensions[0], From, To));
        Assert.Equal(400, e.StatusCode);
        Assert.Equal(1, extractor.Requests);
    }
}
