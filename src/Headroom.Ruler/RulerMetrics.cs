using Headroom.Prometheus.RemoteWrite;
using Prometheus;

namespace Headroom.Ruler;

/// <summary>
/// The ruler's own metrics, served at <c>/metrics</c>. The names are a contract: the meta-monitoring alerts
/// (deploy/rules/meta) watch evaluation failures, missed evaluations and the remote write backlog and drops.
/// Each ruler has its own registry, so several can run in one process (tests).
/// </summary>
public sealed class RulerMetrics : IRemoteWriteObserver
{
    private readonly Counter _evaluations;
    private readonly Counter _failures;
    private readonly Gauge _lastDuration;
    private readonly Gauge _lastEvaluation;
    private readonly Gauge _interval;
    private readonly Counter _samples;
    private readonly Gauge _pending;
    private readonly Counter _dropped;
    private readonly Counter _failedRequests;
    private readonly Gauge _highestSent;
    private readonly Gauge _alerts;
    private readonly Counter _notifications;
    private readonly Counter _notificationErrors;
    private readonly Gauge _reloadSuccessful;
    private readonly Gauge _reloadSuccessTime;
    private readonly Counter _reloads;

    /// <summary>Creates the metrics in a registry of their own.</summary>
    public RulerMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        var group = new CounterConfiguration { LabelNames = ["rule_group"] };
        var groupGauge = new GaugeConfiguration { LabelNames = ["rule_group"] };
        _evaluations = factory.CreateCounter("headroom_ruler_rule_evaluations_total", "Rules evaluated, by group (file;name).", group);
        _failures = factory.CreateCounter("headroom_ruler_rule_evaluation_failures_total", "Rule evaluations that failed, by group (file;name).", group);
        _lastDuration = factory.CreateGauge("headroom_ruler_group_last_duration_seconds", "How long the group's last evaluation took.", groupGauge);
        _lastEvaluation = factory.CreateGauge("headroom_ruler_group_last_evaluation_timestamp_seconds", "When the group was last evaluated (its evaluation time, Unix seconds).", groupGauge);
        _interval = factory.CreateGauge("headroom_ruler_group_interval_seconds", "The group's evaluation interval.", groupGauge);
        _samples = factory.CreateCounter("headroom_ruler_remote_write_samples_total", "Samples the remote write receiver took.");
        _pending = factory.CreateGauge("headroom_ruler_remote_write_pending_samples", "Samples waiting to be sent, queued or in flight.");
        _dropped = factory.CreateCounter("headroom_ruler_remote_write_dropped_samples_total",
            "Samples that will never be sent, by reason: queue_full, rejected (a 4xx other than 429), shutdown.", new CounterConfiguration { LabelNames = ["reason"] });
        _failedRequests = factory.CreateCounter("headroom_ruler_remote_write_failed_requests_total", "Remote write requests that failed and were sent again.");
        _highestSent = factory.CreateGauge("headroom_ruler_remote_write_highest_sent_timestamp_seconds", "The newest sample timestamp the receiver took.");
        _alerts = factory.CreateGauge("headroom_ruler_alerts", "Alerts by state.", new GaugeConfiguration { LabelNames = ["alertstate"] });
        _notifications = factory.CreateCounter("headroom_ruler_notifications_sent_total", "Alerts sent, by Alertmanager.", new CounterConfiguration { LabelNames = ["alertmanager"] });
        _notificationErrors = factory.CreateCounter("headroom_ruler_notifications_errors_total", "Alerts that could not be sent, by Alertmanager.",
            new CounterConfiguration { LabelNames = ["alertmanager"] });
        _reloadSuccessful = factory.CreateGauge("headroom_ruler_config_last_reload_successful",
            "1 when the last reload of the rule files succeeded (or none was asked), 0 when it was refused and the rules loaded before run on.");
        _reloadSuccessTime = factory.CreateGauge("headroom_ruler_config_last_reload_success_timestamp_seconds", "When the rule files were last loaded (Unix seconds).");
        _reloads = factory.CreateCounter("headroom_ruler_config_reloads_total", "Reloads of the rule files asked for, by result: success, failure.",
            new CounterConfiguration { LabelNames = ["result"] });
        foreach (var result in new[] { "success", "failure" })
            _reloads.WithLabels(result).IncTo(0);
        foreach (var reason in new[] { DropReasons.QueueFull, DropReasons.Rejected, DropReasons.Shutdown })
            _dropped.WithLabels(reason).IncTo(0);
        foreach (var state in new[] { "pending", "firing" })
            _alerts.WithLabels(state).Set(0);
    }

    /// <summary>The registry the metrics live in.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>The metrics in the text exposition format.</summary>
    public async Task<string> ExportAsync(CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(buffer, cancellationToken).ConfigureAwait(false);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    internal void Group(string group, TimeSpan interval)
    {
        _interval.WithLabels(group).Set(interval.TotalSeconds);
        _evaluations.WithLabels(group).IncTo(0);
        _failures.WithLabels(group).IncTo(0);
    }

    /// <summary>A group a reload removed: its series leave the metrics.</summary>
    internal void RemoveGroup(string group)
    {
        _interval.RemoveLabelled(group);
        _evaluations.RemoveLabelled(group);
        _failures.RemoveLabelled(group);
        _lastDuration.RemoveLabelled(group);
        _lastEvaluation.RemoveLabelled(group);
    }

    /// <summary>The rule files were loaded at start.</summary>
    internal void Loaded(DateTimeOffset at)
    {
        _reloadSuccessful.Set(1);
        _reloadSuccessTime.Set(at.ToUnixTimeMilliseconds() / 1000.0);
    }

    internal void Reloaded(bool succeeded, DateTimeOffset at)
    {
        _reloads.WithLabels(succeeded ? "success" : "failure").Inc();
        _reloadSuccessful.Set(succeeded ? 1 : 0);
        if (succeeded)
            _reloadSuccessTime.Set(at.ToUnixTimeMilliseconds() / 1000.0);
    }

    internal void Evaluated(string group, int rules, int failures, TimeSpan took, DateTimeOffset at)
    {
        _evaluations.WithLabels(group).Inc(rules);
        if (failures > 0)
            _failures.WithLabels(group).Inc(failures);
        _lastDuration.WithLabels(group).Set(took.TotalSeconds);
        _lastEvaluation.WithLabels(group).Set(at.ToUnixTimeMilliseconds() / 1000.0);
    }

    internal void Alerts(int pending, int firing)
    {
        _alerts.WithLabels("pending").Set(pending);
        _alerts.WithLabels("firing").Set(firing);
    }

    internal void Notified(string alertmanager, int alerts, bool failed)
    {
        if (failed)
            _notificationErrors.WithLabels(alertmanager).Inc(alerts);
        else
            _notifications.WithLabels(alertmanager).Inc(alerts);
    }

    void IRemoteWriteObserver.Sent(int samples, long highestTimestamp)
    {
        _samples.Inc(samples);
        _highestSent.IncTo(highestTimestamp / 1000.0);
    }

    void IRemoteWriteObserver.Dropped(string reason, int samples) => _dropped.WithLabels(reason).Inc(samples);

    void IRemoteWriteObserver.FailedRequest() => _failedRequests.Inc();

    void IRemoteWriteObserver.Pending(int samples) => _pending.Set(samples);
}
