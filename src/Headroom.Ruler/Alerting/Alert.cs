using Headroom.PromQL;

namespace Headroom.Ruler.Alerting;

/// <summary>The state of an alert, as in Prometheus: pending until its <c>for</c> has passed, then firing; inactive once resolved.</summary>
public enum AlertState
{
    Inactive,
    Pending,
    Firing,
}

/// <summary>One alert of an alerting rule: a series of the rule's result, with its labels and annotations expanded.</summary>
internal sealed class Alert(Labels labels, Labels annotations, double value, DateTimeOffset activeAt)
{
    /// <summary>The alert's identity: the series' labels without <c>__name__</c>, the rule's labels and <c>alertname</c>.</summary>
    public Labels Labels { get; } = labels;

    public Labels Annotations { get; set; } = annotations;

    public double Value { get; set; } = value;

    public AlertState State { get; set; } = AlertState.Pending;

    /// <summary>When the condition started to hold (shifted by a restore, as Prometheus does).</summary>
    public DateTimeOffset ActiveAt { get; set; } = activeAt;

    public DateTimeOffset? FiredAt { get; set; }

    public DateTimeOffset? ResolvedAt { get; set; }

    public DateTimeOffset? LastSentAt { get; set; }

    /// <summary>When the condition stopped holding while the alert kept firing for <c>keep_firing_for</c>.</summary>
    public DateTimeOffset? KeepFiringSince { get; set; }

    /// <summary>The <c>endsAt</c> an Alertmanager is told, so that it resolves the alert by itself if the ruler goes quiet.</summary>
    public DateTimeOffset ValidUntil { get; set; }

    /// <summary>Prometheus' rule: never a pending alert; a resolved one once; a firing one every resend delay.</summary>
    public bool NeedsSending(DateTimeOffset now, TimeSpan resendDelay)
    {
        if (State == AlertState.Pending)
            return false;
        if (ResolvedAt is { } resolved && (LastSentAt is null || resolved > LastSentAt))
            return true;
        return LastSentAt is null || LastSentAt.Value + resendDelay < now;
    }

    /// <summary>A copy to hand to the notifier, which sends it later.</summary>
    public Alert Snapshot() => (Alert)MemberwiseClone();
}
