using Headroom.CloudWatch.Tests;
using Headroom.Servers;

namespace Headroom.Etl.CloudWatch.Tests;

/// <summary>moto_server and a Prometheus holding the same two days of 5-minute history of three EC2 instances.</summary>
public sealed class SamePointsFixture : IAsyncLifetime
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("headroom-cw-direct-");

    public MotoAws Moto { get; } = new();

    public PrometheusServer Prometheus { get; private set; } = null!;

    /// <summary>Two whole UTC days ending at the start of today.</summary>
    public DateTimeOffset End { get; } = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() / 86_400 * 86_400);

    public DateTimeOffset Start => End.AddDays(-2);

    public IReadOnlyList<string> Instances { get; private set; } = [];

    public static readonly string[] Types = ["m5.large", "t3.micro", "c5.xlarge"];

    public string DataDirectory => _directory.FullName;

    public async Task InitializeAsync()
    {
        await Moto.InitializeAsync();
        var ids = new List<string>();
        for (var i = 0; i < Types.Length; i++)
            ids.AddRange(await Moto.RunInstancesAsync(MotoAws.Ambient, 1, Types[i], ("Name", $"host-{i}"), ("env", "prod")));
        Instances = ids;
        await DirectHistory.PutAsync(Moto, MotoAws.Ambient, ids, Start, End);

        var input = Path.Combine(_directory.FullName, "history.om");
        var tsdb = Path.Combine(_directory.FullName, "tsdb");
        await File.WriteAllTextAsync(input, DirectHistory.OpenMetrics(ids, Types, Start, End));
        var result = await Promtool.CreateBlocksFromOpenMetricsAsync(input, tsdb, TimeSpan.FromHours(24));
        if (!result.Succeeded)
            throw new InvalidOperationException($"promtool refused the history: {result.StandardError}{result.StandardOutput}");
        Prometheus = await PrometheusServer.StartAsync(new PrometheusOptions { DataDirectory = tsdb, Retention = "3650d", ScrapeSelf = false });
    }

    public async Task DisposeAsync()
    {
        if (Prometheus is not null)
            await Prometheus.DisposeAsync();
        await Moto.DisposeAsync();
        _directory.Delete(recursive: true);
    }
}
