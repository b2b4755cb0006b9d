using System.Net;
using Headroom.Gateway.Configuration;
using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.Gateway.Tests;

/// <summary>
/// Two in-process gateways over the same data (3 shards × 2 replicas in memory): one open, one with tenants
/// <c>payments</c> and <c>search</c>. Tenant <c>search</c>'s series carry <c>secret="s3cr3t"</c> and values of 777:
/// neither may ever reach <c>payments</c>.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public const string SearchToken = "token-search-9f2c";
    public const string PaymentsToken = "token-payments-41aa";

    /// <summary>The data's time span: an hour of 15 s samples ending here.</summary>
    public static readonly long End = DateTimeOffset.Parse("2026-11-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    public static readonly long Start = End - 3_600_000;

    public InMemoryStorage Data { get; } = new();

    public GatewayServer Open { get; private set; } = null!;

    public GatewayServer Tenanted { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public async Task InitializeAsync()
    {
        for (var i = 0; i < 6; i++)
        {
            foreach (var code in new[] { "200", "500" })
            {
                Add(Labels.Of("__name__", "http_requests_total", "team", "payments", "job", "api", "instance", $"pay-{i}", "code", code), (i + 1) * (code == "200" ? 10 : 1));
                Add(Labels.Of("__name__", "http_requests_total", "team", "search", "job", "api", "instance", $"search-{i}", "code", code, "secret", "s3cr3t"), 777);
            }
            Add(Labels.Of("__name__", "memory_used_bytes", "team", "payments", "instance", $"pay-{i}"), 1000 + i);
            Add(Labels.Of("__name__", "search_index_bytes", "team", "search", "instance", $"search-{i}", "secret", "s3cr3t"), 777);
        }
        // Values that make a backtracking engine take exponential time on (a+)+b: 28 a's and a '!'.
        for (var i = 0; i < 20; i++)
        {
            Add(Labels.Of("__name__", "hostile", "team", "payments", "v", new string('a', 28) + "!" + i), 1);
        }
        var tenancy = new TenancyConfig(TenancyConfig.DefaultHeader,
        [
            new TenantConfig("payments", [new LabelMatcher(LabelMatchType.Equal, "team", "payments")], [PaymentsToken]),
            new TenantConfig("search", [new LabelMatcher(LabelMatchType.Equal, "team", "search")], [SearchToken]),
        ]);
        Open = await StartAsync(InMemoryTopology.Config(3));
        Tenanted = await StartAsync(InMemoryTopology.Config(3, tenancy));
    }

    private async Task<GatewayServer> StartAsync(GatewayConfig config)
    {
        var metrics = new GatewayMetrics();
        var gateway = new Gateway(config, InMemoryTopology.Split(Data, 3, 2, 0.2, seed: 11, metrics), metrics);
        return await GatewayServer.StartAsync(gateway, new GatewayServerOptions(new IPEndPoint(IPAddress.Loopback, 0)));
    }

    private void Add(Labels labels, double perSecond)
    {
        for (var t = Start; t <= End; t += 15_000)
        {
            Data.Append(labels, t, perSecond == 777 ? 777 : perSecond * (t - Start) / 1000);
        }
    }

    public async Task DisposeAsync()
    {
        await Open.DisposeAsync();
        await Tenanted.DisposeAsync();
        Http.Dispose();
    }
}
