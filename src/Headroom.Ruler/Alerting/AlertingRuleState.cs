using Headroom.PromQL;
using Headroom.Ruler.Rules;
using Headroom.Ruler.Templating;

namespace Headroom.Ruler.Alerting;

/// <summary>
/// An alerting rule's active alerts and the state machine Prometheus runs over them at each evaluation:
/// a new series is pending, fires once it has held for <c>for</c>, keeps firing for <c>keep_firing_for</c> after it
/// disappears, and a resolved alert is kept (inactive) for 15 minutes so that its resolution is sent.
/// </summary>
internal sealed class AlertingRuleState(LoadedAlertingRule rule)
{
    /// <summary>How long a resolved alert is kept to send its resolution, as Prometheus' <c>resolvedRetention</c>.</summary>
    public static readonly TimeSpan ResolvedRetention = TimeSpan.FromMinutes(15);

    public const string AlertsMetric = "ALERTS";
    public const string ForStateMetric = "ALERTS_FOR_STATE";
    public const string AlertNameLabel = "alertname";
    public const string AlertStateLabel = "alertstate";

    private readonly Dictionary<Labels, Alert> _active = [];

    public LoadedAlertingRule Rule { get; } = rule;

    /// <summary>
    /// True once <c>for</c> state was restored (or needed none): only then are <c>ALERTS</c> and
    /// <c>ALERTS_FOR_STATE</c> written, so that a restarted ruler does not overwrite the state it is about to read.
    /// </summary>
    public bool Restored { get; set; }

    /// <summary>Takes over the alerts of the same rule before a reload, and whether their <c>for</c> state was restored.</summary>
    public void CarryOver(AlertingRuleState old)
    {
        ArgumentNullException.ThrowIfNull(old);
        foreach (var (labels, alert) in old._active)
            _active[labels] = alert;
        Restored = old.Restored;
    }

    /// <summary>The alerts, pending, firing and recently resolved.</summary>
    public IEnumerable<Alert> Alerts => _active.Values;

    /// <summary>
    /// Applies one evaluation's result at <paramref name="evaluatedAt"/> and returns the <c>ALERTS</c> and
    /// <c>ALERTS_FOR_STATE</c> samples, stamped <paramref name="sampleTime"/> (the evaluation time less the query offset).
    /// </summary>
    /// <exception cref="RuleEvaluationException">Two series became one alert, a template failed, or the limit was passed.</exception>
    public List<Sample> Apply(IReadOnlyList<Sample> result, DateTimeOffset evaluatedAt, long sampleTime, Labels externalLabels, string externalUrl, int limit)
    {
        var current = new Dictionary<Labels, Alert>();
        foreach (var sample in result)
        {
            var data = new TemplateData(sample.Labels.WithoutName(), sample.F, externalLabels, externalUrl);
            var builder = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var label in sample.Labels)
            {
                if (label.Name != Labels.MetricName)
                    builder[label.Name] = label.Value;
            }
            foreach (var (name, template) in Rule.Labels)
                builder[name] = Expand(template, data, "label", name);
            builder[AlertNameLabel] = Rule.Name;
            var labels = Labels.From(builder.Select(static p => new Label(p.Key, p.Value)));
            var annotations = Labels.From(Rule.Annotations.Select(a => new Label(a.Key, Expand(a.Value, data, "annotation", a.Key))));
            if (!current.TryAdd(labels, new Alert(labels, annotations, sample.F, evaluatedAt)))
                throw new RuleEvaluationException($"vector contains metrics with the same labelset after applying alert labels: {labels}");
        }
        foreach (var (labels, alert) in current)
        {
            if (_active.TryGetValue(labels, out var existing) && existing.State != AlertState.Inactive)
            {
                existing.Value = alert.Value;
                existing.Annotations = alert.Annotations;
                continue;
            }
            _active[labels] = alert;
        }

        var samples = new List<Sample>();
        var activeOrPending = 0;
        foreach (var (labels, alert) in _active.ToList())
        {
            if (!current.ContainsKey(labels))
            {
                var keepFiring = false;
                if (alert.State == AlertState.Firing && Rule.KeepFiringFor > TimeSpan.Zero)
                {
                    alert.KeepFiringSince ??= evaluatedAt;
                    keepFiring = evaluatedAt - alert.KeepFiringSince.Value < Rule.KeepFiringFor;
                }
                if (alert.State == AlertState.Pending || (alert.ResolvedAt is { } resolved && evaluatedAt - resolved > ResolvedRetention))
                    _active.Remove(labels);
                if (alert.State != AlertState.Inactive && !keepFiring)
                {
                    alert.State = AlertState.Inactive;
                    alert.ResolvedAt = evaluatedAt;
                }
                if (!keepFiring)
                    continue;
            }
            else
            {
                alert.KeepFiringSince = null;
            }
            activeOrPending++;
            if (alert.State == AlertState.Pending && evaluatedAt - alert.ActiveAt >= Rule.For)
            {
                alert.State = AlertState.Firing;
                alert.FiredAt = evaluatedAt;
            }
            if (Restored)
            {
                samples.Add(new Sample(labels.With(Labels.MetricName, AlertsMetric).With(AlertStateLabel, alert.State == AlertState.Firing ? "firing" : "pending"), sampleTime, 1));
                samples.Add(new Sample(labels.With(Labels.MetricName, ForStateMetric), sampleTime, alert.ActiveAt.ToUnixTimeSeconds()));
            }
        }
        if (limit > 0 && activeOrPending > limit)
        {
            _active.Clear();
            throw new RuleEvaluationException($"exceeded limit of {limit} with {activeOrPending} alerts");
        }
        return samples;
    }

    /// <summary>
    /// Prometheus' restore of <c>for</c> state after a restart: an alert that was pending (or firing) before keeps the
    /// time it had already spent pending, read from the last <c>ALERTS_FOR_STATE</c> sample (value: its active-since
    /// time in Unix seconds; time: when it was last written, i.e. about when the ruler stopped).
    /// </summary>
    /// <param name="lastState">The last <c>ALERTS_FOR_STATE</c> sample of an alert's labels within the outage tolerance, or null.</param>
    public void Restore(Alert alert, (long Time, double Value)? lastState, DateTimeOffset now, TimeSpan gracePeriod)
    {
        if (lastState is not { } state || double.IsNaN(state.Value) || state.Value <= 0)
            return;
        var downAt = DateTimeOffset.FromUnixTimeMilliseconds(state.Time);
        var restoredActiveAt = DateTimeOffset.FromUnixTimeSeconds((long)state.Value);
        var remaining = Rule.For - (downAt - restoredActiveAt);
        if (remaining <= TimeSpan.Zero)
        {
            // It was firing when the ruler stopped: it fires again at the next evaluation if its condition still holds.
        }
        else if (remaining < gracePeriod)
        {
            // Too little time left: wait the grace period from now instead, so a restart does not fire it at once.
            restoredActiveAt = now + gracePeriod - Rule.For;
        }
        else
        {
            // Shift by the downtime: the time pending before the outage counts, the outage does not.
            restoredActiveAt += now - downAt;
        }
        alert.ActiveAt = restoredActiveAt;
    }

    private string Expand(AlertTemplate template, TemplateData data, string what, string name)
    {
        try
        {
            return template.Expand(data);
        }
        catch (TemplateException e)
        {
            throw new RuleEvaluationException($"expanding {what} '{name}' of alert '{Rule.Name}': {e.Message}", e);
        }
    }
}
