using Headroom.Etl.Rules;
using Headroom.Fleet;
using Headroom.Prometheus.Client;
using Headroom.Prometheus.Rules;
using Headroom.Servers;
using Headroom.Warehouse;

namespace Headroom.Etl.Tests;

/// <summary>
/// A real Prometheus holding 12 hours of raw fleet history, and the node profile's recording rules
/// backfilled by promtool for the last 6 of them only.
/// </summary>
public sealed class RecordedPrometheus : IAsyncLifetime
{
    public static readonly DateTimeOffset End = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset RecordedFrom = End.AddHours(-6);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("headroom-recorded-");

    public SimulatedFleet Fleet { get; } = SimulatedFleet.Create(6, 17);

    public PrometheusServer Server { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public PrometheusClient Client => new(Http, Server.BaseUri);

    public string RuleFile => Path.Combine(_directory.FullName, "rules.yml");

    public async Task InitializeAsync()
    {
        var tsdb = Path.Combine(_directory.FullName, "tsdb");
        await Promtool.BackfillAsync(stream => FleetHistory.Write(Fleet, new HistoryOptions(End.AddHours(-13), End, TimeSpan.FromMinutes(1)), stream), tsdb);
        await File.WriteAllTextAsync(RuleFile, RuleFileWriter.Write(RuleGenerator.Generate(ProfileLoader.Load("node"), TimeSpan.FromMinutes(1))));

        var recorded = Path.Combine(_directory.FullName, "recorded");
        await using (var raw = await PrometheusServer.StartAsync(new PrometheusOptions { DataDirectory = tsdb, Retention = "3650d" }))
            (await Promtool.CreateBlocksFromRulesAsync(raw.BaseUri, RecordedFrom, End, recorded, RuleFile)).EnsureSuccess();
        foreach (var block in Directory.GetDirectories(recorded))
            Directory.Move(block, Path.Combine(tsdb, Path.GetFileName(block)));
        Server = await PrometheusServer.StartAsync(new PrometheusOptions { DataDirectory = tsdb, Retention = "3650d" });
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Http.Dispose();
        _directory.Delete(recursive: true);
    }
}

public class RecordingRulesTests(RecordedPrometheus source) : IClassFixture<RecordedPrometheus>
{
    private static readonly Profile Node = ProfileLoader.Load("node");

    [Fact]
    public async Task Recorded_series_equal_the_raw_expressions()
    {
        foreach (var dimension in Node.Dimensions)
        {
            for (var hour = RecordedPrometheus.RecordedFrom; hour < RecordedPrometheus.End; hour = hour.AddHours(2))
            {
                var at = hour.AddHours(1).AddMilliseconds(-1);
                var recorded = await source.Client.QueryAsync($"avg_over_time({dimension.Record}[1h])", at);
                var raw = await source.Client.QueryAsync($"avg_over_time(({dimension.Expr})[1h:1m])", at);
                Assert.Equal(source.Fleet.Hosts.Count, recorded.Series.Count);
                foreach (var series in raw.Series)
                {
                    var match = recorded.Series.Single(r => r.Labels["instance"] == series.Labels["instance"]);
                    // Rules evaluate at an offset within each minute (the group's hash), the subquery on the minute:
                    // rates over slightly shifted windows, so an hour's average of a rate
                    // agrees to 2% (the ends of the hour move by up to a minute), a gauge's exactly.
                    Assert.Equal(series.Samples[0].Value, match.Samples[0].Value, Math.Abs(series.Samples[0].Value) * 2e-2 + 1e-9);
                }
            }
        }
    }

