namespace Headroom.Fleet.Aws;

/// <summary>What a simulated AWS resource really is, for measuring the waste rules against.</summary>
public enum AwsTruth
{
    /// <summary>Waste the rule must flag (idle, unattached, under-used or over-provisioned).</summary>
    Waste,

    /// <summary>Used: the rule must not flag it (some sit just past the threshold).</summary>
    Busy,

    /// <summary>Appeared during the window: too little data, the rule must answer "insufficient data".</summary>
    Late,
}

/// <summary>A simulated resource of one kind, its truth and the YACE-named series it exports.</summary>
/// <param name="Kind">The ETL profile that loads it (<c>aws-elb</c>, <c>aws-ebs</c>, …).</param>
/// <param name="Arn">Its ARN: YACE's <c>name</c> label.</param>
/// <param name="Appears">When it was created (no series before).</param>
/// <param name="Series">Metric name → labels and value at a time (NaN: no datapoint then).</param>
public sealed record AwsResource(
    string Kind,
    string Arn,
    string Account,
    string Region,
    AwsTruth Truth,
    string Description,
    DateTimeOffset Appears,
    IReadOnlyList<(string Metric, IReadOnlyList<KeyValuePair<string, string>> Labels, Func<DateTimeOffset, double> Value)> Series);
