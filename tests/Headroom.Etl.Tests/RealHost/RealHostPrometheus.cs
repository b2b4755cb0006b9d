using Headroom.Prometheus.Client;
using Headroom.Servers;

namespace Headroom.Etl.Tests.RealHost;

/// <summary>
/// A real node_exporter on this machine, scraped every second by a real Prometheus for about half a minute, then
/// stopped, so every test of the class sees the same, fixed interval; /proc/stat is read beside it throughout.
/// </summary>
public sealed class RealHostPrometheus : IAsyncLifetime
{
    /// <summary>Seconds of scraping: long enough for 25+ samples, short enough for the suite's budget.</summary>
    private const int ScrapeSeconds = 30;

    public const string Job = "node";

    internal ProcStat ProcStat { get; } = new();

    public PrometheusServer Server { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public PrometheusClient Client => new(Http, Server.BaseUri);

    /// <summary>The node_exporter's instance label, 127.0.0.1:PORT.</summary>
    public string Instance { get; private set; } = "";

    /// <summary>The first and the last sample Prometheus holds of node_cpu_seconds_total.</summary>
    public (DateTimeOffset First, DateTimeOffset Last) Samples { get; private set; }

    public async Task InitializeAsync()
    {
        var exporter = await NodeExporterServer.StartAsync();
        await using (exporter)
        {
            Instance = exporter.Target;
            Server = await PrometheusServer.StartAsync(new PrometheusOptions
            {
                ScrapeSelf = false,
                ScrapeInterval = "1s",
                ScrapeConfigsYaml = $"- job_name: {Job}\n  scrape_interval: 1s\n  static_configs:\n    - targets: ['{exporter.Target}']\n",
            });
            // Bounded: the first scrape comes within a few seconds; then a fixed stretch of scraping.
            for (var i = 0; i < 100 && (await Client.QueryAsync("node_cpu_seconds_total", DateTimeOffset.UtcNow)).Series.Count == 0; i++)
                await Task.Delay(200);
            await Task.Delay(TimeSpan.FromSeconds(ScrapeSeconds));
        }
        // node_exporter is gone: later scrapes fail, so the samples stay as they are for every test.
        var raw = await Client.QueryAsync($"node_cpu_seconds_total{{mode=\"idle\",cpu=\"0\"}}[{ScrapeSeconds * 3}s]", DateTimeOffset.UtcNow.AddSeconds(2));
        var samples = Assert.Single(raw.Series).Samples;
        Assert.True(samples.Count >= ScrapeSeconds / 2, $"Prometheus holds only {samples.Count} samples of node_exporter:\n{Server.RecentLogs}");
        Samples = (DateTimeOffset.FromUnixTimeMilliseconds(samples[0].TimestampMs), DateTimeOffset.FromUnixTimeMilliseconds(samples[^1].TimestampMs));
    }

    public async Task DisposeAsync()
    {
        await ProcStat.DisposeAsync();
        await Server.DisposeAsync();
        Http.Dispose();
    }
}