    [Fact]
    public async Task The_etl_reads_rules_where_they_cover_and_raw_elsewhere_with_the_same_result()
    {
        var directory = Directory.CreateTempSubdirectory("headroom-rules-etl-");
        try
        {
            async Task<(EtlReport Report, List<HourlyUtilization> Rows, string Metrics)> LoadAsync(string name, bool rules)
            {
                await using var warehouse = await Warehouse.Warehouse.OpenAsync("sqlite:" + Path.Combine(directory.FullName, name));
                await warehouse.MigrateAsync();
                var metrics = new EtlMetrics();
                var options = new EtlOptions
                {
                    Profile = Node, Source = "fleet", From = RecordedPrometheus.End.AddHours(-12), To = RecordedPrometheus.End,
                    WindowHours = 3, UseRecordingRules = rules,
                };
                var report = await new EtlRunner(warehouse, source.Client, new ExtractionOptions(), metrics).RunAsync(options, EtlMode.Backfill);
                return (report, [.. (await warehouse.ReadHourlyAsync("node")).OrderBy(r => (r.ResourceKey, r.Dimension, r.HourStart))], await metrics.ExportAsync());
            }

            var (mixed, mixedRows, metrics) = await LoadAsync("mixed.db", rules: true);
            var (_, rawRows, _) = await LoadAsync("raw.db", rules: false);

            // Windows of 3 hours: the last two are covered by the recorded 6 hours, the first two are not.
            Assert.Equal(2 * Node.Dimensions.Count, mixed.RecordedReads);
            Assert.Equal(2 * Node.Dimensions.Count, mixed.RawFallbacks);
            Assert.Contains("headroom_etl_raw_fallback_total{profile=\"node\",dimension=\"cpu\"} 2", metrics, StringComparison.Ordinal);

            Assert.Equal(rawRows.Count, mixedRows.Count);
            Assert.Equal(source.Fleet.Hosts.Count * 12 * Node.Dimensions.Count, rawRows.Count);

            // The sample count of a recorded hour is what promtool wrote, which is not always 60: promtool evaluates a
            // group at its hash offset within the interval (the hash of the group's name and rule-file path, here a
            // random temporary path) and ends each 2h block at the last whole second before the boundary, so when the
            // offset exceeds 59 s the evaluation at XX:59:59.x before every boundary falls outside both blocks (1 run in
            // 60 did). The oracle is Prometheus' own count of the recorded series in the hour, not the raw count.
            var recordedCounts = new Dictionary<(string ResourceKey, string Dimension, DateTimeOffset Hour), long>();
            foreach (var dimension in Node.Dimensions)
            {
                for (var hour = RecordedPrometheus.RecordedFrom; hour < RecordedPrometheus.End; hour = hour.AddHours(1))
                {
                    var counted = await source.Client.QueryAsync($"count_over_time({dimension.Record}[1h])", hour.AddHours(1).AddMilliseconds(-1));
                    Assert.Equal(source.Fleet.Hosts.Count, counted.Series.Count);
                    foreach (var series in counted.Series)
                    {
                        var count = (long)series.Samples[0].Value;
                        // 60 a minute, or 59 in an hour that ends on a 2h block boundary (even UTC hours): nothing else.
                        Assert.True(count == 60 || (count == 59 && hour.AddHours(1).Hour % 2 == 0),
                            $"{dimension.Record} {hour:O}: {count} recorded samples");
                        recordedCounts[(Validator.ResourceKey(Node, series.Labels)!, dimension.Name, hour)] = count;
                    }
                }
            }
            for (var i = 0; i < rawRows.Count; i++)
            {
                Assert.Equal((rawRows[i].ResourceKey, rawRows[i].Dimension, rawRows[i].HourStart), (mixedRows[i].ResourceKey, mixedRows[i].Dimension, mixedRows[i].HourStart));
                // Averages agree to 2%; extremes of a rate sampled at shifted instants to 10% (see above).
                var scale = Math.Abs(rawRows[i].Max) + 1e-9;
                Assert.Equal(rawRows[i].Avg, mixedRows[i].Avg, scale * 2e-2);
                Assert.Equal(rawRows[i].Max, mixedRows[i].Max, scale * 1e-1);
                Assert.Equal(rawRows[i].Min, mixedRows[i].Min, scale * 1e-1);
                Assert.Equal(rawRows[i].P95, mixedRows[i].P95, scale * 1e-1);
                // Raw hours hold one point per minute of the subquery; recorded hours what Prometheus holds.
                Assert.True(rawRows[i].Samples == 60, $"{rawRows[i].ResourceKey} {rawRows[i].Dimension} {rawRows[i].HourStart:O}: {rawRows[i].Samples} raw samples");
                var expected = mixedRows[i].HourStart >= RecordedPrometheus.RecordedFrom
                    ? recordedCounts[(mixedRows[i].ResourceKey, mixedRows[i].Dimension, mixedRows[i].HourStart)]
                    : rawRows[i].Samples;
                Assert.True(expected == mixedRows[i].Samples,
                    $"{mixedRows[i].ResourceKey} {mixedRows[i].Dimension} {mixedRows[i].HourStart:O}: {mixedRows[i].Samples} samples read, the source holds {expected}");
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
