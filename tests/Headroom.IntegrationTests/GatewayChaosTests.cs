using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Headroom.Gateway;
using Headroom.Gateway.Configuration;
using Headroom.Prometheus.Client;
using Headroom.Testing;
using Xunit.Abstractions;

namespace Headroom.IntegrationTests;

/// <summary>
/// The gateway while replicas die: eight clients query for 60 s while one replica of every shard is killed with
/// SIGKILL and restarted, in turn; then a whole shard goes down.
/// </summary>
public sealed class GatewayChaosTests(ShardedPromqlPrometheus fleet, ITestOutputHelper output) : IClassFixture<ShardedPromqlPrometheus>
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset At = PromqlHistory.Start.AddMinutes(135);

    private static readonly string[] Queries =
    [
        "sum by (job) (rate(http_requests_total[5m]))",
        "http_requests_total",
        "histogram_quantile(0.9, sum by (le, job) (rate(request_duration_seconds_bucket[5m])))",
        "count_over_time(http_requests_total[10m])",
        "avg(node_memory_used_bytes)",
        "increase(http_requests_total[30m])",
    ];

    [Fact]
    public async Task Eight_clients_get_exact_answers_while_a_replica_of_every_shard_is_killed_and_restarted()
    {
        await using var gateway = await GatewayServer.StartAsync(GatewayAgreementTests.ConfigFor(fleet.Topology),
            new GatewayServerOptions(new IPEndPoint(IPAddress.Loopback, 0)));
        var reference = new PrometheusClient(fleet.Http, fleet.Reference.Server.BaseUri);
        var expected = new Dictionary<string, QueryResponse>();
        foreach (var query in Queries)
            expected[query] = await reference.QueryAsync(query, At);

        using var stop = new CancellationTokenSource(Duration);
        var failures = new List<string>();
        var answered = 0;
        var clients = Enumerable.Range(0, 8).Select(client => Task.Run(async () =>
        {
            var through = new PrometheusClient(fleet.Http, gateway.BaseUri);
            for (var i = client; !stop.IsCancellationRequested; i++)
            {
                var query = Queries[i % Queries.Length];
                try
                {
                    var problems = new StringBuilder();
                    GatewayAgreementTests.Compare(query, expected[query], await through.QueryAsync(query, At), problems);
                    if (problems.Length > 0)
                        lock (failures) failures.Add(problems.ToString());
                    Interlocked.Increment(ref answered);
                }
                catch (Exception e) when (e is PrometheusApiException or HttpRequestException)
                {
                    lock (failures) failures.Add($"{query}: {e.Message}");
                }
            }
        })).ToList();

        var kills = 0;
        for (var round = 0; !stop.IsCancellationRequested; round++)
        {
            var victims = fleet.Topology.Shards.Select(s => s.Replicas[round % s.Replicas.Count]).ToList();
            await Task.WhenAll(victims.Select(v => v.KillAsync()));
            kills += victims.Count;
            await Task.Delay(TimeSpan.FromSeconds(2));
            await Task.WhenAll(victims.Select(v => v.StartAsync()));
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        await Task.WhenAll(clients);

        output.WriteLine($"{answered} answers, {kills} replicas killed, {failures.Count} failures");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
        Assert.True(kills >= 4, $"only {kills} kills in {Duration}");
        Assert.True(answered >= 8 * 5, $"only {answered} answers");
    }

    [Fact]
    public async Task A_whole_shard_down_answers_with_a_warning_or_an_error_under_fail_never_a_hang()
    {
        await using var gateway = await GatewayServer.StartAsync(GatewayAgreementTests.ConfigFor(fleet.Topology) with { BackendTimeout = TimeSpan.FromSeconds(10) },
            new GatewayServerOptions(new IPEndPoint(IPAddress.Loopback, 0)));
        var shard = fleet.Topology.Shards[1];
        await shard.StopAsync();
        try
        {
            var query = $"api/v1/query?query=count(http_requests_total)&time={At.ToUnixTimeSeconds()}";
            var watch = Stopwatch.StartNew();
            using var warned = await fleet.Http.GetAsync(new Uri(gateway.BaseUri, query));
            using var failed = await fleet.Http.GetAsync(new Uri(gateway.BaseUri, query + "&partial_response=false"));
            var elapsed = watch.Elapsed;

            Assert.Equal(HttpStatusCode.OK, warned.StatusCode);
            using var json = JsonDocument.Parse(await warned.Content.ReadAsStringAsync());
            Assert.Contains("shard shard-1: no replica answered", json.RootElement.GetProperty("warnings")[0].GetString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            Assert.Contains("shard-1", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.True(elapsed < TimeSpan.FromSeconds(20), $"two requests took {elapsed} with the shard down");

            // Remote read cannot carry a warning: with a shard down it fails unless the reader asks for a partial answer.
            using var read = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.BaseUri, "api/v1/read"))
            {
                Content = new ByteArrayContent(RemoteReadRequestBody()),
            };
            using var readFailed = await fleet.Http.SendAsync(read);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, readFailed.StatusCode);
            Assert.Contains("shard-1", await readFailed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            // Both answers name the shard for a gateway above this one, which keeps the other shards under warn.
            Assert.Equal(["shard-1"], readFailed.Headers.GetValues(Headroom.Prometheus.RemoteRead.UnavailableShardsHeader.Name));
            using var readPartial = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.BaseUri, "api/v1/read?partial_response=true"))
            {
                Content = new ByteArrayContent(RemoteReadRequestBody()),
            };
            using var readWarned = await fleet.Http.SendAsync(readPartial);
            Assert.Equal(HttpStatusCode.OK, readWarned.StatusCode);
            Assert.Equal(["shard-1"], readWarned.Headers.GetValues(Headroom.Prometheus.RemoteRead.UnavailableShardsHeader.Name));

            // Headroom's own client (the ETL's, the shard planner's) never takes a partial answer for a whole one.
            var client = new PrometheusClient(fleet.Http, gateway.BaseUri);
            var error = await Assert.ThrowsAsync<PrometheusApiException>(() => client.QueryAsync("count(http_requests_total)", At));
            Assert.Equal(503, error.StatusCode);
            Assert.Contains("shard-1", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await shard.StartAsync();
        }
    }

    private static byte[] RemoteReadRequestBody() => Snappier.Snappy.CompressToArray(Headroom.Prometheus.RemoteRead.RemoteReadCodec.EncodeRequest(
        [new Headroom.Prometheus.RemoteRead.RemoteReadQuery([new Headroom.PromQL.Syntax.LabelMatcher(Headroom.PromQL.Syntax.LabelMatchType.Equal, "__name__", "http_requests_total")],
            At.AddMinutes(-10).ToUnixTimeMilliseconds(), At.ToUnixTimeMilliseconds())],
        [Headroom.Prometheus.RemoteRead.RemoteReadResponseType.Samples]));
}
