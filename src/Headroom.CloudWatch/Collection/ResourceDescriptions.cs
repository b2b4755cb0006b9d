using Headroom.CloudWatch.Aws;
using Headroom.Prometheus.Aws;

namespace Headroom.CloudWatch.Collection;

/// <summary>
/// What the services' describe APIs answered for one discovery (a job, region and role), each asked once:
/// <list type="bullet">
/// <item>DynamoDB's DescribeTable and Lambda's ListFunctions serve two uses, the info series' facts during discovery
/// (billing mode, memory) and the enhanced metrics after it (item count, timeout). Their answers are kept with the
/// discovery and dropped when it is refreshed: one call per table per discovery, and per region and page of functions
/// per pass (ListFunctions lists the whole region, so the pass's other Lambda jobs share it).</item>
/// <item>The Query-protocol calls that list a whole region (RDS DescribeDBInstances, ElastiCache DescribeCacheClusters,
/// Redshift DescribeClusters, ELBv2 DescribeLoadBalancers) answer every job of the pass that needs them alike, so they go
/// through the pass's memo: an alb and an nlb job of one region share one DescribeLoadBalancers. The memo comes with
/// each call, not with the descriptions: a discovery stays cached for minutes, and holding the pass would keep every
/// answer of that pass (GetResources' too) alive as long.</item>
/// </list>
/// A call that failed is not kept (<see cref="AnswerMemo"/>).
/// </summary>
internal sealed class ResourceDescriptions(ResourceApis apis, string region, string roleKey)
{
    private readonly AnswerMemo _answers = new();

    /// <summary>The description of table <paramref name="name"/>.</summary>
    public Task<TableDescription?> TableAsync(AwsCredentials credentials, string name, CancellationToken cancellationToken) =>
        _answers.OnceAsync($"DescribeTable|{name}", () => apis.DescribeTableAsync(region, credentials, name, cancellationToken));

    /// <summary>
    /// Every function of the region, every page. Kept with the discovery; during discovery also asked through the
    /// <paramref name="pass"/>'s memo, so two Lambda jobs of one region and role share one ListFunctions.
    /// </summary>
    public Task<IReadOnlyList<FunctionConfiguration>> FunctionsAsync(AnswerMemo? pass, AwsCredentials credentials, CancellationToken cancellationToken) =>
        _answers.OnceAsync("ListFunctions", () => pass is null
            ? apis.ListFunctionsAsync(region, credentials, cancellationToken)
            : pass.OnceAsync($"ListFunctions|{region}|{roleKey}", () => apis.ListFunctionsAsync(region, credentials, cancellationToken)));

    /// <summary>Every record of a region-wide Query-protocol describe call (<see cref="ResourceApis.DescribeAsync"/>), shared by the <paramref name="pass"/>.</summary>
    public Task<IReadOnlyList<IReadOnlyDictionary<string, string>>> DescribeAsync(AnswerMemo pass, AwsApi api, AwsCredentials credentials, string list, string record,
        string marker, CancellationToken cancellationToken) =>
        pass.OnceAsync($"{api.Name}|{region}|{roleKey}", () => apis.DescribeAsync(api, region, credentials, list, record, marker, cancellationToken));
}
