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

    /// <summary>The info series to read metadata from, joined on <see cref="Identity"/>; optional.</summary>
    public InfoSource? Info { get; init; }

    /// <summary>The step of the inner series the hourly statistics are computed over (default 1m).</summary>
    public TimeSpan Resolution { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The utilization dimensions.</summary>
    public required IReadOnlyList<Dimension> Dimensions { get; init; }
}

/// <summary>An info series (value 1) whose labels describe resources.</summary>
/// <param name="Metric">The metric name, e.g. <c>headroom_host_info</c>.</param>
/// <param name="Metadata">Warehouse field (<c>account</c>, <c>region</c>, <c>instance_type</c>, <c>name</c>) → label of the info series.</param>
/// <param name="Extra">A regular expression: further labels of the info series to keep (e.g. <c>tag_.+</c>).</param>
public sealed record InfoSource(string Metric, IReadOnlyDictionary<string, string> Metadata, string? Extra);

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
