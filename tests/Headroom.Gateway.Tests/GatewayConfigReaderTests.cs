using Headroom.Gateway.Configuration;
using Headroom.Prometheus.Configuration;
using Headroom.PromQL.Syntax;

namespace Headroom.Gateway.Tests;

public sealed class GatewayConfigReaderTests
{
    [Fact]
    public void A_full_configuration_reads_with_every_setting()
    {
        var config = GatewayConfigReader.Read("""
            shards:
              - name: eu
                replicas: [http://127.0.0.1:9090, "http://127.0.0.1:9091/prom"]
                external_labels: {region: eu}
              - replicas: [http://127.0.0.1:9092]
            replica_labels: [replica, prometheus_replica, pod]
            partial_response: fail
            backend_timeout: 10s
            pushdown: true
            compatibility: prometheus-2
            limits:
              query_timeout: 1m
              max_samples: 1000000
              max_concurrent_queries: 4
              max_queued_queries: 0
            tenancy:
              header: X-Tenant
              tenants:
                - id: payments
                  matchers: ['team="payments"', 'env=~"prod|staging"']
                  tokens: [secret-1]
            """);

        Assert.Equal(2, config.Shards.Count);
        Assert.Equal("eu", config.Shards[0].Name);
        Assert.Equal("1", config.Shards[1].Name);
        Assert.Equal(new Uri("http://127.0.0.1:9091/prom/"), config.Shards[0].Replicas[1]);
        Assert.Equal("eu", config.Shards[0].ExternalLabels.Get("region"));
        Assert.Equal(["replica", "prometheus_replica", "pod"], config.ReplicaLabels);
        Assert.Equal(PartialResponse.Fail, config.PartialResponse);
        Assert.Equal(TimeSpan.FromSeconds(10), config.BackendTimeout);
        Assert.True(config.Pushdown);
        Assert.Equal(Compatibility.Prometheus2, config.Compatibility);
        Assert.Equal(new QueryLimits(TimeSpan.FromMinutes(1), 1_000_000, 4, 0), config.Limits);
        var tenant = Assert.Single(config.Tenancy!.Tenants);
        Assert.Equal("X-Tenant", config.Tenancy.Header);
        Assert.Equal(["secret-1"], tenant.Tokens);
        Assert.Equal(2, tenant.Matchers.Count);
        Assert.Equal(LabelMatchType.Regex, tenant.Matchers[1].Type);
    }

    [Fact]
    public void Defaults_fill_what_a_minimal_file_leaves_out()
    {
        var config = GatewayConfigReader.Read("shards: [{replicas: [http://127.0.0.1:9090]}]");

        Assert.Equal(GatewayConfig.DefaultReplicaLabels, config.ReplicaLabels);
        Assert.Equal(PartialResponse.Warn, config.PartialResponse);
        Assert.Null(config.Tenancy);
        Assert.False(config.Pushdown);
        Assert.Equal(Compatibility.Auto, config.Compatibility);
        Assert.Equal(TimeSpan.FromMinutes(2), config.Limits.QueryTimeout);
    }

    [Theory]
    [InlineData("", "configuration is empty")]
    [InlineData("shards: [", "not valid YAML")]
    [InlineData("shards: []", "'shards' is required")]
    [InlineData("shard: []", "'shards' is required")]
    [InlineData("shards: [{replicas: [http://a:1]}]\nreplica_label: [x]", "line 2: unknown key 'replica_label'")]
    [InlineData("shards:\n  - name: a\n    replicaz: [http://a:1]", "shards[0] has no 'replicas'")]
    [InlineData("shards:\n  - replicas: [ftp://a:1]", "'ftp://a:1' is not an http(s) URL")]
    [InlineData("shards:\n  - name: a\n    replicas:\n      - http://a:1\n      - notaurl", "line 5: shards[0].replicas: 'notaurl' is not an http(s) URL")]
    [InlineData("shards:\n  - replicas: []", "shards[0].replicas is empty")]
    [InlineData("shards: [{name: a, replicas: [http://a:1]}, {name: a, replicas: [http://b:1]}]", "two shards are named 'a'")]
    [InlineData("shards: [{replicas: [http://a:1]}]\npartial_response: maybe", "line 2: partial_response must be 'warn' or 'fail'")]
    [InlineData("shards: [{replicas: [http://a:1]}]\ncompatibility: prometheus-4", "line 2: compatibility must be 'auto', 'prometheus-2' or 'prometheus-3'")]
    [InlineData("shards: [{replicas: [http://a:1]}]\nbackend_timeout: soon", "backend_timeout: 'soon' is not a positive duration")]
    [InlineData("shards: [{replicas: [http://a:1]}]\nlimits: {max_concurrent_queries: 0}", "limits.max_concurrent_queries must be a whole number from 1 to 2147483647")]
    [InlineData("shards: [{replicas: [http://a:1]}]\nlimits: {max_concurrent_queries: 4294967297}", "limits.max_concurrent_queries must be a whole number from 1 to 2147483647, got '4294967297'")]
    [InlineData("shards: [{replicas: [http://a:1]}]\nlimits: {max_queued_queries: 99999999999}", "limits.max_queued_queries must be a whole number from 0 to 2147483647")]
    [InlineData("shards: [{replicas: [http://a:1], external_labels: {1bad: x}}]", "'1bad' must be a label name")]
    [InlineData("shards: [{replicas: [http://a:1]}]\ntenancy: {tenants: [{id: a}]}", "has no 'matchers'")]
    [InlineData("shards: [{replicas: [http://a:1]}]\ntenancy: {tenants: [{id: a, matchers: ['team=']}]}", "'team=' is not a label matcher")]
    [InlineData("shards: [{replicas: [http://a:1]}]\ntenancy: {tenants: []}", "tenancy.tenants is empty")]
    [InlineData("shards: [{replicas: [http://a:1]}]\ntenancy: {tenants: [{id: a, matchers: ['x=\"1\"'], tokens: [t]}, {id: b, matchers: ['x=\"2\"'], tokens: [t]}]}", "share a bearer token")]
    public void A_bad_file_is_refused_with_a_message_that_names_the_problem(string yaml, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => GatewayConfigReader.Read(yaml));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var error = Assert.Throws<ConfigException>(() => GatewayConfigReader.ReadFile("/nonexistent/gateway.yml"));
        Assert.Contains("/nonexistent/gateway.yml", error.Message, StringComparison.Ordinal);
    }
}

