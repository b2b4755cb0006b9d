using System.Text;

namespace Headroom.CloudWatch.Collection;

/// <summary>YACE's naming: <c>aws_{namespace}_{metric}_{statistic}</c>, labels <c>dimension_*</c>, <c>tag_*</c>, <c>custom_tag_*</c>.</summary>
public static class PromNames
{
    /// <summary>
    /// <c>AWS/EC2</c>, <c>CPUUtilization</c>, <c>Average</c> → <c>aws_ec2_cpuutilization_average</c>. A metric name that
    /// repeats a word of its namespace at its start loses it, as in YACE (<c>Glue</c>, <c>glue.driver.ExecutorCount</c> →
    /// <c>aws_glue_driver_executor_count</c>). An empty statistic (enhanced metrics) adds no suffix.
    /// </summary>
    public static string Metric(string ns, string metric, string statistic)
    {
        var prefix = Prefix(ns);
        var name = Snake(metric);
        var skip = 0;
        foreach (var part in prefix.Split('_'))
        {
            if (part.Length > 0 && name.AsSpan(skip).StartsWith(part, StringComparison.Ordinal))
                skip = part.Length;
        }
        name = name[skip..];
        if (name.StartsWith('_'))
            name = name[1..];
        return statistic.Length == 0 ? $"{prefix}_{name}" : $"{prefix}_{name}_{Snake(statistic)}";
    }

    /// <summary><c>AWS/EC2</c> → <c>aws_ec2_info</c>.</summary>
    public static string Info(string ns) => $"{Prefix(ns)}_info";

    /// <summary>
    /// The namespace part, lower-cased and snake-cased without word splitting, a leading <c>/</c> dropped and <c>aws_</c>
    /// put in front unless it starts with <c>aws</c> already: <c>AWS/ApplicationELB</c> → <c>aws_applicationelb</c>,
    /// <c>CWAgent</c> → <c>aws_cwagent</c>, <c>/aws/sagemaker/Endpoints</c> → <c>aws_sagemaker_endpoints</c>,
    /// <c>AWS/Network Manager</c> → <c>aws_network_manager</c>.
    /// </summary>
    public static string Prefix(string ns)
    {
        var name = Snake(ns.TrimStart('/').ToLowerInvariant());
        return name.StartsWith("aws", StringComparison.Ordinal) ? name : "aws_" + name;
    }

    /// <summary>
    /// CamelCase to snake_case the way YACE's names read: an underscore only where a lower-case letter or digit is
    /// followed by an upper-case one, so <c>NetworkIn</c> → <c>network_in</c> but <c>CPUUtilization</c> → <c>cpuutilization</c>;
    /// <c>%</c> reads <c>_percent</c> (<c>EBSByteBalance%</c> → <c>ebsbyte_balance_percent</c>) and other characters outside
    /// <c>[a-zA-Z0-9_]</c> become <c>_</c>.
    /// </summary>
    public static string Snake(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '%')
            {
                builder.Append("_percent");
                continue;
            }
            if (i > 0 && char.IsAsciiLetterUpper(c) && (char.IsAsciiLetterLower(name[i - 1]) || char.IsAsciiDigit(name[i - 1])))
                builder.Append('_');
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? char.ToLowerInvariant(c) : '_');
        }
        return builder.ToString();
    }

    /// <summary>A label name from a tag key or dimension name: characters outside <c>[a-zA-Z0-9_]</c> become <c>_</c>; case is kept.</summary>
    public static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        if (builder.Length > 0 && char.IsAsciiDigit(builder[0]))
            builder.Insert(0, '_');
        return builder.ToString();
    }
}
