namespace Headroom.Warehouse;

/// <summary>
/// The SQL of the report queries, identical on SQLite, PostgreSQL and MySQL/MariaDB (window functions and
/// CTEs: SQLite 3.25+, PostgreSQL 10+, MySQL 8, MariaDB 10.2+). Parameters are named with <c>@</c>; days are
/// UTC dates (<c>YYYY-MM-DD</c> text in SQLite), hours UTC timestamps. Reproduce them in a BI tool by
/// substituting the parameters (docs/insights.md).
/// </summary>
public static class ReportSql
{
    /// <summary>
    /// Low utilization per resource. Parameters: <c>@profile</c>, <c>@from</c>/<c>@to</c> (days, to exclusive),
    /// <c>@cpu</c>, <c>@netIn</c>, <c>@netOut</c> (dimension names), <c>@maxCpu</c> (ratio), <c>@maxNet</c> (bytes a day).
    /// A day's network is its average rate in + out × 86,400 s; a day without network data counts on CPU alone.
    /// </summary>
    public const string LowUtilization = """
        SELECT r.resource_key, r.name, r.account, r.region, r.instance_type,
               COUNT(*) AS days,
               SUM(CASE WHEN d.cpu_avg <= @maxCpu AND (d.net_bytes IS NULL OR d.net_bytes <= @maxNet) THEN 1 ELSE 0 END) AS low_days,
               COUNT(d.net_bytes) AS network_days,
               AVG(d.cpu_avg) AS cpu_avg,
               MAX(d.cpu_max) AS cpu_max,
               AVG(d.net_bytes) AS net_bytes_per_day,
               SUM(d.hours) AS hours
        FROM (
            SELECT c.resource_id, c.day, c.avg_value AS cpu_avg, c.max_value AS cpu_max, c.hours,
                   CASE WHEN nin.avg_value IS NULL AND nout.avg_value IS NULL THEN NULL
                        ELSE (COALESCE(nin.avg_value, 0) + COALESCE(nout.avg_value, 0)) * 86400 END AS net_bytes
            FROM utilization_daily c
            LEFT JOIN utilization_daily nin ON nin.resource_id = c.resource_id AND nin.dimension = @netIn AND nin.day = c.day
            LEFT JOIN utilization_daily nout ON nout.resource_id = c.resource_id AND nout.dimension = @netOut AND nout.day = c.day
            WHERE c.dimension = @cpu AND c.day >= @from AND c.day < @to
        ) d
        JOIN resources r ON r.id = d.resource_id
        WHERE r.profile = @profile
        GROUP BY r.id, r.resource_key, r.name, r.account, r.region, r.instance_type
        ORDER BY r.resource_key
        """;

    /// <summary>
    /// Peaks per resource seen in the window. Parameters: <c>@profile</c>, <c>@start</c>/<c>@end</c> (hours, end
    /// exclusive), <c>@from</c>/<c>@to</c> (the same range as days), <c>@cpu</c>, <c>@mem</c>, <c>@q</c> (quantile).
    /// The CPU peak is the nearest-rank quantile of the hourly 5-minute maxima: the smallest value with at least
    /// <c>@q</c> of the hours at or below it, i.e. the smallest value whose <c>CUME_DIST()</c> is at least <c>@q</c>.
    /// This is the reference form for BI tools; <see cref="IReportQueries.ReadPeakUsageAsync"/> computes the same
    /// numbers from <see cref="CpuMaxima"/> and <see cref="Resources"/>, which avoids sorting every hour in the database.
    /// </summary>
    public const string PeakUsage = """
        WITH cpu AS (
            SELECT resource_id, COUNT(*) AS hours,
                   MIN(CASE WHEN cd >= @q THEN v END) AS peak,
                   MAX(v) AS max_v, AVG(a) AS avg_v
            FROM (
                SELECT h.resource_id, COALESCE(h.max_5m_value, h.max_value) AS v, h.avg_value AS a,
                       CUME_DIST() OVER (PARTITION BY h.resource_id ORDER BY COALESCE(h.max_5m_value, h.max_value)) AS cd
                FROM utilization_hourly h
                JOIN resources hr ON hr.id = h.resource_id AND hr.profile = @profile
                WHERE h.dimension = @cpu AND h.hour_start >= @start AND h.hour_start < @end
            ) ranked
            GROUP BY resource_id
        ), mem AS (
            SELECT m.resource_id, SUM(m.hours) AS hours, MAX(m.max_value) AS max_v
            FROM utilization_daily m
            JOIN resources mr ON mr.id = m.resource_id AND mr.profile = @profile
            WHERE m.dimension = @mem AND m.day >= @from AND m.day < @to
            GROUP BY m.resource_id
        )
        SELECT r.resource_key, r.name, r.account, r.region, r.instance_type,
               COALESCE(cpu.hours, 0) AS cpu_hours, cpu.peak AS cpu_peak, cpu.max_v AS cpu_max, cpu.avg_v AS cpu_avg,
               COALESCE(mem.hours, 0) AS memory_hours, mem.max_v AS memory_max
        FROM resources r
        LEFT JOIN cpu ON cpu.resource_id = r.id
        LEFT JOIN mem ON mem.resource_id = r.id
        WHERE r.profile = @profile AND (cpu.resource_id IS NOT NULL OR (r.last_seen >= @start AND r.first_seen < @end))
        ORDER BY r.resource_key
        """;

