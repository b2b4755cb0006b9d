using Headroom.PromQL;
using Headroom.PromQL.Engine;
using Headroom.Ruler.Alerting;
using Headroom.Ruler.Rules;

namespace Headroom.Ruler.Evaluation;

/// <summary>What one evaluation of a group produced.</summary>
/// <param name="Samples">Every sample to write, staleness markers included, in rule order.</param>
/// <param name="Failures">The rules that failed, with why.</param>
/// <param name="Evaluated">How many rules were evaluated.</param>
internal sealed record GroupResult(IReadOnlyList<Sample> Samples, IReadOnlyList<(LoadedRule Rule, Exception Error)> Failures, int Evaluated);

/// <summary>
/// Evaluates a group's rules in order at one timestamp with Headroom's engine, as Prometheus' rule group does:
/// recording rules name and label their result; alerting rules run their state machine; a series a rule produced last
/// time and not this time gets a staleness marker; each rule's output is visible to the later rules of the group.
/// </summary>
internal sealed class GroupEvaluator
{
    private QueryEngine _engine;
    private EngineOptions _engineOptions;
    private readonly RecentSamplesSource _source;
    private readonly Labels _externalLabels;
    private readonly string _externalUrl;
    private readonly HashSet<Labels>[] _previous;
    private List<Labels> _endedByReload = [];

    public GroupEvaluator(LoadedGroup group, RecentSamplesSource source, EngineOptions engineOptions, Labels externalLabels, string externalUrl)
    {
        Group = group;
        _source = source;
        _engineOptions = engineOptions;
        _engine = new QueryEngine(source, engineOptions);
        _externalLabels = externalLabels;
        _externalUrl = externalUrl;
        _previous = [.. group.Rules.Select(static _ => new HashSet<Labels>())];
        Alerting = [.. group.Rules.Select(static r => r is LoadedAlertingRule a ? new AlertingRuleState(a) : null)];
    }

    public LoadedGroup Group { get; }

    /// <summary>Pending and firing alerts after the last evaluation; read by other groups' loops, so kept apart from the states.</summary>
    public (int Pending, int Firing) AlertCounts { get; private set; }

    /// <summary>The alerting rules' states, by rule position (null for recording rules).</summary>
    public IReadOnlyList<AlertingRuleState?> Alerting { get; }

    /// <summary>Evaluates with <paramref name="engineOptions"/> from the next evaluation on (the source's window edges became known).</summary>
    public void Use(EngineOptions engineOptions)
    {
        if (ReferenceEquals(engineOptions, _engineOptions))
            return;
        _engineOptions = engineOptions;
        _engine = new QueryEngine(_source, engineOptions);
    }

    /// <summary>Evaluates every rule at <paramref name="time"/>; a failed rule is reported, and the others still run.</summary>
    public async Task<GroupResult> EvaluateAsync(DateTimeOffset time, CancellationToken cancellationToken)
    {
        var sampleTime = (time - Group.QueryOffset).ToUnixTimeMilliseconds();
        var written = new List<Sample>();
        var failures = new List<(LoadedRule, Exception)>();
        for (var i = 0; i < Group.Rules.Count; i++)
        {
            var rule = Group.Rules[i];
            List<Sample> output;
            try
            {
                var result = await _engine.InstantAsync(rule.Expr, sampleTime, cancellationToken).ConfigureAwait(false);
                var vector = result.Value switch
                {
                    VectorResult v => v.Samples,
                    ScalarResult s => [new Sample(Labels.Empty, s.T, s.Value)],
                    MatrixResult => throw new RuleEvaluationException($"rule '{rule.Name}' gave a range vector, not an instant vector; a rule's expression must give an instant vector or a scalar (wrap the range in a function such as rate or avg_over_time)"),
                    _ => throw new RuleEvaluationException($"rule '{rule.Name}' gave a string, not an instant vector; a rule's expression must give an instant vector or a scalar"),
                };
                output = rule switch
                {
                    LoadedRecordingRule recording => Record(recording, vector, sampleTime),
                    LoadedAlertingRule => Alerting[i]!.Apply(vector, time, sampleTime, _externalLabels, _externalUrl, Group.Limit),
                    _ => throw new InvalidOperationException(rule.GetType().Name),
                };
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                failures.Add((rule, e));
                continue;
            }
            if (_externalLabels.Count > 0)
                output = [.. output.Select(s => s with { Labels = WithExternalLabels(s.Labels) })];
            var seen = new HashSet<Labels>(output.Select(static s => s.Labels));
            foreach (var gone in _previous[i].Where(l => !seen.Contains(l)))
                output.Add(new Sample(gone, sampleTime, StaleMarker.Value));
            _previous[i] = seen;
            // Later rules of this evaluation read these, as Prometheus' rules read what earlier ones committed.
            _source.Add(output.Where(static s => !StaleMarker.IsStale(s.F)), sampleTime);
            written.AddRange(output);
        }
        // The series of rules a reload removed end at this group's first evaluation after it.
        if (_endedByReload.Count > 0)
        {
            var now = written.Select(static s => s.Labels).ToHashSet();
            foreach (var gone in _endedByReload.Where(l => !now.Contains(l)))
                written.Add(new Sample(gone, sampleTime, StaleMarker.Value));
        }
        _endedByReload = [];
        var alerts = Alerting.OfType<AlertingRuleState>().SelectMany(static a => a.Alerts).ToList();
        AlertCounts = (alerts.Count(static a => a.State == AlertState.Pending), alerts.Count(static a => a.State == AlertState.Firing));
        return new GroupResult(written, failures, Group.Rules.Count);
    }

