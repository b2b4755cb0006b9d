using System.Globalization;
using System.Net;
using System.Text;
using Headroom.Gateway;
using Headroom.Gateway.Configuration;
using Headroom.Prometheus.Client;
using Headroom.PromQL;
using Headroom.Testing;
using Xunit.Abstractions;

namespace Headroom.IntegrationTests;

/// <summary>
/// The agreement query set through <c>headroom gateway</c> over 2 shards × 2 real Prometheus replicas (one replica
/// missing a random fifth of its samples) equals one Prometheus holding all the data, both asked over HTTP.
/// </summary>
public sealed class GatewayAgreementTests(LossyShardedPromqlPrometheus fleet, ITestOutputHelper output) : IClassFixture<LossyShardedPromqlPrometheus>
{
    private const double Tolerance = 1e-6;
    private static readonly DateTimeOffset Start = PromqlHistory.Start;

    /// <summary>The gateway's configuration over the fleet: the reference has no shard or replica label, so both are dropped.</summary>
    public static GatewayConfig ConfigFor(Servers.PrometheusTopology topology, bool pushdown = false) =>
        GatewayConfig.For([.. topology.Shards.Select(s => new ShardConfig($"shard-{s.Index}", [.. s.Replicas.Select(r => r.BaseUri)], Labels.Empty))])
            with
        { ReplicaLabels = ["replica", "shard"], Pushdown = pushdown };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Instant_and_range_queries_through_the_gateway_equal_one_prometheus_holding_everything(bool pushdown)
    {
        await using var gateway = await GatewayServer.StartAsync(ConfigFor(fleet.Topology, pushdown), new GatewayServerOptions(new IPEndPoint(IPAddress.Loopback, 0)));
        var reference = new PrometheusClient(fleet.Http, fleet.Reference.Server.BaseUri);
        var through = new PrometheusClient(fleet.Http, gateway.BaseUri);
        var problems = new StringBuilder();
        var compared = 0;
        var times = new[] { Start.AddHours(1), Start.AddMinutes(135), Start.AddMinutes(285), Start.AddMinutes(363) };
        foreach (var query in PromqlAgreementTests.Queries)
        {
            foreach (var time in times)
            {
                compared += Compare($"{query} at {time:HH:mm}", await reference.QueryAsync(query, time), await through.QueryAsync(query, time), problems);
            }
            var (start, end, step) = (Start.AddMinutes(30), Start.AddMinutes(370), TimeSpan.FromMinutes(5));
            compared += Compare($"{query} range", await reference.QueryRangeAsync(query, start, end, step),
                await through.QueryRangeAsync(query, start, end, step), problems);
        }
        foreach (var query in PromqlAgreementTests.Subqueries)
        {
            var time = Start.AddMinutes(135).AddSeconds(30);
            compared += Compare($"{query} at {time:HH:mm:ss}", await reference.QueryAsync(query, time), await through.QueryAsync(query, time), problems);
        }
        var metrics = await fleet.Http.GetStringAsync(new Uri(gateway.BaseUri, "metrics"));
        var pushed = metrics.Split('\n').Where(l => l.StartsWith("headroom_gateway_pushdowns_total ", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture)).SingleOrDefault();
        output.WriteLine($"{compared} values compared, {pushed} aggregations pushed down");
        Assert.True(problems.Length == 0, problems.ToString());
        Assert.True(compared > 5_000, $"only {compared} values compared");
        Assert.True(pushdown ? pushed > 50 : pushed == 0, $"{pushed} aggregations pushed down with pushdown {(pushdown ? "on" : "off")}");
    }

    [Fact]
    public async Task Series_labels_and_values_through_the_gateway_equal_the_reference()
    {
        await using var gateway = await GatewayServer.StartAsync(ConfigFor(fleet.Topology), new GatewayServerOptions(new IPEndPoint(IPAddress.Loopback, 0)));
        foreach (var path in new[]
        {
            "api/v1/labels", "api/v1/label/job/values", "api/v1/label/__name__/values",
            "api/v1/label/instance/values?match[]=http_requests_total", "api/v1/series?match[]=http_requests_total",
            "api/v1/series?match[]=" + Uri.EscapeDataString("{__name__=~\"request_duration_seconds.*\",le=\"+Inf\"}"),
        })
        {
            var expected = await fleet.Http.GetStringAsync(new Uri(fleet.Reference.Server.BaseUri, path));
            var actual = await fleet.Http.GetStringAsync(new Uri(gateway.BaseUri, path));
            Assert.True(expected == actual, $"{path}:\nPrometheus {expected}\ngateway    {actual}");
        }
    }

