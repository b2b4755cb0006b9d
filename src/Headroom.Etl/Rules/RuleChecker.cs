using System.Text.RegularExpressions;
using Headroom.Prometheus.Client;
using Headroom.Prometheus.Rules;
using Headroom.PromQL.Syntax;

namespace Headroom.Etl.Rules;

/// <summary>
/// Checks rule files: YAML structure, PromQL syntax (with Headroom's parser), the <c>level:metric:operations</c>
/// naming convention, duplicate record names and colliding labels. Every problem carries its file and line.
/// </summary>
public static partial class RuleChecker
{
    /// <summary>Checks one file's text; an empty list means it is fine.</summary>
    public static IReadOnlyList<RuleProblem> Check(string text, string file)
    {
        var (rules, problems) = RuleFileReader.Read(text, file);
        var list = problems.ToList();
        var groupNames = new Dictionary<string, int>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var group in rules.Groups)
        {
            if (group.Name.Length > 0 && !groupNames.TryAdd(group.Name, group.Line))
                list.Add(new(file, group.Line, $"group name '{group.Name}' is already used on line {groupNames[group.Name]}"));
            if (group.Interval is not null && !Durations.TryParseSetting(group.Interval, out _, out var intervalError))
                list.Add(new(file, group.IntervalLine, $"group '{group.Name}': interval: {intervalError}"));
            foreach (var rule in group.Rules)
                CheckRule(rule, file, list, seen);
        }
        return [.. list.OrderBy(p => p.Line)];
    }

    private static void CheckRule(Rule rule, string file, List<RuleProblem> problems, Dictionary<string, int> seen)
    {
        var name = rule.Record ?? rule.Alert;
        if ((rule.Record is null) == (rule.Alert is null))
        {
            problems.Add(new(file, rule.Line, "a rule needs exactly one of 'record' or 'alert'"));
            return;
        }
        if (string.IsNullOrWhiteSpace(rule.Expr))
            problems.Add(new(file, rule.Line, $"rule '{name}' has no 'expr'"));
        else
        {
            try
            {
                Parser.Parse(rule.Expr);
            }
            catch (ParseException e)
            {
                problems.Add(new(file, rule.ExprLine, $"rule '{name}': {e.Message}"));
            }
        }

        if (rule.Record is { } record)
        {
            if (!MetricName().IsMatch(record))
                problems.Add(new(file, rule.Line, $"'{record}' is not a valid metric name"));
            else if (!Convention().IsMatch(record))
                problems.Add(new(file, rule.Line, $"record '{record}' does not follow the level:metric:operations convention, e.g. instance:node_cpu_utilisation:rate5m"));
            if (rule.For is not null)
                problems.Add(new(file, rule.Line, $"recording rule '{record}' cannot have 'for'"));
            if (rule.Annotations.Count > 0)
                problems.Add(new(file, rule.Line, $"recording rule '{record}' cannot have annotations"));
            // Two rules recording the same name with the same extra labels write the same series.
            var key = record + "{" + string.Join(",", rule.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";
            if (!seen.TryAdd(key, rule.Line))
                problems.Add(new(file, rule.Line, $"record '{record}' with the same labels is already defined on line {seen[key]}: both would write the same series"));
        }
        else if (rule.For is not null && !Durations.TryParseSetting(rule.For, out _, out var forError))
            problems.Add(new(file, rule.Line, $"alert '{rule.Alert}': for: {forError}"));

        foreach (var label in rule.Labels.Keys)
        {
            if (label == "__name__")
                problems.Add(new(file, rule.Line, $"rule '{name}' sets the label __name__, which collides with the metric name; use 'record' to name the series"));
            else if (label.StartsWith("__", StringComparison.Ordinal))
                problems.Add(new(file, rule.Line, $"rule '{name}' sets '{label}': names starting with __ are reserved for Prometheus"));
            else if (!LabelName().IsMatch(label))
                problems.Add(new(file, rule.Line, $"rule '{name}' sets '{label}', which is not a valid label name"));
        }
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*(:[a-zA-Z0-9_]+){2,}$")]
    private static partial Regex Convention();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();
}
