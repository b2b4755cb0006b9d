using Headroom.Servers;

namespace Headroom.IntegrationTests;

public sealed class PrometheusFixture : IAsyncLifetime
{
    public const string RuleFile = """
        groups:
          - name: headroom-test
            rules:
              - record: job:up:sum
                expr: sum by (job) (up)
              - alert: HeadroomTargetDown
                expr: up == 0
                for: 1m
        """;

    private readonly ScratchDirectory _scratch = new();

    public PrometheusServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var rules = _scratch.Combine("headroom.rules.yml");
        await File.WriteAllTextAsync(rules, RuleFile);
        var targets = _scratch.Combine("fleet-sd.json");
        await File.WriteAllTextAsync(targets, """[{"targets": ["127.0.0.1:1"], "labels": {"env": "test"}}]""");
        Server = await PrometheusServer.StartAsync(new PrometheusOptions
        {
            ScrapeInterval = "1s",
            EvaluationInterval = "1s",
            RuleFiles = [rules],
            FileServiceDiscoveryPath = targets,
            FileServiceDiscoveryJobName = "fleet",
            ScrapeConfigsYaml = "- job_name: extra\n  static_configs:\n    - targets: ['127.0.0.1:2']\n",
            EnableRemoteWriteReceiver = true,
        });
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _scratch.Dispose();
    }
}

public sealed class PrometheusServerTests(PrometheusFixture fixture) : IClassFixture<PrometheusFixture>
{
    private PrometheusServer Server => fixture.Server;

    [Fact]
    public async Task Answers_instant_queries()
    {
        using var json = await TestSupport.GetJsonAsync(new Uri(Server.BaseUri, "api/v1/query?query=up"));

        Assert.Equal("success", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("vector", json.RootElement.GetProperty("data").GetProperty("resultType").GetString());
    }

    [Fact]
    public async Task Scrapes_itself()
    {
        await TestSupport.EventuallyAsync(
            async () => await TestSupport.QueryScalarAsync(Server.BaseUri, "up{job=\"prometheus\"}") == "1",
            TimeSpan.FromSeconds(30),
            "up{job=\"prometheus\"} is 1");
    }

    [Fact]
    public async Task Scrapes_file_sd_and_yaml_jobs_beside_itself()
    {
        string[] pools = [];
        await TestSupport.EventuallyAsync(
            async () =>
            {
                using var json = await TestSupport.GetJsonAsync(new Uri(Server.BaseUri, "api/v1/targets?state=active"));
                pools = json.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
                    .Select(t => t.GetProperty("scrapePool").GetString() ?? "").Order(StringComparer.Ordinal).ToArray();
                return pools.Length == 3;
            },
            TimeSpan.FromSeconds(20),
            "three scrape pools are active");

        Assert.Equal(new[] { "extra", "fleet", "prometheus" }, pools);
    }

    [Fact]
    public async Task Loads_the_copied_rule_files()
    {
        using var json = await TestSupport.GetJsonAsync(new Uri(Server.BaseUri, "api/v1/rules"));
        var groups = json.RootElement.GetProperty("data").GetProperty("groups");

        var group = Assert.Single(groups.EnumerateArray());
        Assert.Equal("headroom-test", group.GetProperty("name").GetString());
        Assert.StartsWith(Path.GetDirectoryName(Server.ConfigPath)!, group.GetProperty("file").GetString(), StringComparison.Ordinal);
        var names = group.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("name").GetString() ?? "").ToArray();
        Assert.Equal(new[] { "job:up:sum", "HeadroomTargetDown" }, names);
    }

    [Fact]
    public async Task Reload_applies_an_edited_config_and_reports_an_invalid_one()
    {
        var original = await File.ReadAllTextAsync(Server.ConfigPath);
        try
        {
            await File.WriteAllTextAsync(Server.ConfigPath, original + "- job_name: [not valid\n");
            var failure = await Assert.ThrowsAsync<HttpRequestException>(() => Server.ReloadAsync());
            Assert.Contains("reload", failure.Message, StringComparison.OrdinalIgnoreCase);

            await File.WriteAllTextAsync(Server.ConfigPath,
                original + "- job_name: reloaded\n  static_configs:\n    - targets: ['127.0.0.1:1']\n");
            await Server.ReloadAsync();

            using var json = await TestSupport.GetJsonAsync(new Uri(Server.BaseUri, "api/v1/status/config"));
            Assert.Contains("job_name: reloaded", json.RootElement.GetProperty("data").GetProperty("yaml").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            await File.WriteAllTextAsync(Server.ConfigPath, original);
            await Server.ReloadAsync();
        }
    }

    [Fact]
    public void Keeps_config_and_data_in_a_headroom_temp_directory()
    {
        var root = Path.GetDirectoryName(Server.ConfigPath)!;

        Assert.StartsWith(Path.Combine(Path.GetTempPath(), "headroom-prometheus-"), root, StringComparison.Ordinal);
        Assert.StartsWith(root, Server.DataDirectory, StringComparison.Ordinal);
        Assert.True(File.Exists(Server.ConfigPath));
        Assert.Contains("level=info", Server.RecentLogs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accepts_remote_write_when_enabled()
    {
        // An empty body is not a valid remote-write request; a disabled receiver answers 404 instead of 400.
        using var response = await TestSupport.Http.PostAsync(new Uri(Server.BaseUri, "api/v1/write"), new ByteArrayContent([]));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }
}
