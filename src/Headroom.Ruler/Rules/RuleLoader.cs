using Headroom.Prometheus.Rules;
using Headroom.PromQL;
using Headroom.PromQL.Syntax;
using Headroom.Ruler.Templating;

namespace Headroom.Ruler.Rules;

/// <summary>
/// Reads rule files with <see cref="RuleFileReader"/> and checks what Prometheus checks when it loads them (and a
/// little more): expressions parse, names are valid, durations read, templates parse and call known functions.
/// Every problem of every file is reported at once, each with its file and line.
/// </summary>
internal static class RuleLoader
{
    /// <summary>Loads <paramref name="paths"/>; groups without an interval get <paramref name="defaultInterval"/>.</summary>
    /// <exception cref="RuleLoadException">A file is missing or has problems; the message lists them all.</exception>
    public static IReadOnlyList<LoadedGroup> Load(IReadOnlyList<string> paths, TimeSpan defaultInterval)
    {
        var problems = new List<RuleProblem>();
        var groups = new List<LoadedGroup>();
        foreach (var path in paths)
        {
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add(new(path, 0, $"cannot read the rule file: {e.Message}"));
                continue;
            }
            groups.AddRange(Parse(text, path, defaultInterval, problems));
        }
        if (problems.Count > 0)
            throw new RuleLoadException(string.Join("\n", problems.Select(p => p.ToString())));
        return groups;
    }

    /// <summary>Parses one file's text, adding problems to <paramref name="problems"/>.</summary>
    public static List<LoadedGroup> Parse(string text, string file, TimeSpan defaultInterval, List<RuleProblem> problems)
    {
        var (ruleFile, structural) = RuleFileReader.Read(text, file);
        problems.AddRange(structural);
        var groups = new List<LoadedGroup>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in ruleFile.Groups)
        {
            if (!names.Add(group.Name))
                problems.Add(new(file, group.Line, $"group '{group.Name}' is defined twice in this file; group names must be unique per file"));
            var interval = Duration(group.Interval, defaultInterval, file, group.IntervalLine, "interval", problems);
            if (interval <= TimeSpan.Zero)
                problems.Add(new(file, group.IntervalLine, $"group '{group.Name}': the interval must be positive"));
            var offset = Duration(group.QueryOffset, TimeSpan.Zero, file, group.Line, "query_offset", problems);
            if (group.Limit < 0)
                problems.Add(new(file, group.Line, $"group '{group.Name}': limit must be 0 (no limit) or more"));
            var rules = new List<LoadedRule>();
            foreach (var rule in group.Rules)
            {
                if (Rule(rule, group.Name, file, problems) is { } loaded)
                    rules.Add(loaded);
            }
            if (group.Rules.Count == 0)
                problems.Add(new(file, group.Line, $"group '{group.Name}' has no rules"));
            groups.Add(new LoadedGroup(file, group.Name, interval, group.Limit, offset, rules));
        }
        return groups;
    }

    private static LoadedRule? Rule(Rule rule, string group, string file, List<RuleProblem> problems)
    {
        var where = $"group '{group}', rule '{rule.Record ?? rule.Alert}'";
        var count = problems.Count;
        if (rule.Record is null == (rule.Alert is null))
        {
            problems.Add(new(file, rule.Line, $"group '{group}': a rule has exactly one of 'record' and 'alert'"));
            return null;
        }
        if (rule.Record is { } record && !IsMetricName(record))
            problems.Add(new(file, rule.Line, $"{where}: '{record}' is not a valid metric name (letters, digits, _ and :, not starting with a digit)"));
        if (rule.Alert is { Length: 0 })
            problems.Add(new(file, rule.Line, $"group '{group}': an alerting rule needs a non-empty 'alert' name"));
        Expr? expr = null;
        if (string.IsNullOrWhiteSpace(rule.Expr))
        {
            problems.Add(new(file, rule.Line, $"{where}: 'expr' is missing"));
        }
        else
        {
            try
            {
                expr = Parser.Parse(rule.Expr);
                if (expr.Type is not (ExprType.InstantVector or ExprType.Scalar))
                    problems.Add(new(file, rule.ExprLine, $"{where}: the expression is a {expr.Type.DocumentedName()}; a rule needs an instant vector or a scalar"));
            }
            catch (ParseException e)
            {
                problems.Add(new(file, rule.ExprLine, $"{where}: {e.Message}"));
            }
        }
        foreach (var name in rule.Labels.Keys.Where(n => !IsLabelName(n) || n == Labels.MetricName))
            problems.Add(new(file, rule.Line, $"{where}: '{name}' is not a label name a rule may set"));

        if (rule.Record is not null)
        {
            if (rule.For is not null || rule.KeepFiringFor is not null || rule.Annotations.Count > 0)
                problems.Add(new(file, rule.Line, $"{where}: 'for', 'keep_firing_for' and 'annotations' belong to alerting rules"));
            return problems.Count > count || expr is null ? null
                : new LoadedRecordingRule(rule.Record, rule.Expr, expr, Labels.From(rule.Labels.Select(l => new Label(l.Key, l.Value))));
        }

        var hold = Duration(rule.For, TimeSpan.Zero, file, rule.Line, "for", problems);
        var keep = Duration(rule.KeepFiringFor, TimeSpan.Zero, file, rule.Line, "keep_firing_for", problems);
        var labels = Templates(rule.Labels, where, "label", file, rule.Line, problems);
        var annotations = Templates(rule.Annotations, where, "annotation", file, rule.Line, problems);
        return problems.Count > count || expr is null ? null : new LoadedAlertingRule(rule.Alert!, rule.Expr, expr, hold, keep, labels, annotations);
    }

    /// <summary>Parses an alerting rule's label or annotation templates, adding a problem for each one that does not parse.</summary>
    internal static List<KeyValuePair<string, AlertTemplate>> Templates(IReadOnlyDictionary<string, string> values, string where, string what,
        string file, int line, List<RuleProblem> problems)
    {
        var result = new List<KeyValuePair<string, AlertTemplate>>();
        foreach (var (name, text) in values.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            try
            {
                result.Add(new(name, AlertTemplate.Parse(text)));
            }
            catch (TemplateException e)
            {
                problems.Add(new(file, line, $"{where}: {what} '{name}': {e.Message}"));
            }
        }
        return result;
    }

    private static TimeSpan Duration(string? text, TimeSpan fallback, string file, int line, string field, List<RuleProblem> problems)
    {
        if (text is null)
            return fallback;
        if (Durations.TryParseSetting(text, out var duration, out var error) && duration >= TimeSpan.Zero)
            return duration;
        problems.Add(new(file, line, $"'{field}': {(error.Length > 0 ? error : "must not be negative")}"));
        return fallback;
    }

    private static bool IsMetricName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(static c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');

    private static bool IsLabelName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(static c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
