using Headroom.Fleet;
using Headroom.Prometheus.Client;
using Headroom.Servers;
using Xunit;

namespace Headroom.Testing;

/// <summary>A real Prometheus holding two days of a small simulated fleet's history, shared by the ETL tests.</summary>
public class FleetPrometheus : IAsyncLifetime
{
    public static readonly DateTimeOffset End = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("headroom-etl-test-");

    public SimulatedFleet Fleet { get; } = SimulatedFleet.Create(6, 11);

    public PrometheusServer Server { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public PrometheusClient Client => new(Http, Server.BaseUri);

    /// <summary>Basic-auth users the server requires (name → bcrypt hash); none by default.</summary>
    protected virtual IReadOnlyDictionary<string, string> Users => new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        var tsdb = Path.Combine(_directory.FullName, "tsdb");
        await Promtool.BackfillAsync(stream => FleetHistory.Write(Fleet, new HistoryOptions(End.AddDays(-2), End, TimeSpan.FromMinutes(1)), stream), tsdb);
        Server = await PrometheusServer.StartAsync(new PrometheusOptions { DataDirectory = tsdb, Retention = "3650d", BasicAuthUsers = Users });
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Http.Dispose();
        _directory.Delete(recursive: true);
    }
}

