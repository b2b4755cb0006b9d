using System.Globalization;
using System.Text.Json;
using Headroom.Testing;

namespace Headroom.Cli.Tests;

/// <summary><c>headroom query</c> over a real Prometheus, compared with the answers of Prometheus' own HTTP API.</summary>
public sealed class QueryCommandTests(PromqlPrometheus prometheus) : IClassFixture<PromqlPrometheus>
{
    // Eval times on whole minutes: samples sit 3–12 s past 15 s slots, never on a range's edge (see PromqlHistory).
    private static readonly DateTimeOffset At = PromqlHistory.Start.AddHours(3);

    private string Source => prometheus.Server.BaseUri.AbsoluteUri;

    private static string Unix(DateTimeOffset t) => t.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private async Task<JsonDocument> PrometheusAsync(string path, params (string Name, string Value)[] parameters)
    {
        var query = string.Join('&', parameters.Select(p => p.Name + "=" + Uri.EscapeDataString(p.Value)));
        using var response = await prometheus.Http.GetAsync(new Uri(prometheus.Server.BaseUri, path + "?" + query));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body);
    }

    [Fact]
    public async Task An_instant_query_answers_json_shaped_like_prometheus_with_the_same_values()
    {
        const string Expr = "sum by (job) (rate(http_requests_total[5m]))";
        var result = await Cli.RunAsync("query", Expr, "--source", Source, "--time", Unix(At));
        Assert.True(result.ExitCode == 0, result.Error);
        using var ours = JsonDocument.Parse(result.Output);
        using var theirs = await PrometheusAsync("api/v1/query", ("query", Expr), ("time", Unix(At)));
        AssertSameAnswer(theirs.RootElement, ours.RootElement);
        Assert.Equal(2, ours.RootElement.GetProperty("data").GetProperty("result").GetArrayLength());
    }

    [Fact]
    public async Task A_range_query_answers_a_matrix_like_query_range()
    {
        const string Expr = "histogram_quantile(0.9, sum by (le, job) (rate(request_duration_seconds_bucket[5m])))";
        var start = At;
        var end = At.AddMinutes(30);
        var result = await Cli.RunAsync("query", Expr, "--source", Source, "--start", Unix(start), "--end", Unix(end), "--step", "1m");
        Assert.True(result.ExitCode == 0, result.Error);
        using var ours = JsonDocument.Parse(result.Output);
        using var theirs = await PrometheusAsync("api/v1/query_range", ("query", Expr), ("start", Unix(start)), ("end", Unix(end)), ("step", "60"));
        AssertSameAnswer(theirs.RootElement, ours.RootElement);
        var first = ours.RootElement.GetProperty("data").GetProperty("result")[0];
        Assert.Equal(31, first.GetProperty("values").GetArrayLength());
    }

    [Fact]
    public async Task An_instant_range_selector_answers_the_raw_samples_as_a_matrix()
    {
        const string Expr = "http_requests_total{job=\"api\",code=\"500\"}[2m]";
        var result = await Cli.RunAsync("query", Expr, "--source", Source, "--time", Unix(At));
        Assert.True(result.ExitCode == 0, result.Error);
        using var ours = JsonDocument.Parse(result.Output);
        using var theirs = await PrometheusAsync("api/v1/query", ("query", Expr), ("time", Unix(At)));
        Assert.Equal("matrix", ours.RootElement.GetProperty("data").GetProperty("resultType").GetString());
        AssertSameAnswer(theirs.RootElement, ours.RootElement);
        Assert.All(ours.RootElement.GetProperty("data").GetProperty("result").EnumerateArray(),
            r => Assert.Equal(8, r.GetProperty("values").GetArrayLength()));
    }

    [Fact]
    public async Task A_scalar_answers_a_scalar()
    {
        const string Expr = "scalar(sum(node_memory_used_bytes)) / 2";
        var result = await Cli.RunAsync("query", Expr, "--source", Source, "--time", Unix(At));
        Assert.True(result.ExitCode == 0, result.Error);
        using var ours = JsonDocument.Parse(result.Output);
        using var theirs = await PrometheusAsync("api/v1/query", ("query", Expr), ("time", Unix(At)));
        Assert.Equal("scalar", ours.RootElement.GetProperty("data").GetProperty("resultType").GetString());
        AssertSameAnswer(theirs.RootElement, ours.RootElement);
    }

    [Theory]
    [InlineData("1e21")]
    [InlineData("1e-7")]
    [InlineData("0.1 + 0.2")]
    [InlineData("-1 / 0")]
    [InlineData("0 / 0")]
    [InlineData("2 ^ 70")]
    [InlineData("-123456789.125")]
    public async Task Numbers_are_written_exactly_as_prometheus_writes_them(string expr)
    {
        var result = await Cli.RunAsync("query", expr, "--source", Source, "--time", "1793491207.5");
        Assert.True(result.ExitCode == 0, result.Error);
        using var ours = JsonDocument.Parse(result.Output);
        using var theirs = await PrometheusAsync("api/v1/query", ("query", expr), ("time", "1793491207.5"));
        Assert.Equal(theirs.RootElement.GetProperty("data").GetProperty("result").GetRawText(),
            ours.RootElement.GetProperty("data").GetProperty("result").GetRawText());
    }

    /// <summary>A gateway with tenancy answers only a known tenant: the bearer token names it, and its matchers apply.</summary>
    [Fact]
    public async Task A_bearer_token_file_reaches_a_gateway_with_tenancy_as_its_tenant()
    {
        var tenant = new Gateway.Configuration.TenantConfig("api-team",
            [new PromQL.Syntax.LabelMatcher(PromQL.Syntax.LabelMatchType.Equal, "job", "api")], ["token-api-7c1e"]);
        var config = Gateway.Configuration.GatewayConfig.For([new Gateway.Configuration.ShardConfig("only", [prometheus.Server.BaseUri], PromQL.Labels.Empty)])
            with
        { Tenancy = new Gateway.Configuration.TenancyConfig(Gateway.Configuration.TenancyConfig.DefaultHeader, [tenant]) };
        await using var gateway = await Gateway.GatewayServer.StartAsync(config,
            new Gateway.GatewayServerOptions(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0)));
        var tokenFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(tokenFile, "token-api-7c1e\n");

            var withToken = await Cli.RunAsync("query", "count(http_requests_total)", "--source", gateway.BaseUri.AbsoluteUri,
                "--source-bearer-token-file", tokenFile, "--time", Unix(At));
            var without = await Cli.RunAsync("query", "count(http_requests_total)", "--source", gateway.BaseUri.AbsoluteUri, "--time", Unix(At));

            Assert.True(withToken.ExitCode == 0, withToken.Error);
            using var answer = JsonDocument.Parse(withToken.Output);
            // 6 of the 12 counters are job="api": the tenant's matcher applied below the query.
            Assert.Equal("6", answer.RootElement.GetProperty("data").GetProperty("result")[0].GetProperty("value")[1].GetString());
            Assert.NotEqual(0, without.ExitCode);
            Assert.Contains("401", without.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    [Fact]
    public async Task Annotations_come_back_as_infos()
    {
        var result = await Cli.RunAsync("query", "rate(node_memory_used_bytes[5m])", "--source", Source, "--time", Unix(At));
        Assert.True(result.ExitCode == 0, result.Error);
        using var ours = JsonDocument.Parse(result.Output);
        var info = Assert.Single(ours.RootElement.GetProperty("infos").EnumerateArray());
        Assert.Contains("might not be a counter", info.GetString(), StringComparison.Ordinal);
        Assert.False(ours.RootElement.TryGetProperty("warnings", out _));
    }

    [Fact]
    public async Task The_table_format_lists_series_and_values()
    {
        var result = await Cli.RunAsync("query", "node_memory_used_bytes", "--source", Source, "--time", Unix(At), "--format", "table");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("node_memory_used_bytes{instance=\"c\", job=\"node\"}", result.Output, StringComparison.Ordinal);
        Assert.Contains("2026-11-01T03:00:00.000Z", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_expression_prints_the_positioned_parse_error_and_fails()
    {
        var result = await Cli.RunAsync("query", "sum(rate(x[5m])) by", "--source", Source);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Matches(@"headroom: error: 1:\d+: parse error: ", result.Error);
        Assert.Contains("  sum(rate(x[5m])) by\n", result.Error, StringComparison.Ordinal);
        Assert.Contains("^", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public async Task A_regex_RE2_refuses_is_a_positioned_parse_error()
    {
        var result = await Cli.RunAsync("query", "up{job=~\"(a)\\\\1\"}", "--source", Source);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("headroom: error: 1:4: parse error: error parsing regexp: invalid escape sequence: `\\1`", result.Error, StringComparison.Ordinal);
        Assert.Contains("\n     ^^^^^^^^^^^^^\n", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public async Task A_regex_RE2_refuses_in_label_replace_fails_evaluation_with_the_reason()
    {
        var result = await Cli.RunAsync("query", "label_replace(up, \"x\", \"$1\", \"job\", \"a(?=b)\")", "--source", Source, "--time", Unix(At));
        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("headroom: error: cannot evaluate the query: invalid regular expression in label_replace(): a(?=b) (error parsing regexp: invalid or unsupported Perl syntax: `(?=`)",
            result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hostile_regex_answers_like_prometheus()
    {
        const string Expr = "count(http_requests_total{job=~\"(a+)+b|api\"})";
        var result = await Cli.RunAsync("query", Expr, "--source", Source, "--time", Unix(At));
        Assert.True(result.ExitCode == 0, result.Error);
        using var ours = JsonDocument.Parse(result.Output);
        using var theirs = await PrometheusAsync("api/v1/query", ("query", Expr), ("time", Unix(At)));
        AssertSameAnswer(theirs.RootElement, ours.RootElement);
    }

    [Fact]
    public async Task An_unreachable_source_fails_with_a_clear_message()
    {
        var result = await Cli.RunAsync("query", "up", "--source", "http://127.0.0.1:9", "--time", Unix(At));
        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("cannot reach http://127.0.0.1:9/api/v1/read", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_in_the_source_url_never_appear_in_messages()
    {
        var result = await Cli.RunAsync("query", "up", "--source", "http://reader:s3cret@127.0.0.1:9", "--time", Unix(At));
        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("cannot reach http://127.0.0.1:9/api/v1/read", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("query up --source http://127.0.0.1:9 --start 0 --end 60", "needs all of --start, --end and --step")]
    [InlineData("query up --source http://127.0.0.1:9 --start 0 --end 60 --step 1m --time 0", "either --time or")]
    [InlineData("query up --source http://127.0.0.1:9 --start 60 --end 0 --step 1m", "--end must not be before --start")]
    [InlineData("query up --source http://127.0.0.1:9 --start 0 --end 86400 --step 1s", "more than 11,000 points")]
    [InlineData("query up --source http://127.0.0.1:9 --step 0s --start 0 --end 1", "--step: a zero step is not allowed; give a positive duration such as 15s or 1m")]
    [InlineData("query up --source http://127.0.0.1:9 --step 0 --start 0 --end 1", "--step: a zero step is not allowed")]
    [InlineData("query up --source http://127.0.0.1:9 --step 1.5m --start 0 --end 1", "--step: '1.5m' is not a duration: use a number and a unit")]
    [InlineData("query up --source nowhere", "is not an http(s) URL")]
    [InlineData("query up", "--source")]
    public async Task Bad_arguments_exit_with_the_usage_code(string args, string expected)
    {
        var result = await Cli.RunAsync(args.Split(' '));
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    /// <summary>Same status and result type; same series (as sets); same timestamps; values within 1e-6 relative.</summary>
    internal static void AssertSameAnswer(JsonElement expected, JsonElement actual)
    {
        Assert.Equal(expected.GetProperty("status").GetString(), actual.GetProperty("status").GetString());
        var e = expected.GetProperty("data");
        var a = actual.GetProperty("data");
        var type = e.GetProperty("resultType").GetString();
        Assert.Equal(type, a.GetProperty("resultType").GetString());
        if (type is "scalar" or "string")
        {
            AssertSamePoint(e.GetProperty("result"), a.GetProperty("result"));
            return;
        }
        var want = e.GetProperty("result").EnumerateArray().ToDictionary(r => r.GetProperty("metric").GetRawText());
        var got = a.GetProperty("result").EnumerateArray().ToDictionary(r => Canonical(r.GetProperty("metric")));
        Assert.Equal(want.Keys.Select(k => Canonical(JsonDocument.Parse(k).RootElement)).Order(StringComparer.Ordinal), got.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, series) in want)
        {
            var ours = got[Canonical(JsonDocument.Parse(key).RootElement)];
            var name = type == "vector" ? "value" : "values";
            if (type == "vector")
            {
                AssertSamePoint(series.GetProperty(name), ours.GetProperty(name));
                continue;
            }
            var wantPoints = series.GetProperty(name).EnumerateArray().ToArray();
            var gotPoints = ours.GetProperty(name).EnumerateArray().ToArray();
            Assert.Equal(wantPoints.Length, gotPoints.Length);
            for (var i = 0; i < wantPoints.Length; i++)
                AssertSamePoint(wantPoints[i], gotPoints[i]);
        }
    }

    private static string Canonical(JsonElement metric) =>
        string.Join(',', metric.EnumerateObject().Select(p => p.Name + "=" + p.Value.GetString()).Order(StringComparer.Ordinal));

    private static void AssertSamePoint(JsonElement expected, JsonElement actual)
    {
        Assert.Equal(expected[0].GetDouble(), actual[0].GetDouble());
        var e = expected[1].GetString()!;
        var a = actual[1].GetString()!;
        if (e == a)
            return;
        var x = double.Parse(e, CultureInfo.InvariantCulture);
        var y = double.Parse(a, CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(x - y) <= 1e-6 * Math.Max(Math.Abs(x), Math.Abs(y)), $"expected {e}, got {a}");
    }
}
