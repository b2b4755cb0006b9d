using Headroom.Prometheus.Aws;
using Headroom.Prometheus.Client;
using Headroom.Prometheus.RemoteRead;
using Headroom.Prometheus.RemoteWrite;
using Headroom.PromQL;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;
using Headroom.Ruler.Alerting;
using Headroom.Ruler.Evaluation;
using Headroom.Ruler.Rules;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Headroom.Ruler;

/// <summary>
/// The global ruler: evaluates rule groups on their intervals with Headroom's PromQL engine over the gateway's global
/// view, sends what the rules produce by remote write and alerts to every Alertmanager. Each group runs on its own
/// loop, at a stable offset within its interval (so groups spread out and evaluation times are the same after a
/// restart), its rules in order.
/// </summary>
public sealed partial class Ruler : IAsyncDisposable
{
    private readonly RulerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ISeriesSource _remote;
    private readonly RemoteWriteQueue _queue;
    private readonly IReadOnlyList<AlertmanagerClient> _alertmanagers;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Labels _externalLabels;
    private readonly string _externalUrl;
    private readonly CancellationTokenSource _stop = new();
    private readonly RecentSamplesSource _overlay;
    private readonly Lock _leftEdgeLock = new();
    private volatile EngineOptions _engine;
    private volatile bool _leftEdgeKnown;
    private int _leftEdgeUnknownLogged;
    private readonly SemaphoreSlim _reload = new(1, 1);
    private Dictionary<string, (CancellationTokenSource Stop, Task Loop)> _loops = new(StringComparer.Ordinal);
    private volatile IReadOnlyList<GroupEvaluator> _groups;
    private int _stopped;

    private Ruler(RulerOptions options, IReadOnlyList<LoadedGroup> groups, HttpClient http, bool ownsHttp, ISeriesSource source, TimeProvider time, ILogger logger)
    {
        _ownsHttp = ownsHttp;
        _options = options;
        _time = time;
        _logger = logger;
        _http = http;
        _remote = source;
        _externalLabels = Labels.From(options.ExternalLabels.Select(static l => new Label(l.Key, l.Value)));
        // The link in every alert reaches the Alertmanagers and their receivers: never the source's credentials.
        _externalUrl = Credentials.Strip(options.ExternalUrl ?? options.Source).AbsoluteUri.TrimEnd('/');
        _engine = new EngineOptions { LookbackDelta = options.LookbackDelta, Timeout = options.QueryTimeout, LeftEdge = options.LeftEdge };
        _leftEdgeKnown = options.SourceLeftEdge is null;
        // The overlay keeps a lookback's worth of the ruler's own output: enough for instant selectors of later rules.
        _overlay = new RecentSamplesSource(source, options.LookbackDelta);
        _groups = [.. groups.Select(NewEvaluator)];
        var sign = options.SigV4 is { } sigV4
            ? (Action<HttpRequestMessage, byte[]>)((request, body) => SigV4Signer.Sign(request, body, sigV4.Credentials(), sigV4.Region, sigV4.Service, _time.GetUtcNow()))
            : null;
        _queue = new RemoteWriteQueue(new RemoteWriteClient(http, options.RemoteWrite, sign), options.RemoteWriteQueue, Metrics, time,
            message => Log.RemoteWriteFailed(_logger, message));
        _alertmanagers = [.. options.Alertmanagers.Select(a => new AlertmanagerClient(http, a))];
        foreach (var group in Groups)
            Metrics.Group(group.Group.Key, group.Group.Interval);
        Metrics.Loaded(time.GetUtcNow());
    }

    /// <summary>The ruler's metrics.</summary>
    public RulerMetrics Metrics { get; } = new();

    /// <summary>Rule groups loaded.</summary>
    public int GroupCount => Groups.Count;

    /// <summary>Rules loaded, over all groups.</summary>
    public int RuleCount => Groups.Sum(static g => g.Group.Rules.Count);

    /// <summary>True once the group loops run.</summary>
    public bool Ready { get; private set; }

    /// <summary>The groups evaluated now; a reload replaces the list.</summary>
    internal IReadOnlyList<GroupEvaluator> Groups => _groups;

    internal RemoteWriteQueue Queue => _queue;

