using Headroom.PromQL;
using Headroom.PromQL.Storage;
using Headroom.Ruler.Alerting;
using Microsoft.Extensions.Time.Testing;

namespace Headroom.Ruler.Tests;

/// <summary>The alerting state machine over in-memory data, one evaluation a minute on a fake clock.</summary>
public sealed class AlertStateTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-ruler-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<Ruler> RulerAsync(string rules, InMemoryStorage storage, FakeTimeProvider time)
    {
        var file = Path.Combine(_directory, "rules.yml");
        await File.WriteAllTextAsync(file, rules);
        return Ruler.Create(new RulerOptions
        {
            RuleFiles = [file],
            Source = new Uri("http://127.0.0.1:1/"),
            RemoteWrite = new Uri("http://127.0.0.1:1/api/v1/write"),
            ExternalLabels = new Dictionary<string, string> { ["cluster"] = "eu-1" },
            FlushTimeout = TimeSpan.Zero,
        }, time: time, source: storage);
    }

    private const string Rules = """
        groups:
          - name: hosts
            interval: 1m
            rules:
              - alert: HostBusy
                expr: cpu > 0.9
                for: 2m
                keep_firing_for: 1m
                labels:
                  severity: '{{ if gt $value 0.95 }}critical{{ else }}warning{{ end }}'
                annotations:
                  summary: '{{ $labels.instance }} at {{ $value | humanizePercentage }} in {{ $externalLabels.cluster }}'
        """;

    [Fact]
    public async Task Pending_then_firing_after_for_then_kept_firing_then_resolved()
    {
        var storage = new InMemoryStorage();
        var series = Labels.Of("__name__", "cpu", "instance", "a");
        for (var minute = 0; minute <= 10; minute++)
            storage.Append(series, T0.AddMinutes(minute).ToUnixTimeMilliseconds(), minute < 5 ? 0.97 : 0.1);
        var time = new FakeTimeProvider(T0);
        await using var ruler = await RulerAsync(Rules, storage, time);
        var group = ruler.Groups[0];
        await ruler.RestoreAsync(group, T0, default);
        var states = new List<string>();
        var written = new List<Sample>();
        for (var minute = 0; minute <= 8; minute++)
        {
            var result = await ruler.EvaluateAsync(group, T0.AddMinutes(minute), default);
            Assert.Empty(result.Failures);
            written.AddRange(result.Samples);
            var alert = group.Alerting[0]!.Alerts.SingleOrDefault();
            states.Add(alert?.State.ToString() ?? "none");
        }
        // 0-1: pending; 2-4: firing (for 2m); 5: the condition stops, kept firing; 6: keep_firing_for (1m) over, resolved.
        Assert.Equal(["Pending", "Pending", "Firing", "Firing", "Firing", "Firing", "Inactive", "Inactive", "Inactive"], states);

        var alerts = written.Where(s => s.Labels.Name == "ALERTS" && !StaleMarker.IsStale(s.F)).ToList();
        Assert.Equal(["pending", "pending", "firing", "firing", "firing", "firing"], alerts.Select(s => s.Labels.Get("alertstate")));
        Assert.All(alerts, s => Assert.Equal(Labels.Of("__name__", "ALERTS", "alertname", "HostBusy", "alertstate", s.Labels.Get("alertstate"),
            "cluster", "eu-1", "instance", "a", "severity", "critical"), s.Labels));
        var forState = written.Where(s => s.Labels.Name == "ALERTS_FOR_STATE" && !StaleMarker.IsStale(s.F)).ToList();
        Assert.Equal(6, forState.Count);
        Assert.All(forState, s => Assert.Equal(T0.ToUnixTimeSeconds(), s.F));
        // Each series that went away got a staleness marker, as Prometheus writes one.
        var stale = written.Where(s => StaleMarker.IsStale(s.F)).Select(s => s.Labels.Get("alertstate") + "@" + (s.T - T0.ToUnixTimeMilliseconds()) / 60_000).ToList();
        Assert.Equal(["pending@2", "firing@6", "@6"], stale);

        var firing = group.Alerting[0]!.Alerts.Single();
        Assert.Equal("a at 97% in eu-1", firing.Annotations.Get("summary"));
        Assert.Equal(T0.AddMinutes(6), firing.ResolvedAt);
    }

    [Fact]
    public async Task Pending_alert_that_goes_away_is_forgotten_without_firing()
    {
        var storage = new InMemoryStorage();
        var series = Labels.Of("__name__", "cpu", "instance", "b");
        storage.Append(series, T0.ToUnixTimeMilliseconds(), 0.99);
        storage.Append(series, T0.AddMinutes(1).ToUnixTimeMilliseconds(), 0.2);
        var time = new FakeTimeProvider(T0);
        await using var ruler = await RulerAsync(Rules, storage, time);
        var group = ruler.Groups[0];
        await ruler.EvaluateAsync(group, T0, default);
        Assert.Equal(AlertState.Pending, group.Alerting[0]!.Alerts.Single().State);
        await ruler.EvaluateAsync(group, T0.AddMinutes(1), default);
        Assert.Empty(group.Alerting[0]!.Alerts);
    }

    [Theory]
    // Stopped after 5 of 20 minutes pending, restarted 10 minutes later: the 5 minutes count, the outage does not.
    [InlineData(20, 5, 10, 10)]
    // Firing when it stopped: the original active time is kept, so it fires again at once.
    [InlineData(20, 25, 10, 0)]
    // 19 of 20 minutes spent: less than the 10-minute grace period left, so it waits the grace period from now.
    [InlineData(20, 19, 10, 10 - 20)]
    public void Restore_follows_prometheus(int forMinutes, int pendingMinutes, int downMinutes, int expectedActiveFromNowMinutes)
    {
        var rule = new Rules.LoadedAlertingRule("A", "x", PromQL.Syntax.Parser.Parse("x"), TimeSpan.FromMinutes(forMinutes), TimeSpan.Zero, [], []);
        var state = new AlertingRuleState(rule);
        var activeAt = T0;
        var downAt = T0.AddMinutes(pendingMinutes);
        var now = downAt.AddMinutes(downMinutes);
        var alert = new Alert(Labels.Of("alertname", "A"), Labels.Empty, 1, now);
        state.Restore(alert, (downAt.ToUnixTimeMilliseconds(), activeAt.ToUnixTimeSeconds()), now, TimeSpan.FromMinutes(10));
        var expected = expectedActiveFromNowMinutes switch
        {
            0 => activeAt,
            _ when pendingMinutes < forMinutes && forMinutes - pendingMinutes >= 10 => activeAt.AddMinutes(downMinutes),
            _ => now.AddMinutes(10 - forMinutes),
        };
        Assert.Equal(expected, alert.ActiveAt);
    }

    [Fact]
    public async Task Notifications_follow_the_resend_delay_and_end_four_intervals_later()
    {
        var storage = new InMemoryStorage();
        var series = Labels.Of("__name__", "cpu", "instance", "a");
        for (var minute = 0; minute <= 5; minute++)
            storage.Append(series, T0.AddMinutes(minute).ToUnixTimeMilliseconds(), 0.97);
        var time = new FakeTimeProvider(T0);
        await using var ruler = await RulerAsync(Rules.Replace("for: 2m", "for: 0s", StringComparison.Ordinal), storage, time);
        var group = ruler.Groups[0];
        await ruler.EvaluateAsync(group, T0, default);
        var alert = group.Alerting[0]!.Alerts.Single();
        Assert.Equal(AlertState.Firing, alert.State);
        Assert.True(alert.NeedsSending(T0, TimeSpan.FromMinutes(1)));
        alert.LastSentAt = T0;
        Assert.False(alert.NeedsSending(T0.AddSeconds(59), TimeSpan.FromMinutes(1)));
        Assert.True(alert.NeedsSending(T0.AddSeconds(61), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Groups_evaluate_at_a_stable_offset_within_their_interval()
    {
        var group = new Rules.LoadedGroup("rules.yml", "hosts", TimeSpan.FromMinutes(1), 0, TimeSpan.Zero, []);
        var offset = Ruler.Offset(group);
        Assert.InRange(offset, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        var first = Ruler.NextSlot(group, T0.AddSeconds(7));
        Assert.InRange(first - T0.AddSeconds(7), TimeSpan.Zero, TimeSpan.FromMinutes(1));
        Assert.Equal(offset, TimeSpan.FromMilliseconds(first.ToUnixTimeMilliseconds() % 60_000));
        Assert.Equal(first, Ruler.NextSlot(group, first));
        Assert.Equal(first.AddMinutes(1), Ruler.NextSlot(group, first.AddMilliseconds(1)));
        Assert.NotEqual(offset, Ruler.Offset(group with { Name = "other" }));
    }
}
