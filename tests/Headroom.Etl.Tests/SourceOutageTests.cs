using Headroom.Fleet;
using Headroom.Prometheus.Client;
using Headroom.Servers;
using Headroom.Warehouse;

namespace Headroom.Etl.Tests;

/// <summary>Prometheus stops in the middle of a run: the run fails cleanly, and a later run completes the load.</summary>
public class SourceOutageTests
{
    private static readonly DateTimeOffset End = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly Profile Node = ProfileLoader.Load("node");

    [Fact]
    public async Task A_run_interrupted_by_a_source_outage_is_completed_by_the_next_run()
    {
        var directory = Directory.CreateTempSubdirectory("headroom-outage-");
        try
        {
            var fleet = SimulatedFleet.Create(6, 3);
            var tsdb = Path.Combine(directory.FullName, "tsdb");
            await Promtool.BackfillAsync(stream => FleetHistory.Write(fleet, new HistoryOptions(End.AddHours(-30), End, TimeSpan.FromMinutes(1)), stream), tsdb);
            var options = new EtlOptions { Profile = Node, Source = "fleet", From = End.AddHours(-24), To = End, WindowHours = 1 };
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var extraction = new ExtractionOptions { MaxRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(50), MaxConcurrency = 1 };

            await using var interrupted = await Warehouse.Warehouse.OpenAsync("sqlite:" + Path.Combine(directory.FullName, "interrupted.db"));
            await interrupted.MigrateAsync();
            var prometheus = await PrometheusServer.StartAsync(new PrometheusOptions { DataDirectory = tsdb, Retention = "3650d" });
            var client = new PrometheusClient(http, prometheus.BaseUri);
            // Stop the source from inside the run, once the fourth window is committed and before the fifth is read:
            // polling the watermark from outside raced the run (it could finish first, or fail and leave the poll
            // spinning, with no deadline).
            var stopped = false;
            var stopAfterFourWindows = new SynchronousProgress<EtlProgress>(p =>
            {
                if (p.HoursDone == 4)
                {
                    prometheus.DisposeAsync().AsTask().GetAwaiter().GetResult();
                    stopped = true;
                }
            });
            var run = new EtlRunner(interrupted, client, extraction).RunAsync(options, EtlMode.Incremental, stopAfterFourWindows);
            await Assert.ThrowsAsync<PrometheusApiException>(() => run.WaitAsync(TimeSpan.FromMinutes(5)));
            Assert.True(stopped, "the run failed before the source was stopped");

            var status = await interrupted.GetStatusAsync();
            Assert.Equal(EtlRunStatus.Failed, status.RecentRuns[0].Status);
            var partial = await interrupted.ReadHourlyAsync("node");
            var perHour = fleet.Hosts.Count * Node.Dimensions.Count;
            Assert.Equal(4 * perHour, partial.Count); // the four committed windows (one hour each), nothing of the fifth
            Assert.Equal(End.AddHours(-20), (await interrupted.GetWatermarkAsync("node", "fleet"))!.End); // the watermark never runs ahead of the data

            // The source comes back on the same data; the next run continues from the watermark.
            await using var restarted = await PrometheusServer.StartAsync(new PrometheusOptions { DataDirectory = tsdb, Retention = "3650d" });
            var resumed = new EtlRunner(interrupted, new PrometheusClient(http, restarted.BaseUri), extraction);
            await resumed.RunAsync(options with { From = null }, EtlMode.Incremental);

            await using var reference = await Warehouse.Warehouse.OpenAsync("sqlite:" + Path.Combine(directory.FullName, "reference.db"));
            await reference.MigrateAsync();
            await new EtlRunner(reference, new PrometheusClient(http, restarted.BaseUri), extraction).RunAsync(options, EtlMode.Incremental);

            var expected = (await reference.ReadHourlyAsync("node")).OrderBy(r => (r.ResourceKey, r.Dimension, r.HourStart)).ToList();
            var actual = (await interrupted.ReadHourlyAsync("node")).OrderBy(r => (r.ResourceKey, r.Dimension, r.HourStart)).ToList();
            Assert.Equal(24 * perHour, expected.Count);
            Assert.Equal(expected, actual);
            Assert.Empty(await interrupted.ListOpenGapsAsync("node", "fleet"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}

/// <summary>Calls back on the reporting thread at the moment of the report (<see cref="Progress{T}"/> posts it for later).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
