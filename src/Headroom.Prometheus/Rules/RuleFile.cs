namespace Headroom.Prometheus.Rules;

/// <summary>A Prometheus rule file: groups of recording and alerting rules.</summary>
public sealed record RuleFile(IReadOnlyList<RuleGroup> Groups);

/// <summary>A rule group, evaluated every <see cref="Interval"/> (the global interval when null).</summary>
public sealed record RuleGroup(string Name, string? Interval, IReadOnlyList<Rule> Rules)
{
    /// <summary>Line of the group in its file (1-based; 0 when built in code).</summary>
    public int Line { get; init; }

    /// <summary>Line of the group's <c>interval</c>.</summary>
    public int IntervalLine { get; init; }

    /// <summary>
    /// <c>limit</c>: the most series (recording) or alerts (alerting) one rule of the group may produce; beyond it the
    /// rule's evaluation fails. 0 (the default) means no limit.
    /// </summary>
    public int Limit { get; init; }

    /// <summary><c>query_offset</c>: how far in the past the group's rules are evaluated, e.g. <c>1m</c>; null for none.</summary>
    public string? QueryOffset { get; init; }
}

/// <summary>One recording (<see cref="Record"/>) or alerting (<see cref="Alert"/>) rule.</summary>
public sealed record Rule(string? Record, string? Alert, string Expr)
{
    /// <summary>Labels added to or overriding the result's labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Annotations of an alerting rule.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <summary>How long an alert's condition must hold.</summary>
    public string? For { get; init; }

    /// <summary>How long a firing alert keeps firing after its condition stopped holding.</summary>
    public string? KeepFiringFor { get; init; }

    /// <summary>Line of the rule in its file (1-based; 0 when built in code).</summary>
    public int Line { get; init; }

    /// <summary>Line of the rule's <c>expr</c>.</summary>
    public int ExprLine { get; init; }
}

/// <summary>A problem in a rule file, with where it is.</summary>
public sealed record RuleProblem(string File, int Line, string Message)
{
    /// <summary><c>FILE:LINE: message</c>, or <c>FILE: message</c> for a problem with the whole file (line 0).</summary>
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Message}" : $"{File}: {Message}";
}
