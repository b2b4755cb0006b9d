using System.Diagnostics;
using System.Globalization;
using Headroom.Etl;
using Headroom.Etl.Rules;
using Headroom.Fleet;
using Headroom.Prometheus.Client;
using Headroom.Prometheus.RemoteWrite;
using Headroom.Prometheus.Rules;
using Headroom.Ruler;
using Headroom.Servers;
using HeadroomRuler = Headroom.Ruler.Ruler;

namespace Headroom.Demo;

internal static partial class AutoscaleStory
{
    /// <summary>The demo's alerting rule: fires once the fleet has more live targets than it started with.</summary>
    public const string AlertName = "HeadroomDemoFleetGrew";

    /// <summary>
    /// <c>--cluster.peer-timeout</c> of the pair: the second member sends a notification only if it has not heard by
    /// then that the first one sent it. Short, so "exactly once" is seen within seconds; 4 s leaves room on a loaded machine.
    /// </summary>
    private static readonly TimeSpan s_peerTimeout = TimeSpan.FromSeconds(4);

    private static readonly TimeSpan s_ruleInterval = TimeSpan.FromSeconds(2);

    private static async Task<GlobalAlerting> StartAlertingAsync(string root, Uri gateway, int initial, HttpClient http, DemoConsole console, CancellationToken cancellationToken)
    {
        var recording = RuleGenerator.Generate(ProfileLoader.Load("node"), s_ruleInterval);
        var recordingFile = Path.Combine(root, "headroom-node.rules.yml");
        await File.WriteAllTextAsync(recordingFile, RuleFileWriter.Write(recording), cancellationToken).ConfigureAwait(false);
        var alertFile = Path.Combine(root, "headroom-demo-alert.rules.yml");
        await File.WriteAllTextAsync(alertFile, AlertRule(initial), cancellationToken).ConfigureAwait(false);
        var rules = recording.Groups.Sum(static g => g.Rules.Count);

        var alerting = new GlobalAlerting(recording.Groups[0].Rules[0].Record!);
        try
        {
            alerting.Webhook = await AlertWebhook.StartAsync(cancellationToken).ConfigureAwait(false);
            var receiver = PrometheusServer.StartAsync(new PrometheusOptions
            {
                EnableRemoteWriteReceiver = true,
                ScrapeSelf = false,
                DataDirectory = Path.Combine(root, "receiver"),
            }, cancellationToken);
            var pair = AlertmanagerPair.StartAsync(PairOptions(alerting.Webhook.Uri), cancellationToken);
            try
            {
                await Task.WhenAll(receiver, pair).ConfigureAwait(false);
            }
            finally
            {
                alerting.ReceiverServer = receiver.IsCompletedSuccessfully ? receiver.Result : null;
                alerting.Pair = pair.IsCompletedSuccessfully ? pair.Result : null;
            }
            await console.StepAsync(
                $"starting headroom ruler over the gateway: the node profile's {rules} recording rules and the alert {AlertName} (more live targets than the {initial} it started with), every {s_ruleInterval.TotalSeconds:F0} s").ConfigureAwait(false);
            alerting.Ruler = HeadroomRuler.Create(new RulerOptions
            {
                RuleFiles = [recordingFile, alertFile],
                Source = gateway,
                RemoteWrite = new Uri(alerting.Receiver, "api/v1/write"),
                Alertmanagers = [.. alerting.Alertmanagers],
                EvaluationInterval = s_ruleInterval,
                ResendDelay = s_ruleInterval,
                LookbackDelta = TimeSpan.FromSeconds(5),
                RemoteWriteQueue = new RemoteWriteOptions { BatchSendDeadline = TimeSpan.FromMilliseconds(500) },
                FlushTimeout = TimeSpan.FromSeconds(5),
            }, http);
            alerting.Ruler.Start();
            await console.LineAsync($"    recorded series go by remote write to a receiving Prometheus at {alerting.Receiver}").ConfigureAwait(false);
            await console.LineAsync($"    alerts go to both members of an HA Alertmanager pair, clustered by gossip: {string.Join(", ", alerting.Alertmanagers)}; their webhook counts what arrives").ConfigureAwait(false);
            return alerting;
        }
        catch
        {
            await alerting.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static string AlertRule(int initial) => $$$"""
        groups:
          - name: headroom-demo
            interval: {{{s_ruleInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture)}}}s
            rules:
              - alert: {{{AlertName}}}
                expr: count(up{job="{{{FleetTargets.DefaultJob}}}"} == 1) > {{{initial.ToString(CultureInfo.InvariantCulture)}}}
                labels:
                  severity: info
                annotations:
                  summary: 'the fleet has {{ $value }} live targets, more than the {{{initial.ToString(CultureInfo.InvariantCulture)}}} it started with'
        """;

    private static AlertmanagerOptions PairOptions(Uri webhook) => AlertmanagerOptions.WebhookPairMember(webhook, s_peerTimeout);

    /// <summary>The ruler, where its results go (a receiving Prometheus) and where its alerts go (an HA pair and the webhook behind it).</summary>
    private sealed class GlobalAlerting(string recorded) : IAsyncDisposable
    {
        public AlertWebhook? Webhook { get; set; }

        public PrometheusServer? ReceiverServer { get; set; }

        public AlertmanagerPair? Pair { get; set; }

        public HeadroomRuler? Ruler { get; set; }

        public Uri Receiver => ReceiverServer!.BaseUri;

        public IEnumerable<Uri> Alertmanagers => Pair!.Members.Select(static m => m.BaseUri);

        /// <summary>Reads the ruler's global series back from the receiver, then counts the alert's notifications.</summary>
        public async Task ShowAsync(int hosts, int shards, DemoConsole console, CancellationToken cancellationToken)
        {
            await console.StepAsync("reading the ruler's global series back from the receiving Prometheus").ConfigureAwait(false);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var receiver = new PrometheusClient(http, Receiver);
            var covered = 0;
            var waited = Stopwatch.StartNew();
            while ((covered = await CountAsync(receiver, $"count({recorded})", cancellationToken).ConfigureAwait(false)) < hosts)
            {
                if (waited.Elapsed > s_waitLimit)
                    throw new DemoException($"the receiver holds the ruler's {recorded} for {covered} of {hosts} hosts after {s_waitLimit.TotalSeconds:F0} s; see the ruler's remote write");
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
            await console.LineAsync($"    {recorded}: {covered} of {hosts} hosts, evaluated over all {shards} shards through the gateway and written by remote write").ConfigureAwait(false);

            await console.StepAsync($"waiting for {AlertName} at the webhook behind the HA pair").ConfigureAwait(false);
            waited.Restart();
            while (Webhook!.Firing(AlertName) == 0)
            {
                if (waited.Elapsed > s_waitLimit)
                    throw new DemoException($"{AlertName} did not reach the webhook within {s_waitLimit.TotalSeconds:F0} s; see the Alertmanagers at {string.Join(", ", Alertmanagers)}");
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
            }
            // The second member sends one peer timeout after the first unless gossip told it the first did: wait two
            // peer timeouts so a duplicate would have arrived.
            await Task.Delay(2 * s_peerTimeout, cancellationToken).ConfigureAwait(false);
            var notified = Webhook.Firing(AlertName);
            await console.LineAsync(string.Create(CultureInfo.InvariantCulture,
                $"    alert {AlertName} notified {notified} time(s) within {(2 * s_peerTimeout).TotalSeconds:F0} s, though the ruler sent it to both Alertmanagers every {s_ruleInterval.TotalSeconds:F0} s")).ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            if (Ruler is not null)
            {
                await Ruler.StopAsync().ConfigureAwait(false);
                await Ruler.DisposeAsync().ConfigureAwait(false);
            }
            if (Pair is not null)
                await Pair.DisposeAsync().ConfigureAwait(false);
            if (ReceiverServer is not null)
                await ReceiverServer.DisposeAsync().ConfigureAwait(false);
            if (Webhook is not null)
                await Webhook.DisposeAsync().ConfigureAwait(false);
        }

        private static async Task<int> CountAsync(PrometheusClient client, string query, CancellationToken cancellationToken) =>
            (await client.QueryAsync(query, cancellationToken: cancellationToken).ConfigureAwait(false)).Series is [var counted, ..] ? (int)counted.Samples[0].Value : 0;
    }
}