    /// <summary>
    /// Takes over the state of the same group before a reload, as Prometheus' rule manager does: a rule whose name and
    /// labels match an old rule of the group (the first unused one, in order) keeps the series it wrote last (so
    /// that the ones it stops writing get staleness markers) and, if both are alerting rules, its pending and firing
    /// alerts with their active-since times. The series of old rules nothing matched end at the next evaluation.
    /// Call before the group's first evaluation, with <paramref name="old"/>'s loop stopped.
    /// </summary>
    public void CarryOver(GroupEvaluator old)
    {
        ArgumentNullException.ThrowIfNull(old);
        var unused = new Dictionary<string, Queue<int>>(StringComparer.Ordinal);
        for (var j = 0; j < old.Group.Rules.Count; j++)
        {
            var key = Identity(old.Group.Rules[j]);
            if (!unused.TryGetValue(key, out var queue))
                unused[key] = queue = new Queue<int>();
            queue.Enqueue(j);
        }
        for (var i = 0; i < Group.Rules.Count; i++)
        {
            if (!unused.TryGetValue(Identity(Group.Rules[i]), out var queue) || !queue.TryDequeue(out var j))
                continue;
            _previous[i] = old._previous[j];
            if (Alerting[i] is { } state && old.Alerting[j] is { } before)
                state.CarryOver(before);
        }
        _endedByReload = [.. old._endedByReload, .. unused.Values.SelectMany(static q => q).SelectMany(j => old._previous[j])];
    }

    /// <summary>Staleness markers at <paramref name="time"/> for every series the group wrote last: a reload removed it.</summary>
    public IReadOnlyList<Sample> End(DateTimeOffset time)
    {
        var sampleTime = (time - Group.QueryOffset).ToUnixTimeMilliseconds();
        return [.. _previous.SelectMany(static p => p).Concat(_endedByReload).Select(l => new Sample(l, sampleTime, StaleMarker.Value))];
    }

    /// <summary>What makes two rules the same across a reload: kind, name and labels (Prometheus matches name and labels).</summary>
    private static string Identity(LoadedRule rule) => rule switch
    {
        LoadedRecordingRule r => "record\n" + r.Name + "\n" + r.Labels,
        LoadedAlertingRule a => "alert\n" + a.Name + "\n" + string.Join("\n", a.Labels.Select(static l => l.Key + "=" + l.Value.Text)),
        _ => throw new InvalidOperationException(rule.GetType().Name),
    };

    /// <summary>External labels go on every series written, unless the series has the label already (Prometheus' remote write rule).</summary>
    private Labels WithExternalLabels(Labels labels)
    {
        foreach (var label in _externalLabels)
        {
            if (!labels.Has(label.Name))
                labels = labels.With(label.Name, label.Value);
        }
        return labels;
    }

    private List<Sample> Record(LoadedRecordingRule rule, IReadOnlyList<Sample> vector, long sampleTime)
    {
        var output = new List<Sample>(vector.Count);
        var seen = new HashSet<Labels>();
        foreach (var sample in vector)
        {
            var labels = sample.Labels.With(Labels.MetricName, rule.Name);
            foreach (var label in rule.Labels)
                labels = labels.With(label.Name, label.Value);
            if (!seen.Add(labels))
                throw new RuleEvaluationException($"vector contains metrics with the same labelset after applying rule labels: {labels}");
            output.Add(new Sample(labels, sampleTime, sample.F));
        }
        if (Group.Limit > 0 && output.Count > Group.Limit)
            throw new RuleEvaluationException($"exceeded limit of {Group.Limit} with {output.Count} series");
        return output;
    }
}