    /// <summary>
    /// Every hourly CPU 5-minute maximum (and mean) of a profile in the window, for the quantile computed by the
    /// caller. Parameters: <c>@profile</c>, <c>@cpu</c>, <c>@start</c>/<c>@end</c>. Written as resources, then their
    /// hours, so that each resource's hours are read as one range of the primary key. Since migration 002 that range
    /// holds the columns read here in every dialect (SQLite and InnoDB store the rows in key order, PostgreSQL's key
    /// index <c>INCLUDE</c>s them), so no row is looked up elsewhere: on 10,000 resources × 14 days that halved the
    /// report on SQLite (docs/benchmarks.md).
    /// </summary>
    public const string CpuMaxima = """
        SELECT h.resource_id, COALESCE(h.max_5m_value, h.max_value) AS v, h.avg_value AS a
        FROM resources r CROSS JOIN utilization_hourly h
        WHERE h.resource_id = r.id AND r.profile = @profile AND h.dimension = @cpu AND h.hour_start >= @start AND h.hour_start < @end
        """;

    /// <summary>
    /// The resources of a profile with their memory maximum in the window. Parameters: <c>@profile</c>, <c>@mem</c>,
    /// <c>@from</c>/<c>@to</c> (days), <c>@start</c>/<c>@end</c> (the same range as hours).
    /// </summary>
    public const string Resources = """
        WITH mem AS (
            SELECT m.resource_id, SUM(m.hours) AS hours, MAX(m.max_value) AS max_v
            FROM utilization_daily m
            JOIN resources mr ON mr.id = m.resource_id AND mr.profile = @profile
            WHERE m.dimension = @mem AND m.day >= @from AND m.day < @to
            GROUP BY m.resource_id
        )
        SELECT r.resource_key, r.name, r.account, r.region, r.instance_type, r.id,
               COALESCE(mem.hours, 0) AS memory_hours, mem.max_v AS memory_max,
               CASE WHEN r.last_seen >= @start AND r.first_seen < @end THEN 1 ELSE 0 END AS seen
        FROM resources r
        LEFT JOIN mem ON mem.resource_id = r.id
        WHERE r.profile = @profile
        ORDER BY r.resource_key
        """;

    /// <summary>Daily average, p95 and maximum of <c>@dim</c> per resource. Parameters: <c>@profile</c>, <c>@dim</c>, <c>@from</c>/<c>@to</c>.</summary>
    public const string DailySeries = """
        SELECT r.resource_key, d.day, d.avg_value, d.p95_value, d.max_value
        FROM utilization_daily d
        JOIN resources r ON r.id = d.resource_id
        WHERE r.profile = @profile AND d.dimension = @dim AND d.day >= @from AND d.day < @to
        ORDER BY r.resource_key, d.day
        """;

    /// <summary>The latest day of <c>@dim</c> for <c>@profile</c>.</summary>
    public const string LatestDay = """
        SELECT MAX(d.day)
        FROM utilization_daily d
        JOIN resources r ON r.id = d.resource_id
        WHERE r.profile = @profile AND d.dimension = @dim
        """;
}
