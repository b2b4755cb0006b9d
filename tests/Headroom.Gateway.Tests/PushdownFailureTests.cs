using System.Net;

namespace Headroom.Gateway.Tests;

/// <summary>Tenancy through pushed queries, and shards or replicas that are down or hung while a query is pushed.</summary>
public sealed class PushdownFailureTests(PushdownFixture fixture) : IClassFixture<PushdownFixture>
{
    public static readonly TheoryData<string> Probes = new()
    {
        "sum by (secret) (rate(http_requests_total[5m]))",
        "sum by (instance) (memory_bytes)",
        "topk(100, memory_bytes)",
        "topk(100, {__name__=~\".+\"})",
        "bottomk(100, rate(http_requests_total{team=\"search\"}[5m]))",
        "count by (team) ({__name__=~\".+\"})",
        "count by (secret, instance) ({secret=~\".+\"})",
        "group by (instance) ({team=~\"search|payments\"})",
        "max without () (memory_bytes)",
        "avg by (instance, team) (memory_bytes{team!=\"payments\"})",
        "sum without (code) (increase(http_requests_total{replica=\"a\"}[10m]))",
        "histogram_quantile(0.9, sum by (le, instance) (rate(latency_seconds_bucket[5m])))",
    };

    [Theory]
    [MemberData(nameof(Probes))]
    public async Task A_tenant_sees_no_other_tenants_data_through_a_pushed_query(string query)
    {
        foreach (var path in PushdownTests.Paths(query))
        {
            var (status, body, json) = await fixture.GetAsync(fixture.Tenanted, path + "&stats=all", tenant: "payments");

            Assert.True(status == HttpStatusCode.OK, body);
            var pushed = PushdownTests.PushedTexts(json);
            Assert.NotEmpty(pushed);
            Assert.All(pushed, text => Assert.Contains("team=\"payments\"", text, StringComparison.Ordinal));
            Assert.DoesNotContain("s3cr3t", body, StringComparison.Ordinal);
            Assert.DoesNotContain("search-", body, StringComparison.Ordinal);
            Assert.DoesNotContain("\"team\":\"search\"", body, StringComparison.Ordinal);

            var (_, _, reference) = await fixture.GetAsync(fixture.Tenanted, path + "&pushdown=false", tenant: "payments");
            if (reference.GetProperty("data").GetProperty("result").GetArrayLength() > 0)
            {
                PushdownTests.AssertSameAnswer(reference, json, query);
            }
        }
    }

