namespace Headroom.Warehouse;

/// <summary>
/// The reads behind the waste rules (<c>headroom report waste</c> and <c>purchase</c>): the resources of a profile
/// seen in a window with their metadata, and their hourly rows of chosen dimensions. The SQL is in <see cref="WasteSql"/>.
/// </summary>
public interface IWasteQueries
{
    /// <summary>The resources of <paramref name="profile"/> seen in [<paramref name="start"/>, <paramref name="end"/>).</summary>
    Task<IReadOnlyList<WasteResource>> ReadResourcesAsync(string profile, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken = default);

    /// <summary>The hourly average and maximum of every dimension of <paramref name="profile"/>'s resources in [<paramref name="start"/>, <paramref name="end"/>), by resource, dimension and hour.</summary>
    Task<IReadOnlyList<WasteHour>> ReadHoursAsync(string profile, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="ReadHoursAsync(string, DateTimeOffset, DateTimeOffset, CancellationToken)"/>, of one dimension only.</summary>
    Task<IReadOnlyList<WasteHour>> ReadHoursAsync(string profile, string dimension, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken = default);

    /// <summary>The latest hour with rows for <paramref name="profile"/>, or null when it has none.</summary>
    Task<DateTimeOffset?> LatestHourAsync(string profile, CancellationToken cancellationToken = default);
}

/// <summary>A resource with what the ETL stored about it.</summary>
/// <param name="Metadata">The extra labels of its info series (e.g. <c>tag_*</c>, <c>state</c>, <c>size_gib</c>).</param>
public sealed record WasteResource(ReportResource Resource, IReadOnlyDictionary<string, string> Metadata, DateTimeOffset FirstSeen, DateTimeOffset LastSeen);

/// <summary>One hourly row: the mean and maximum of the dimension's inner series in the hour, and how many samples it had.</summary>
public sealed record WasteHour(string ResourceKey, string Dimension, DateTimeOffset HourStart, double Avg, double Max, long Samples);

/// <summary>Access to the waste reads of a warehouse.</summary>
public static class WasteQueriesExtensions
{
    /// <summary>The waste reads of <paramref name="warehouse"/>.</summary>
    /// <exception cref="NotSupportedException">The warehouse is not one opened by <see cref="Warehouse.OpenAsync(string, CancellationToken)"/>.</exception>
    public static IWasteQueries Waste(this IWarehouse warehouse) =>
        warehouse as IWasteQueries ?? throw new NotSupportedException($"{warehouse?.GetType().Name} does not implement the waste queries");
}

/// <summary>The SQL of <see cref="IWasteQueries"/>, the same text on SQLite, PostgreSQL and MySQL (reproducible in a BI tool).</summary>
public static class WasteSql
{
    /// <summary>Resources of <c>@profile</c> seen in [<c>@start</c>, <c>@end</c>).</summary>
    public const string Resources = """
        SELECT r.resource_key, r.name, r.account, r.region, r.instance_type, r.metadata_json, r.first_seen, r.last_seen
        FROM resources r
        WHERE r.profile = @profile AND r.last_seen >= @start AND r.first_seen < @end
        ORDER BY r.resource_key
        """;

    /// <summary>Hourly rows of <c>@profile</c> in [<c>@start</c>, <c>@end</c>).</summary>
    public const string Hours = """
        SELECT r.resource_key, h.dimension, h.hour_start, h.avg_value, h.max_value, h.samples
        FROM utilization_hourly h
        JOIN resources r ON r.id = h.resource_id
        WHERE r.profile = @profile AND h.hour_start >= @start AND h.hour_start < @end
        ORDER BY r.resource_key, h.dimension, h.hour_start
        """;

    /// <summary>Hourly rows of dimension <c>@dim</c> of <c>@profile</c> in [<c>@start</c>, <c>@end</c>).</summary>
    public const string DimensionHours = """
        SELECT r.resource_key, h.dimension, h.hour_start, h.avg_value, h.max_value, h.samples
        FROM utilization_hourly h
        JOIN resources r ON r.id = h.resource_id
        WHERE r.profile = @profile AND h.dimension = @dim AND h.hour_start >= @start AND h.hour_start < @end
        ORDER BY r.resource_key, h.hour_start
        """;

    /// <summary>The latest hour of <c>@profile</c>.</summary>
    public const string LatestHour = """
        SELECT MAX(h.hour_start)
        FROM utilization_hourly h
        JOIN resources r ON r.id = h.resource_id
        WHERE r.profile = @profile
        """;
}
