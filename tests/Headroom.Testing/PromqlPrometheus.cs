using Headroom.Servers;
using Xunit;

namespace Headroom.Testing;

/// <summary>A real Prometheus holding <see cref="PromqlHistory"/>, for comparing Headroom's PromQL engine with it.</summary>
public class PromqlPrometheus : IAsyncLifetime
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("headroom-promql-test-");

    public PrometheusServer Server { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public async Task InitializeAsync()
    {
        var input = Path.Combine(_directory.FullName, "history.om");
        var tsdb = Path.Combine(_directory.FullName, "tsdb");
        await File.WriteAllTextAsync(input, History());
        var result = await Promtool.CreateBlocksFromOpenMetricsAsync(input, tsdb, TimeSpan.FromHours(24));
        if (!result.Succeeded)
            throw new InvalidOperationException($"promtool refused the PromQL test history: {result.StandardError}{result.StandardOutput}");
        Server = await PrometheusServer.StartAsync(new PrometheusOptions { DataDirectory = tsdb, Retention = "3650d", ScrapeSelf = false });
    }

    /// <summary>The OpenMetrics text the server is backfilled with.</summary>
    protected virtual string History() => PromqlHistory.OpenMetrics();

    public async Task DisposeAsync()
    {
        if (Server is not null)
            await Server.DisposeAsync();
        Http.Dispose();
        _directory.Delete(recursive: true);
    }
}

/// <summary>
/// <see cref="PromqlHistory"/> with every sample exactly on its 15 s slot, so windows ending on whole minutes start
/// on a sample: the case where Prometheus 2 (this server) counts the sample and Prometheus 3 does not.
/// </summary>
public sealed class PromqlPrometheusOnSlots : PromqlPrometheus
{
    protected override string History() => PromqlHistory.OpenMetrics(onSlots: true);
}
