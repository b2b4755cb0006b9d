using System.Collections.Concurrent;
using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Config;

namespace Headroom.CloudWatch.Collection;

public sealed partial class Collector
{
    // The last complete series of each (period, account and region): what a target that fails serves instead.
    private readonly ConcurrentDictionary<(TimeSpan? Period, string Target), IReadOnlyList<CollectedSeries>> _lastGood = new();

    private static string TargetKey(string region, RoleConfig role) => $"{region}|{RoleKey(role)}";

    private static List<CollectedSeries> InfoOf(Dictionary<string, List<CollectedSeries>> info, string region, RoleConfig role)
    {
        var key = TargetKey(region, role);
        if (!info.TryGetValue(key, out var list))
            info[key] = list = [];
        return list;
    }

    /// <summary>
    /// Runs the queries of the targets that did not fail, then assembles the result per target: fresh series where the target
    /// succeeded, its previous pass's series where it failed (so one account's failure never blanks the others, nor itself).
    /// Throws the first failure when every target failed.
    /// </summary>
    private async Task<CollectionResult> FinishAsync(TimeSpan? period, List<PlannedQuery> queries, Dictionary<string, List<CollectedSeries>> info,
        Dictionary<string, AwsApiException> failures, DateTimeOffset now, CancellationToken cancellationToken)
    {
        queries.RemoveAll(q => failures.ContainsKey(TargetKey(q.Region, q.Role)));
        var (values, calls, batchFailures) = await RunQueriesAsync(queries, now, cancellationToken).ConfigureAwait(false);
        foreach (var (key, e) in batchFailures)
            failures.TryAdd(key, e);

        var targets = queries.Select(q => TargetKey(q.Region, q.Role)).Concat(info.Keys).Concat(failures.Keys).ToHashSet(StringComparer.Ordinal);
        if (failures.Count > 0 && failures.Count == targets.Count)
            throw failures.Values.First();

        var byTarget = targets.ToDictionary(t => t, _ => new List<CollectedSeries>(), StringComparer.Ordinal);
        foreach (var (key, list) in info)
            byTarget[key].AddRange(list);
        var queryTargets = new Dictionary<IReadOnlyList<KeyValuePair<string, string>>, string>(ReferenceEqualityComparer.Instance);
        foreach (var q in queries)
            queryTargets.TryAdd(q.Labels, TargetKey(q.Region, q.Role));
        foreach (var s in values)
        {
            if (queryTargets.TryGetValue(s.Labels, out var key))
                byTarget[key].Add(s);
        }

        var series = new List<CollectedSeries>();
        foreach (var (key, list) in byTarget)
        {
            if (failures.ContainsKey(key))
            {
                series.AddRange(_lastGood.TryGetValue((period, key), out var previous) ? previous : []);
                continue;
            }
            _lastGood[(period, key)] = list;
            series.AddRange(list);
        }
        return new CollectionResult(series, now, queries.Count, calls)
        {
            FailedTargets = [.. failures.Select(f => $"{f.Key.Replace("|", " as ", StringComparison.Ordinal).TrimEnd('|', ' ')}: {f.Value.Message}")],
        };
    }
}
