using Headroom.Gateway.Configuration;
using Headroom.Prometheus.Configuration;
using Headroom.Sharding;
using YamlDotNet.RepresentationModel;

namespace Headroom.Sharding.Tests;

public sealed class AutoscalerConfigTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-autoscaler-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_full_configuration_reads_with_every_setting()
    {
        var options = AutoscalerConfigReader.Read("""
            targets: fleet-sd.json
            directory: shards
            source: http://127.0.0.1:9095
            job: node
            scrape_interval: 10s
            lookback_delta: 1m
            file_sd_refresh: 2s
            reconcile_interval: 20s
            reconcile_timeout: 1m
            budget_series: 2000000
            high_watermark: 0.8
            low_watermark: 0.3
            min_shards: 2
            max_shards: 8
            replicas: 2
            retention: 30d
            default_target_series: 500
            mode: kubernetes
            kubernetes_namespace: obs
            prometheus_image: prom/prometheus:v3.5.0
            """, "/etc/headroom");
        Assert.Equal("/etc/headroom/fleet-sd.json", options.TargetsFile);
        Assert.Equal("/etc/headroom/shards", options.Directory);
        Assert.Equal(new Uri("http://127.0.0.1:9095"), options.Source);
        Assert.Equal(TimeSpan.FromSeconds(2 + 20 + 60), options.Overlap);
        Assert.Equal(2_000_000, options.BudgetSeries);
        Assert.Equal((long)(2_000_000 * 0.55), options.TargetSeries);
        Assert.Equal((2, 8, 2), (options.MinShards, options.MaxShards, options.Replicas));
        Assert.Equal(AutoscalerMode.Kubernetes, options.Mode);
        Assert.Equal(TimeSpan.FromDays(30), options.Retention);
    }

    [Fact]
    public void A_memory_budget_becomes_series()
    {
        var options = AutoscalerConfigReader.Read("targets: t.json\ndirectory: d\nbudget_memory: 4GiB\n", _directory);
        Assert.Equal((long)(4.0 * (1L << 30) / MemoryModel.AssumedBytesPerSeries), options.BudgetSeries);
    }

    [Theory]
    [InlineData("targets: t.json\ndirectory: d\nbudget_series: 100\nscrape_intervall: 1s\n", 4, "scrape_intervall", "unknown key")]
    [InlineData("targets: t.json\ndirectory: d\nbudget_series: 100\nscrape_interval: often\n", 4, "scrape_interval", "15s")]
    [InlineData("targets: t.json\ndirectory: d\nbudget_series: 100\nhigh_watermark: 0.5\nlow_watermark: 0.6\n", 5, "low_watermark", "below high_watermark")]
    [InlineData("targets: t.json\ndirectory: d\nbudget_series: 100\nmin_shards: 5\nmax_shards: 2\n", 4, "min_shards", "more than max_shards")]
    [InlineData("targets: t.json\ndirectory: d\nbudget_series: many\n", 3, "budget_series", "whole number")]
    [InlineData("targets: t.json\ndirectory: d\nbudget_series: 100\nbudget_memory: 1GiB\n", 1, "budget_series", "one of")]
    [InlineData("targets: t.json\ndirectory: d\nbudget_memory: lots\n", 3, "budget_memory", "8GiB")]
    [InlineData("targets: t.json\ndirectory: d\nbudget_series: 100\nmode: cloud\n", 4, "mode", "'local' or 'kubernetes'")]
    [InlineData("targets: t.json\ndirectory: d\nbudget_series: 100\nsource: localhost:9090\n", 4, "source", "http(s) URL")]
    [InlineData("directory: d\nbudget_series: 100\n", 1, "targets", "required")]
    [InlineData("targets: t.json\ndirectory: d\nbudget_series: 100\nhigh_watermark: 1.5\n", 4, "high_watermark", "at most 1")]
    public void A_bad_setting_names_the_file_line_and_key(string yaml, int line, string key, string problem)
    {
        var path = Path.Combine(_directory, "shards.yml");
        File.WriteAllText(path, yaml);
        var e = Assert.Throws<ConfigException>(() => AutoscalerConfigReader.ReadFile(path));
        Assert.StartsWith(path + ": line " + line + ":", e.Message, StringComparison.Ordinal);
        Assert.Equal(key, e.Key);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_gateway_reads_the_topology_the_autoscaler_writes()
    {
        var from = new DateTimeOffset(2026, 11, 30, 1, 0, 0, TimeSpan.Zero);
        ShardState[] shards =
        [
            new("shard-0", [new Uri("http://127.0.0.1:9101/"), new Uri("http://127.0.0.1:9102/")], "/x/shard-0.json", from),
            new("shard-1", [new Uri("http://127.0.0.1:9103/")], "/x/shard-1.json", from.AddMinutes(5), from.AddMinutes(20)),
        ];
        var read = TopologyFileReader.Read(TopologyWriter.Render(shards, 7, from.AddMinutes(30)));
        Assert.Equal(["shard-0", "shard-1"], read.Select(s => s.Name));
        Assert.Equal(shards[0].Replicas, read[0].Replicas);
        Assert.Equal(from, read[0].ActiveFrom);
        Assert.Null(read[0].RetiredAt);
        Assert.Equal(from.AddMinutes(20), read[1].RetiredAt);
        Assert.True(read[0].ExternalLabels.Count == 0, "autoscaled shards carry no shard label: a moved target's series must stay the same series");
    }

    [Fact]
    public async Task The_kubernetes_manifests_are_a_service_a_config_map_and_a_stateful_set_per_shard()
    {
        var options = new AutoscalerOptions { TargetsFile = "t.json", Directory = _directory, BudgetSeries = 1000, Replicas = 2, KubernetesNamespace = "obs" };
        var manifests = new KubernetesManifests(options);
        var shard = new ShardState("shard-3", [], "/x", DateTimeOffset.UnixEpoch);
        var text = manifests.Render(shard, "[\n  {\"targets\": [\"10.0.0.1:9100\"], \"labels\": {\"instance\": \"a\"}}\n]");
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var kinds = stream.Documents.Select(d => ((YamlScalarNode)((YamlMappingNode)d.RootNode)["kind"]).Value).ToList();
        Assert.Equal(["Service", "ConfigMap", "StatefulSet"], kinds);
        var data = (YamlMappingNode)((YamlMappingNode)stream.Documents[1].RootNode)["data"];
        Assert.Contains("10.0.0.1:9100", ((YamlScalarNode)data["targets.json"]).Value, StringComparison.Ordinal);
        Assert.Contains("file_sd_configs", ((YamlScalarNode)data["prometheus.yml"]).Value, StringComparison.Ordinal);
        var spec = (YamlMappingNode)((YamlMappingNode)stream.Documents[2].RootNode)["spec"];
        Assert.Equal("2", ((YamlScalarNode)spec["replicas"]).Value);
        var urls = await manifests.StartAsync("shard-3", "/x", CancellationToken.None);
        Assert.Equal(new Uri("http://prometheus-shard-3-1.prometheus-shard-3.obs.svc:9090/"), urls[1]);
    }
}
