namespace Headroom.CloudWatch.Config;

/// <summary>
/// YACE's enhanced metrics: values of a resource's configuration that CloudWatch does not publish, read from the
/// service's own API and exported beside its metrics (<c>aws_lambda_memory_size</c>, no statistic suffix).
/// </summary>
public static class EnhancedMetrics
{
    /// <summary>What Headroom reads, by namespace: Lambda's ListFunctions and DynamoDB's DescribeTable.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Supported = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        ["AWS/Lambda"] = ["MemorySize", "Timeout"],
        ["AWS/DynamoDB"] = ["ItemCount", "TableSizeBytes"],
    };

    /// <summary>YACE's other enhanced metrics and why Headroom refuses them.</summary>
    public static readonly IReadOnlyDictionary<(string Namespace, string Name), string> Refused = new Dictionary<(string, string), string>
    {
        [("AWS/RDS", "AllocatedStorage")] = "it is read with RDS's DescribeDBInstances, a Query/XML API Headroom's collector does not call",
        [("AWS/ElastiCache", "NumCacheNodes")] = "it is read with ElastiCache's DescribeCacheClusters, a Query/XML API Headroom's collector does not call",
    };

    /// <summary>Why <paramref name="name"/> cannot be an enhanced metric of <paramref name="ns"/>, or null when it can.</summary>
    public static string? Problem(string ns, string name)
    {
        if (Supported.TryGetValue(ns, out var names) && names.Contains(name, StringComparer.Ordinal))
            return null;
        var supported = string.Join("; ", Supported.Select(s => $"{string.Join(" and ", s.Value)} of {s.Key}"));
        return Refused.TryGetValue((ns, name), out var reason)
            ? $"enhanced metric '{name}' of {ns} is not supported: {reason}; Headroom supports {supported}"
            : $"'{name}' is not an enhanced metric of {ns}; Headroom supports {supported}";
    }
}
