using Headroom.Servers;
using Xunit;

namespace Headroom.Testing;

/// <summary>A real Prometheus holding <see cref="PromqlHistory"/>, for comparing Headroom's PromQL engine with it.</summary>
public sealed class PromqlPrometheus : IAsyncLifetime
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("headroom-promql-test-");

    public PrometheusServer Server { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public async Task InitializeAsync()
    {
        var input = Path.Combine(_directory.FullName, "history.om");
        var tsdb = Path.Combine(_directory.FullName, "tsdb");
        await File.WriteAllTextAsync(input, PromqlHistory.OpenMetrics());
        var result = await Promtool.CreateBlocksFromOpenMetricsAsync(input, tsdb, TimeSpan.FromHours(24));
        if (!result.Succeeded)
            throw new InvalidOperationException($"promtool refused the PromQL test history: {result.StandardError}{result.StandardOutput}");
        Server = await PrometheusServer.StartAsync(new PrometheusOptions { DataDirectory = tsdb, Retention = "3650d", ScrapeSelf = false });
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
            await Server.DisposeAsync();
        Http.Dispose();
        _directory.Delete(recursive: true);
    }
}
