using System.Net;
using Headroom.Gateway;
using Headroom.Gateway.Configuration;
using Headroom.Prometheus;
using Headroom.Prometheus.Client;
using Headroom.PromQL.Syntax;
using Headroom.Servers;
using Headroom.Testing;
using Xunit.Abstractions;

namespace Headroom.IntegrationTests.Dashboards;

/// <summary>
/// Two shards × two replicas of Prometheus scraping themselves every second (job <c>prometheus</c>, external labels
/// <c>shard</c> and <c>replica</c>, as a meta Prometheus labels them) behind an in-process gateway.
/// </summary>
public sealed class DashboardFleet : IAsyncLifetime
{
    public PrometheusTopology Topology { get; private set; } = null!;

    public GatewayServer Gateway { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        Topology = await PrometheusTopology.StartAsync(new PrometheusTopologyOptions
        {
            Prometheus = new PrometheusOptions { ScrapeSelf = true, ScrapeInterval = "1s", EvaluationInterval = "1s" },
        });
        // Only replica tells the replicas apart; shard stays on every series, as the health dashboard groups by it.
        var config = GatewayConfig.For([.. Topology.Shards.Select(s => new ShardConfig($"shard-{s.Index}", [.. s.Replicas.Select(r => r.BaseUri)], Headroom.PromQL.Labels.Empty))])
            with
        { ReplicaLabels = [PrometheusTopology.ReplicaLabel] };
        Gateway = await GatewayServer.StartAsync(config, new GatewayServerOptions(new IPEndPoint(IPAddress.Loopback, 0)));
    }

    public async Task DisposeAsync()
    {
        if (Gateway is not null)
            await Gateway.DisposeAsync();
        if (Topology is not null)
            await Topology.DisposeAsync();
        Http.Dispose();
    }
}

/// <summary>
/// Every PromQL query of the dashboards in deploy/grafana, with Grafana's variables substituted, parses with Headroom's
/// parser and answers without error through the gateway, as an instant and as a range query; the shard panels answer
/// with data.
/// </summary>
public sealed class DashboardQueryTests(DashboardFleet fleet, ITestOutputHelper output) : IClassFixture<DashboardFleet>
{
    // What Grafana would substitute on a 6-hour dashboard at 15 s per point; "All" shards is the variable's allValue.
    private static readonly Dictionary<string, string> s_variables = new()
    {
        ["__rate_interval"] = "1m",
        ["__interval"] = "15s",
        ["__range"] = "6h",
        ["shard"] = ".*",
    };

    [Fact]
    public async Task Every_panel_query_parses_and_answers_through_the_gateway()
    {
        var queries = GrafanaDashboards.Queries().Where(q => !q.IsSql && !q.Panel.StartsWith("variable ", StringComparison.Ordinal)).ToList();
        Assert.True(queries.Count >= 30, $"only {queries.Count} PromQL queries found");
        var client = new PrometheusClient(fleet.Http, fleet.Gateway.BaseUri);
        // Three scrapes, so that rate() over the shards' counters has samples to work with.
        await TestSupport.EventuallyAsync(async () => (await client.QueryAsync("min(count_over_time(up{job=\"prometheus\"}[1m])) >= 3")).Series.Count > 0,
            TimeSpan.FromSeconds(30), "the shards have scraped themselves three times");
        using var names = await TestSupport.GetJsonAsync(new Uri(fleet.Gateway.BaseUri, "api/v1/label/__name__/values"));
        var present = names.RootElement.GetProperty("data").EnumerateArray().Select(n => n.GetString()!).ToHashSet();
        var now = DateTimeOffset.UtcNow;
        var problems = new List<string>();
        var answered = 0;

        foreach (var query in queries)
        {
            var promql = GrafanaDashboards.Substitute(query.Query, s_variables);
            try
            {
                Parser.Parse(promql);
                var instant = await client.QueryAsync(promql, now);
                await client.QueryRangeAsync(promql, now.AddMinutes(-2), now, TimeSpan.FromSeconds(15));
                if (instant.Series.Count > 0 || instant.Scalar is not null)
                    answered++;
                // A panel over metrics the fleet has must show something.
                else if (Selected(promql) is { Count: > 0 } selected && selected.All(present.Contains))
                    problems.Add($"{query}: no data for {promql}, though {string.Join(", ", selected)} exist");
            }
            catch (Exception e) when (e is ParseException or PrometheusApiException or HttpRequestException)
            {
                problems.Add($"{query}: {promql}: {e.Message}");
            }
        }

        output.WriteLine($"{queries.Count} queries, {answered} with data");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static List<string> Selected(string promql) =>
        [.. System.Text.RegularExpressions.Regex.Matches(promql, @"([A-Za-z_:][A-Za-z0-9_:]*)\{").Select(m => m.Groups[1].Value)];

    [Fact]
    public async Task The_shard_variable_finds_every_shard()
    {
        var variable = GrafanaDashboards.Queries().Single(q => q.Panel == "variable shard");
        // label_values(SELECTOR, LABEL) is Grafana's: the values of LABEL over SELECTOR's series.
        Assert.Equal("label_values(up{job=\"prometheus\"}, shard)", variable.Query);
        var client = new PrometheusClient(fleet.Http, fleet.Gateway.BaseUri);

        await TestSupport.EventuallyAsync(async () =>
            (await client.QueryAsync("up{job=\"prometheus\"}")).Series.Select(s => s.Labels.GetValueOrDefault("shard")).Distinct().Count() == 2,
            TimeSpan.FromSeconds(30), "up{job=\"prometheus\"} carries both shards' shard label");
    }
}
