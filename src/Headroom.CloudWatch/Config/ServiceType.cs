using System.Text.RegularExpressions;

namespace Headroom.CloudWatch.Config;

/// <summary>
/// An AWS service a discovery job can name: its CloudWatch namespace, YACE's alias, the tagging API's resource type
/// filters, and how a resource's ARN gives the dimension values of its metrics. The table is data, in
/// <c>Config/services.yml</c> (embedded); <see cref="All"/> reads it once.
/// </summary>
public sealed record ServiceType(string Namespace, string Alias, IReadOnlyList<string> ResourceTypeFilters, IReadOnlyList<ArnRule> ArnRules)
{
    private static readonly Lazy<IReadOnlyList<ServiceType>> s_all = new(ServiceTable.Load);

    /// <summary>Every service of the table, in its order.</summary>
    public static IReadOnlyList<ServiceType> All => s_all.Value;

    /// <summary>Finds a service by namespace (<c>AWS/EC2</c>) or alias (<c>ec2</c>), ignoring case.</summary>
    public static ServiceType? Find(string name) =>
        All.FirstOrDefault(s => s.Namespace.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? All.FirstOrDefault(s => s.Alias.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether this is EC2, whose instances are checked for state and type with DescribeInstances.</summary>
    public bool IsEc2 => Namespace == "AWS/EC2";

    /// <summary>
    /// Whether the tagging API lists this service's resources. When it does not, a discovery job cannot select by tags
    /// and exports every listed metric with <c>name="global"</c>.
    /// </summary>
    public bool IsTaggable => ResourceTypeFilters.Count > 0;

    /// <summary>The dimension values a resource's ARN gives: those of the first rule that matches it; null when none does.</summary>
    public (ArnRule Rule, IReadOnlyDictionary<string, string> Dimensions)? DimensionsOf(string arn)
    {
        foreach (var rule in ArnRules)
        {
            if (rule.Match(arn) is { } dimensions)
                return (rule, dimensions);
        }
        return null;
    }
}

/// <summary>
/// How an ARN names dimension values: a regular expression whose capture groups, left to right, are the values of
/// <see cref="Dimensions"/>.
/// </summary>
/// <param name="IgnoreCase">Compare values without case (SageMaker lower-cases names in ARNs).</param>
/// <param name="MetricSuffix">A suffix a metric's value may carry beyond the ARN's (Amazon MQ's <c>-1</c>, <c>-2</c>), or null.</param>
public sealed record ArnRule(Regex Pattern, IReadOnlyList<string> Dimensions, bool IgnoreCase = false, Regex? MetricSuffix = null)
{
    /// <summary>The dimensions the ARN gives, or null when the pattern does not match.</summary>
    public IReadOnlyDictionary<string, string>? Match(string arn)
    {
        var match = Pattern.Match(arn);
        if (!match.Success)
            return null;
        var result = new Dictionary<string, string>(Dimensions.Count, StringComparer.Ordinal);
        for (var i = 0; i < Dimensions.Count; i++)
            result[Dimensions[i]] = match.Groups[i + 1].Value;
        return result;
    }
}
