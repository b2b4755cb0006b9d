using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Headroom.Prometheus.Rules;

/// <summary>
/// Reads rule files with the line of every group, rule and expression, so that problems point at the
/// place to fix. Structural problems (wrong types, unknown keys, missing fields) are collected, not thrown.
/// </summary>
public static class RuleFileReader
{
    private static readonly HashSet<string> GroupKeys = ["name", "interval", "rules", "limit", "query_offset"];
    private static readonly HashSet<string> RuleKeys = ["record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"];

    /// <summary>Parses <paramref name="text"/>; <paramref name="file"/> names it in problems.</summary>
    public static (RuleFile File, IReadOnlyList<RuleProblem> Problems) Read(string text, string file)
    {
        var problems = new List<RuleProblem>();
        var groups = new List<RuleGroup>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            problems.Add(new(file, (int)e.Start.Line, $"not valid YAML: {e.InnerException?.Message ?? e.Message}"));
            return (new RuleFile(groups), problems);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            problems.Add(new(file, 1, "a rule file is a mapping with a 'groups' list"));
            return (new RuleFile(groups), problems);
        }
        foreach (var key in root.Children.Keys.OfType<YamlScalarNode>().Where(k => k.Value != "groups"))
            problems.Add(new(file, Line(key), $"unknown key '{key.Value}' at the top level; only 'groups' is allowed"));
        if (!root.Children.TryGetValue("groups", out var groupsNode) || groupsNode is not YamlSequenceNode groupList)
        {
            problems.Add(new(file, Line(root), "missing 'groups' list"));
            return (new RuleFile(groups), problems);
        }

        foreach (var g in groupList.Children)
        {
            if (g is not YamlMappingNode group)
            {
                problems.Add(new(file, Line(g), "each group is a mapping with 'name' and 'rules'"));
                continue;
            }
            Unknown(group, GroupKeys, "group", file, problems);
            var name = Scalar(group, "name", file, problems);
            if (string.IsNullOrWhiteSpace(name))
                problems.Add(new(file, Line(group), "group without a 'name'"));
            var rules = new List<Rule>();
            if (!group.Children.TryGetValue("rules", out var rulesNode) || rulesNode is not YamlSequenceNode ruleList)
                problems.Add(new(file, Line(group), $"group '{name}' has no 'rules' list"));
            else
            {
                foreach (var r in ruleList.Children)
                {
                    if (r is not YamlMappingNode rule)
                    {
                        problems.Add(new(file, Line(r), "each rule is a mapping with 'record' or 'alert', and 'expr'"));
                        continue;
                    }
                    Unknown(rule, RuleKeys, "rule", file, problems);
                    rules.Add(new Rule(Scalar(rule, "record", file, problems), Scalar(rule, "alert", file, problems), Scalar(rule, "expr", file, problems) ?? "")
                    {
                        Labels = Map(rule, "labels", file, problems),
                        Annotations = Map(rule, "annotations", file, problems),
                        For = Scalar(rule, "for", file, problems),
                        KeepFiringFor = Scalar(rule, "keep_firing_for", file, problems),
                        Line = Line(rule),
                        ExprLine = rule.Children.TryGetValue("expr", out var e) ? Line(e) : Line(rule),
                    });
                }
            }
            groups.Add(new RuleGroup(name ?? "", Scalar(group, "interval", file, problems), rules)
            {
                Line = Line(group),
                IntervalLine = group.Children.TryGetValue("interval", out var interval) ? Line(interval) : Line(group),
                Limit = GroupLimit(group, file, problems),
                QueryOffset = Scalar(group, "query_offset", file, problems),
            });
        }
        return (new RuleFile(groups), problems);
    }

    private static void Unknown(YamlMappingNode node, HashSet<string> allowed, string what, string file, List<RuleProblem> problems)
    {
        foreach (var key in node.Children.Keys.OfType<YamlScalarNode>().Where(k => !allowed.Contains(k.Value ?? "")))
            problems.Add(new(file, Line(key), $"unknown key '{key.Value}' in a {what}; allowed: {string.Join(", ", allowed)}"));
    }

    private static int GroupLimit(YamlMappingNode group, string file, List<RuleProblem> problems)
    {
        if (!group.Children.TryGetValue("limit", out var node))
            return 0;
        if (node is YamlScalarNode { Value: { } text } && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit))
            return limit;
        problems.Add(new(file, Line(node), "'limit' must be a whole number of series or alerts, at least 0 (0: no limit)"));
        return 0;
    }

    /// <summary>The text under <paramref name="key"/>; a list or mapping there is a problem, not an absent key.</summary>
    private static string? Scalar(YamlMappingNode node, string key, string file, List<RuleProblem> problems)
    {
        if (!node.Children.TryGetValue(key, out var value))
            return null;
        if (value is YamlScalarNode scalar)
            return scalar.Value;
        problems.Add(new(file, Line(value), $"'{key}' must be a single value (e.g. {key}: {Example(key)}), not a {(value is YamlSequenceNode ? "list" : "mapping")}"));
        return null;
    }

    private static string Example(string key) => key switch
    {
        "interval" or "query_offset" or "for" or "keep_firing_for" => "1m",
        "expr" => "sum by (job) (up)",
        "record" => "job:up:sum",
        "alert" => "InstanceDown",
        _ => "web",
    };

    private static Dictionary<string, string> Map(YamlMappingNode node, string key, string file, List<RuleProblem> problems)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!node.Children.TryGetValue(key, out var value))
            return result;
        if (value is not YamlMappingNode map)
        {
            problems.Add(new(file, Line(value), $"'{key}' must be a mapping of names to values"));
            return result;
        }
        foreach (var (k, v) in map.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (!result.TryAdd(name, (v as YamlScalarNode)?.Value ?? ""))
                problems.Add(new(file, Line(k), $"'{key}' names '{name}' twice"));
        }
        return result;
    }

    private static int Line(YamlNode node) => (int)node.Start.Line;
}