    internal static int Compare(string where, QueryResponse expected, QueryResponse actual, StringBuilder problems)
    {
        if (expected.ResultType != actual.ResultType)
        {
            problems.AppendLine($"{where}: Prometheus answered {expected.ResultType}, the gateway {actual.ResultType}");
            return 0;
        }
        if (expected.ResultType == "scalar")
        {
            Check(where, expected.Scalar!.Value.Value, actual.Scalar!.Value.Value, problems);
            return 1;
        }
        var want = expected.Series.ToDictionary(s => Key(s.Labels), s => s.Samples);
        var got = actual.Series.ToDictionary(s => Key(s.Labels), s => s.Samples);
        foreach (var missing in want.Keys.Except(got.Keys))
            problems.AppendLine($"{where}: the gateway lacks {missing}");
        foreach (var extra in got.Keys.Except(want.Keys))
            problems.AppendLine($"{where}: the gateway has extra {extra}");
        var compared = 0;
        foreach (var (key, samples) in want)
        {
            if (!got.TryGetValue(key, out var other))
                continue;
            if (!samples.Select(s => s.TimestampMs).SequenceEqual(other.Select(s => s.TimestampMs)))
            {
                problems.AppendLine($"{where}: {key}: timestamps differ: Prometheus {samples.Count} points, the gateway {other.Count}");
                continue;
            }
            for (var i = 0; i < samples.Count; i++)
                Check($"{where}: {key} at {samples[i].TimestampMs}", samples[i].Value, other[i].Value, problems);
            compared += samples.Count;
        }
        return compared;
    }

    private static void Check(string where, double expected, double actual, StringBuilder problems)
    {
        if ((double.IsNaN(expected) && double.IsNaN(actual)) || expected.Equals(actual))
            return;
        var scale = Math.Max(Math.Abs(expected), Math.Abs(actual));
        if (Math.Abs(expected - actual) <= Tolerance * scale || scale < 1e-12)
            return;
        problems.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{where}: Prometheus {expected:R}, the gateway {actual:R}"));
    }

    private static string Key(IReadOnlyDictionary<string, string> labels) =>
        "{" + string.Join(", ", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{l.Value}\"")) + "}";
}

/// <summary>The gateway as a remote read server: another reader (Headroom's engine) sees what one Prometheus holds.</summary>
public sealed class GatewayRemoteReadTests(LossyShardedPromqlPrometheus fleet) : IClassFixture<LossyShardedPromqlPrometheus>
{
    [Theory]
    [InlineData(Headroom.Prometheus.RemoteRead.RemoteReadResponseType.StreamedXorChunks)]
    [InlineData(Headroom.Prometheus.RemoteRead.RemoteReadResponseType.Samples)]
    public async Task Hierarchical_federation_reads_through_the_gateway_what_one_prometheus_holds(Headroom.Prometheus.RemoteRead.RemoteReadResponseType type)
    {
        await using var gateway = await GatewayServer.StartAsync(GatewayAgreementTests.ConfigFor(fleet.Topology), new GatewayServerOptions(new IPEndPoint(IPAddress.Loopback, 0)));
        var matchers = new[] { new PromQL.Syntax.LabelMatcher(PromQL.Syntax.LabelMatchType.Regex, "__name__", ".+") };
        var (start, end) = (PromqlHistory.Start.ToUnixTimeMilliseconds(), PromqlHistory.Start.AddHours(6).ToUnixTimeMilliseconds());
        var query = new Headroom.Prometheus.RemoteRead.RemoteReadQuery(matchers, start, end);

        var expected = await new Headroom.Prometheus.RemoteRead.RemoteReadClient(fleet.Http, fleet.Reference.Server.BaseUri).ReadAsync([query]);
        var client = new Headroom.Prometheus.RemoteRead.RemoteReadClient(fleet.Http, gateway.BaseUri, type);
        var actual = await client.ReadAsync([query]);

        Assert.Equal(type, client.LastResponseType);
        var want = expected[0].Where(s => s.Points.Length > 0).ToDictionary(s => s.Labels.ToString(), s => s.Points);
        var got = actual[0].ToDictionary(s => s.Labels.ToString(), s => s.Points);
        Assert.Equal(want.Keys.Order(StringComparer.Ordinal), got.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, points) in want)
            Assert.True(points.SequenceEqual(got[key]), $"{key}: {points.Length} samples in Prometheus, {got[key].Length} through the gateway");
        Assert.True(want.Count > 20, $"only {want.Count} series");
    }

    [Fact]
    public async Task A_garbage_remote_read_body_is_a_400_and_the_gateway_keeps_serving()
    {
        await using var gateway = await GatewayServer.StartAsync(GatewayAgreementTests.ConfigFor(fleet.Topology), new GatewayServerOptions(new IPEndPoint(IPAddress.Loopback, 0)));
        using var response = await fleet.Http.PostAsync(new Uri(gateway.BaseUri, "api/v1/read"), new ByteArrayContent([1, 2, 3, 4, 5, 250, 251]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("remote read", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("Healthy\n", await fleet.Http.GetStringAsync(new Uri(gateway.BaseUri, "-/healthy")));
    }
}
