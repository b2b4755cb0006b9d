using Headroom.Prometheus.Rules;

namespace Headroom.Ruler.Rules;

/// <summary>
/// The label and annotation templates of a rule file's alerting rules, checked as the ruler parses them when it loads
/// the file: an action left open, an unknown function, a function given the wrong number of arguments. For
/// <c>headroom rules check</c>, so that a file it passes is one the ruler loads.
/// </summary>
public static class RuleTemplates
{
    /// <summary>Every template problem of <paramref name="rules"/>, read from <paramref name="file"/>; empty when all parse.</summary>
    public static IReadOnlyList<RuleProblem> Check(RuleFile rules, string file)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var problems = new List<RuleProblem>();
        foreach (var group in rules.Groups)
        {
            foreach (var rule in group.Rules.Where(static r => r.Alert is not null))
            {
                var where = $"group '{group.Name}', rule '{rule.Alert}'";
                RuleLoader.Templates(rule.Labels, where, "label", file, rule.Line, problems);
                RuleLoader.Templates(rule.Annotations, where, "annotation", file, rule.Line, problems);
            }
        }
        return problems;
    }
}
