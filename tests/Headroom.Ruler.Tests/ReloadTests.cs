using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;
using Headroom.Ruler.Alerting;
using Microsoft.Extensions.Time.Testing;

namespace Headroom.Ruler.Tests;

/// <summary>
/// Reloading the rule files: a bad file changes nothing; a good one keeps each kept rule's alerts and last series,
/// ends the series of removed rules and groups with staleness markers, and counts the reload in the metrics.
/// </summary>
public sealed class ReloadTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-ruler-reload-").FullName;
    private readonly string _file;

    public ReloadTests() => _file = Path.Combine(_directory, "rules.yml");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private const string Before = """
        groups:
          - name: hosts
            interval: 1m
            rules:
              - record: host:cpu:max
                expr: max by (instance) (cpu)
              - record: host:cpu:min
                expr: min by (instance) (cpu)
              - alert: HostBusy
                expr: cpu > 0.9
                for: 2m
                labels: {severity: page}
          - name: old
            interval: 1m
            rules:
              - record: fleet:cpu:count
                expr: count(cpu)
        """;

    // host:cpu:min removed, the alert's expression changed (same name and labels: same alert), a group added, one removed.
    private const string After = """
        groups:
          - name: hosts
            interval: 1m
            rules:
              - record: host:cpu:max
                expr: max by (instance) (cpu)
              - alert: HostBusy
                expr: cpu > 0.8
                for: 2m
                labels: {severity: page}
          - name: new
            interval: 30s
            rules:
              - record: fleet:cpu:avg
                expr: avg(cpu)
        """;

    private async Task<(Ruler Ruler, InMemoryStorage Storage)> StartAsync(string rules = Before, Func<InMemoryStorage, ISeriesSource>? source = null, FakeTimeProvider? time = null)
    {
        await File.WriteAllTextAsync(_file, rules);
        var storage = new InMemoryStorage();
        var series = Labels.Of("__name__", "cpu", "instance", "a");
        for (var minute = 0; minute <= 10; minute++)
            storage.Append(series, T0.AddMinutes(minute).ToUnixTimeMilliseconds(), 0.97);
        var ruler = Ruler.Create(new RulerOptions
        {
            RuleFiles = [_file],
            Source = new Uri("http://127.0.0.1:1/"),
            RemoteWrite = new Uri("http://127.0.0.1:1/api/v1/write"),
            FlushTimeout = TimeSpan.Zero,
        }, time: time ?? new FakeTimeProvider(T0), source: source?.Invoke(storage) ?? storage);
        return (ruler, storage);
    }

    [Fact]
    public async Task A_kept_alert_stays_firing_since_the_same_time_and_removed_rules_end_with_staleness_markers()
    {
        var (ruler, _) = await StartAsync();
        await using var _ruler = ruler;
        var hosts = ruler.Groups.Single(g => g.Group.Name == "hosts");
        await ruler.RestoreAsync(hosts, T0, default);
        for (var minute = 0; minute <= 3; minute++)
            await ruler.EvaluateAsync(hosts, T0.AddMinutes(minute), default);
        var firing = hosts.Alerting[2]!.Alerts.Single();
        Assert.Equal(AlertState.Firing, firing.State);
        var old = ruler.Groups.Single(g => g.Group.Name == "old");
        await ruler.EvaluateAsync(old, T0.AddMinutes(3), default);

        await File.WriteAllTextAsync(_file, After);
        Assert.True((await ruler.ReloadAsync("test")).Succeeded);

        Assert.Equal(["hosts", "new"], ruler.Groups.Select(g => g.Group.Name).Order());
        var reloaded = ruler.Groups.Single(g => g.Group.Name == "hosts");
        Assert.NotSame(hosts, reloaded);
        var kept = Assert.Single(reloaded.Alerting[1]!.Alerts);
        Assert.Equal(AlertState.Firing, kept.State);
        Assert.Equal(T0, kept.ActiveAt);

        // The next evaluation: still firing (no new 'for'), and host:cpu:min's series ends.
        var result = await ruler.EvaluateAsync(reloaded, T0.AddMinutes(4), default);
        Assert.Empty(result.Failures);
        Assert.Equal(AlertState.Firing, reloaded.Alerting[1]!.Alerts.Single().State);
        var stale = result.Samples.Where(s => StaleMarker.IsStale(s.F)).Select(s => s.Labels.Name).ToList();
        Assert.Equal(["host:cpu:min"], stale);
        Assert.Contains(result.Samples, s => s.Labels.Name == "ALERTS" && s.Labels.Get("alertstate") == "firing" && !StaleMarker.IsStale(s.F));
        // A second evaluation writes no marker again.
        Assert.DoesNotContain((await ruler.EvaluateAsync(reloaded, T0.AddMinutes(5), default)).Samples, s => StaleMarker.IsStale(s.F));

        // The removed group's last series end at once.
        var ended = old.End(T0.AddMinutes(4));
        Assert.Equal("fleet:cpu:count", Assert.Single(ended).Labels.Name);
        Assert.True(StaleMarker.IsStale(ended[0].F));

        var metrics = await ruler.Metrics.ExportAsync();
        Assert.Contains("headroom_ruler_config_reloads_total{result=\"success\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("headroom_ruler_config_last_reload_successful 1", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("rule_group=\"" + old.Group.Key + "\"", metrics, StringComparison.Ordinal);
        Assert.Contains("headroom_ruler_group_interval_seconds{rule_group=\"" + _file + ";new\"} 30", metrics, StringComparison.Ordinal);
    }

    private const string Unchanged = """
        groups:
          - name: hosts
            interval: 1m
            rules:
              - alert: HostBusy
                expr: cpu > 0.9
                for: 1m
          - name: other
            interval: 1m
            rules:
              - record: fleet:cpu:count
                expr: count(cpu)
        """;

    [Fact]
    public async Task A_pending_alert_of_an_unchanged_group_stays_pending_since_the_same_time_when_another_group_changes()
    {
        var (ruler, _) = await StartAsync(Unchanged);
        await using var _ruler = ruler;
        var hosts = ruler.Groups.Single(g => g.Group.Name == "hosts");
        await ruler.RestoreAsync(hosts, T0, default);
        await ruler.EvaluateAsync(hosts, T0, default);
        Assert.Equal(AlertState.Pending, hosts.Alerting[0]!.Alerts.Single().State);

        await File.WriteAllTextAsync(_file, Unchanged.Replace("count(cpu)", "count(cpu > 0)", StringComparison.Ordinal));
        Assert.True((await ruler.ReloadAsync("test")).Succeeded);

        // The other group evaluates first after the reload: the ruler still counts the unchanged group's pending alert.
        var other = ruler.Groups.Single(g => g.Group.Name == "other");
        Assert.Equal("count(cpu > 0)", other.Group.Rules[0].ExprText);
        await ruler.EvaluateAsync(other, T0.AddSeconds(30), default);
        Assert.Contains("headroom_ruler_alerts{alertstate=\"pending\"} 1", await ruler.Metrics.ExportAsync(), StringComparison.Ordinal);

        var kept = ruler.Groups.Single(g => g.Group.Name == "hosts");
        Assert.Same(hosts, kept);
        var alert = kept.Alerting[0]!.Alerts.Single();
        Assert.Equal((AlertState.Pending, T0), (alert.State, alert.ActiveAt));
        // Its 'for' ran on through the reload: it fires a minute after it became active, not a minute after the reload.
        await ruler.EvaluateAsync(kept, T0.AddMinutes(1), default);
        Assert.Equal((AlertState.Firing, T0), (alert.State, alert.ActiveAt));
    }

    [Fact]
    public async Task An_unchanged_groups_loop_runs_on_through_a_reload_and_its_evaluation_under_way_does_not_hold_the_reload_up()
    {
        var time = new FakeTimeProvider(T0);
        var gate = new HeldSelects("cpu");
        var (ruler, _) = await StartAsync(Unchanged.Replace("count(cpu)", "count(vector(1))", StringComparison.Ordinal), storage => gate.Over(storage), time);
        await using var _ruler = ruler;
        try
        {
            ruler.Start();
            // Time moves until the hosts group's evaluation is under way, held in its query.
            for (var i = 0; i < 400 && !gate.Entered.Task.IsCompleted; i++)
            {
                time.Advance(TimeSpan.FromSeconds(5));
                await Task.Delay(25);
            }
            Assert.True(gate.Entered.Task.IsCompleted, "the hosts group did not start evaluating");

            await File.WriteAllTextAsync(_file, Unchanged.Replace("count(cpu)", "count(vector(2))", StringComparison.Ordinal));
            var reload = ruler.ReloadAsync("test");
            Assert.Same(reload, await Task.WhenAny(reload, Task.Delay(TimeSpan.FromSeconds(10))));
            Assert.True((await reload).Succeeded);
            Assert.Equal("count(vector(2))", ruler.Groups.Single(g => g.Group.Name == "other").Group.Rules[0].ExprText);
        }
        finally
        {
            gate.Release.TrySetResult();
        }
        // Released, the evaluation under way finishes in the loop that ran before the reload: the alert is pending.
        var hosts = ruler.Groups.Single(g => g.Group.Name == "hosts");
        for (var i = 0; i < 200 && hosts.AlertCounts.Pending == 0; i++)
            await Task.Delay(25);
        Assert.Equal(1, hosts.AlertCounts.Pending);
        await ruler.StopAsync();
    }

    /// <summary>The storage, with selections of one metric held until released: an evaluation that is under way.</summary>
    private sealed class HeldSelects(string metric)
    {
        public string Metric { get; } = metric;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ISeriesSource Over(InMemoryStorage storage) => new Source(this, storage);

        private sealed class Source(HeldSelects held, InMemoryStorage storage) : ISeriesSource
        {
            public SourceInfo Info => storage.Info;

            public async IAsyncEnumerable<Series> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SelectHints hints,
                SourceWarnings warnings, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
            {
                if (matchers.Any(m => m.Name == Labels.MetricName && m.Value == held.Metric))
                {
                    held.Entered.TrySetResult();
                    await held.Release.Task.WaitAsync(cancellationToken);
                }
                await foreach (var series in storage.SelectAsync(matchers, minT, maxT, hints, warnings, cancellationToken))
                    yield return series;
            }

            public Task<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SourceWarnings warnings,
                CancellationToken cancellationToken = default) => storage.LabelNamesAsync(matchers, minT, maxT, warnings, cancellationToken);

            public Task<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, SourceWarnings warnings,
                CancellationToken cancellationToken = default) => storage.LabelValuesAsync(name, matchers, minT, maxT, warnings, cancellationToken);
        }
    }

    [Fact]
    public async Task A_bad_file_is_refused_and_the_rules_loaded_before_keep_their_state()
    {
        var (ruler, _) = await StartAsync();
        await using var _ruler = ruler;
        var hosts = ruler.Groups.Single(g => g.Group.Name == "hosts");
        await ruler.RestoreAsync(hosts, T0, default);
        await ruler.EvaluateAsync(hosts, T0, default);
        var groups = ruler.Groups;

        await File.WriteAllTextAsync(_file, After.Replace("avg(cpu)", "avg(cpu", StringComparison.Ordinal));
        var refused = await ruler.ReloadAsync("test");

        Assert.False(refused.Succeeded);
        Assert.Contains(_file, refused.Problems, StringComparison.Ordinal);
        Assert.Same(groups, ruler.Groups);
        Assert.Contains("fleet:cpu:avg", refused.Problems, StringComparison.Ordinal);
        Assert.Equal(AlertState.Pending, hosts.Alerting[2]!.Alerts.Single().State);
        var metrics = await ruler.Metrics.ExportAsync();
        Assert.Contains("headroom_ruler_config_reloads_total{result=\"failure\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("headroom_ruler_config_last_reload_successful 0", metrics, StringComparison.Ordinal);

        // Fixed, it loads, with no problems.
        await File.WriteAllTextAsync(_file, After);
        var loaded = await ruler.ReloadAsync("test");
        Assert.True(loaded.Succeeded);
        Assert.Null(loaded.Problems);
        Assert.Contains("headroom_ruler_config_last_reload_successful 1", await ruler.Metrics.ExportAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Running_groups_are_stopped_and_the_new_ones_run()
    {
        var (ruler, _) = await StartAsync();
        await using var _ruler = ruler;
        ruler.Start();
        await File.WriteAllTextAsync(_file, After);
        Assert.True((await ruler.ReloadAsync("test")).Succeeded);
        Assert.True(ruler.Ready);
        Assert.Equal(2, ruler.GroupCount);
        await ruler.StopAsync();
        // Stopped, a reload changes nothing.
        await File.WriteAllTextAsync(_file, Before);
        var refused = await ruler.ReloadAsync("test");
        Assert.False(refused.Succeeded);
        Assert.Contains("stopping", refused.Problems, StringComparison.Ordinal);
        Assert.Equal(2, ruler.GroupCount);
    }
}
