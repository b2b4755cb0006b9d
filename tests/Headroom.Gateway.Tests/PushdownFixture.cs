using System.Net;
using System.Text.Json;
using Headroom.Gateway.Configuration;
using Headroom.Gateway.Federation;
using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;
using Headroom.Testing;

namespace Headroom.Gateway.Tests;

/// <summary>
/// Gateways with pushdown on over 3 in-memory shards × 2 complete replicas, each series on one shard, shards with an
/// external label <c>region</c>: open; with tenants <c>payments</c> and <c>search</c> (search's series carry
/// <c>secret="s3cr3t"</c> and instances named <c>search-…</c>); with shard-1 down; with the first replica of every
/// shard down; with shard-1's first replica hung (a server that named its version, then accepts every request and never
/// answers, as a SIGSTOP'd Prometheus or a dead peer behind a live proxy does) and a backend timeout of 60 s; with the
/// first replicas of shard-1 and shard-2 hung at once, the same way. Values
/// differ from series to series, so topk and bottomk have no ties to break differently.
/// </summary>
public sealed class PushdownFixture : IAsyncLifetime
{
    public static readonly long End = DateTimeOffset.Parse("2026-11-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    public static readonly long Start = End - 7_200_000;

    public InMemoryStorage Data { get; } = new();

    public GatewayServer Open { get; private set; } = null!;

    public GatewayServer Tenanted { get; private set; } = null!;

    public GatewayServer ShardDown { get; private set; } = null!;

    public GatewayServer FirstReplicaDown { get; private set; } = null!;

    public GatewayServer FirstReplicaHung { get; private set; } = null!;

    public GatewayServer TwoFirstReplicasHung { get; private set; } = null!;

    public static TimeSpan HungBackendTimeout { get; } = TimeSpan.FromSeconds(60);

    private readonly LoopbackHttpServer _hung = new(HangAsync);

    private readonly HttpClient _hungHttp = new() { Timeout = HungBackendTimeout };

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public async Task InitializeAsync()
    {
        var n = 0;
        foreach (var team in new[] { "payments", "search" })
        {
            for (var i = 0; i < 12; i++, n++)
            {
                var instance = team == "search" ? $"search-{i}" : $"pay-{i}";
                var job = i % 3 == 0 ? "web" : "api";
                var extra = team == "search" ? new[] { "secret", "s3cr3t" } : [];
                foreach (var code in new[] { "200", "500" })
                {
                    var rate = (1 + n * 0.37) * (code == "200" ? 10 : 1.013);
                    Add([.. extra, "__name__", "http_requests_total", "team", team, "job", job, "instance", instance, "code", code], t => rate * t / 1000.0);
                }
                var k = n;
                Add([.. extra, "__name__", "memory_bytes", "team", team, "job", job, "instance", instance],
                    t => 1000 + 37.3 * k + 50 * Math.Sin(t / 600_000.0 + k));
                foreach (var (le, share) in new[] { ("0.1", 0.2), ("0.5", 0.55), ("1", 0.8), ("+Inf", 1.0) })
                {
                    var rate = (1 + n * 0.21) * share;
                    Add([.. extra, "__name__", "latency_seconds_bucket", "team", team, "job", job, "instance", instance, "le", le], t => rate * t / 1000.0);
                }
            }
        }
        var tenancy = new TenancyConfig(TenancyConfig.DefaultHeader,
        [
            new TenantConfig("payments", [new LabelMatcher(LabelMatchType.Equal, "team", "payments")], []),
            new TenantConfig("search", [new LabelMatcher(LabelMatchType.Equal, "team", "search")], []),
        ]);
        Open = await StartAsync(null, null);
        Tenanted = await StartAsync(tenancy, null);
        ShardDown = await StartAsync(null, (shard, _, store) => shard == 1 ? new DownSource("connection refused (test)") : store);
        FirstReplicaDown = await StartAsync(null, (_, replica, store) => replica == 0 ? new DownSource("connection refused (test)") : store);
        FirstReplicaHung = await StartAsync(null, (shard, replica, store) => shard == 1 && replica == 0 ? new ReplicaBackend("shard-1", _hung.BaseUri, _hungHttp) : store,
            HungBackendTimeout);
        TwoFirstReplicasHung = await StartAsync(null, (shard, replica, store) => shard > 0 && replica == 0 ? new ReplicaBackend($"shard-{shard}", _hung.BaseUri, _hungHttp) : store,
            HungBackendTimeout);
    }

    /// <summary>The hung replica: names its version (read once, before it hung), then holds every other request open.</summary>
    private static async Task HangAsync(HttpListenerContext context, CancellationToken cancellationToken)
    {
        if (context.Request.Url!.AbsolutePath.EndsWith("/status/buildinfo", StringComparison.Ordinal))
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes("""{"status":"success","data":{"version":"3.5.0"}}""");
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes, cancellationToken);
            return;
        }
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }

    private static Labels Region(int shard) => Labels.Of("region", shard == 1 ? "us" : "eu");

    private async Task<GatewayServer> StartAsync(TenancyConfig? tenancy, Func<int, int, ISeriesSource, ISeriesSource>? replace,
        TimeSpan? backendTimeout = null)
    {
        var metrics = new GatewayMetrics();
        var config = InMemoryTopology.Config(3, tenancy) with { Pushdown = true, BackendTimeout = backendTimeout ?? GatewayConfig.DefaultBackendTimeout };
        var gateway = new Gateway(config, InMemoryTopology.Split(Data, 3, 2, 0, seed: 5, metrics, Region, replace), metrics);
        return await GatewayServer.StartAsync(gateway, new GatewayServerOptions(new IPEndPoint(IPAddress.Loopback, 0)));
    }

    private void Add(string[] namesAndValues, Func<long, double> value)
    {
        var labels = Labels.Of(namesAndValues);
        for (var t = Start; t <= End; t += 15_000)
        {
            Data.Append(labels, t, value(t - Start));
        }
    }

    /// <summary>GETs <paramref name="path"/> from <paramref name="server"/>: the status, the body and its JSON.</summary>
    public async Task<(HttpStatusCode Status, string Body, JsonElement Json)> GetAsync(GatewayServer server, string path, string? tenant = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUri, path));
        if (tenant is not null)
        {
            request.Headers.Add(TenancyConfig.DefaultHeader, tenant);
        }
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(body.Length == 0 ? "{}" : body);
        return (response.StatusCode, body, document.RootElement.Clone());
    }

    public async Task DisposeAsync()
    {
        await Open.DisposeAsync();
        await Tenanted.DisposeAsync();
        await ShardDown.DisposeAsync();
        await FirstReplicaDown.DisposeAsync();
        await FirstReplicaHung.DisposeAsync();
        await TwoFirstReplicasHung.DisposeAsync();
        await _hung.DisposeAsync();
        _hungHttp.Dispose();
        Http.Dispose();
    }
}
