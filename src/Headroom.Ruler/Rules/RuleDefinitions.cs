using Headroom.PromQL;
using Headroom.PromQL.Syntax;
using Headroom.Ruler.Templating;

namespace Headroom.Ruler.Rules;

/// <summary>A loaded rule group: its rules checked and parsed, its settings resolved.</summary>
/// <param name="File">The rule file it came from (as given).</param>
/// <param name="Name">The group's name, unique within its file.</param>
/// <param name="Interval">How often it is evaluated.</param>
/// <param name="Limit">The most series or alerts one rule may produce; 0 for no limit.</param>
/// <param name="QueryOffset">How far in the past its rules are evaluated.</param>
/// <param name="Rules">Its rules, in file order.</param>
internal sealed record LoadedGroup(string File, string Name, TimeSpan Interval, int Limit, TimeSpan QueryOffset, IReadOnlyList<LoadedRule> Rules)
{
    /// <summary>The value of the <c>rule_group</c> label of the ruler's metrics: <c>file;name</c>, as Prometheus labels its own.</summary>
    public string Key => File + ";" + Name;

    /// <summary>
    /// True when <paramref name="other"/> is this group as written: the same file, name, settings and rules in the same
    /// order, each with the same expression text, labels, annotations and durations. A reload leaves such a group running.
    /// </summary>
    public bool SameAs(LoadedGroup other) =>
        other is not null && File == other.File && Name == other.Name && Interval == other.Interval && Limit == other.Limit
        && QueryOffset == other.QueryOffset && Rules.Count == other.Rules.Count && Rules.Zip(other.Rules).All(static p => SameRule(p.First, p.Second));

    private static bool SameRule(LoadedRule a, LoadedRule b) => (a, b) switch
    {
        (LoadedRecordingRule r, LoadedRecordingRule s) => r.Name == s.Name && r.ExprText == s.ExprText && r.Labels.Equals(s.Labels),
        (LoadedAlertingRule r, LoadedAlertingRule s) => r.Name == s.Name && r.ExprText == s.ExprText && r.For == s.For && r.KeepFiringFor == s.KeepFiringFor
            && SameTemplates(r.Labels, s.Labels) && SameTemplates(r.Annotations, s.Annotations),
        _ => false,
    };

    private static bool SameTemplates(IReadOnlyList<KeyValuePair<string, AlertTemplate>> a, IReadOnlyList<KeyValuePair<string, AlertTemplate>> b) =>
        a.Count == b.Count && a.Zip(b).All(static p => p.First.Key == p.Second.Key && p.First.Value.Text == p.Second.Value.Text);
}

/// <summary>A rule: its name, expression and the labels it adds.</summary>
internal abstract record LoadedRule(string Name, string ExprText, Expr Expr);

/// <summary>A recording rule: the expression's result written as series named <see cref="LoadedRule.Name"/>.</summary>
internal sealed record LoadedRecordingRule(string Name, string ExprText, Expr Expr, Labels Labels) : LoadedRule(Name, ExprText, Expr);

/// <summary>An alerting rule: every series of the result is an alert, pending for <see cref="For"/> before it fires.</summary>
internal sealed record LoadedAlertingRule(
    string Name, string ExprText, Expr Expr, TimeSpan For, TimeSpan KeepFiringFor,
    IReadOnlyList<KeyValuePair<string, AlertTemplate>> Labels,
    IReadOnlyList<KeyValuePair<string, AlertTemplate>> Annotations) : LoadedRule(Name, ExprText, Expr);
