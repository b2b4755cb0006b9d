using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Headroom.Gateway.Configuration;
using Headroom.PromQL.Storage;

namespace Headroom.Gateway.Tests;

/// <summary>A shard with no healthy replica, a full query queue, and a client that hangs up.</summary>
public sealed class PartialResponseAndLimitsTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static readonly string At = Headroom.Prometheus.ServerApi.PromValueFormat.Timestamp(GatewayFixture.End - 60_000);

    [Fact]
    public async Task A_shard_down_answers_with_the_others_and_a_warning_naming_it_or_fails_when_asked()
    {
        var metrics = new GatewayMetrics();
        var shards = InMemoryTopology.Split(fixture.Data, 3, 2, 0.2, seed: 5, metrics).ToList();
        var down = new Federation.ShardSource("shard-2", [new DownSource("connection refused"), new DownSource("connection refused")],
            GatewayConfig.DefaultReplicaLabels, PromQL.Labels.Empty, metrics);
        shards[2] = down;
        await using var server = await GatewayServer.StartAsync(new Gateway(InMemoryTopology.Config(3), shards, metrics), Listen);

        var (status, body) = await GetAsync(server, $"api/v1/query?query=count(memory_used_bytes)&time={At}");
        var (failStatus, failBody) = await GetAsync(server, $"api/v1/query?query=count(memory_used_bytes)&time={At}&partial_response=false");

        Assert.Equal(HttpStatusCode.OK, status);
        using var json = JsonDocument.Parse(body);
        var warning = Assert.Single(json.RootElement.GetProperty("warnings").EnumerateArray()).GetString();
        Assert.Contains("shard shard-2: no replica answered (connection refused; connection refused)", warning, StringComparison.Ordinal);
        var count = double.Parse(json.RootElement.GetProperty("data").GetProperty("result")[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(count, 1, 5);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failStatus);
        Assert.Contains("\"errorType\":\"unavailable\"", failBody, StringComparison.Ordinal);
        Assert.Contains("shard-2", failBody, StringComparison.Ordinal);
        Assert.Contains("headroom_gateway_partial_responses_total{shard=\"shard-2\"} 2", (await GetAsync(server, "metrics")).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_full_queue_answers_503_at_once()
    {
        var metrics = new GatewayMetrics();
        var slow = new SlowSource(new InMemoryStorage(), TimeSpan.FromSeconds(3));
        var config = InMemoryTopology.Config(1) with { Limits = new QueryLimits(MaxConcurrent: 1, MaxQueued: 0) };
        await using var server = await GatewayServer.StartAsync(new Gateway(config, [slow], metrics), Listen);

        var first = GetAsync(server, $"api/v1/query?query=up&time={At}");
        await WaitUntilAsync(() => slow.Started == 1);
        var watch = Stopwatch.StartNew();
        var (status, body) = await GetAsync(server, $"api/v1/query?query=up&time={At}");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("too many queries", body, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2.5), $"the refusal took {watch.Elapsed}");
        Assert.Equal(HttpStatusCode.OK, (await first).Status);
    }

    [Fact]
    public async Task A_client_that_hangs_up_cancels_its_query_on_the_backends()
    {
        var metrics = new GatewayMetrics();
        var slow = new SlowSource(new InMemoryStorage(), TimeSpan.FromSeconds(30));
        await using var server = await GatewayServer.StartAsync(new Gateway(InMemoryTopology.Config(1), [slow], metrics), Listen);
        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(500) };

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => impatient.GetAsync(new Uri(server.BaseUri, $"api/v1/query?query=up&time={At}")));

        await WaitUntilAsync(() => slow.Cancelled == 1);
        Assert.Equal(1, slow.Started);
        // Counted as a hang-up (499), once the handler has finished with it.
        const string hangUp = "headroom_gateway_request_duration_seconds_count{endpoint=\"query\",code=\"499\"} 1";
        var deadline = Stopwatch.StartNew();
        string metricsText;
        while (!(metricsText = (await GetAsync(server, "metrics")).Body).Contains(hangUp, StringComparison.Ordinal))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), "no hang-up counted within 20 s:\n" + metricsText);
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_query_past_its_timeout_answers_503_timeout()
    {
        var metrics = new GatewayMetrics();
        var slow = new SlowSource(new InMemoryStorage(), TimeSpan.FromSeconds(30));
        var config = InMemoryTopology.Config(1) with { Limits = new QueryLimits(Timeout: TimeSpan.FromSeconds(1)) };
        await using var server = await GatewayServer.StartAsync(new Gateway(config, [slow], metrics), Listen);

        var (status, body) = await GetAsync(server, $"api/v1/query?query=up&time={At}");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("\"errorType\":\"timeout\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_samples_answers_422()
    {
        var metrics = new GatewayMetrics();
        var config = InMemoryTopology.Config(3) with { Limits = new QueryLimits(MaxSamples: 100) };
        await using var server = await GatewayServer.StartAsync(new Gateway(config, InMemoryTopology.Split(fixture.Data, 3, 2, 0, 1), metrics), Listen);

        var (status, body) = await GetAsync(server, $"api/v1/query?query=count_over_time(http_requests_total[1h])&time={At}");

        Assert.Equal((HttpStatusCode)422, status);
        Assert.Contains("too many samples", body, StringComparison.Ordinal);
    }

    private static GatewayServerOptions Listen => new(new IPEndPoint(IPAddress.Loopback, 0));

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(GatewayServer server, string path)
    {
        using var response = await fixture.Http.GetAsync(new Uri(server.BaseUri, path));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), "the condition did not hold within 20 s");
            await Task.Delay(20);
        }
    }
}
