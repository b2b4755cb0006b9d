using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Headroom.Prometheus.Rules;

/// <summary>Writes rule files in Prometheus' YAML format.</summary>
public static class RuleFileWriter
{
    public static string Write(RuleFile file, string? header = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        var document = new Dictionary<string, object>
        {
            ["groups"] = file.Groups.Select(g =>
            {
                var group = new Dictionary<string, object> { ["name"] = g.Name };
                if (g.Interval is not null)
                    group["interval"] = g.Interval;
                if (g.Limit > 0)
                    group["limit"] = g.Limit;
                if (g.QueryOffset is not null)
                    group["query_offset"] = g.QueryOffset;
                group["rules"] = g.Rules.Select(r =>
                {
                    var rule = new Dictionary<string, object>();
                    if (r.Record is not null)
                        rule["record"] = r.Record;
                    if (r.Alert is not null)
                        rule["alert"] = r.Alert;
                    rule["expr"] = r.Expr;
                    if (r.For is not null)
                        rule["for"] = r.For;
                    if (r.KeepFiringFor is not null)
                        rule["keep_firing_for"] = r.KeepFiringFor;
                    if (r.Labels.Count > 0)
                        rule["labels"] = r.Labels;
                    if (r.Annotations.Count > 0)
                        rule["annotations"] = r.Annotations;
                    return rule;
                }).ToList();
                return group;
            }).ToList(),
        };
        var yaml = new SerializerBuilder().WithNamingConvention(NullNamingConvention.Instance).Build().Serialize(document);
        return header is null ? yaml : string.Concat(header.Split('\n').Select(l => "# " + l + "\n")) + yaml;
    }
}
