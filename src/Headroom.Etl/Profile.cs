namespace Headroom.Etl;

/// <summary>
/// What the ETL extracts for one kind of resource: which labels identify a resource, where its metadata
/// comes from, and the utilization dimensions, each a PromQL expression with a unit.
/// </summary>
public sealed record Profile
{
    /// <summary>The profile's name, e.g. <c>node</c>; part of every warehouse key.</summary>
    public required string Name { get; init; }

    /// <summary>One line for people.</summary>
    public string Description { get; init; } = "";

    /// <summary>Labels that together identify a resource (e.g. <c>instance</c>).</summary>
    public required IReadOnlyList<string> Identity { get; init; }

    /// <summary>
    /// The info series to read metadata from, joined on <see cref="Identity"/>; optional. It is the explicit
    /// override: its fields win over every source in <see cref="MetadataSources"/>.
    /// </summary>
    public InfoSource? Info { get; init; }

    /// <summary>
    /// Further metadata sources in order of preference (the first that has a field gives it), after
    /// <see cref="Info"/>: service-discovery target labels, node_dmi_info, node_uname_info, aws_ec2_info.
    /// </summary>
    public IReadOnlyList<InfoSource> MetadataSources { get; init; } = [];

    /// <summary><see cref="Info"/> then <see cref="MetadataSources"/>: every metadata source by precedence.</summary>
    public IEnumerable<InfoSource> MetadataByPrecedence => Info is null ? MetadataSources : [Info, .. MetadataSources];

    /// <summary>The step of the inner series the hourly statistics are computed over (default 1m).</summary>
    public TimeSpan Resolution { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The utilization dimensions.</summary>
    public required IReadOnlyList<Dimension> Dimensions { get; init; }
}

/// <summary>An info series (value 1) whose labels describe resources.</summary>
/// <param name="Metric">The metric name, e.g. <c>headroom_host_info</c>.</param>
/// <param name="Metadata">
/// Field → label of the info series. Fields: <c>account</c>, <c>region</c>, <c>instance_type</c>, <c>name</c> (warehouse
/// columns), <c>instance_id</c>, <c>availability_zone</c> and <c>monthly_cost</c> (kept in the resource's metadata).
/// </param>
/// <param name="Extra">A regular expression: further labels of the info series to keep (e.g. <c>tag_.+</c>).</param>
public sealed record InfoSource(string Metric, IReadOnlyDictionary<string, string> Metadata, string? Extra)
{
    /// <summary>What the source is called where a field's origin is shown (default: the metric's name).</summary>
    public string? Name { get; init; }

    /// <summary>Label matchers the series must also match, PromQL syntax, e.g. <c>system_vendor="Amazon EC2"</c>.</summary>
    public string? Match { get; init; }

    /// <summary>
    /// Joins by a resolved field instead of the identity labels: the resource whose <c>Join.Field</c> (e.g.
    /// <c>instance_id</c>, from a source without a join) equals this series' <c>Join.Label</c> gets its fields.
    /// </summary>
    public MetadataJoin? Join { get; init; }

    /// <summary>The name shown as a field's origin.</summary>
    public string DisplayName => Name ?? Metric;
}

/// <summary>
/// How an info series without the identity labels finds its resource: its <paramref name="Label"/> equals the
/// resource's <paramref name="Field"/>, or is an ARN ending in <c>/</c> and that value (aws_ec2_info's <c>name</c>).
/// </summary>
/// <param name="Field">A metadata field resolved from a source without a join, e.g. <c>instance_id</c>.</param>
/// <param name="Label">The label of this series holding the same value, e.g. <c>name</c>.</param>
public sealed record MetadataJoin(string Field, string Label);

/// <summary>One utilization dimension of a profile.</summary>
/// <param name="Name">e.g. <c>cpu</c>, <c>memory</c>, <c>network_in</c>.</param>
/// <param name="Unit">The unit of <paramref name="Expr"/>; ratios and percents are normalised to 0..1.</param>
/// <param name="Expr">A PromQL expression returning one series per resource, labelled with the identity labels.</param>
/// <param name="Record">The recording rule that precomputes <paramref name="Expr"/>, if any.</param>
public sealed record Dimension(string Name, Unit Unit, string Expr, string? Record);

/// <summary>Units of a dimension's expression.</summary>
public enum Unit
{
    /// <summary>0..1.</summary>
    Ratio,

    /// <summary>0..100; stored divided by 100.</summary>
    Percent,

    /// <summary>Bytes per second, non-negative.</summary>
    BytesPerSecond,

    /// <summary>Bytes, non-negative.</summary>
    Bytes,

    /// <summary>Any non-negative count or rate.</summary>
    Count,
}
