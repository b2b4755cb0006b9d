using System.Text;

namespace Headroom.CloudWatch.Collection;

/// <summary>YACE's naming: <c>aws_{namespace}_{metric}_{statistic}</c>, labels <c>dimension_*</c>, <c>tag_*</c>, <c>custom_tag_*</c>.</summary>
public static class PromNames
{
    /// <summary><c>AWS/EC2</c>, <c>CPUUtilization</c>, <c>Average</c> → <c>aws_ec2_cpuutilization_average</c>.</summary>
    public static string Metric(string ns, string metric, string statistic) =>
        $"{Prefix(ns)}_{Snake(metric)}_{Snake(statistic)}";

    /// <summary><c>AWS/EC2</c> → <c>aws_ec2_info</c>.</summary>
    public static string Info(string ns) => $"{Prefix(ns)}_info";

    /// <summary>
    /// The namespace part: <c>AWS/</c> dropped, lower-cased without word splitting (<c>AWS/ApplicationELB</c> →
    /// <c>aws_applicationelb</c>); a custom namespace gets the same <c>aws_</c> prefix (<c>CWAgent</c> → <c>aws_cwagent</c>).
    /// </summary>
    public static string Prefix(string ns)
    {
        var name = ns.StartsWith("AWS/", StringComparison.Ordinal) ? ns[4..] : ns;
        return "aws_" + Sanitize(name).ToLowerInvariant();
    }

    /// <summary>
    /// CamelCase to snake_case the way YACE's names read: an underscore only where a lower-case letter or digit is
    /// followed by an upper-case one, so <c>NetworkIn</c> → <c>network_in</c> but <c>CPUUtilization</c> → <c>cpuutilization</c>.
    /// </summary>
    public static string Snake(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (i > 0 && char.IsAsciiLetterUpper(c) && (char.IsAsciiLetterLower(name[i - 1]) || char.IsAsciiDigit(name[i - 1])))
                builder.Append('_');
            builder.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_');
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