    /// <summary>Loads the rule files and prepares the clients; <see cref="Start"/> begins evaluating.</summary>
    /// <param name="options">What to evaluate and where.</param>
    /// <param name="http">Carries remote read, remote write and Alertmanager requests (auth and TLS set on it); null for a plain client.</param>
    /// <param name="source">Overrides the remote read source over <see cref="RulerOptions.Source"/> (tests, benchmarks); null to read the source by remote read.</param>
    /// <exception cref="RuleLoadException">A rule file is missing or has problems; the message lists them all.</exception>
    /// <exception cref="ArgumentException">An option cannot work.</exception>
    public static Ruler Create(RulerOptions options, HttpClient? http = null, ILoggerFactory? logging = null, TimeProvider? time = null, ISeriesSource? source = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var groups = RuleLoader.Load(options.RuleFiles, options.EvaluationInterval);
        var ownsHttp = http is null;
        http ??= new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        source ??= new RemoteReadSource(new RemoteReadClient(http, options.Source));
        var logger = (logging ?? NullLoggerFactory.Instance).CreateLogger("headroom.ruler");
        return new Ruler(options, groups, http, ownsHttp, source, time ?? TimeProvider.System, logger);
    }

    /// <summary>Starts one loop per group.</summary>
    public void Start()
    {
        StartLoops();
        Ready = true;
        var (source, remoteWrite) = (Credentials.Strip(_options.Source), Credentials.Strip(_options.RemoteWrite));
        Log.Started(_logger, Groups.Count, RuleCount, source, remoteWrite, _alertmanagers.Count);
    }

