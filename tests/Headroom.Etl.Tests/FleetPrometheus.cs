using Headroom.Fleet;
using Headroom.Harness;
using Headroom.Prometheus;

namespace Headroom.Etl.Tests;

/// <summary>A real Prometheus holding two days of a small simulated fleet's history, shared by the ETL tests.</summary>
public sealed class FleetPrometheus : IAsyncLifetime
{
    public static readonly DateTimeOffset End = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("headroom-etl-test-");

    public SimulatedFleet Fleet { get; } = SimulatedFleet.Create(6, 11);

    public PrometheusServer Server { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public PrometheusClient Client => new(Http, Server.BaseUri);

    public async Task InitializeAsync()
    {
        var file = Path.Combine(_directory.FullName, "history.om");
        await using (var stream = File.Create(file))
            FleetHistory.Write(Fleet, new HistoryOptions(End.AddDays(-2), End, TimeSpan.FromMinutes(1)), stream);
        var tsdb = Path.Combine(_directory.FullName, "tsdb");
        (await Promtool.CreateBlocksFromOpenMetricsAsync(file, tsdb, TimeSpan.FromHours(162))).EnsureSuccess();
        File.Delete(file);
        Server = await PrometheusServer.StartAsync(new PrometheusOptions { DataDirectory = tsdb, Retention = "3650d" });
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Http.Dispose();
        _directory.Delete(recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class FleetPrometheusCollection : ICollectionFixture<FleetPrometheus>
{
    public const string Name = "fleet prometheus";
}
