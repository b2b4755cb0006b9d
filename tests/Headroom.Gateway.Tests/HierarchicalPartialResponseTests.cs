using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Headroom.Gateway.Configuration;
using Headroom.Gateway.Federation;
using Headroom.Prometheus.RemoteRead;
using Headroom.Testing;

namespace Headroom.Gateway.Tests;

/// <summary>
/// A gateway above a gateway (hierarchical federation) while one of the lower gateway's two shards has no replica
/// answering: the upper keeps the lower's healthy shard under warn and names the down one; under fail it answers an
/// error naming it. A backend that is not a gateway and answers 503 is left out whole, as before.
/// </summary>
public sealed class HierarchicalPartialResponseTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static readonly string At = Headroom.Prometheus.ServerApi.PromValueFormat.Timestamp(GatewayFixture.End - 60_000);

    /// <summary>Every way the upper reads the lower: remote read (a query, series), label values, a pushed-down query.</summary>
    public static TheoryData<string> Reads => new()
    {
        $"api/v1/query?query=count(memory_used_bytes)&time={At}&pushdown=false",
        $"api/v1/query?query=sum(memory_used_bytes)&time={At}&pushdown=true",
        "api/v1/series?match[]=memory_used_bytes",
        "api/v1/label/instance/values?match[]=memory_used_bytes",
    };

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task Under_warn_the_upper_keeps_the_lower_gateways_healthy_shard_and_names_its_down_one(string path)
    {
        await using var lower = await StartLowerAsync();
        await using var upper = await StartUpperAsync(lower, PartialResponse.Warn);

        var (directStatus, direct, _) = await GetAsync(lower, path);
        var (status, through, _) = await GetAsync(upper, path);

        Assert.Equal(HttpStatusCode.OK, directStatus);
        Assert.Equal(HttpStatusCode.OK, status);
        using var directJson = JsonDocument.Parse(direct);
        using var json = JsonDocument.Parse(through);
        // The lower gateway's own answer under warn holds its healthy shard's series only; the upper's is the same.
        var data = json.RootElement.GetProperty("data").GetRawText();
        Assert.Equal(directJson.RootElement.GetProperty("data").GetRawText(), data);
        var answer = json.RootElement.GetProperty("data");
        Assert.NotEqual(0, (answer.ValueKind == JsonValueKind.Array ? answer : answer.GetProperty("result")).GetArrayLength());
        var warning = Assert.Single(json.RootElement.GetProperty("warnings").EnumerateArray()).GetString()!;
        Assert.StartsWith("partial response: ", warning, StringComparison.Ordinal);
        Assert.Contains("shard-1", warning, StringComparison.Ordinal);
        Assert.Contains(lower.BaseUri.GetLeftPart(UriPartial.Authority), warning, StringComparison.Ordinal);
        if (!path.Contains("label", StringComparison.Ordinal) && !path.Contains("pushdown=true", StringComparison.Ordinal))
        {
            // A selection was refused whole first, then read in part: the upper counts the partial answer.
            var metrics = (await GetAsync(upper, "metrics")).Body;
            Assert.Contains("headroom_gateway_partial_responses_total{shard=\"lower\"} 1", metrics, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Three_levels_down_the_top_gateway_keeps_the_healthy_shard_and_names_the_down_one_by_its_path()
    {
        await using var lower = await StartLowerAsync();
        await using var middle = await StartUpperAsync(lower, PartialResponse.Warn);
        await using var top = await GatewayServer.StartAsync(GatewayConfig.For([new ShardConfig("middle", [middle.BaseUri], PromQL.Labels.Empty)]), Listen);
        var path = $"api/v1/query?query=count(memory_used_bytes)&time={At}";

        var (_, direct, _) = await GetAsync(lower, path);
        var (status, through, _) = await GetAsync(top, path);
        var (failStatus, failBody, header) = await GetAsync(top, path + "&partial_response=false");

        Assert.Equal(HttpStatusCode.OK, status);
        using var directJson = JsonDocument.Parse(direct);
        using var json = JsonDocument.Parse(through);
        Assert.Equal(directJson.RootElement.GetProperty("data").GetRawText(), json.RootElement.GetProperty("data").GetRawText());
        var warning = Assert.Single(json.RootElement.GetProperty("warnings").EnumerateArray()).GetString()!;
        Assert.Contains(middle.BaseUri.GetLeftPart(UriPartial.Authority), warning, StringComparison.Ordinal);
        Assert.Contains("lower/shard-1", warning, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failStatus);
        Assert.Contains("shard-1", failBody, StringComparison.Ordinal);
        Assert.Equal("middle%2Flower%2Fshard-1", header);
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task Under_fail_the_upper_answers_an_error_naming_the_lower_gateways_down_shard(string path)
    {
        await using var lower = await StartLowerAsync();
        await using var upper = await StartUpperAsync(lower, PartialResponse.Warn);
        await using var failing = await StartUpperAsync(lower, PartialResponse.Fail);

        var asked = await GetAsync(upper, path + "&partial_response=false");
        var configured = await GetAsync(failing, path);

        foreach (var (status, body, header) in new[] { asked, configured })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Contains("\"errorType\":\"unavailable\"", body, StringComparison.Ordinal);
            Assert.Contains("shard-1", body, StringComparison.Ordinal);
            // A gateway above the upper one would learn the same, by the path down to the shard.
            Assert.Equal("lower%2Fshard-1", header);
        }
    }

    [Fact]
    public async Task A_gateway_answers_a_remote_read_asked_in_part_with_its_healthy_shard_and_names_the_down_one()
    {
        await using var lower = await StartLowerAsync();
        using var http = new HttpClient();
        var query = new RemoteReadQuery([new PromQL.Syntax.LabelMatcher(PromQL.Syntax.LabelMatchType.Equal, "__name__", "memory_used_bytes")],
            GatewayFixture.Start, GatewayFixture.End);

        var refused = await Assert.ThrowsAsync<RemoteReadException>(() => new RemoteReadClient(http, lower.BaseUri).ReadAsync([query]));
        var warnings = new PromQL.Storage.SourceWarnings();
        var series = new List<PromQL.Series>();
        await foreach (var item in new RemoteReadClient(http, lower.BaseUri) { AllowPartialResponse = true }.StreamAsync([query], warnings))
        {
            series.Add(item.Series);
        }

        Assert.Equal(503, refused.StatusCode);
        Assert.Equal(["shard-1"], refused.UnavailableShards);
        Assert.InRange(series.Count, 1, 5);
        Assert.Contains("shard-1", Assert.Single(warnings.Messages), StringComparison.Ordinal);
    }

    /// <summary>
    /// A remote read of several queries asked in part: the second query meets the same shard down after the answer has
    /// begun, but the header already names it, so the answer goes on instead of being cut.
    /// </summary>
    [Fact]
    public async Task A_remote_read_of_two_queries_asked_in_part_answers_both_when_the_header_already_names_the_shard()
    {
        await using var lower = await StartLowerAsync();
        using var http = new HttpClient();
        RemoteReadQuery Query(string metric) => new([new PromQL.Syntax.LabelMatcher(PromQL.Syntax.LabelMatchType.Equal, "__name__", metric)],
            GatewayFixture.Start, GatewayFixture.End);
        var warnings = new PromQL.Storage.SourceWarnings();
        var names = new List<string>();

        await foreach (var item in new RemoteReadClient(http, lower.BaseUri) { AllowPartialResponse = true }
            .StreamAsync([Query("memory_used_bytes"), Query("http_requests_total")], warnings))
        {
            names.Add(item.Series.Labels.Name);
        }

        Assert.Contains("memory_used_bytes", names);
        Assert.Contains("http_requests_total", names);
        Assert.Contains("shard-1", Assert.Single(warnings.Messages), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("shard s1: no replica answered", "shard s1: no replica answered")]
    [InlineData("label \"é\" of shard-ü", "label '%C3%A9' of shard-%C3%BC")]
    [InlineData("100% of line\nbreak", "100%25 of line%0Abreak")]
    public void A_federate_warning_header_holds_only_printable_ascii(string warning, string expected)
    {
        var text = Http.GatewayApi.WarningText(warning);

        Assert.Equal(expected, text);
        Assert.All(text, c => Assert.InRange(c, ' ', '~'));
    }

    [Fact]
    public async Task Federate_with_a_shard_named_outside_ascii_down_answers_with_a_warning()
    {
        var config = GatewayConfig.For(
        [
            new ShardConfig("lower", [fixture.Open.BaseUri], PromQL.Labels.Empty),
            new ShardConfig("münchen", [new Uri("http://127.0.0.1:1/")], PromQL.Labels.Empty),
        ]);
        await using var upper = await GatewayServer.StartAsync(config, Listen);

        // Federate reads the last five minutes before now, where the fixture has no data: the answer is empty, but
        // it is an answer, and the header that Kestrel would refuse for a character outside ASCII says what is missing.
        using var response = await fixture.Http.GetAsync(new Uri(upper.BaseUri, "federate?match[]=memory_used_bytes"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var warning = Assert.Single(response.Headers.GetValues("Warning"));
        Assert.Contains("shard m%C3%BCnchen", warning, StringComparison.Ordinal);
    }

    /// <summary>
    /// A backend that is not a gateway (a Prometheus starting up answers 503 to everything) sends no marker: the upper
    /// leaves that shard out whole with a warning and asks it nothing more, as before.
    /// </summary>
    [Fact]
    public async Task A_plain_backends_503_leaves_its_shard_out_whole_and_is_not_asked_again()
    {
        var reads = new ConcurrentQueue<string>();
        await using var prometheus = new LoopbackHttpServer(async (context, cancellationToken) =>
        {
            if (context.Request.Url!.AbsolutePath.EndsWith("/api/v1/read", StringComparison.Ordinal))
            {
                reads.Enqueue(context.Request.Url.Query);
            }
            context.Response.StatusCode = 503;
            var body = "Service Unavailable"u8.ToArray();
            await context.Response.OutputStream.WriteAsync(body, cancellationToken);
        });
        var config = GatewayConfig.For(
        [
            new ShardConfig("lower", [fixture.Open.BaseUri], PromQL.Labels.Empty),
            new ShardConfig("prometheus", [prometheus.BaseUri], PromQL.Labels.Empty),
        ]);
        await using var upper = await GatewayServer.StartAsync(config, Listen);

        var (status, body, _) = await GetAsync(upper, $"api/v1/query?query=count(memory_used_bytes)&time={At}");

        Assert.Equal(HttpStatusCode.OK, status);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("6", json.RootElement.GetProperty("data").GetProperty("result")[0].GetProperty("value")[1].GetString());
        var warning = Assert.Single(json.RootElement.GetProperty("warnings").EnumerateArray()).GetString()!;
        Assert.StartsWith("partial response: shard prometheus: no replica answered (remote read from", warning, StringComparison.Ordinal);
        Assert.Contains("failed with HTTP 503: Service Unavailable)", warning, StringComparison.Ordinal);
        Assert.Equal([""], reads);
    }

    /// <summary>
    /// A lower gateway that answers 503 naming its shard-1 whether asked whole or in part: the upper asks again in part,
    /// that fails too, and the shard is left out whole, counted once for the one answer.
    /// </summary>
    [Fact]
    public async Task A_lower_gateway_refusing_the_read_in_part_too_is_counted_once_per_answer()
    {
        var reads = new ConcurrentQueue<string>();
        await using var refusing = new LoopbackHttpServer(async (context, cancellationToken) =>
        {
            if (context.Request.Url!.AbsolutePath.EndsWith("/api/v1/read", StringComparison.Ordinal))
            {
                reads.Enqueue(context.Request.Url.Query);
            }
            context.Response.StatusCode = 503;
            context.Response.Headers[UnavailableShardsHeader.Name] = "shard-1";
            var body = "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"shard shard-1: no replica answered\"}"u8.ToArray();
            await context.Response.OutputStream.WriteAsync(body, cancellationToken);
        });
        await using var upper = await GatewayServer.StartAsync(GatewayConfig.For([new ShardConfig("lower", [refusing.BaseUri], PromQL.Labels.Empty)])
            with
        { PartialResponse = PartialResponse.Warn }, Listen);

        var (status, body, _) = await GetAsync(upper, $"api/v1/query?query=count(memory_used_bytes)&time={At}&pushdown=false");
        var metrics = (await GetAsync(upper, "metrics")).Body;

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("shard lower", body, StringComparison.Ordinal);
        Assert.Equal(["", "?partial_response=true"], reads);
        Assert.Contains("headroom_gateway_partial_responses_total{shard=\"lower\"} 1", metrics, StringComparison.Ordinal);
    }

    /// <summary>
    /// Between the lower gateway's 503 (naming shard-1) and the upper asking it again in part, its shard-0 went down too:
    /// the partial answer names both, and the upper's own remote read asked in part names both by their path.
    /// </summary>
    [Fact]
    public async Task A_shard_that_went_down_before_the_read_in_part_is_named_in_the_uppers_remote_read_header()
    {
        await using var lower = FakeLowerGateway(wholeNames: "shard-1", partNames: "shard-1,shard-0", partBody: Samples(Up("a")));
        await using var upper = await GatewayServer.StartAsync(GatewayConfig.For([new ShardConfig("lower", [lower.BaseUri], PromQL.Labels.Empty)]), Listen);
        using var http = new HttpClient();
        var warnings = new PromQL.Storage.SourceWarnings();
        var series = new List<PromQL.Series>();

        await foreach (var item in new RemoteReadClient(http, upper.BaseUri) { AllowPartialResponse = true }
            .StreamAsync([new RemoteReadQuery([new PromQL.Syntax.LabelMatcher(PromQL.Syntax.LabelMatchType.Equal, "__name__", "up")],
                GatewayFixture.Start, GatewayFixture.End)], warnings))
        {
            series.Add(item.Series);
        }

        Assert.Single(series);
        var warning = Assert.Single(warnings.Messages);
        Assert.Contains("lower/shard-1", warning, StringComparison.Ordinal);
        Assert.Contains("lower/shard-0", warning, StringComparison.Ordinal);
    }

    /// <summary>
    /// Two lower gateways are the replicas of the upper's shard. Asked in part, one names shard-1 as left out and then
    /// fails mid-answer; the other answers whole. The answer is the whole one's, and warns of nothing missing.
    /// </summary>
    [Fact]
    public async Task A_replica_gateway_left_out_after_naming_its_down_shard_does_not_warn_when_its_twin_answers_whole()
    {
        await using var failing = FakeLowerGateway(wholeNames: "shard-1", partNames: "shard-1", partBody: "not snappy"u8.ToArray());
        await using var whole = FakeLowerGateway(wholeNames: "shard-1", partNames: null, partBody: Samples(Up("a"), Up("b")));
        await using var upper = await GatewayServer.StartAsync(
            GatewayConfig.For([new ShardConfig("lower", [failing.BaseUri, whole.BaseUri], PromQL.Labels.Empty)]) with { PartialResponse = PartialResponse.Warn }, Listen);

        var (status, body, _) = await GetAsync(upper, $"api/v1/query?query=count(up)&time={At}&pushdown=false");

        Assert.Equal(HttpStatusCode.OK, status);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("2", json.RootElement.GetProperty("data").GetProperty("result")[0].GetProperty("value")[1].GetString());
        Assert.False(json.RootElement.TryGetProperty("warnings", out var warnings), $"warnings: {warnings}");
    }

    private static List<string> TooMany => [.. Enumerable.Range(1, UnavailableShardsHeader.MaxShards + 1).Select(i => $"shard-{i}")];

    [Fact]
    public void A_header_naming_too_many_shards_or_too_long_names_none_and_a_shard_with_too_many_down_below_is_named_whole()
    {
        var error = new ShardUnavailableException("lower", ["no replica answered"]) { LowerShards = TooMany };

        Assert.Empty(UnavailableShardsHeader.Parse([UnavailableShardsHeader.Format(TooMany)]));
        Assert.Empty(UnavailableShardsHeader.Parse([new string('a', 1_000_000)]));
        Assert.Empty(UnavailableShardsHeader.Parse(Enumerable.Repeat("a", 100_000)));
        Assert.Equal(UnavailableShardsHeader.MaxShards, UnavailableShardsHeader.Parse([UnavailableShardsHeader.Format(TooMany[1..])]).Count);
        Assert.Equal(["lower"], error.Unavailable);
    }

    [Fact]
    public void A_header_too_long_to_trust_is_told_from_an_absent_one()
    {
        Assert.False(UnavailableShardsHeader.TryParse([UnavailableShardsHeader.Format(TooMany)], out var tooMany));
        Assert.False(UnavailableShardsHeader.TryParse([new string('a', UnavailableShardsHeader.MaxLength + 1)], out _));
        Assert.True(UnavailableShardsHeader.TryParse(null, out var none));
        Assert.Empty(tooMany);
        Assert.Empty(none);
        Assert.False(UnavailableShardsHeader.Fits(TooMany));
        Assert.True(UnavailableShardsHeader.Fits(TooMany[1..]));
    }

    /// <summary>
    /// A gateway with more shards down than its header names: a remote read asked in part fails (503) rather than answer
    /// with the healthy shard and a header that cannot name every shard left out, and that 503 names no shard, so a
    /// gateway above leaves this one out whole. (Asked whole, it fails at the first shard down and names that one.) A
    /// JSON answer, which warns, keeps the healthy shard.
    /// </summary>
    [Fact]
    public async Task A_gateway_with_more_shards_down_than_its_header_names_fails_a_remote_read_asked_in_part()
    {
        var metrics = new GatewayMetrics();
        var shards = InMemoryTopology.Split(fixture.Data, 1, 2, 0.2, seed: 3, metrics).ToList();
        shards.AddRange(TooMany.Select(name => new ShardSource(name, [new DownSource("connection refused")], GatewayConfig.DefaultReplicaLabels,
            PromQL.Labels.Empty, metrics)));
        await using var lower = await GatewayServer.StartAsync(new Gateway(InMemoryTopology.Config(shards.Count), shards, metrics), Listen);
        using var http = new HttpClient();
        var query = new RemoteReadQuery([new PromQL.Syntax.LabelMatcher(PromQL.Syntax.LabelMatchType.Equal, "__name__", "memory_used_bytes")],
            GatewayFixture.Start, GatewayFixture.End);

        var inPart = await Assert.ThrowsAsync<RemoteReadException>(() => new RemoteReadClient(http, lower.BaseUri) { AllowPartialResponse = true }.ReadAsync([query]));
        var (status, body, _) = await GetAsync(lower, $"api/v1/query?query=count(memory_used_bytes)&time={At}");

        Assert.Equal(503, inPart.StatusCode);
        Assert.Contains($"at most {UnavailableShardsHeader.MaxShards}", inPart.Message, StringComparison.Ordinal);
        Assert.Empty(inPart.UnavailableShards);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("\"result\":[{", body, StringComparison.Ordinal);
    }

    /// <summary>A lower gateway's partial answer whose header names too many shards is not used: the upper leaves that shard out whole.</summary>
    [Fact]
    public async Task A_partial_answer_naming_too_many_shards_is_not_used()
    {
        await using var lower = FakeLowerGateway(wholeNames: "shard-1", partNames: UnavailableShardsHeader.Format(TooMany), partBody: Samples(Up("a")));
        await using var upper = await GatewayServer.StartAsync(
            GatewayConfig.For([new ShardConfig("lower", [lower.BaseUri], PromQL.Labels.Empty)]) with { PartialResponse = PartialResponse.Warn }, Listen);

        var (status, body, _) = await GetAsync(upper, $"api/v1/query?query=count(up)&time={At}&pushdown=false");

        Assert.Equal(HttpStatusCode.OK, status);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(0, json.RootElement.GetProperty("data").GetProperty("result").GetArrayLength());
        var warning = Assert.Single(json.RootElement.GetProperty("warnings").EnumerateArray()).GetString()!;
        Assert.Contains($"naming more than {UnavailableShardsHeader.MaxShards} shards", warning, StringComparison.Ordinal);
    }

    /// <summary>
    /// A fake lower gateway: a remote read asked whole answers 503 naming <paramref name="wholeNames"/>; asked in part, 200
    /// with <paramref name="partBody"/> as a SAMPLES answer naming <paramref name="partNames"/> (none when null). Anything
    /// else (its configuration) is a 404, as from a gateway.
    /// </summary>
    private static LoopbackHttpServer FakeLowerGateway(string wholeNames, string? partNames, byte[] partBody) => new(async (context, cancellationToken) =>
    {
        var path = context.Request.Url!.AbsolutePath;
        if (!path.EndsWith("/api/v1/read", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            return;
        }
        if (!context.Request.Url.Query.Contains("partial_response=true", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 503;
            context.Response.Headers[UnavailableShardsHeader.Name] = wholeNames;
            await context.Response.OutputStream.WriteAsync("shard down"u8.ToArray(), cancellationToken);
            return;
        }
        if (partNames is not null)
        {
            context.Response.Headers[UnavailableShardsHeader.Name] = partNames;
        }
        context.Response.ContentType = RemoteReadServerCodec.SamplesContentType;
        context.Response.Headers["Content-Encoding"] = "snappy";
        await context.Response.OutputStream.WriteAsync(partBody, cancellationToken);
    });

    private static PromQL.Series Up(string instance) =>
        new(PromQL.Labels.Of("__name__", "up", "instance", instance), [new PromQL.FloatPoint(GatewayFixture.End - 90_000, 1)]);

    private static byte[] Samples(params PromQL.Series[] series) => RemoteReadServerCodec.EncodeSamplesResponse([series]);

    [Theory]
    [InlineData("shard-1")]
    [InlineData("a,b", "lower/shard 2")]
    public void The_header_names_any_shard_and_reads_back(params string[] shards)
    {
        Assert.Equal(shards, UnavailableShardsHeader.Parse([UnavailableShardsHeader.Format(shards)]));
        Assert.Empty(UnavailableShardsHeader.Parse(null));
    }

    /// <summary>A lower gateway over two in-memory shards of two replicas each; neither replica of shard-1 answers.</summary>
    private async Task<GatewayServer> StartLowerAsync()
    {
        var metrics = new GatewayMetrics();
        var shards = InMemoryTopology.Split(fixture.Data, 2, 2, 0.2, seed: 3, metrics).ToList();
        shards[1] = new ShardSource("shard-1", [new DownSource("connection refused"), new DownSource("connection refused")],
            GatewayConfig.DefaultReplicaLabels, PromQL.Labels.Empty, metrics);
        return await GatewayServer.StartAsync(new Gateway(InMemoryTopology.Config(2), shards, metrics), Listen);
    }

    /// <summary>A gateway whose one shard, <c>lower</c>, has the lower gateway as its replica.</summary>
    private static Task<GatewayServer> StartUpperAsync(GatewayServer lower, PartialResponse partial) =>
        GatewayServer.StartAsync(GatewayConfig.For([new ShardConfig("lower", [lower.BaseUri], PromQL.Labels.Empty)])
            with
        { PartialResponse = partial, Pushdown = true }, Listen);

    private static GatewayServerOptions Listen => new(new IPEndPoint(IPAddress.Loopback, 0));

    private async Task<(HttpStatusCode Status, string Body, string? Header)> GetAsync(GatewayServer server, string path)
    {
        using var response = await fixture.Http.GetAsync(new Uri(server.BaseUri, path));
        var header = response.Headers.TryGetValues(UnavailableShardsHeader.Name, out var values) ? string.Join(",", values) : null;
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), header);
    }
}
