namespace Headroom.CloudWatch.Collection;

/// <summary>One exported series: name, labels sorted by name, value, and the datapoint's time when it is exported.</summary>
public sealed record CollectedSeries(string Name, IReadOnlyList<KeyValuePair<string, string>> Labels, double Value, long? TimestampMs = null)
{
    /// <summary>The value of label <paramref name="name"/>, or null.</summary>
    public string? Label(string name) => Labels.FirstOrDefault(l => l.Key == name).Value;

    /// <summary>Name and labels, to tell series apart.</summary>
    public string Key => Name + "{" + string.Join(',', Labels.Select(l => l.Key + "=" + l.Value)) + "}";

    public static IReadOnlyList<KeyValuePair<string, string>> SortLabels(IEnumerable<KeyValuePair<string, string>> labels) =>
        labels.GroupBy(l => l.Key, StringComparer.Ordinal).Select(g => g.Last()).OrderBy(l => l.Key, StringComparer.Ordinal).ToArray();
}

/// <summary>The complete result of one collection loop: what <c>/metrics</c> serves until the next loop completes.</summary>
public sealed record CollectionResult(IReadOnlyList<CollectedSeries> Series, DateTimeOffset CollectedAt, int Queries, int GetMetricDataCalls)
{
    /// <summary>Accounts and regions that failed in this pass and serve their previous series: one line each, with the error.</summary>
    public IReadOnlyList<string> FailedTargets { get; init; } = [];
}