    /// <summary>Stops the loops (an evaluation under way is cancelled) and flushes the remote write queue for up to the flush timeout.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
            return;
        Ready = false;
        await _stop.CancelAsync().ConfigureAwait(false);
        // A reload under way finishes first (it holds the loops); one that starts after this sees the ruler stopped.
        await _reload.WaitAsync().ConfigureAwait(false);
        _reload.Release();
        await Task.WhenAll(_loops.Values.Select(static l => l.Loop)).ConfigureAwait(false);
        await _queue.StopAsync(_options.FlushTimeout).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _queue.DisposeAsync().ConfigureAwait(false);
        foreach (var (stop, _) in _loops.Values)
            stop.Dispose();
        _stop.Dispose();
        if (_ownsHttp)
            _http.Dispose();
    }

    /// <summary>
    /// The group's offset within its interval: a hash of its file and name, so that groups spread over the interval
    /// and a restarted ruler evaluates at the same times (Prometheus does the same, with its own hash).
    /// </summary>
    internal static TimeSpan Offset(LoadedGroup group)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in group.Key)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }
        return TimeSpan.FromMilliseconds((long)(hash % (ulong)Math.Max(1, (long)group.Interval.TotalMilliseconds)));
    }

    /// <summary>The first evaluation time of the group at or after <paramref name="now"/>.</summary>
    internal static DateTimeOffset NextSlot(LoadedGroup group, DateTimeOffset now)
    {
        var interval = (long)group.Interval.TotalMilliseconds;
        var offset = (long)Offset(group).TotalMilliseconds;
        var ms = now.ToUnixTimeMilliseconds();
        var slot = ms - offset - ((ms - offset) % interval + interval) % interval + offset;
        return DateTimeOffset.FromUnixTimeMilliseconds(slot < ms ? slot + interval : slot);
    }

    /// <summary>
    /// One group's loop. <paramref name="loopToken"/> (a reload) ends it between evaluations: an evaluation under way
    /// finishes, so its samples and alerts go out and its state is whole for the next group to take over.
    /// <paramref name="cancellationToken"/> (the ruler stopping) also cancels an evaluation under way.
    /// </summary>
    private async Task RunGroupAsync(GroupEvaluator group, CancellationToken loopToken, CancellationToken cancellationToken)
    {
        var next = NextSlot(group.Group, _time.GetUtcNow());
        var evaluations = 0;
        try
        {
            while (!loopToken.IsCancellationRequested)
            {
                var wait = next - _time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, _time, loopToken).ConfigureAwait(false);
                await EvaluateAsync(group, next, cancellationToken).ConfigureAwait(false);
                // Prometheus restores after the second evaluation: by then recording rules the alerts read have run.
                if (++evaluations == 2)
                    await RestoreAsync(group, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                next += group.Group.Interval;
                var now = _time.GetUtcNow();
                if (now - next >= group.Group.Interval)
                {
                    var skipTo = NextSlot(group.Group, now);
                    Log.Missed(_logger, group.Group.Key, (int)((skipTo - next) / group.Group.Interval));
                    next = skipTo;
                }
            }
        }
        catch (OperationCanceledException) when (loopToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One evaluation of a group at <paramref name="at"/>: rules, remote write, metrics, alerts.</summary>
    internal async Task<GroupResult> EvaluateAsync(GroupEvaluator group, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        group.Use(await EngineOptionsAsync(cancellationToken).ConfigureAwait(false));
        var result = await group.EvaluateAsync(at, cancellationToken).ConfigureAwait(false);
        Metrics.Evaluated(group.Group.Key, result.Evaluated, result.Failures.Count, _time.GetElapsedTime(started), at);
        foreach (var (rule, error) in result.Failures)
            Log.RuleFailed(_logger, group.Group.Key, rule.Name, error.Message);
        Write(result.Samples);
        // Each group counts its own alerts in its own loop; summing the counts never touches another loop's alerts.
        Metrics.Alerts(Groups.Sum(static g => g.AlertCounts.Pending), Groups.Sum(static g => g.AlertCounts.Firing));
        await NotifyAsync(group, at, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// The engine options to evaluate with: while the source's window left edge is unknown (it was down when asked, or
    /// named no version), asks it again, so that a source that was down at start is not taken for Prometheus 3 until
    /// a restart; once known, asks no more.
    /// </summary>
    private async Task<EngineOptions> EngineOptionsAsync(CancellationToken cancellationToken)
    {
        if (_leftEdgeKnown || _options.SourceLeftEdge is not { } ask)
            return _engine;
        var edge = await ask(cancellationToken).ConfigureAwait(false);
        if (edge is not { } known)
        {
            if (Interlocked.Exchange(ref _leftEdgeUnknownLogged, 1) == 0)
            {
                var (source, counts) = (Credentials.Strip(_options.Source), _engine.LeftEdge == WindowLeftEdge.Included ? "counts" : "does not count");
                Log.LeftEdgeUnknown(_logger, source, counts);
            }
            return _engine;
        }
        lock (_leftEdgeLock)
        {
            // Several groups may ask at once: the first answer is taken and logged, once.
            if (!_leftEdgeKnown)
            {
                _engine = _engine with { LeftEdge = known };
                _leftEdgeKnown = true;
                var (source, counts) = (Credentials.Strip(_options.Source), known == WindowLeftEdge.Included ? "counts" : "does not count");
                Log.LeftEdgeKnown(_logger, source, counts);
            }
        }
        return _engine;
    }

    /// <summary>Queues samples for remote write, one series per label set.</summary>
    private void Write(IEnumerable<Sample> samples) =>
        _queue.Enqueue(samples.GroupBy(static s => s.Labels).Select(static g => new WriteSeries(g.Key, [.. g.Select(static s => new FloatPoint(s.T, s.F))])));

    private async Task NotifyAsync(GroupEvaluator group, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (_alertmanagers.Count == 0)
            return;
        var delta = group.Group.Interval > _options.ResendDelay ? group.Group.Interval : _options.ResendDelay;
        var alerts = new List<PostableAlert>();
        foreach (var state in group.Alerting.OfType<AlertingRuleState>())
        {
            foreach (var alert in state.Alerts.Where(a => a.NeedsSending(at, _options.ResendDelay)))
            {
                alert.LastSentAt = at;
                // Two missed evaluations or sends later the Alertmanager resolves the alert by itself.
                alert.ValidUntil = at + 4 * delta;
                var labels = alert.Labels;
                foreach (var label in _externalLabels.Where(l => !alert.Labels.Has(l.Name)))
                    labels = labels.With(label.Name, label.Value);
                alerts.Add(new PostableAlert(labels, alert.Annotations, alert.FiredAt ?? alert.ActiveAt, alert.ResolvedAt ?? alert.ValidUntil,
                    AlertmanagerClient.GeneratorUrl(_externalUrl, state.Rule.ExprText)));
            }
        }
        if (alerts.Count == 0)
            return;
        await Task.WhenAll(_alertmanagers.Select(async am =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                await am.SendAsync(alerts, timeout.Token).ConfigureAwait(false);
                Metrics.Notified(am.Name, alerts.Count, failed: false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                Metrics.Notified(am.Name, alerts.Count, failed: true);
                Log.NotifyFailed(_logger, am.Name, alerts.Count, e.Message);
            }
        })).ConfigureAwait(false);
    }

    /// <summary>Restores the <c>for</c> state of the group's alerts from <c>ALERTS_FOR_STATE</c>, then lets them write theirs.</summary>
    internal async Task RestoreAsync(GroupEvaluator group, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var state in group.Alerting.OfType<AlertingRuleState>())
        {
            if (state.Rule.For < _options.ForGracePeriod || state.Restored)
            {
                // Shorter than the grace period: waiting its own 'for' again is shorter than any restore would make it.
                state.Restored = true;
                continue;
            }
            foreach (var alert in state.Alerts.ToList())
            {
                try
                {
                    state.Restore(alert, await LastForStateAsync(alert.Labels, now, cancellationToken).ConfigureAwait(false), now, _options.ForGracePeriod);
                    var labels = alert.Labels.ToString();
                    Log.Restored(_logger, state.Rule.Name, labels, alert.ActiveAt);
                }
                catch (Exception e) when (e is RemoteReadException or HttpRequestException or IOException)
                {
                    Log.RestoreFailed(_logger, state.Rule.Name, e.Message);
                }
            }
            state.Restored = true;
        }
    }

    private async Task<(long Time, double Value)?> LastForStateAsync(Labels alertLabels, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var matchers = new List<PromQL.Syntax.LabelMatcher> { new(PromQL.Syntax.LabelMatchType.Equal, Labels.MetricName, AlertingRuleState.ForStateMetric) };
        matchers.AddRange(alertLabels.Select(static l => new PromQL.Syntax.LabelMatcher(PromQL.Syntax.LabelMatchType.Equal, l.Name, l.Value)));
        (long, double)? last = null;
        var to = now.ToUnixTimeMilliseconds();
        await foreach (var series in _remote.SelectAsync(matchers, to - (long)_options.OutageTolerance.TotalMilliseconds, to, new(), new SourceWarnings(), cancellationToken)
            .ConfigureAwait(false))
        {
            foreach (var point in series.Points)
            {
                if (!StaleMarker.IsStale(point.F) && (last is null || point.T > last.Value.Item1))
                    last = (point.T, point.F);
            }
        }
        return last;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "ruler evaluating {Groups} groups ({Rules} rules) over {Source}, writing to {RemoteWrite}, alerting {Alertmanagers} Alertmanagers")]
        public static partial void Started(ILogger logger, int groups, int rules, Uri source, Uri remoteWrite, int alertmanagers);

        [LoggerMessage(Level = LogLevel.Warning, Message = "group {Group}: rule {Rule} failed: {Error}")]
        public static partial void RuleFailed(ILogger logger, string group, string rule, string error);

        [LoggerMessage(Level = LogLevel.Warning, Message = "group {Group}: {Missed} evaluations missed (an evaluation took longer than the interval)")]
        public static partial void Missed(ILogger logger, string group, int missed);

        [LoggerMessage(Level = LogLevel.Warning, Message = "{Message}")]
        public static partial void RemoteWriteFailed(ILogger logger, string message);

        [LoggerMessage(Level = LogLevel.Warning, Message = "sending {Alerts} alerts to {Alertmanager} failed: {Error}")]
        public static partial void NotifyFailed(ILogger logger, string alertmanager, int alerts, string error);

        [LoggerMessage(Level = LogLevel.Information, Message = "alert {Alert} {Labels}: active since {ActiveAt:o} after restoring its 'for' state")]
        public static partial void Restored(ILogger logger, string alert, string labels, DateTimeOffset activeAt);

        [LoggerMessage(Level = LogLevel.Warning, Message = "cannot read the version of {Source} (is it up?): until it can, a sample exactly on a window's left edge {Counts}, and the ruler asks again at each evaluation")]
        public static partial void LeftEdgeUnknown(ILogger logger, Uri source, string counts);

        [LoggerMessage(Level = LogLevel.Information, Message = "read the version of {Source}: from now on a sample exactly on a window's left edge {Counts}, as in the source's PromQL")]
        public static partial void LeftEdgeKnown(ILogger logger, Uri source, string counts);

        [LoggerMessage(Level = LogLevel.Warning, Message = "cannot restore the 'for' state of alert {Alert}: {Error}")]
        public static partial void RestoreFailed(ILogger logger, string alert, string error);
    }
}
