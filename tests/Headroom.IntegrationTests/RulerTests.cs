using System.Globalization;
using System.Text;
using System.Text.Json;
using Headroom.Prometheus;
using Headroom.Prometheus.Client;
using Headroom.Prometheus.RemoteWrite;
using Headroom.Ruler;
using Headroom.Ruler.Alerting;
using Xunit.Abstractions;

namespace Headroom.IntegrationTests;

/// <summary>
/// The node profile's recording rules evaluated by <c>headroom ruler</c> over a 2-shard gateway and written by remote
/// write to a real Prometheus equal the same expressions evaluated by one Prometheus holding all the data.
/// </summary>
public sealed class RulerAgreementTests(RulerFleet fleet, ITestOutputHelper output) : IClassFixture<RulerFleet>
{
    private const double Tolerance = 1e-9;

    [Fact]
    public async Task Recorded_series_over_the_gateway_equal_one_prometheus_holding_everything()
    {
        await using var ruler = Ruler.Ruler.Create(new RulerOptions
        {
            RuleFiles = [fleet.RuleFile],
            Source = fleet.Gateway.BaseUri,
            RemoteWrite = new Uri(fleet.Receiver.BaseUri, "api/v1/write"),
            RemoteWriteQueue = new RemoteWriteOptions { BatchSendDeadline = TimeSpan.FromMilliseconds(200) },
        });
        var group = Assert.Single(ruler.Groups);
        Assert.Equal(5, group.Group.Rules.Count);
        // Twelve evaluations, a minute apart, within the last hour of the history (the receiver's head takes those).
        var step = TimeSpan.FromMinutes(1);
        var start = fleet.End.AddMinutes(-45).AddSeconds(7);
        var end = start + 11 * step;
        for (var at = start; at <= end; at += step)
        {
            var result = await ruler.EvaluateAsync(group, at, default);
            Assert.True(result.Failures.Count == 0, string.Join("\n", result.Failures.Select(f => $"{f.Rule.Name}: {f.Error}")));
        }
        await ruler.StopAsync();
        var metrics = await ruler.Metrics.ExportAsync();

        var receiver = new PrometheusClient(fleet.Http, fleet.Receiver.BaseUri);
        var reference = new PrometheusClient(fleet.Http, fleet.Reference.BaseUri);
        var problems = new StringBuilder();
        var compared = 0;
        foreach (var rule in fleet.Rules.Groups[0].Rules)
        {
            var want = await reference.QueryRangeAsync(rule.Expr, start, end, step);
            // The raw samples the ruler wrote: a range selector answers them as they were stored.
            var got = await receiver.QueryAsync($"{rule.Record}[1h]", end);
            var wanted = want.Series.ToDictionary(s => Key(rule.Record!, s.Labels), s => s.Samples);
            var written = got.Series.ToDictionary(s => Key(null, s.Labels), s => s.Samples);
            if (wanted.Count == 0)
                problems.AppendLine($"{rule.Record}: the reference answered nothing; the comparison would prove nothing");
            foreach (var missing in wanted.Keys.Except(written.Keys))
                problems.AppendLine($"{rule.Record}: the ruler did not write {missing}");
            foreach (var extra in written.Keys.Except(wanted.Keys))
                problems.AppendLine($"{rule.Record}: the ruler wrote {extra}, which the reference lacks");
            foreach (var (key, samples) in wanted)
            {
                if (!written.TryGetValue(key, out var other))
                    continue;
                if (!samples.Select(s => s.TimestampMs).SequenceEqual(other.Select(s => s.TimestampMs)))
                {
                    problems.AppendLine($"{key}: timestamps differ: reference {samples.Count} points, ruler {other.Count}");
                    continue;
                }
                for (var i = 0; i < samples.Count; i++)
                {
                    var (e, a) = (samples[i].Value, other[i].Value);
                    if (!(e.Equals(a) || Math.Abs(e - a) <= Tolerance * Math.Max(Math.Abs(e), Math.Abs(a))))
                        problems.AppendLine($"{key} at {samples[i].TimestampMs}: reference {e:R}, ruler {a:R}");
                    compared++;
                }
            }
        }
        output.WriteLine($"{compared} recorded samples compared");
        Assert.True(problems.Length == 0, problems.ToString());
        Assert.Equal(8 * 5 * 12, compared);
        Assert.Contains($"headroom_ruler_remote_write_samples_total {compared}", metrics, StringComparison.Ordinal);
    }