    [Fact]
    public async Task The_other_tenant_sees_its_own_data_through_a_pushed_query()
    {
        var (_, body, json) = await fixture.GetAsync(fixture.Tenanted, PushdownTests.Q("count by (team, secret) (memory_bytes)") + "&stats=all", tenant: "search");

        Assert.Equal("count by (team, secret) (memory_bytes{team=\"search\"})", Assert.Single(PushdownTests.PushedTexts(json)));
        Assert.Contains("s3cr3t", body, StringComparison.Ordinal);
        Assert.DoesNotContain("payments", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sum by (job) (rate(http_requests_total[5m]))")]
    [InlineData("topk(5, memory_bytes)")]
    [InlineData("avg without (instance) (memory_bytes)")]
    public async Task A_shard_down_under_a_pushed_query_follows_the_partial_response_policy(string query)
    {
        foreach (var path in PushdownTests.Paths(query))
        {
            var (status, body, json) = await fixture.GetAsync(fixture.ShardDown, path + "&stats=all");
            var (_, _, reference) = await fixture.GetAsync(fixture.ShardDown, path + "&pushdown=false");

            Assert.True(status == HttpStatusCode.OK, body);
            Assert.NotEmpty(PushdownTests.PushedTexts(json));
            Assert.Contains("partial response: shard shard-1", body, StringComparison.Ordinal);
            PushdownTests.AssertSameAnswer(reference, json, query);

            var (failStatus, failBody, _) = await fixture.GetAsync(fixture.ShardDown, path + "&partial_response=false");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failStatus);
            Assert.Contains("shard-1", failBody, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("sum by (job) (rate(http_requests_total[5m]))")]
    [InlineData("bottomk(3, memory_bytes)")]
    public async Task A_replica_down_under_a_pushed_query_is_replaced_by_the_next(string query)
    {
        foreach (var path in PushdownTests.Paths(query))
        {
            var (status, body, json) = await fixture.GetAsync(fixture.FirstReplicaDown, path + "&stats=all");
            var (_, _, reference) = await fixture.GetAsync(fixture.Open, path + "&pushdown=false");

            Assert.True(status == HttpStatusCode.OK, body);
            Assert.NotEmpty(PushdownTests.PushedTexts(json));
            Assert.DoesNotContain("warnings", body, StringComparison.Ordinal);
            PushdownTests.AssertSameAnswer(reference, json, query);
        }
    }

    /// <summary>
    /// shard-1's first replica accepts the pushed query and never answers. The other shards answer at once; 5 s
    /// (the replica patience) later the query goes to shard-1's second replica too, whose answer is taken: the
    /// request answers in seconds, not after the 60 s backend timeout, with the answer the gateway gives without the
    /// hang, and the hedge is counted. A replica that fails at once is replaced without a hedge.
    /// </summary>
    [Fact]
    public async Task A_hung_replica_under_a_pushed_query_is_hedged_to_the_next_after_the_patience()
    {
        var path = await AssertHedgedInSecondsAsync(fixture.FirstReplicaHung);
        Assert.Equal(1, await HedgesAsync(fixture.FirstReplicaHung, "shard-1"));

        var (downStatus, downBody, _) = await fixture.GetAsync(fixture.FirstReplicaDown, path);
        Assert.True(downStatus == HttpStatusCode.OK, downBody);
        Assert.DoesNotContain("headroom_gateway_pushdown_hedges_total{", await fixture.Http.GetStringAsync(new Uri(fixture.FirstReplicaDown.BaseUri, "metrics")),
            StringComparison.Ordinal);
    }

    /// <summary>
    /// The first replicas of shard-1 and shard-2 hang at once. Each sees shard-0 (half of its other two) answer, so both
    /// are hedged 5 s later: the request answers in seconds, not after the 60 s backend timeout, with the answer the
    /// gateway gives without the hangs.
    /// </summary>
    [Fact]
    public async Task Two_shards_hung_at_once_under_a_pushed_query_are_both_hedged_after_the_patience()
    {
        await AssertHedgedInSecondsAsync(fixture.TwoFirstReplicasHung);
        Assert.Equal(0, await HedgesAsync(fixture.TwoFirstReplicasHung, "shard-0"));
        Assert.Equal(1, await HedgesAsync(fixture.TwoFirstReplicasHung, "shard-1"));
        Assert.Equal(1, await HedgesAsync(fixture.TwoFirstReplicasHung, "shard-2"));
    }

    /// <summary>
    /// A pushed <c>sum by</c> through <paramref name="gateway"/> answers after the patience and well before the backend
    /// timeout, with no warning and the answer of the gateway without hung replicas. Returns the request's path.
    /// </summary>
    private async Task<string> AssertHedgedInSecondsAsync(GatewayServer gateway)
    {
        const string query = "sum by (job) (rate(http_requests_total[5m]))";
        var path = PushdownTests.Paths(query).Last() + "&stats=all";
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var (status, body, json) = await fixture.GetAsync(gateway, path);
        var elapsed = watch.Elapsed;

        Assert.True(status == HttpStatusCode.OK, body);
        Assert.NotEmpty(PushdownTests.PushedTexts(json));
        Assert.DoesNotContain("warnings", body, StringComparison.Ordinal);
        var (_, _, reference) = await fixture.GetAsync(fixture.Open, path);
        PushdownTests.AssertSameAnswer(reference, json, query);
        Assert.True(elapsed < TimeSpan.FromSeconds(20), $"the pushed query took {elapsed} with a backend timeout of {PushdownFixture.HungBackendTimeout}");
        Assert.True(elapsed >= Federation.ShardSource.DefaultReplicaPatience, $"the pushed query was hedged after {elapsed}, before the patience");
        return path;
    }

    private async Task<double> HedgesAsync(GatewayServer gateway, string shard)
    {
        var text = await fixture.Http.GetStringAsync(new Uri(gateway.BaseUri, "metrics"));
        var prefix = $"headroom_gateway_pushdown_hedges_total{{shard=\"{shard}\"}} ";
        var line = text.Split('\n').SingleOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
