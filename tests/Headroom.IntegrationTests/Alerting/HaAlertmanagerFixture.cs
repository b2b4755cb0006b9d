using Headroom.Servers;
using Headroom.Testing;

namespace Headroom.IntegrationTests.Alerting;

/// <summary>
/// Both replicas of one Prometheus shard (external labels <c>shard</c>, <c>replica</c>) evaluating rules every second,
/// and a webhook receiver. Each test points the replicas at an Alertmanager pair of its own, because killing a member
/// spends the pair.
/// </summary>
public sealed class HaAlertmanagerFixture : IAsyncLifetime
{
    /// <summary>
    /// Short timings so "exactly once" is measured in seconds: group_interval 2s re-flushes the group (and so retries
    /// a duplicate) every 2 s, while repeat_interval 1h means no legitimate second notification within a test.
    /// </summary>
    public const string GroupInterval = "2s";

    /// <summary><c>--cluster.peer-timeout</c> of the test pairs, in seconds.</summary>
    public const int PeerTimeoutSeconds = 4;

    private readonly List<(PrometheusServer Server, string BaseConfig)> _replicas = [];
    private readonly ScratchDirectory _scratch = new();

    internal WebhookReceiver Receiver { get; } = new();

    /// <summary>
    /// Member n waits n × peer timeout before sending, by when the first member's notification must have arrived by
    /// gossip (every 100 ms). 4 s leaves room for a loaded 2-core machine: with 2 s one run of three failed at load
    /// average 25 (its message was not kept).
    /// </summary>
    public static AlertmanagerOptions MemberOptions(Uri webhook) =>
        AlertmanagerOptions.WebhookPairMember(webhook, TimeSpan.FromSeconds(PeerTimeoutSeconds), GroupInterval);

    public async Task InitializeAsync()
    {
        for (var replica = 0; replica < 2; replica++)
        {
            var server = await PrometheusServer.StartAsync(new PrometheusOptions
            {
                EvaluationInterval = "1s",
                ScrapeInterval = "1s",
                // Alerts sent before discovery has handed the notifier the Alertmanagers (up to 5 s after a reload) are
                // dropped, and the default 1m resend delay would then hold the next send back for a minute. Each sent
                // alert is valid for 4 × the resend delay (the evaluation interval is shorter): with 1 s that was 4 s,
                // less than the reload's gap, so a firing alert could resolve during FireAsync's reload and fire
                // again, and Alertmanager rightly notified it a second time (CI, stop 24). 3 s gives 12 s.
                ExtraArguments = ["--rules.alert.resend-delay=3s"],
                ExternalLabels = new Dictionary<string, string> { ["shard"] = "a", ["replica"] = replica.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            });
            _replicas.Add((server, await File.ReadAllTextAsync(server.ConfigPath)));
        }
    }

    /// <summary>
    /// Makes both replicas evaluate <paramref name="alertNames"/> (each <c>vector(1)</c>, firing at once) and send to
    /// <paramref name="pair"/> with the deploy/ relabelling that drops <c>replica</c>, so the two replicas' copies of an
    /// alert are one alert to Alertmanager.
    /// </summary>
    internal async Task FireAsync(AlertmanagerPair pair, string testName, params string[] alertNames)
    {
        var rules = _scratch.Combine(testName + ".rules.yml");
        await File.WriteAllTextAsync(rules, "groups:\n  - name: ha\n    interval: 1s\n    rules:\n"
            + string.Concat(alertNames.Select(n => $"      - alert: {n}\n        expr: vector(1)\n        labels: {{severity: warning}}\n")));
        var extra = $"rule_files: ['{rules}']\n" + pair.PrometheusAlertingYaml()
            + "  alert_relabel_configs:\n    - action: labeldrop\n      regex: replica\n";
        foreach (var (server, baseConfig) in _replicas)
        {
            await File.WriteAllTextAsync(server.ConfigPath, baseConfig + extra);
            await server.ReloadAsync();
        }
    }

    /// <summary>What each member and replica holds and logged, for a failure message.</summary>
    internal async Task<string> DiagnosticsAsync(IReadOnlyList<AlertmanagerServer> members)
    {
        var text = new System.Text.StringBuilder();
        foreach (var member in members)
        {
            text.Append("alertmanager ").Append(member.BaseUri).Append(" alerts: ")
                .Append(await TestSupport.Http.GetStringAsync(new Uri(member.BaseUri, "api/v2/alerts"))).Append('\n')
                .Append(member.RecentLogs).Append("\n---\n");
        }
        foreach (var (server, _) in _replicas)
            text.Append("prometheus ").Append(server.BaseUri).Append('\n').Append(server.RecentLogs).Append("\n---\n");
        return text.ToString();
    }

    public async Task DisposeAsync()
    {
        foreach (var (server, _) in _replicas)
            await server.DisposeAsync();
        await Receiver.DisposeAsync();
        _scratch.Dispose();
    }
}
