namespace Headroom.CloudWatch.Collection;

/// <summary>A resource found by the tagging API (and, for EC2, confirmed running by DescribeInstances).</summary>
/// <param name="Arn">Its ARN: the <c>name</c> label.</param>
/// <param name="Dimensions">The dimension values its ARN gives (e.g. InstanceId), used to match ListMetrics results.</param>
/// <param name="InstanceType">EC2 only: the instance type from DescribeInstances.</param>
/// <param name="Facts">
/// What the service's describe API says of the resource and CloudWatch does not (size, class, node count, memory,
/// capacity: see <see cref="InfoLabels"/>), exported as labels of its info series; empty when the call was not made or failed.
/// </param>
/// <param name="Rule">The ARN rule of the service table that gave <paramref name="Dimensions"/>; null for a service without
/// rules, whose resources have info series and whose metrics are global.</param>
public sealed record DiscoveredResource(
    string Arn, string Region, string AccountId, IReadOnlyDictionary<string, string> Tags,
    IReadOnlyDictionary<string, string> Dimensions, string? InstanceType = null, Config.ArnRule? Rule = null,
    IReadOnlyDictionary<string, string>? Facts = null)
{
    /// <summary>The account id inside an ARN (arn:partition:service:region:ACCOUNT:...).</summary>
    public static string AccountOf(string arn) => arn.Split(':') is { Length: >= 5 } parts ? parts[4] : "";
}
