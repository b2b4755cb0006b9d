using System.Net;
using System.Text.Json;
using Headroom.Prometheus.ServerApi;
using Headroom.PromQL.Engine;

namespace Headroom.Gateway.Tests;

/// <summary>The gateway's HTTP API over in-process shards: answers equal to the engine over all the data, Prometheus' JSON and errors.</summary>
public sealed class GatewayApiTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static readonly string At = Seconds(GatewayFixture.End - 60_000);

    [Theory]
    [InlineData("sum by (team) (rate(http_requests_total[5m]))")]
    [InlineData("http_requests_total{code=\"500\"}")]
    [InlineData("topk(2, memory_used_bytes)")]
    [InlineData("count({__name__=~\".+\"})")]
    [InlineData("vector(1)")]
    public async Task Instant_queries_answer_what_the_engine_answers_over_all_the_data(string query)
    {
        var expected = QueryResponseWriter.ToJson(await new QueryEngine(fixture.Data).InstantAsync(query, GatewayFixture.End - 60_000));

        var body = await GetAsync(fixture.Open, $"api/v1/query?query={Uri.EscapeDataString(query)}&time={At}");

        Assert.Equal(expected, body);
    }

    [Fact]
    public async Task Range_queries_by_get_and_post_answer_what_the_engine_answers()
    {
        const string Query = "sum by (code) (rate(http_requests_total[2m]))";
        var (start, end) = (GatewayFixture.Start + 600_000, GatewayFixture.End);
        var expected = QueryResponseWriter.ToJson(await new QueryEngine(fixture.Data).RangeAsync(Query, start, end, 60_000));

        var get = await GetAsync(fixture.Open, $"api/v1/query_range?query={Uri.EscapeDataString(Query)}&start={Seconds(start)}&end={Seconds(end)}&step=60");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["query"] = Query, ["start"] = Seconds(start), ["end"] = Seconds(end), ["step"] = "1m",
        });
        using var post = await fixture.Http.PostAsync(new Uri(fixture.Open.BaseUri, "api/v1/query_range"), form);

        Assert.Equal(expected, get);
        Assert.Equal(expected, await post.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Series_labels_and_label_values_list_what_the_shards_hold_without_replica_labels()
    {
        var series = await GetJsonAsync(fixture.Open, "api/v1/series?match[]=memory_used_bytes");
        var labels = await GetJsonAsync(fixture.Open, "api/v1/labels");
        var values = await GetJsonAsync(fixture.Open, "api/v1/label/instance/values?match[]=memory_used_bytes");

        Assert.Equal(6, series.GetProperty("data").GetArrayLength());
        Assert.All(series.GetProperty("data").EnumerateArray(), s => Assert.False(s.TryGetProperty("replica", out _)));
        var names = labels.GetProperty("data").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(["__name__", "code", "instance", "job", "secret", "team", "v"], names);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"pay-{i}"), values.GetProperty("data").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Federate_serves_the_latest_sample_of_each_matching_series_as_text()
    {
        // The data ends at a fixed time; federate looks five minutes back from now, so it finds nothing old...
        using var response = await fixture.Http.GetAsync(new Uri(fixture.Open.BaseUri, "federate?match[]=memory_used_bytes"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        // ...and without match[] it is refused.
        using var bad = await fixture.Http.GetAsync(new Uri(fixture.Open.BaseUri, "federate"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Buildinfo_health_readiness_and_metrics_answer()
    {
        var info = await GetJsonAsync(fixture.Open, "api/v1/status/buildinfo");
        // Shards held in process have no Prometheus of their own: the engine answers as Prometheus 3.
        Assert.Equal("3.0.0", info.GetProperty("data").GetProperty("version").GetString());
        Assert.Equal("Healthy\n", await GetAsync(fixture.Open, "-/healthy"));
        Assert.Equal("Ready\n", await GetAsync(fixture.Open, "-/ready"));
        await GetAsync(fixture.Open, "api/v1/query?query=up");
        var metrics = await GetAsync(fixture.Open, "metrics");
        Assert.Contains("headroom_gateway_request_duration_seconds_count{endpoint=\"query\",code=\"200\"}", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api/v1/query", 400, "bad_data", "invalid parameter \"query\"")]
    [InlineData("api/v1/query?query=sum(", 400, "bad_data", "parse error")]
    [InlineData("api/v1/query?query=up&time=yesterday", 400, "bad_data", "cannot parse \"yesterday\" to a valid timestamp")]
    [InlineData("api/v1/query?query=up&time=1e300", 400, "bad_data", "outside the years")]
    [InlineData("api/v1/query_range?query=up&start=0&end=100", 400, "bad_data", "invalid parameter \"step\"")]
    [InlineData("api/v1/query_range?query=up&start=0&end=100&step=0", 400, "bad_data", "zero or negative")]
    [InlineData("api/v1/query_range?query=up&start=0&end=100000000&step=1", 400, "bad_data", "11,000 points")]
    [InlineData("api/v1/query_range?query=up&start=100&end=0&step=1", 400, "bad_data", "end timestamp must not be before start")]
    [InlineData("api/v1/query_range?query=up[5m]&start=0&end=100&step=10", 400, "bad_data", "invalid expression type \"range vector\"")]
    [InlineData("api/v1/series", 400, "bad_data", "no match[] parameter")]
    [InlineData("api/v1/series?match[]=rate(up[5m])", 400, "bad_data", "not a series selector")]
    [InlineData("api/v1/series?match[]={job=~\".*\"}", 400, "bad_data", "at least one non-empty matcher")]
    [InlineData("api/v1/label/1bad/values", 400, "bad_data", "invalid label name")]
    [InlineData("api/v1/query?query=up&partial_response=perhaps", 400, "bad_data", "partial_response")]
    [InlineData("api/v1/query?query=up&pushdown=perhaps", 400, "bad_data", "invalid parameter \"pushdown\"")]
    [InlineData("api/v1/nothing", 404, "not_found", "no endpoint GET /api/v1/nothing")]
    public async Task Bad_requests_get_prometheus_error_json_and_a_4xx(string path, int status, string type, string message)
    {
        using var response = await fixture.Http.GetAsync(new Uri(fixture.Open.BaseUri, path));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(status, (int)response.StatusCode);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("error", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(type, json.RootElement.GetProperty("errorType").GetString());
        Assert.Contains(message, json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        // The gateway keeps serving.
        Assert.Equal("Healthy\n", await GetAsync(fixture.Open, "-/healthy"));
    }

    /// <summary>
    /// A gateway whose replica is another gateway: the lower one serves no <c>/api/v1/status/config</c>, which the upper
    /// reads for a Prometheus' external labels; labels and label values must still come through.
    /// </summary>
    [Fact]
    public async Task A_gateway_above_this_one_lists_the_same_labels_values_and_series()
    {
        var config = Configuration.GatewayConfig.For([new Configuration.ShardConfig("lower", [fixture.Open.BaseUri], PromQL.Labels.Empty)]);
        await using var upper = await GatewayServer.StartAsync(config, new GatewayServerOptions(new IPEndPoint(IPAddress.Loopback, 0)));
        string[] paths = ["api/v1/labels", "api/v1/label/instance/values?match[]=memory_used_bytes", "api/v1/series?match[]=memory_used_bytes"];

        foreach (var path in paths)
        {
            var expected = await GetJsonAsync(fixture.Open, path);
            var through = await GetJsonAsync(upper, path);
            Assert.True(expected.GetProperty("data").GetArrayLength() > 0, path);
            Assert.Equal(expected.GetProperty("data").GetRawText(), through.GetProperty("data").GetRawText());
        }
    }

    [Theory]
    [InlineData("DELETE", "api/v1/query", "GET, POST")]
    [InlineData("PUT", "api/v1/series", "GET, POST")]
    [InlineData("GET", "api/v1/read", "POST")]
    [InlineData("POST", "api/v1/label/job/values", "GET")]
    [InlineData("POST", "-/healthy", "GET")]
    public async Task A_wrong_method_on_a_served_endpoint_is_a_405_naming_the_right_ones(string method, string path, string allowed)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(fixture.Open.BaseUri, path));
        using var response = await fixture.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(allowed, string.Join(", ", response.Content.Headers.Allow));
        Assert.Contains($"use {allowed}", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_range_of_11000_steps_is_answered_as_prometheus_answers_it_and_one_more_is_refused()
    {
        // 11,000 steps after start: 11,001 points, which Prometheus still answers.
        var answered = await GetJsonAsync(fixture.Open, "api/v1/query_range?query=vector(1)&start=0&end=11000&step=1");
        using var refused = await fixture.Http.GetAsync(new Uri(fixture.Open.BaseUri, "api/v1/query_range?query=vector(1)&start=0&end=11001&step=1"));

        Assert.Equal(11_001, answered.GetProperty("data").GetProperty("result")[0].GetProperty("values").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Fact]
    public async Task A_huge_match_list_is_refused_and_a_garbage_form_body_too()
    {
        var query = string.Join("&", Enumerable.Range(0, 1001).Select(i => $"match[]=m{i}"));
        using var huge = await fixture.Http.PostAsync(new Uri(fixture.Open.BaseUri, "api/v1/series"),
            new StringContent(query, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.BadRequest, huge.StatusCode);
        Assert.Contains("at most 1000", await huge.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Past ASP.NET's own limit of form values (1,024), the answer still says what to do.
        var huger = string.Join("&", Enumerable.Range(0, 5000).Select(i => $"match[]=m{i}"));
        using var hugest = await fixture.Http.PostAsync(new Uri(fixture.Open.BaseUri, "api/v1/series"),
            new StringContent(huger, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.BadRequest, hugest.StatusCode);
        Assert.Contains("at most 1000 match[] parameters", await hugest.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var garbage = await fixture.Http.PostAsync(new Uri(fixture.Open.BaseUri, "api/v1/query"),
            new ByteArrayContent([0xff, 0xfe, 0x00, 0x01]) { Headers = { { "Content-Type", "application/x-www-form-urlencoded" } } });
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
    }

    [Theory]
    [InlineData("api/v1/query?query={0}")]
    [InlineData("api/v1/series?match[]={1}")]
    [InlineData("api/v1/labels?match[]={1}")]
    [InlineData("api/v1/label/v/values?match[]={1}")]
    [InlineData("federate?match[]={1}")]
    public async Task Pathological_regexes_answer_at_once_through_every_endpoint(string template)
    {
        var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, template,
            Uri.EscapeDataString("count(hostile{v=~\"(a+)+b\"})") + "&time=" + At, Uri.EscapeDataString("hostile{v=~\"(a+)+b\"}"));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var body = await GetAsync(fixture.Open, path);

        // A backtracking engine needs 2^28 steps per series here; the bound only has to hold on a loaded 2-core machine.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"{path} took {watch.Elapsed}");
        Assert.DoesNotContain("aaaa", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_regex_that_re2_refuses_is_a_400_with_prometheus_message()
    {
        using var response = await fixture.Http.GetAsync(new Uri(fixture.Open.BaseUri, "api/v1/query?query=" + Uri.EscapeDataString("up{job=~\"(?=a)b\"}")));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid or unsupported Perl syntax", body, StringComparison.Ordinal);
    }

    private async Task<string> GetAsync(GatewayServer server, string path)
    {
        using var response = await fixture.Http.GetAsync(new Uri(server.BaseUri, path));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: HTTP {(int)response.StatusCode}: {body}");
        return body;
    }

    private async Task<JsonElement> GetJsonAsync(GatewayServer server, string path)
    {
        using var document = JsonDocument.Parse(await GetAsync(server, path));
        return document.RootElement.Clone();
    }

    private static string Seconds(long ms) => PromValueFormat.Timestamp(ms);
}
