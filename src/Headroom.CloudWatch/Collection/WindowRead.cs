using Headroom.CloudWatch.Config;

namespace Headroom.CloudWatch.Collection;

/// <summary>One account (a role, or the ambient credentials) in one region: what a window is read, isolated and retried for.</summary>
public sealed record CollectorTarget(string Region, RoleConfig Role)
{
    /// <summary>The role's ARN, or <c>ambient</c>; for messages.</summary>
    public string Who => Role.RoleArn ?? "ambient credentials";
}

/// <summary>Every datapoint of one GetMetricData query over a window, oldest first.</summary>
/// <param name="Name">The series' name as the collector exports it, e.g. <c>aws_ec2_cpuutilization_average</c>.</param>
/// <param name="Labels">Its labels, as the collector exports them (sorted).</param>
/// <param name="Points">Datapoints: the start of each period (milliseconds since the epoch) and its value.</param>
public sealed record WindowSeries(string Name, IReadOnlyList<KeyValuePair<string, string>> Labels, IReadOnlyList<(long TimestampMs, double Value)> Points);

/// <summary>What reading one target over a window gave.</summary>
/// <param name="Info">The info series of the discovered resources (labels: name, region, account_id, instance_type, tag_*).</param>
/// <param name="Series">One per query, datapoints in the window.</param>
/// <param name="Queries">Metrics requested (GetMetricData bills each, on every page).</param>
/// <param name="Calls">GetMetricData calls, pages included.</param>
public sealed record WindowRead(IReadOnlyList<CollectedSeries> Info, IReadOnlyList<WindowSeries> Series, int Queries, int Calls);

/// <summary>
/// GetMetricData's two limits per call: 500 queries, and 100,800 datapoints returned. A window's queries are batched under
/// both (a day at 300 s is 288 points a query, so 350 queries a call); a query longer than the datapoint limit is split in time.
/// </summary>
public sealed record WindowLimits
{
    /// <summary>Queries per call. 500, as CloudWatch allows.</summary>
    public int MaxQueriesPerCall { get; init; } = 500;

    /// <summary>Datapoints per call. 100,800, as CloudWatch allows.</summary>
    public int MaxDatapointsPerCall { get; init; } = 100_800;

    public static readonly WindowLimits Default = new();

    /// <summary>
    /// Time slices and queries per call for a window: each slice holds at most <see cref="MaxDatapointsPerCall"/> points of
    /// one query; a call holds as many queries as fit both limits.
    /// </summary>
    public (IReadOnlyList<(DateTimeOffset Start, DateTimeOffset End)> Slices, int QueriesPerCall) Plan(DateTimeOffset start, DateTimeOffset end, TimeSpan period)
    {
        var points = (long)Math.Ceiling((end - start) / period);
        var slices = new List<(DateTimeOffset, DateTimeOffset)>();
        var sliceLength = period * Math.Min(points, MaxDatapointsPerCall);
        for (var s = start; s < end; s += sliceLength)
            slices.Add((s, s + sliceLength < end ? s + sliceLength : end));
        var perSlice = Math.Max(1, Math.Min(points, MaxDatapointsPerCall));
        var queriesPerCall = (int)Math.Max(1, Math.Min(MaxQueriesPerCall, MaxDatapointsPerCall / perSlice));
        return (slices, queriesPerCall);
    }
}
