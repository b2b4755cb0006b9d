using System.Globalization;
using System.Net;
using System.Text;
using Headroom.Gateway;
using Headroom.Gateway.Configuration;
using Headroom.Prometheus.Client;
using Headroom.Prometheus.RemoteRead;
using Headroom.PromQL;
using Headroom.PromQL.Engine;
using Headroom.Testing;
using Xunit.Abstractions;

namespace Headroom.IntegrationTests;

/// <summary>
/// Windows that start exactly on a sample, where Prometheus 2 counts it and Prometheus 3 does not: every sample sits on
/// its 15 s slot and every query ends on a whole minute. With <see cref="WindowLeftEdge.Included"/> the engine must
/// answer what the installed Prometheus 2.42 answers, for the whole agreement query set and its subqueries; with the
/// default (Prometheus 3's edges) it must not, or the data would not be testing the edge at all.
/// </summary>
public sealed class PromqlEdgeAgreementTests(PromqlPrometheusOnSlots prometheus, ITestOutputHelper output) : IClassFixture<PromqlPrometheusOnSlots>
{
    private static readonly DateTimeOffset Start = PromqlHistory.Start;

    private static readonly DateTimeOffset[] InstantTimes = [Start.AddHours(1), Start.AddMinutes(135), Start.AddHours(3), Start.AddMinutes(350)];

    [Fact]
    public async Task With_the_left_edge_included_instant_and_range_queries_agree_with_prometheus_2()
    {
        var engine = Engine(WindowLeftEdge.Included);
        var problems = new StringBuilder();
        var compared = 0;
        foreach (var query in PromqlAgreementTests.Queries.Concat(PromqlAgreementTests.Subqueries))
        {
            foreach (var time in InstantTimes)
                compared += await PromqlAgreementTests.CompareInstantAsync(Http, engine, query, time, problems);
            compared += await PromqlAgreementTests.CompareRangeAsync(Http, engine, query, Start.AddMinutes(30), Start.AddMinutes(150),
                TimeSpan.FromMinutes(5), problems);
        }
        output.WriteLine($"{compared} values compared");
        Assert.True(problems.Length == 0, problems.ToString());
        Assert.True(compared > 5_000, $"only {compared} values compared");
    }

    [Fact]
    public async Task With_prometheus_3_edges_the_same_queries_differ_on_this_data()
    {
        var engine = Engine(WindowLeftEdge.Excluded);
        var problems = new StringBuilder();
        foreach (var query in new[] { "count_over_time(http_requests_total[10m])", "count_over_time(rate(http_requests_total[5m])[30m:1m])" })
        {
            await PromqlAgreementTests.CompareInstantAsync(Http, engine, query, InstantTimes[0], problems);
        }
        output.WriteLine(problems.ToString());
        // 41 samples in a 10m window in Prometheus 2, 40 in 3; the subquery counts 31 steps against 30.
        Assert.Contains("count_over_time", problems.ToString(), StringComparison.Ordinal);
        Assert.Contains("[30m:1m]", problems.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A gateway over this Prometheus 2.42 reads its version and answers as Prometheus 2, pushed down or not; told to
    /// answer as Prometheus 3, it pushes nothing (the shard would count the edge, the gateway would not).
    /// </summary>
    [Fact]
    public async Task A_gateway_over_prometheus_2_answers_as_prometheus_2_with_and_without_pushdown()
    {
        var config = GatewayConfig.For([new ShardConfig("only", [prometheus.Server.BaseUri], Labels.Empty)]) with { Pushdown = true };
        var listen = new GatewayServerOptions(new IPEndPoint(IPAddress.Loopback, 0));
        await using var pushing = await GatewayServer.StartAsync(config, listen);
        await using var local = await GatewayServer.StartAsync(config with { Pushdown = false }, listen);
        await using var asThree = await GatewayServer.StartAsync(config with { Compatibility = Compatibility.Prometheus3 }, listen);
        var problems = new StringBuilder();
        var compared = 0;
        string[] queries = ["sum by (job) (count_over_time(http_requests_total[10m]))", "sum by (job) (rate(http_requests_total[5m]))",
            "max(node_memory_used_bytes)", "count_over_time(http_requests_total[10m])"];
        foreach (var query in queries)
        {
            foreach (var time in InstantTimes)
            {
                var expected = await Http.QueryAsync(query, time);
                compared += GatewayAgreementTests.Compare($"{query} at {time:HH:mm}, pushdown", expected, await Client(pushing).QueryAsync(query, time), problems);
                compared += GatewayAgreementTests.Compare($"{query} at {time:HH:mm}, no pushdown", expected, await Client(local).QueryAsync(query, time), problems);
            }
        }
        var asThreeProblems = new StringBuilder();
        GatewayAgreementTests.Compare("as Prometheus 3", await Http.QueryAsync(queries[0], InstantTimes[0]),
            await Client(asThree).QueryAsync(queries[0], InstantTimes[0]), asThreeProblems);

        output.WriteLine($"{compared} values compared, {await PushedAsync(pushing)} pushed");
        Assert.True(problems.Length == 0, problems.ToString());
        Assert.True(compared > 100, $"only {compared} values compared");
        Assert.True(await PushedAsync(pushing) > 0, "nothing was pushed down");
        Assert.Contains("\"version\":\"2.42.0\"", await prometheus.Http.GetStringAsync(new Uri(pushing.BaseUri, "api/v1/status/buildinfo")), StringComparison.Ordinal);
        // Told to answer as Prometheus 3 over a Prometheus 2 shard: nothing pushed, and the edge not counted.
        Assert.Equal(0, await PushedAsync(asThree));
        Assert.True(asThreeProblems.Length > 0, "the gateway answering as Prometheus 3 agreed with Prometheus 2 on data with samples on the edges");
    }

    private PrometheusClient Client(GatewayServer gateway) => new(prometheus.Http, gateway.BaseUri);

    private async Task<double> PushedAsync(GatewayServer gateway)
    {
        var metrics = await prometheus.Http.GetStringAsync(new Uri(gateway.BaseUri, "metrics"));
        return metrics.Split('\n').Where(l => l.StartsWith("headroom_gateway_pushdowns_total ", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture)).SingleOrDefault();
    }

    private PrometheusClient Http => new(prometheus.Http, prometheus.Server.BaseUri);

    private QueryEngine Engine(WindowLeftEdge edge) =>
        new(new RemoteReadSource(new RemoteReadClient(prometheus.Http, prometheus.Server.BaseUri)), new EngineOptions { LeftEdge = edge });
}
