using Headroom.Prometheus;
using Headroom.Prometheus.Client;
using Headroom.Sharding;

namespace Headroom.Sharding.Tests;

public sealed class TargetFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-shard-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Each_shard_file_holds_its_targets_with_their_labels()
    {
        var fileSd = SkewedFleet.FileSd(300);
        var targets = SkewedFleet.Targets(300);
        var plan = ShardPlanner.Plan(targets, 3);
        var written = await TargetFile.WriteAsync(_directory, plan, fileSd);
        Assert.Equal(3, written.Count);
        var seen = new HashSet<string>();
        for (var s = 0; s < 3; s++)
        {
            var groups = FileSdTargetGroup.Parse(await File.ReadAllTextAsync(Path.Combine(_directory, $"shard-{s}.json")));
            foreach (var group in groups)
            {
                var instance = group.Labels["instance"];
                Assert.Equal(s, plan.ShardOf(instance));
                Assert.Equal($"/hosts/{instance}/metrics", group.Labels["__metrics_path__"]);
                Assert.Equal(["127.0.0.1:9100"], group.Targets);
                Assert.True(seen.Add(instance), $"{instance} is on two shards");
            }
        }
        Assert.Equal(300, seen.Count);
    }

    [Fact]
    public async Task The_files_are_the_previous_plan_of_the_next_run()
    {
        var fileSd = SkewedFleet.FileSd(300);
        var targets = SkewedFleet.Targets(300);
        var plan = ShardPlanner.Plan(targets, 4);
        await TargetFile.WriteAsync(_directory, plan, fileSd);
        var previous = TargetFile.ReadPrevious(_directory, targets)!;
        Assert.Equal(4, previous.ShardCount);
        Assert.All(targets, t => Assert.Equal(plan.ShardOf(t.Id), previous.ShardOf(t.Id)));

        // Fewer shards: the extra file is emptied, not deleted, so its Prometheus drops the targets quietly.
        var smaller = ShardPlanner.Plan(targets, 3, previous);
        var written = await TargetFile.WriteAsync(_directory, smaller, fileSd);
        Assert.Equal(4, written.Count);
        Assert.Empty(FileSdTargetGroup.Parse(await File.ReadAllTextAsync(Path.Combine(_directory, "shard-3.json"))));
    }

    [Fact]
    public void A_target_named_twice_is_an_error_naming_it()
    {
        const string json = """[{"targets": ["a:1", "b:1"], "labels": {"instance": "same"}}]""";
        var e = Assert.Throws<ShardingException>(() => TargetFile.Parse(json));
        Assert.Contains("'same'", e.Message, StringComparison.Ordinal);
        Assert.Contains("instance label", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_file_sd_is_an_error_naming_the_file()
    {
        var path = Path.Combine(_directory, "targets.json");
        File.WriteAllText(path, "{\"targets\": 1}");
        var e = Assert.Throws<ShardingException>(() => TargetFile.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("file_sd", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Targets_without_an_instance_label_are_named_by_address()
    {
        var targets = TargetFile.Parse("""[{"targets": ["10.0.0.1:9100", "10.0.0.2:9100"], "labels": {"job": "node"}}]""");
        Assert.Equal(["10.0.0.1:9100", "10.0.0.2:9100"], targets.Select(t => t.Id));
    }
}
