using Headroom.Prometheus.Aws;
using Headroom.Prometheus.RemoteWrite;
using Headroom.PromQL.Engine;

namespace Headroom.Ruler;

/// <summary>What the ruler evaluates, where it reads and writes, and how. Defaults follow Prometheus' flags.</summary>
public sealed record RulerOptions
{
    /// <summary>Prometheus rule files (recording and alerting rules).</summary>
    public required IReadOnlyList<string> RuleFiles { get; init; }

    /// <summary>The gateway (or any server with remote read) whose global view the rules are evaluated over.</summary>
    public required Uri Source { get; init; }

    /// <summary>The remote write receiver, e.g. <c>http://shard:9090/api/v1/write</c> or an AMP workspace's <c>…/api/v1/remote_write</c>.</summary>
    public required Uri RemoteWrite { get; init; }

    /// <summary>Alertmanagers to send alerts to; every one gets every alert, as Prometheus does. Default none.</summary>
    public IReadOnlyList<Uri> Alertmanagers { get; init; } = [];

    /// <summary>The interval of groups that name none. Default 1m (Prometheus' <c>evaluation_interval</c>).</summary>
    public TimeSpan EvaluationInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a still-firing alert is sent again. Default 1m (<c>--rules.alert.resend-delay</c>).</summary>
    public TimeSpan ResendDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How old the last <c>ALERTS_FOR_STATE</c> may be to restore from it. Default 1h (<c>--rules.alert.for-outage-tolerance</c>).</summary>
    public TimeSpan OutageTolerance { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The least time a restored alert waits before firing, and the shortest <c>for</c> that is restored. Default 10m (<c>--rules.alert.for-grace-period</c>).</summary>
    public TimeSpan ForGracePeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Labels added to every written series and sent alert that lacks them (Prometheus' <c>external_labels</c>). Default none.</summary>
    public IReadOnlyDictionary<string, string> ExternalLabels { get; init; } = new Dictionary<string, string>();

    /// <summary>The URL alerts link back to (<c>generatorURL</c>, <c>$externalURL</c>). Default: the source.</summary>
    public Uri? ExternalUrl { get; init; }

    /// <summary>How far back an instant selector looks. Default 5m.</summary>
    public TimeSpan LookbackDelta { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Whether a sample exactly on a window's left edge counts: as the source's Prometheus counts it (the command
    /// reads the source's version), so a rule agrees with the same query sent to the source. Default: it does not,
    /// as in Prometheus 3.
    /// </summary>
    public WindowLeftEdge LeftEdge { get; init; } = WindowLeftEdge.Excluded;

    /// <summary>
    /// Asks the source which window left edge its PromQL has (from its version), null when it cannot tell (it is down,
    /// or names no version). While the answer is null the rules run with <see cref="LeftEdge"/> and the ruler asks
    /// again at each evaluation; once it is known the ruler uses it and asks no more. Default null: <see cref="LeftEdge"/> holds.
    /// </summary>
    public Func<CancellationToken, Task<WindowLeftEdge?>>? SourceLeftEdge { get; init; }

    /// <summary>The longest one rule's query may take. Default 2m.</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Batching, retries and the queue's bound.</summary>
    public RemoteWriteOptions RemoteWriteQueue { get; init; } = new();

    /// <summary>How long stopping waits for the queue to drain; what is left is dropped and counted. Default 1m.</summary>
    public TimeSpan FlushTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Sign remote write requests with SigV4 (Amazon Managed Prometheus, service <c>aps</c>); null for none.</summary>
    public SigV4Settings? SigV4 { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting that cannot work.</summary>
    public void Validate()
    {
        if (RuleFiles is null || RuleFiles.Count == 0)
            throw new ArgumentException("give at least one rule file", nameof(RuleFiles));
        foreach (var (name, value) in new[]
        {
            (nameof(EvaluationInterval), EvaluationInterval), (nameof(ResendDelay), ResendDelay), (nameof(OutageTolerance), OutageTolerance),
            (nameof(LookbackDelta), LookbackDelta), (nameof(QueryTimeout), QueryTimeout),
        })
        {
            if (value <= TimeSpan.Zero)
                throw new ArgumentException($"{name} must be positive", name);
        }
        if (ForGracePeriod < TimeSpan.Zero || FlushTimeout < TimeSpan.Zero)
            throw new ArgumentException($"{nameof(ForGracePeriod)} and {nameof(FlushTimeout)} must not be negative");
        RemoteWriteQueue.Validate();
    }
}

/// <summary>SigV4 signing of remote write: the region of the workspace, the service (<c>aps</c>) and where credentials come from.</summary>
/// <param name="Region">The AWS region, e.g. <c>eu-west-1</c>.</param>
/// <param name="Credentials">Gives the credentials for each request (so that rotated temporary credentials are picked up).</param>
/// <param name="Service">The signing name; <c>aps</c> for Amazon Managed Prometheus.</param>
public sealed record SigV4Settings(string Region, Func<AwsCredentials> Credentials, string Service = "aps");