public sealed class GatewayReloadTests : IDisposable
{
    private const string OneShard = "shards: [{name: one, replicas: [http://127.0.0.1:1]}]\n";
    private const string TwoShards = "shards: [{name: one, replicas: [http://127.0.0.1:1]}, {name: two, replicas: [http://127.0.0.1:2]}]\n";
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("headroom-gateway-reload-");

    private string ConfigFile => Path.Combine(_directory.FullName, "gateway.yml");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task A_reload_takes_a_good_file_and_refuses_a_bad_one_keeping_the_old_topology()
    {
        await using var server = await StartAsync(OneShard);

        await File.WriteAllTextAsync(ConfigFile, TwoShards);
        Assert.True(await server.ReloadAsync());
        Assert.Equal(["one", "two"], server.Current.Config.Shards.Select(s => s.Name));

        await File.WriteAllTextAsync(ConfigFile, "shards: [{name: one, replicas: [nonsense]}]\n");
        Assert.False(await server.ReloadAsync());
        Assert.Equal(["one", "two"], server.Current.Config.Shards.Select(s => s.Name));

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(server.BaseUri, "metrics"));
        Assert.Contains("headroom_gateway_config_reloads_total{result=\"failure\"}", metrics, StringComparison.Ordinal);
        Assert.Equal("Healthy\n", await http.GetStringAsync(new Uri(server.BaseUri, "-/healthy")));
    }

    [Fact]
    public async Task One_edit_of_the_file_is_one_reload()
    {
        await using var server = await StartAsync(OneShard);

        // Truncating and writing raise a change event each: one save, two events.
        await File.WriteAllTextAsync(ConfigFile, TwoShards);
        for (var waited = 0; server.Current.Config.Shards.Count != 2 && waited < 100; waited++)
        {
            await Task.Delay(100);
        }
        Assert.Equal(2, server.Current.Config.Shards.Count);
        await Task.Delay(1000);

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(server.BaseUri, "metrics"));
        Assert.Contains("headroom_gateway_config_reloads_total{result=\"success\"} 1\n", metrics, StringComparison.Ordinal);

        // SIGHUP (here: a requested reload) reads the file again even when it did not change.
        Assert.True(await server.ReloadAsync());
        metrics = await http.GetStringAsync(new Uri(server.BaseUri, "metrics"));
        Assert.Contains("headroom_gateway_config_reloads_total{result=\"success\"} 2\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task What_the_command_line_overrides_outlasts_a_reload()
    {
        static GatewayConfig NoPushdownFail(GatewayConfig read) => read with { Pushdown = false, PartialResponse = PartialResponse.Fail };
        await using var server = await StartAsync(OneShard + "pushdown: true\n", NoPushdownFail);

        await File.WriteAllTextAsync(ConfigFile, TwoShards + "pushdown: true\n");
        Assert.True(await server.ReloadAsync());

        Assert.Equal(2, server.Current.Config.Shards.Count);
        Assert.False(server.Current.Config.Pushdown);
        Assert.Equal(PartialResponse.Fail, server.Current.Config.PartialResponse);
    }

    /// <summary>Writes <paramref name="yaml"/> and serves it, with the command line's <paramref name="adjust"/> applied as the CLI does.</summary>
    private async Task<GatewayServer> StartAsync(string yaml, Func<GatewayConfig, GatewayConfig>? adjust = null)
    {
        await File.WriteAllTextAsync(ConfigFile, yaml);
        var read = GatewayConfigReader.ReadFile(ConfigFile);
        return await GatewayServer.StartAsync(adjust?.Invoke(read) ?? read,
            new GatewayServerOptions(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0), ConfigFile, adjust));
    }
}