    private static string Key(string? name, IReadOnlyDictionary<string, string> labels)
    {
        var all = labels.ToDictionary(l => l.Key, l => l.Value);
        if (name is not null)
            all["__name__"] = name;
        return "{" + string.Join(",", all.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{l.Value}\"")) + "}";
    }
}

/// <summary>The ruler live against real servers: a receiver outage loses nothing; alert state survives a restart; alerts reach Alertmanager.</summary>
public sealed class RulerLiveTests(RulerAlerting servers, ITestOutputHelper output) : IClassFixture<RulerAlerting>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-ruler-live-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Rules(string name, string yaml)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>How long the receiver is down; a minute in the issue, shorter here, still spanning many retries.</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("HEADROOM_RULER_OUTAGE_SECONDS") ?? "20", CultureInfo.InvariantCulture));

    [Fact]
    public async Task A_receiver_outage_loses_no_sample()
    {
        var file = Rules("outage.yml", """
            groups:
              - name: outage
                interval: 1s
                rules:
                  - record: ruler_test:eval_time:seconds
                    expr: time()
            """);
        await using var proxy = new RemoteWriteFaultProxy(new Uri(servers.Prometheus.BaseUri, "api/v1/write"));
        await using var ruler = Ruler.Ruler.Create(new RulerOptions
        {
            RuleFiles = [file],
            Source = servers.Prometheus.BaseUri,
            RemoteWrite = proxy.Url,
            RemoteWriteQueue = new RemoteWriteOptions { BatchSendDeadline = TimeSpan.FromMilliseconds(500), MaxBackoff = TimeSpan.FromSeconds(2) },
        });
        ruler.Start();
        await Task.Delay(TimeSpan.FromSeconds(4));
        proxy.Down = true;
        await Task.Delay(Outage);
        proxy.Down = false;
        await Task.Delay(TimeSpan.FromSeconds(4));
        await ruler.StopAsync();
        var metrics = await ruler.Metrics.ExportAsync();
        var evaluations = Metric(metrics, "headroom_ruler_rule_evaluations_total{rule_group=\"" + file + ";outage\"}");

        var got = await new PrometheusClient(servers.Http, servers.Prometheus.BaseUri).QueryAsync("ruler_test:eval_time:seconds[10m]");
        var samples = Assert.Single(got.Series).Samples;
        output.WriteLine($"{evaluations} evaluations, {samples.Count} samples stored, {proxy.Refused} requests refused during the outage, {proxy.Forwarded} forwarded");
        Assert.True(proxy.Refused >= 5, $"only {proxy.Refused} requests were refused: the outage did not span several retries");
        Assert.Equal(evaluations, samples.Count);
        Assert.All(samples, s => Assert.Equal(s.TimestampMs / 1000.0, s.Value));
        Assert.All(samples.Zip(samples.Skip(1)), p => Assert.Equal(1000, p.Second.TimestampMs - p.First.TimestampMs));
        Assert.True(Metric(metrics, "headroom_ruler_remote_write_failed_requests_total") >= proxy.Refused);
        Assert.Equal(0, Metric(metrics, "headroom_ruler_remote_write_dropped_samples_total{reason=\"queue_full\"}"));
        Assert.Equal(0, Metric(metrics, "headroom_ruler_remote_write_dropped_samples_total{reason=\"shutdown\"}"));
        Assert.Equal(0, Metric(metrics, "headroom_ruler_remote_write_pending_samples"));
    }

    [Fact]
    public async Task Alert_state_survives_a_restart_restored_from_alerts_for_state()
    {
        var file = Rules("restore.yml", """
            groups:
              - name: restore
                interval: 1s
                rules:
                  - alert: PrometheusUp
                    expr: up{job="prometheus"} == 1
                    for: 8s
            """);
        RulerOptions Options() => new()
        {
            RuleFiles = [file],
            Source = servers.Prometheus.BaseUri,
            RemoteWrite = new Uri(servers.Prometheus.BaseUri, "api/v1/write"),
            ForGracePeriod = TimeSpan.FromSeconds(1),
            RemoteWriteQueue = new RemoteWriteOptions { BatchSendDeadline = TimeSpan.FromMilliseconds(200) },
        };
        DateTimeOffset activeAt;
        await using (var first = Ruler.Ruler.Create(Options()))
        {
            first.Start();
            var alert = await WaitForAsync(() => first.Groups[0].Alerting[0]!.Alerts.FirstOrDefault(a => a.State == AlertState.Firing), TimeSpan.FromSeconds(30));
            activeAt = alert.ActiveAt;
            await first.StopAsync();
        }
        await Task.Delay(TimeSpan.FromSeconds(2));

        var restarted = TimeProvider.System.GetUtcNow();
        await using var second = Ruler.Ruler.Create(Options());
        second.Start();
        var again = await WaitForAsync(() => second.Groups[0].Alerting[0]!.Alerts.FirstOrDefault(a => a.State == AlertState.Firing), TimeSpan.FromSeconds(30));
        var firedAfter = TimeProvider.System.GetUtcNow() - restarted;
        output.WriteLine($"first active at {activeAt:O}; after the restart active at {again.ActiveAt:O}, firing {firedAfter.TotalSeconds:F1} s after the start");
        Assert.Equal(activeAt.ToUnixTimeSeconds(), again.ActiveAt.ToUnixTimeSeconds());
        // Without the restore it would be pending for the whole 8 s 'for' again.
        Assert.True(firedAfter < TimeSpan.FromSeconds(6), $"fired {firedAfter.TotalSeconds:F1} s after the restart");
        await second.StopAsync();
        var forState = await new PrometheusClient(servers.Http, servers.Prometheus.BaseUri).QueryAsync("ALERTS_FOR_STATE{alertname=\"PrometheusUp\"}[5m]");
        Assert.All(Assert.Single(forState.Series).Samples, s => Assert.Equal(activeAt.ToUnixTimeSeconds(), s.Value));
    }

    [Fact]
    public async Task Alerts_reach_a_real_alertmanager_with_templated_labels_and_annotations()
    {
        var file = Rules("notify.yml", """
            groups:
              - name: notify
                interval: 1s
                rules:
                  - alert: ScrapeHealthy
                    expr: up{job="prometheus"} == 1
                    labels:
                      severity: '{{ if eq $value 1.0 }}info{{ else }}page{{ end }}'
                    annotations:
                      summary: '{{ $labels.job }} on {{ $labels.instance | stripPort }} is up ({{ $value }}) in {{ $externalLabels.region }}'
            """);
        await using var ruler = Ruler.Ruler.Create(new RulerOptions
        {
            RuleFiles = [file],
            Source = servers.Prometheus.BaseUri,
            RemoteWrite = new Uri(servers.Prometheus.BaseUri, "api/v1/write"),
            Alertmanagers = [servers.Alertmanager.BaseUri],
            ExternalLabels = new Dictionary<string, string> { ["region"] = "eu-1" },
        });
        ruler.Start();
        var alert = await WaitForAsync(async () =>
        {
            using var json = JsonDocument.Parse(await servers.Http.GetStringAsync(new Uri(servers.Alertmanager.BaseUri, "api/v2/alerts")));
            return json.RootElement.EnumerateArray().Where(a => a.GetProperty("labels").GetProperty("alertname").GetString() == "ScrapeHealthy")
                .Select(a => a.Clone()).Cast<JsonElement?>().FirstOrDefault();
        }, TimeSpan.FromSeconds(30));
        await ruler.StopAsync();
        var labels = alert!.Value.GetProperty("labels");
        Assert.Equal("info", labels.GetProperty("severity").GetString());
        Assert.Equal("eu-1", labels.GetProperty("region").GetString());
        Assert.Equal("prometheus", labels.GetProperty("job").GetString());
        Assert.Equal("prometheus on 127.0.0.1 is up (1) in eu-1", alert.Value.GetProperty("annotations").GetProperty("summary").GetString());
        Assert.Equal("active", alert.Value.GetProperty("status").GetProperty("state").GetString());
        Assert.Contains("/graph?g0.expr=", alert.Value.GetProperty("generatorURL").GetString(), StringComparison.Ordinal);
        var metrics = await ruler.Metrics.ExportAsync();
        Assert.True(Metric(metrics, $"headroom_ruler_notifications_sent_total{{alertmanager=\"{servers.Alertmanager.BaseUri.GetLeftPart(UriPartial.Authority)}\"}}") >= 1);
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe, TimeSpan limit) => await WaitForAsync(() => Task.FromResult(probe()), limit);

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, TimeSpan limit)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(started) < limit)
        {
            if (await probe() is { } value)
                return value;
            await Task.Delay(200);
        }
        throw new TimeoutException($"not seen within {limit.TotalSeconds} s");
    }

    internal static double Metric(string exposition, string series)
    {
        var line = exposition.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"no {series} in\n{exposition}");
        return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }
}
