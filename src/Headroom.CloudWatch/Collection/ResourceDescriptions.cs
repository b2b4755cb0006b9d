using System.Collections.Concurrent;
using Headroom.CloudWatch.Aws;
using Headroom.Prometheus.Aws;

namespace Headroom.CloudWatch.Collection;

/// <summary>
/// What DynamoDB's DescribeTable and Lambda's ListFunctions answered for one discovery (a job, region and role). Two uses
/// ask for the same answer: the info series' facts during discovery (billing mode, memory) and the enhanced metrics after
/// it (item count, timeout). Kept with the discovery and dropped when it is refreshed, so each table is described and each
/// region's functions listed once per discovery rather than once per use. A call that failed or was cancelled is not kept:
/// the next use calls again and meets its own error, as each use did when it called on its own.
/// </summary>
internal sealed class ResourceDescriptions(ResourceApis apis, string region)
{
    private readonly ConcurrentDictionary<string, Task<TableDescription?>> _tables = new(StringComparer.Ordinal);
    private Task<IReadOnlyList<FunctionConfiguration>>? _functions;

    /// <summary>The description of table <paramref name="name"/>.</summary>
    public Task<TableDescription?> TableAsync(AwsCredentials credentials, string name, CancellationToken cancellationToken)
    {
        if (_tables.TryGetValue(name, out var known) && Usable(known))
            return known;
        var call = apis.DescribeTableAsync(region, credentials, name, cancellationToken);
        _tables[name] = call;
        return call;
    }

    /// <summary>Every function of the region, every page.</summary>
    public Task<IReadOnlyList<FunctionConfiguration>> FunctionsAsync(AwsCredentials credentials, CancellationToken cancellationToken)
    {
        if (_functions is { } known && Usable(known))
            return known;
        return _functions = apis.ListFunctionsAsync(region, credentials, cancellationToken);
    }

    private static bool Usable(Task task) => !task.IsFaulted && !task.IsCanceled;
}
