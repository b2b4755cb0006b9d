using Headroom.Warehouse;

namespace Headroom.Etl.CloudWatch.Tests;

/// <summary>Hosts seen by node_exporter and by CloudWatch, matched by instance id; one host's CloudWatch view deliberately skewed.</summary>
public sealed class AgreementTests : IAsyncLifetime
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("headroom-agreement-");
    private IWarehouse _warehouse = null!;
    private static readonly DateTimeOffset s_start = EtlRunner.FloorHour(TimeProvider.System.GetUtcNow()).AddHours(-6);

    public async Task InitializeAsync()
    {
        _warehouse = await Warehouse.Warehouse.OpenAsync($"sqlite:{Path.Combine(_directory.FullName, "w.db")}");
        await _warehouse.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        await _warehouse.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    private async Task CommitAsync(string profile, string key, Dictionary<string, string> identity, Dictionary<string, string> metadata, Func<int, double> cpu)
    {
        var run = await _warehouse.StartRunAsync(new EtlRunStart(profile, "test", s_start, s_start.AddHours(6)));
        await _warehouse.CommitWindowAsync(new WindowCommit(run, profile, "test", s_start, s_start.AddHours(6))
        {
            Resources = [new ResourceRecord(key, identity, s_start, s_start.AddHours(6)) { Metadata = metadata }],
            Hourly = [.. Enumerable.Range(0, 6).Select(h => new HourlyUtilization(key, "cpu", s_start.AddHours(h), cpu(h), cpu(h), cpu(h), cpu(h), cpu(h), 12, 12))],
        });
    }

    [Fact]
    public async Task A_host_whose_cloudwatch_cpu_is_skewed_is_a_finding_with_both_values_and_the_others_are_not()
    {
        foreach (var (id, skew) in new[] { ("i-0aaa", 0.02), ("i-0bbb", 0.30) })
        {
            await CommitAsync("node", $"instance=\"{id}:9100\"", new() { ["instance"] = $"{id}:9100" }, new() { ["instance_id"] = id }, h => 0.20 + h * 0.01);
            var arn = $"arn:aws:ec2:us-east-1:123456789012:instance/{id}";
            await CommitAsync("aws-ec2", $"name=\"{arn}\"", new() { ["name"] = arn }, [], h => 0.20 + h * 0.01 + (h >= 3 ? skew : 0));
        }
        // A host without an instance id is not compared.
        await CommitAsync("node", "instance=\"db:9100\"", new() { ["instance"] = "db:9100" }, [], _ => 0.9);

        var findings = await SourceAgreement.CompareAsync(_warehouse, TimeProvider.System.GetUtcNow());

        var f = Assert.Single(findings);
        Assert.Equal(("i-0bbb", 6, 3), (f.InstanceId, f.HoursCompared, f.HoursDisagreeing));
        Assert.Equal(0.23, f.HostCpu, 9);
        Assert.Equal(0.53, f.CloudCpu, 9);
        Assert.Empty(await SourceAgreement.CompareAsync(_warehouse, TimeProvider.System.GetUtcNow(), tolerance: 0.35));
    }
}
