using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Headroom.Gateway.Tests;

/// <summary>
/// Tenant <c>payments</c> probes tenant <c>search</c>'s data through every endpoint and every PromQL trick; no answer may
/// carry search's marker label value (<c>s3cr3t</c>), its metric name or its sample value (777).
/// </summary>
public sealed class TenancyTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static readonly string At = Headroom.Prometheus.ServerApi.PromValueFormat.Timestamp(GatewayFixture.End - 60_000);
    private static readonly string Range = $"start={Headroom.Prometheus.ServerApi.PromValueFormat.Timestamp(GatewayFixture.Start)}&end={Headroom.Prometheus.ServerApi.PromValueFormat.Timestamp(GatewayFixture.End)}";

    public static readonly TheoryData<string> Probes = new()
    {
        Q("search_index_bytes"),
        Q("{__name__=~\".+\"}"),
        Q("{__name__=~\"search.*\"}"),
        Q("{secret=~\"s.*\"}"),
        Q("{team=\"search\"}"),
        Q("{team=~\"search|payments\"}"),
        Q("{__name__=~\".+\", team!=\"payments\"}"),
        Q("http_requests_total{team=\"search\"}"),
        Q("count by (team) ({__name__=~\".+\"})"),
        Q("count by (secret) (http_requests_total)"),
        Q("group by (__name__) ({__name__=~\".+\"})"),
        Q("sum by (instance) (http_requests_total)"),
        Q("label_replace({__name__=~\".+\"}, \"copy\", \"$1\", \"secret\", \"(.*)\")"),
        Q("label_replace(http_requests_total, \"team\", \"payments\", \"team\", \".*\")"),
        Q("http_requests_total or vector(1)"),
        Q("vector(1) or on() search_index_bytes"),
        Q("absent(search_index_bytes)"),
        Q("absent_over_time({team=~\"s.*\"}[1h])"),
        Q("max_over_time({__name__=~\".+\"}[1h:5m])"),
        Q("topk(100, {__name__=~\".+\"} == 777)"),
        Q("count_values(\"v\", {__name__=~\".+\"})"),
        Q("sum(search_index_bytes) + on() group_left vector(0)"),
        Q("{__name__=~\".+\", team=~\".*\"} offset 5m"),
        "api/v1/query_range?query=" + Uri.EscapeDataString("{__name__=~\".+\"}") + "&" + Range + "&step=300",
        "api/v1/series?match[]=" + Uri.EscapeDataString("{__name__=~\".+\"}") + "&" + Range,
        "api/v1/series?match[]=" + Uri.EscapeDataString("{team=\"search\"}"),
        "api/v1/series?match[]=" + Uri.EscapeDataString("search_index_bytes"),
        "api/v1/labels",
        "api/v1/labels?match[]=" + Uri.EscapeDataString("{team=\"search\"}"),
        "api/v1/label/secret/values",
        "api/v1/label/__name__/values",
        "api/v1/label/team/values",
        "api/v1/label/instance/values?match[]=" + Uri.EscapeDataString("{__name__=~\".+\"}"),
        "federate?match[]=" + Uri.EscapeDataString("{__name__=~\".+\"}"),
        "api/v1/metadata",
    };

    [Theory]
    [MemberData(nameof(Probes))]
    public async Task Tenant_payments_never_sees_search_data(string path)
    {
        foreach (var authenticate in new Action<HttpRequestMessage>[]
        {
            r => r.Headers.Add("X-Scope-OrgID", "payments"),
            r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayFixture.PaymentsToken),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.Tenanted.BaseUri, path));
            authenticate(request);
            using var response = await fixture.Http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"HTTP {(int)response.StatusCode}: {body}");
            Assert.DoesNotContain("s3cr3t", body, StringComparison.Ordinal);
            Assert.DoesNotContain("search_index_bytes", body, StringComparison.Ordinal);
            Assert.DoesNotContain("\"777\"", body, StringComparison.Ordinal);
            Assert.DoesNotContain("search-", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Each_tenant_sees_its_own_data()
    {
        var payments = await SendAsync("api/v1/label/team/values", r => r.Headers.Add("X-Scope-OrgID", "payments"));
        var search = await SendAsync("api/v1/label/team/values", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayFixture.SearchToken));

        Assert.Equal((HttpStatusCode.OK, """{"status":"success","data":["payments"]}"""), payments);
        Assert.Equal((HttpStatusCode.OK, """{"status":"success","data":["search"]}"""), search);
    }

    [Theory]
    [InlineData(null, null, "name the tenant")]
    [InlineData("nobody", null, "unknown tenant")]
    [InlineData(null, "Bearer wrong-token", "names no tenant")]
    [InlineData("search", "Bearer " + GatewayFixture.PaymentsToken, "name different tenants")]
    public async Task A_request_without_a_known_tenant_gets_401(string? header, string? authorization, string message)
    {
        var (status, body) = await SendAsync(Q("up"), r =>
        {
            if (header is not null)
                r.Headers.Add("X-Scope-OrgID", header);
            if (authorization is not null)
                r.Headers.TryAddWithoutValidation("Authorization", authorization);
        });

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains(message, body, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-token", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("X-Scope-OrgID: payments", "X-Scope-OrgID: search")]
    [InlineData("X-Scope-OrgID: search", "X-Scope-OrgID: payments")]
    [InlineData("Authorization: Bearer " + GatewayFixture.PaymentsToken, "Authorization: Bearer " + GatewayFixture.SearchToken)]
    public async Task A_tenant_header_sent_twice_with_different_values_gets_401(string first, string second)
    {
        // HttpClient folds a header's values into one line; two lines need the request written by hand.
        using var client = new TcpClient();
        await client.ConnectAsync(fixture.Tenanted.BaseUri.Host, fixture.Tenanted.BaseUri.Port);
        await using var stream = client.GetStream();
        var request = $"GET /{Q("up")} HTTP/1.1\r\nHost: localhost\r\n{first}\r\n{second}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var answer = await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 401", answer, StringComparison.Ordinal);
        Assert.Contains("sent 2 times with different values", answer, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayFixture.SearchToken, answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_tenant_header_sent_twice_is_one_tenant()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(fixture.Tenanted.BaseUri.Host, fixture.Tenanted.BaseUri.Port);
        await using var stream = client.GetStream();
        var request = $"GET /api/v1/label/team/values HTTP/1.1\r\nHost: localhost\r\nX-Scope-OrgID: payments\r\nX-Scope-OrgID: payments\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var answer = await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
        Assert.Contains("\"payments\"", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("search", answer, StringComparison.Ordinal);
    }

    private async Task<(HttpStatusCode, string)> SendAsync(string path, Action<HttpRequestMessage> authenticate)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.Tenanted.BaseUri, path));
        authenticate(request);
        using var response = await fixture.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Q(string query) => $"api/v1/query?query={Uri.EscapeDataString(query)}&time={At}";
}
