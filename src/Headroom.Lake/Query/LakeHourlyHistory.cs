using System.Globalization;
using System.Runtime.CompilerServices;
using Headroom.Warehouse;

namespace Headroom.Lake.Query;

/// <summary>The lake's hourly table as the report's source of hours the warehouse has pruned.</summary>
public sealed class LakeHourlyHistory(LakeQuery lake) : IHourlyHistory
{
    public async IAsyncEnumerable<HourlyUtilization> ReadHourlyAsync(string profile, string dimension, DateTimeOffset start, DateTimeOffset end,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lake);
        // The date filter is what prunes partitions; the hour filter is exact.
        var sql = "SELECT resource_key, dimension, hour_start, avg_value, min_value, max_value, p95_value, max_5m_value, samples, expected FROM hourly " +
            $"WHERE profile = {LakeQuery.Quote(profile)} AND dimension = {LakeQuery.Quote(dimension)} " +
            $"AND date >= DATE {LakeQuery.Quote(Day(start))} AND date <= DATE {LakeQuery.Quote(Day(end))} " +
            $"AND hour_start >= TIMESTAMP {LakeQuery.Quote(Hour(start))} AND hour_start < TIMESTAMP {LakeQuery.Quote(Hour(end))} " +
            "ORDER BY resource_key, hour_start";
        var result = await lake.QueryAsync(sql, cancellationToken).ConfigureAwait(false);
        foreach (var r in result.Rows)
        {
            yield return new HourlyUtilization((string)r[0]!, (string)r[1]!, new DateTimeOffset(DateTime.SpecifyKind((DateTime)r[2]!, DateTimeKind.Utc)),
                (double)r[3]!, (double)r[4]!, (double)r[5]!, (double)r[6]!, (double?)r[7], (long)r[8]!, (long)r[9]!);
        }
    }

    private static string Day(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Hour(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
